"""Backtest: the model's forecasts of the record's questions, scored against what happened.

For each question (will a ceasefire be in force between ``asked`` and ``ceasefire_by``?) the
model's probability is the share of the event among the prior worlds in which every fact
dated before ``asked`` holds, window facts cut at ``asked`` (docs/record.md).  One ensemble
serves every question: the worlds are the same, only the facts that condition differ.

Scores (lower is better): Brier ``(p - o)^2``; log ``-ln(p)`` if it happened, else
``-ln(1 - p)``, with ``p`` kept within ``[LOG_FLOOR, 1 - LOG_FLOOR]`` so that a share of 0
from finitely many worlds scores finitely.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..dates import as_date
from ..jobs import Job, WritesFolder
from ..options import RunOptions
from ..scenario import Scenario
from .calibrate import as_bound, run_with_record
from .facts import BoundQuestion, BoundRecord, Record

LOG_FLOOR = 1e-3
"""The least probability the log score takes (a forecast of 0 or 1 scores as 0.001 or 0.999)."""

MIN_RELIABILITY = 10
"""Questions needed before a reliability diagram says anything; fewer, and none is drawn."""


def brier(p: float, outcome: bool) -> float:
    """The Brier score of one probability forecast."""
    return (float(p) - float(outcome)) ** 2


def log_score(p: float, outcome: bool) -> float:
    """The log score (negative log likelihood) of one forecast, ``p`` floored."""
    p = min(max(float(p), LOG_FLOOR), 1.0 - LOG_FLOOR)
    return -math.log(p if outcome else 1.0 - p)


def conditioning_mask(runs: pd.DataFrame, record: BoundRecord, q: BoundQuestion) -> np.ndarray:
    """Worlds in which every fact dated before the question was asked holds; a window that
    opens before ``asked`` counts up to the week of ``asked``."""
    asked = as_date(q.question.asked)
    kept = np.ones(len(runs), dtype=bool)
    for f in record.facts:
        fact = f.fact
        if fact.kind == "no_ceasefire":
            if as_date(fact.first) >= asked:
                continue
            first = runs[f"first_in_force:{f.name}"].to_numpy()
            end = min(f.week, q.asked_week)
            kept &= (first < 0) | (first > end)
        elif as_date(fact.date) < asked:
            kept &= runs[f"fact:{f.name}"].to_numpy(dtype=bool)
    return kept


@dataclass
class BacktestResult(WritesFolder):
    """Scored forecasts of the record's questions.

    Attributes
    ----------
    questions : pandas.DataFrame
        One row per question: ``name``, ``asked``, ``ceasefire_by``, ``p``, ``kept``,
        ``outcome``, ``brier``, ``log``, and ``ref:NAME`` / ``ref_brier:NAME`` per reference.
    runs : int
        Prior worlds run.
    """

    scenario: Scenario = field(repr=False)
    record: BoundRecord = field(repr=False)
    questions: pd.DataFrame = field(repr=False)
    runs: int = 0
    seed: int = 0
    wall_seconds: float = 0.0

    def references(self) -> list[str]:
        return [c.removeprefix("ref:") for c in self.questions.columns if c.startswith("ref:")]

    def mean_brier(self) -> float | None:
        return _mean(self.questions["brier"])

    def to_json(self) -> dict:
        """The command's ``--json`` object (docs/record.md)."""
        out = []
        for _, r in self.questions.iterrows():
            reference = {
                name: {"p": float(r[f"ref:{name}"]), "brier": float(r[f"ref_brier:{name}"])}
                for name in self.references()
                if pd.notna(r[f"ref:{name}"])
            }
            out.append(
                {
                    "name": r["name"],
                    "asked": r["asked"],
                    "ceasefire_by": r["ceasefire_by"],
                    "p": _opt(r["p"]),
                    "kept": int(r["kept"]),
                    "outcome": bool(r["outcome"]),
                    "brier": _opt(r["brier"]),
                    "log": _opt(r["log"]),
                    "reference": reference,
                }
            )
        return {
            "questions": out,
            "brier": self.mean_brier(),
            "log": _mean(self.questions["log"]),
            "reference_brier": {
                n: _mean(self.questions[f"ref_brier:{n}"]) for n in self.references()
            },
        }

    def warnings(self) -> list[str]:
        """Questions no world could answer (no world passes their facts), and too few
        questions for a reliability diagram."""
        empty = self.questions.loc[self.questions["kept"] == 0, "name"].tolist()
        out = [
            f"No world passes the facts before question {n!r}: the model gives no forecast "
            "(the record lies outside its worlds)"
            for n in empty
        ]
        if not self.reliable_enough():
            out.append(
                f"{int(self.questions['p'].notna().sum())} forecasts: too few for a reliability "
                f"diagram (drawn from {MIN_RELIABILITY})"
            )
        return out

    def reliable_enough(self) -> bool:
        return int(self.questions["p"].notna().sum()) >= MIN_RELIABILITY

    def plot(self):
        """The reliability diagram (model and references)."""
        from ..plots.record import plot_reliability

        frame = self.questions.dropna(subset=["p"])
        return plot_reliability(frame[["p", "outcome", *(f"ref:{n}" for n in self.references())]])

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``ceasefire backtest`` writes (must not exist); returns it."""
        from ..results import atomic_dir, reserved
        from .folders import write_backtest

        out = Path(folder)
        with reserved(out, "folder"), atomic_dir(out) as tmp:
            write_backtest(self, tmp, plots=plots)
        return out

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The folder's files, into ``tmp`` (:class:`sim.jobs.WritesFolder`)."""
        from .folders import write_backtest

        write_backtest(self, tmp, plots, provenance)

    def summary(self) -> pd.DataFrame:
        """The questions table (for notebooks)."""
        return self.questions.copy()

    def _repr_html_(self) -> str:
        from ..display import html_table, share

        rows = [
            (
                r["name"],
                r["asked"],
                r["ceasefire_by"],
                share(r["p"]),
                "yes" if r["outcome"] else "no",
                "-" if pd.isna(r["brier"]) else f"{r['brier']:.3f}",
            )
            for _, r in self.questions.iterrows()
        ]
        b = self.mean_brier()
        return html_table(
            f"Backtest on {self.record.source}: mean Brier {'-' if b is None else f'{b:.3f}'}",
            ("Question", "Asked", "By", "Model P", "Outcome", "Brier"),
            rows,
            "Brier: (p - outcome)^2, lower is better. .to_json(), .plot(), .save(folder).",
        )

    def __repr__(self) -> str:
        b = self.mean_brier()
        shown = "-" if b is None else f"{b:.3f}"
        return f"BacktestResult({len(self.questions)} questions, mean Brier {shown})"


def _opt(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _mean(column: pd.Series) -> float | None:
    values = pd.to_numeric(column, errors="coerce").dropna()
    return float(values.mean()) if len(values) else None


def score_questions(runs: pd.DataFrame, record: BoundRecord) -> pd.DataFrame:
    """The questions table from one ensemble's runs with the record's columns."""
    names = sorted({n for q in record.questions for n in q.question.reference})
    rows = []
    for q in record.questions:
        kept = conditioning_mask(runs, record, q)
        k = int(kept.sum())
        event = runs[f"question:{q.name}"].to_numpy(dtype=bool)
        p = float(event[kept].mean()) if k else float("nan")
        o = q.question.outcome
        row = {
            "name": q.name,
            "asked": q.question.asked,
            "ceasefire_by": q.question.ceasefire_by,
            "p": p,
            "kept": k,
            "outcome": o,
            "brier": brier(p, o) if k else float("nan"),
            "log": log_score(p, o) if k else float("nan"),
        }
        for n in names:
            ref = q.question.reference.get(n)
            row[f"ref:{n}"] = float("nan") if ref is None else ref
            row[f"ref_brier:{n}"] = float("nan") if ref is None else brier(ref, o)
        rows.append(row)
    return pd.DataFrame(rows)


def backtest(
    scenario: str | Path | Scenario,
    record: str | Path | Record | BoundRecord,
    runs: int | None = None,
    seed: int | None = None,
    policy: str | None = None,
    overrides=(),
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    options: RunOptions | None = None,
) -> BacktestResult:
    """Score the model's forecasts of the record's questions (see the module).

    Returns
    -------
    BacktestResult

    Raises
    ------
    ScenarioError
        A bad record, or one with no questions.

    Examples
    --------
    >>> result = backtest("scenarios/baseline.yaml", "seeds/record-2025.yaml", runs=2000)  # doctest: +SKIP
    >>> result.to_json()["brier"]  # doctest: +SKIP
    """
    from ..errors import ScenarioError
    from ..scenario import load_scenario

    began = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, policy=policy, overrides=overrides)
    bound = as_bound(record, scenario.spec)
    if not bound.questions:
        raise ScenarioError(bound.source, "questions", "the record asks no questions to backtest")
    options = RunOptions.merged(
        options, runs=runs, seed=seed, workers=workers, on_progress=on_progress
    )
    result = run_with_record(scenario, bound, options, trajectory_replicates=0)
    return BacktestResult(
        scenario=scenario,
        record=bound,
        questions=score_questions(result.runs, bound),
        runs=len(result.runs),
        seed=result.seed,
        wall_seconds=time.perf_counter() - began,
    )


def backtest_folder(
    scenario: Scenario,
    record: BoundRecord,
    options: RunOptions | None = None,
    job: Job | None = None,
) -> tuple[BacktestResult, Path]:
    """``ceasefire backtest``: the record's questions checked, then the job
    (:mod:`sim.jobs`): its folder claimed, the worlds run, the folder written."""
    from ..errors import ScenarioError
    from ..jobs import run_job

    options, job = options or RunOptions(), job or Job()
    if not record.questions:
        raise ScenarioError(record.source, "questions", "the record asks no questions to backtest")
    return run_job(
        job,
        f"backtest-{scenario.label}",
        options.runs or scenario.spec.runs,
        f"{scenario.label}: {len(record.questions)} questions",
        lambda o: backtest(scenario, record, options=o),
        options,
    )
