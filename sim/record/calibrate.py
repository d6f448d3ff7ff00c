"""Calibration on the record: keep the prior worlds in which every used fact holds.

Plain rejection on common random numbers (docs/record.md): N replicates are drawn from the
scenario's prior and run once with the record's probes (:mod:`sim.record.observe`); a
replicate is kept when every fact dated on or before ``until`` holds in it.  Every kept
replicate has weight 1, so the effective sample size is the number kept.  The kept worlds are
an exact sample of the prior conditioned on the facts, because each fact is a deterministic
function of the replicate's draws: no distance, no tolerance.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..jobs import Job, WritesFolder
from ..options import RunOptions
from ..scenario import Scenario
from .facts import BoundRecord, Record, bind_record, check_until, read_record

TINY_ESS = 30
"""Fewer kept worlds than this and the posterior is called unreliable, plainly."""

HELD_OUT_FLAG = 0.5
"""A held-out fact less likely than this among the kept worlds is flagged."""


@dataclass
class CalibrationResult(WritesFolder):
    """The prior worlds that pass the record, and what they say about the inputs.

    Attributes
    ----------
    scenario : Scenario
    record : BoundRecord
    until : str or None
        Facts dated on or before it are used; ``None``: all of them.
    runs : pandas.DataFrame
        Every prior replicate: the outcomes, the inputs and the record's columns.
    kept : numpy.ndarray of bool
        Which replicates every used fact holds in.
    facts : pandas.DataFrame
        One row per fact: ``name``, ``kind``, ``date``, ``week``, ``used``, ``prior`` (its
        share among the prior worlds), ``posterior`` (among the kept; 1 for a used fact),
        ``flagged`` (a held-out fact below :data:`HELD_OUT_FLAG`).
    inputs : pandas.DataFrame
        One row per uncertain input: ``path``, ``prior_mean``, ``prior_sd``,
        ``posterior_mean``, ``posterior_sd``, ``shift_sd`` (the mean's shift in prior sds).
    seed : int
    """

    scenario: Scenario = field(repr=False)
    record: BoundRecord = field(repr=False)
    until: str | None
    runs: pd.DataFrame = field(repr=False)
    kept: np.ndarray = field(repr=False)
    facts: pd.DataFrame = field(repr=False)
    inputs: pd.DataFrame = field(repr=False)
    seed: int = 0
    wall_seconds: float = 0.0

    @property
    def n(self) -> int:
        return len(self.runs)

    @property
    def k(self) -> int:
        return int(self.kept.sum())

    @property
    def ess(self) -> float:
        """Effective sample size of the kept worlds: (sum w)^2 / sum w^2 with w = 1 each."""
        return float(self.k)

    def message(self) -> str:
        """One plain sentence on how far the record can be trusted to inform the model."""
        if self.k == 0:
            return (
                f"No world of {self.n:,} passes the record: the record lies outside the model's "
                "worlds. That is a finding about the model (its prior or its mechanisms), "
                "not a posterior; see the facts' prior shares for which facts it finds "
                "surprising."
            )
        if self.ess < TINY_ESS:
            return (
                f"Only {self.k:,} of {self.n:,} worlds pass the record (effective sample size "
                f"{self.ess:.0f}): the record lies nearly outside the model's worlds, and the "
                "posterior below rests on too few worlds to trust; more runs or fewer facts."
            )
        return (
            f"{self.k:,} of {self.n:,} worlds ({self.k / self.n:.1%}) pass the record "
            f"(effective sample size {self.ess:.0f})."
        )

    def warnings(self) -> list[str]:
        """The message, when no world or too few pass the record; else nothing."""
        return [self.message()] if self.ess < TINY_ESS else []

    def to_json(self) -> dict:
        """The command's ``--json`` object (docs/record.md)."""
        return {
            "runs": self.n,
            "kept": self.k,
            "ess": self.ess,
            "facts": [
                {
                    "name": r.name,
                    "date": r.date,
                    "used": bool(r.used),
                    "prior": _num(r.prior),
                    "posterior": _num(r.posterior),
                }
                for r in self.facts.itertuples()
            ],
            "inputs": {
                r.path: {
                    "prior_mean": _num(r.prior_mean),
                    "posterior_mean": _num(r.posterior_mean),
                    "shift_sd": _num(r.shift_sd),
                }
                for r in self.inputs.itertuples()
            },
        }

    def kept_runs(self) -> pd.DataFrame:
        """The kept replicates' rows (inputs, outcomes, record columns)."""
        return self.runs[self.kept].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """The facts table (for notebooks)."""
        return self.facts.copy()

    def plot(self):
        """The posterior-vs-prior figure of the inputs that moved most."""
        from ..plots.record import plot_posterior

        return plot_posterior(
            self.runs,
            self.kept,
            self.inputs,
            title=f"{self.scenario.label} given {Path(self.record.source).name}",
        )

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``ceasefire calibrate`` writes (must not exist); returns it."""
        from ..results import atomic_dir, reserved
        from .folders import write_calibration

        out = Path(folder)
        with reserved(out, "folder"), atomic_dir(out) as tmp:
            write_calibration(self, tmp, plots=plots)
        return out

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The folder's files, into ``tmp`` (:class:`sim.jobs.WritesFolder`)."""
        from .folders import write_calibration

        write_calibration(self, tmp, plots, provenance)

    def _repr_html_(self) -> str:
        from ..display import html_table, share

        rows = [
            (r.name, r.date, "used" if r.used else "held out", share(r.prior), share(r.posterior))
            for r in self.facts.itertuples()
        ]
        return html_table(
            f"{self.scenario.label} given {self.record.source}: {self.message()}",
            ("Fact", "Date", "Use", "Prior share", "Among kept"),
            rows,
            ".inputs: prior and posterior of each uncertain input; .plot(), .save(folder).",
        )

    def __repr__(self) -> str:
        return (
            f"CalibrationResult({self.scenario.label} given {self.record.source}: "
            f"{self.k:,} of {self.n:,} kept, ESS {self.ess:.0f})"
        )


def _num(x: object) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None


# --------------------------------------------------------------------------- the method
def as_bound(record: str | Path | Record | BoundRecord, spec) -> BoundRecord:
    """A record file, a read record or a bound one, bound to ``spec``."""
    if isinstance(record, BoundRecord):
        return record
    if not isinstance(record, Record):
        record = read_record(record)
    return bind_record(record, spec)


def used_mask(runs: pd.DataFrame, record: BoundRecord, until: str | None) -> np.ndarray:
    """Which replicates every fact used up to ``until`` holds in."""
    kept = np.ones(len(runs), dtype=bool)
    for fact in record.used(until):
        kept &= runs[f"fact:{fact.name}"].to_numpy(dtype=bool)
    return kept


def run_with_record(
    scenario: Scenario,
    record: BoundRecord,
    options: RunOptions | None = None,
    clocks: Sequence[int] = (),
    trajectory_replicates: int | None = None,
):
    """One ensemble of the scenario with the record's probes (an EnsembleResult): one
    arm of the one scheduler (:func:`sim.ensemble.run_arms`)."""
    from ..ensemble import TRAJECTORY_REPLICATES, Arm, run_arms
    from .observe import Probes, RecordedModel

    model = functools.partial(RecordedModel, probes=Probes.of(record, tuple(clocks)))
    keep = TRAJECTORY_REPLICATES if trajectory_replicates is None else trajectory_replicates
    (result,) = run_arms([Arm(scenario, keep, model_class=model)], options)
    return result


def input_paths(scenario: Scenario) -> list[str]:
    """The scenario's uncertain inputs (the columns calibration reports)."""
    from ..parameters import flat_parameters, uncertain

    return list(uncertain(flat_parameters(scenario.spec)))


def input_table(runs: pd.DataFrame, kept: np.ndarray, paths: Sequence[str]) -> pd.DataFrame:
    """Prior and posterior mean and sd of each input, and the mean's shift in prior sds."""
    rows = []
    for path in paths:
        x = runs[path].to_numpy(dtype=float)
        prior_mean, prior_sd = float(x.mean()), float(x.std())
        post = x[kept]
        post_mean = float(post.mean()) if len(post) else float("nan")
        post_sd = float(post.std()) if len(post) else float("nan")
        shift = (post_mean - prior_mean) / prior_sd if prior_sd > 0 else float("nan")
        rows.append(
            {
                "path": path,
                "prior_mean": prior_mean,
                "prior_sd": prior_sd,
                "posterior_mean": post_mean,
                "posterior_sd": post_sd,
                "shift_sd": shift,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["path", "prior_mean", "prior_sd", "posterior_mean", "posterior_sd", "shift_sd"],
    )


def fact_table(runs: pd.DataFrame, kept: np.ndarray, record: BoundRecord, until: str | None):
    """Each fact's share among the prior worlds and among the kept ones."""
    used = {f.name for f in record.used(until)}
    rows = []
    for f in record.facts:
        holds = runs[f"fact:{f.name}"].to_numpy(dtype=bool)
        posterior = 1.0 if f.name in used else (holds[kept].mean() if kept.any() else np.nan)
        rows.append(
            {
                "name": f.name,
                "kind": f.fact.kind,
                "date": f.fact.date,
                "week": f.week,
                "used": f.name in used,
                "prior": float(holds.mean()) if len(holds) else np.nan,
                "posterior": float(posterior),
                "flagged": f.name not in used
                and bool(np.nan_to_num(posterior, nan=0.0) < HELD_OUT_FLAG),
            }
        )
    return pd.DataFrame(
        rows, columns=["name", "kind", "date", "week", "used", "prior", "posterior", "flagged"]
    )


def calibrate(
    scenario: str | Path | Scenario,
    record: str | Path | Record | BoundRecord,
    until: str | None = None,
    runs: int | None = None,
    seed: int | None = None,
    policy: str | None = None,
    overrides: Sequence[str] = (),
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    options: RunOptions | None = None,
) -> CalibrationResult:
    """Keep the prior worlds in which the record's facts hold (plain rejection).

    Parameters
    ----------
    scenario : str, Path or Scenario
        The scenario file (``policy`` and ``overrides`` applied) or a loaded scenario.
    record : str, Path, Record or BoundRecord
        The record file (docs/record.md).
    until : str, optional
        ISO date: facts dated on or before it are used (a window fact when its window ends
        by then), the later ones held out; default: all facts.
    runs, seed, workers, on_progress
        Prior replicates and run seed (the scenario's by default), local processes and the
        progress callback: fields of :class:`~sim.options.RunOptions` (or give ``options``).
    policy, overrides
        As for :func:`sim.load_scenario`.
    options : RunOptions, optional

    Returns
    -------
    CalibrationResult

    Examples
    --------
    >>> result = calibrate("scenarios/baseline.yaml", "seeds/record-2025.yaml", runs=2000)  # doctest: +SKIP
    >>> result.k, result.inputs.sort_values("shift_sd")  # doctest: +SKIP
    """
    from ..scenario import load_scenario

    began = time.perf_counter()
    options = RunOptions.merged(
        options, runs=runs, seed=seed, workers=workers, on_progress=on_progress
    )
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, policy=policy, overrides=overrides)
    elif policy or overrides:
        raise ScenarioError("--policy", "", "give policy and overrides with a scenario file")
    bound = as_bound(record, scenario.spec)
    until = check_until(bound, until)
    result = run_with_record(scenario, bound, options, trajectory_replicates=0)
    kept = used_mask(result.runs, bound, until)
    return CalibrationResult(
        scenario=scenario,
        record=bound,
        until=until,
        runs=result.runs,
        kept=kept,
        facts=fact_table(result.runs, kept, bound, until),
        inputs=input_table(result.runs, kept, input_paths(scenario)),
        seed=result.seed,
        wall_seconds=time.perf_counter() - began,
    )


def calibrate_folder(
    scenario: Scenario,
    record: BoundRecord,
    until: str | None = None,
    options: RunOptions | None = None,
    job: Job | None = None,
) -> tuple[CalibrationResult, Path]:
    """``ceasefire calibrate``: the scenario and the record checked (by the caller), then the
    job (:mod:`sim.jobs`): its folder claimed, the prior worlds run, the folder written."""
    from ..jobs import run_job

    options, job = options or RunOptions(), job or Job()
    return run_job(
        job,
        f"calibrate-{scenario.label}",
        options.runs or scenario.spec.runs,
        f"{scenario.label} given {Path(record.source).name}",
        lambda o: calibrate(scenario, record, until=until, options=o),
        options,
    )
