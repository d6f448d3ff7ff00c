"""Tabling a deal: who accepts a given package in a given week, and does it hold?

For each listed week the war runs with no agreement up to that week (the mediator makes no
proposals), then the deal is tabled once: each veto player accepts when the deal beats its
value of fighting on and it can ratify it (docs/model.md, phase 5).  Where every veto
player accepts, the ceasefire then faces the durability phase to the horizon.

Every week is an arm on the same seed and replicate indices, so the weeks are compared on
common random numbers; the weeks run together on the one scheduler
(:func:`sim.ensemble.run_arms`).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .ensemble import Arm, run_arms
from .errors import OptionError, ScenarioError
from .jobs import Job, WritesFolder
from .options import RunOptions, check_options
from .outcomes import wilson
from .scenario import LINE, Scenario
from .snapshot import ScenarioSnapshot, as_snapshot
from .spreadsheet import to_csv

CUSTOM = "custom"
"""Name given to a deal described by ``terms=`` (``--terms``) rather than by name."""


@dataclass
class DealResult(WritesFolder):
    """Acceptance of one deal tabled in several weeks.

    Attributes
    ----------
    deal : str
        The deal's name (``custom`` for terms given directly).
    terms : dict
        The deal's terms by issue (a number, or ``"line"``).
    weeks : list of int
    vetoes : list of str
        The veto players' keys, as in the scenario's ``actors:``.
    table : pandas.DataFrame
        One row per week: ``week``, ``runs``, ``p_accept_<actor>`` with ``_lo``/``_hi``,
        ``p_all_accept`` with ``_lo``/``_hi``, ``blocker_<actor>`` shares, and ``p_held``
        (among the replicates where all accept) with ``_lo``/``_hi``.
    runs : dict
        Each week's per-replicate table (``runs.parquet`` columns).
    scenario : Scenario
        The scenario as loaded for the first week (policy and overrides applied).
    seed : int
    """

    deal: str
    terms: dict
    weeks: list[int]
    vetoes: list[str]
    table: pd.DataFrame
    runs: dict[int, pd.DataFrame] = field(repr=False)
    scenario: Scenario = field(repr=False)
    seed: int = 0
    wall_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The command's ``--json`` object: one list entry per week (``dates`` with them
        when the scenario has a calendar)."""
        from .dates import date_of, iso

        t = self.table

        def bounds(column: str) -> dict:  # the 95% interval of each week's estimate
            return {"lo": _floats(t[f"{column}_lo"]), "hi": _floats(t[f"{column}_hi"])}

        return {
            "deal": self.deal,
            "terms": self.terms,
            "weeks": [int(w) for w in t["week"]],
            **(
                {"dates": [iso(date_of(int(w), start)) for w in t["week"]]}
                if (start := self.scenario.spec.start)
                else {}
            ),
            "accept": {a: _floats(t[f"p_accept_{a}"]) for a in self.vetoes},
            "accept_interval": {a: bounds(f"p_accept_{a}") for a in self.vetoes},
            "all_accept": _floats(t["p_all_accept"]),
            "all_accept_interval": bounds("p_all_accept"),
            "blocker": {a: _floats(t[f"blocker_{a}"]) for a in self.vetoes},
            "held": _floats(t["p_held"]),
            "held_interval": bounds("p_held"),
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        from .display import shorten

        cells = ", ".join(
            f"week {int(w)}: {p:.0%} all accept"
            for w, p in zip(self.table["week"], self.table["p_all_accept"], strict=True)
        )
        runs = int(self.table["runs"].iloc[0]) if len(self.table) else 0
        return (
            f"DealResult({self.deal!r} on {shorten(self.scenario.label, 60)}, "
            f"{runs:,} runs per week, {shorten(cells, 300)})"
        )

    # ------------------------------------------------------------------ for notebooks
    def summary(self) -> pd.DataFrame:
        """One row per week: each veto player's acceptance, all accept, and holds (among
        the runs where all accept), without the interval columns."""
        keep = [c for c in self.table.columns if not c.endswith(("_lo", "_hi"))]
        return self.table[keep].copy()

    def plot(self):
        """The deal's figure (acceptance by week, blockers, holding)."""
        from .plots.deal import plot_deal

        return plot_deal(self, describe_terms(self.terms))

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``ceasefire deal`` writes (must not exist); returns it."""
        from .results import atomic_dir, reserved

        out = Path(folder)
        with reserved(out, "folder"), atomic_dir(out) as tmp:
            write_deal(self, tmp, plots=plots)
        return out

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The folder's files, into ``tmp`` (:class:`sim.jobs.WritesFolder`)."""
        write_deal(self, tmp, plots, provenance)

    def _repr_html_(self) -> str:
        from .display import html_table, interval, share

        header = ["Week", *(f"{a} accepts" for a in self.vetoes), "All accept", "Holds"]
        rows = []
        for _, row in self.table.iterrows():
            cells = [str(int(row["week"]))]
            for key in [*(f"p_accept_{a}" for a in self.vetoes), "p_all_accept", "p_held"]:
                cells.append(
                    f"{share(row[key])} {interval(row[f'{key}_lo'], row[f'{key}_hi'])}".strip()
                )
            rows.append(cells)
        runs = int(self.table["runs"].iloc[0]) if len(self.table) else 0
        return html_table(
            f"Deal '{self.deal}' ({describe_terms(self.terms)}) on {self.scenario.label}: "
            f"{runs:,} runs per week, seed {self.seed}",
            header,
            rows,
            "Brackets: 95% Wilson intervals. 'Holds': to the horizon, among the runs where "
            "all accept.",
        )


def _floats(column: pd.Series) -> list[float | None]:
    return [None if pd.isna(x) else float(x) for x in column]


def tabling(
    base: Scenario,
    deal: str | None,
    terms: Mapping[str, float | str] | None,
    week: int | None = None,
) -> Scenario:
    """``base`` with the deal declared (``terms``: as the deal ``custom``) and, given a
    ``week``, tabled in it: made on the validated spec, the document not validated again
    (the deal, the terms and the week are checked by :func:`deal_arms`)."""
    from .scenario.schema import DealSpec, TabledSpec

    spec = base.spec
    update: dict = {}
    if terms is not None:
        update["deals"] = {**spec.deals, CUSTOM: DealSpec(terms=dict(terms))}
    if week is not None:
        name = deal if terms is None else CUSTOM
        update["tabled"] = TabledSpec(deal=name, week=int(week))
    return dataclasses.replace(base, spec=spec.model_copy(update=update))


def parse_terms(text: str) -> dict[str, float | str]:
    """``territory=line,nato=0`` -> ``{"territory": "line", "nato": 0.0}`` (one-line errors)."""
    terms: dict[str, float | str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        issue, sep, value = part.partition("=")
        issue, value = issue.strip(), value.strip()
        if not sep or not issue or not value:
            raise ScenarioError("--terms", part, "expected ISSUE=VALUE")
        if issue in terms:
            raise ScenarioError("--terms", issue, "given twice")
        if value == LINE:
            terms[issue] = LINE
            continue
        try:
            terms[issue] = float(value)
        except ValueError:
            raise ScenarioError(
                "--terms", issue, f"must be a number in [0, 1] or 'line', got {value!r}"
            ) from None
    if not terms:
        raise ScenarioError("--terms", text, "no terms given")
    return terms


def parse_weeks(text: str, start: str | None = None) -> list[int]:
    """``"1,26,52"`` -> ``[1, 26, 52]``: whole numbers of at least 1, none twice (one-line
    errors naming ``--weeks``; the horizon is checked against the scenario later).  With a
    calendar (the scenario's ``start:``) a week may be given as an ISO date
    (``2025-03-11``): the week it falls in (:mod:`sim.dates`)."""
    from .dates import parse_week

    weeks = [parse_week(part, start) for part in text.split(",")]
    check_weeks(weeks)
    return weeks


def as_weeks(weeks: Sequence[int | str], start: str | None) -> list[int]:
    """Weeks given as numbers or as dates on the calendar starting ``start``."""
    from datetime import date

    from .dates import parse_week

    return [parse_week(str(w), start) if isinstance(w, str | date) else w for w in weeks]


def check_weeks(weeks: Sequence[int], horizon: int | None = None, cli: bool = True) -> None:
    """Refuse no weeks, a week that is not a whole number of at least 1 (or beyond
    ``horizon``), and a week listed twice (naming ``--weeks``, or ``weeks`` from Python)."""
    source = "--weeks" if cli else "weeks"
    if isinstance(weeks, str | bytes):
        raise OptionError(source, f"expected a list of weeks, not a string: {weeks!r}")
    if not weeks:
        raise OptionError(source, "give at least one week")
    for week in weeks:
        if isinstance(week, bool) or not isinstance(week, int | np.integer) or week < 1:
            raise OptionError(source, "weeks must be whole numbers of at least 1", str(week))
        if horizon is not None and week > horizon:
            raise OptionError(source, f"beyond the scenario's horizon ({horizon} weeks)", str(week))
    if len(set(weeks)) != len(weeks):
        raise OptionError(source, "a week is listed twice", ",".join(map(str, weeks)))


def check_terms(terms: Mapping[str, float | str], spec, cli: bool = True) -> None:
    """Refuse terms on an unknown issue, a value outside [0, 1], or ``line`` on an issue
    other than the battlefield's (one line naming ``--terms``, or ``terms`` from Python)."""
    source = "--terms" if cli else "terms"
    if not isinstance(terms, Mapping):
        raise OptionError(
            source, f"expected a mapping of issue to value, got {type(terms).__name__}"
        )
    for issue, value in terms.items():
        if issue not in spec.issues:
            known = ", ".join(spec.issues)
            raise OptionError(source, f"unknown issue (issues: {known})", str(issue))
        if value == LINE:
            if issue != spec.battlefield.issue:
                raise OptionError(
                    source,
                    f"'line' is only for the battlefield issue ({spec.battlefield.issue})",
                    issue,
                )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise OptionError(source, f"must be a number in [0, 1] or 'line', got {value!r}", issue)


def outside_feasible(terms: Mapping[str, float | str], spec) -> list[str]:
    """One note per term outside its issue's ``feasible`` range: a deal the mediator would
    never table (say, more than third parties underwrite) is still evaluated as asked, but
    the result says so."""
    notes = []
    for issue, value in terms.items():
        box = getattr(spec.issues.get(issue), "feasible", None)
        if box is None or value == LINE or not isinstance(value, int | float):
            continue
        low, high = box
        if not low <= value <= high:
            notes.append(
                f"{issue}={value:g} lies outside the issue's feasible range [{low:g}, {high:g}] "
                "(terms the mediator would not table): evaluated as given"
            )
    return notes


def deal_arms(
    scenario: str | Path | ScenarioSnapshot | Scenario,
    deal: str | None,
    terms: Mapping[str, float | str] | None,
    weeks: Sequence[int | str],
    policy: str | None = None,
    overrides: Sequence[str] = (),
    cli: bool = False,
) -> tuple[list[int], list[Scenario]]:
    """The weeks (dates read on the scenario's calendar) and one scenario per week, each
    tabling the deal in that week.

    Every check is made here, before any replicate runs: the deal exists (or the terms are
    valid for the scenario's issues), and every week lies within the horizon.  The file is
    read and validated once; every week is that scenario with the deal tabled
    (:func:`tabling`).
    """
    named = "--deal" if cli else "deal"
    if (deal is None) == (terms is None):
        both = "--deal NAME or --terms ..." if cli else "deal= or terms="
        raise OptionError(named, f"give exactly one of {both}")
    snapshot, policy, overrides = as_snapshot(scenario, policy, overrides)
    base = snapshot.build(policy, overrides)
    weeks = as_weeks(weeks, base.spec.start)
    check_weeks(weeks, cli=cli)
    if terms is not None:
        check_terms(terms, base.spec, cli)
    elif deal not in base.spec.deals:
        known = ", ".join(base.spec.deals) or "none"
        raise OptionError(named, f"no such deal in {snapshot.source} (defined: {known})", deal)
    check_weeks(weeks, base.spec.horizon, cli)
    return [int(w) for w in weeks], [tabling(base, deal, terms, week) for week in weeks]


def evaluate_deal(
    scenario: str | Path | ScenarioSnapshot | Scenario,
    deal: str | None = None,
    terms: Mapping[str, float | str] | None = None,
    weeks: Sequence[int] = (1, 26, 52),
    runs: int | None = None,
    seed: int | None = None,
    policy: str | None = None,
    overrides: Sequence[str] = (),
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    checkpoint: str | Path | None = None,
    options: RunOptions | None = None,
) -> DealResult:
    """Table a deal in each of ``weeks`` and report who accepts it.

    Parameters
    ----------
    scenario : str, Path or Scenario
        The scenario file, or a loaded scenario (its policy and overrides kept).
    deal : str, optional
        A deal named in the scenario's ``deals:``.
    terms : mapping, optional
        Or the terms themselves, ``{issue: number or "line"}``; unnamed issues stay at their
        status quo.
    weeks : sequence of int or ISO date
        Weeks (or dates, on the scenario's calendar) in which to table the deal (one arm
        each, all on common random numbers, run together).
    runs, seed, workers, on_progress, chunk_size, scheduler, checkpoint
        The fields of :class:`~sim.options.RunOptions` (or give ``options``): replicates
        per week and run seed (the file's by default); with ``checkpoint``, each week
        keeps its finished chunks in a subfolder of it.
    policy, overrides
        As for :func:`sim.load_scenario`.
    options : RunOptions, optional

    Returns
    -------
    DealResult

    Examples
    --------
    >>> result = evaluate_deal("scenarios/baseline.yaml", deal="freeze", weeks=[1, 26])  # doctest: +SKIP
    >>> result.table[["week", "p_all_accept"]]  # doctest: +SKIP
    """
    options = RunOptions.merged(
        options,
        runs=runs,
        seed=seed,
        workers=workers,
        on_progress=on_progress,
        chunk_size=chunk_size,
        scheduler=scheduler,
        checkpoint=checkpoint,
    )
    checked = check_options(weeks=weeks, overrides=overrides)
    weeks, arms = deal_arms(
        scenario, deal, terms, checked["weeks"], policy, checked["overrides"] or ()
    )
    return deal_of(deal if terms is None else CUSTOM, weeks, arms, options)


def deal_of(
    name: str, weeks: Sequence[int], arms: Sequence[Scenario], options: RunOptions | None = None
) -> DealResult:
    """:func:`evaluate_deal` of the weeks' scenarios already built (:func:`deal_arms`): the
    weeks run together (one pool), then are tabled."""
    began = time.perf_counter()
    first = arms[0]
    vetoes = [k for k, a in first.spec.actors.items() if a.veto]
    jobs = [Arm(arm, checkpoint=f"week-{int(w):04d}") for w, arm in zip(weeks, arms, strict=True)]
    results = run_arms(jobs, options)
    rows, tables = [], {}
    for week, result in zip(weeks, results, strict=True):
        tables[int(week)] = result.runs
        rows.append(acceptance_row(result.runs, int(week), vetoes))
    return DealResult(
        deal=name,
        notes=outside_feasible(first.spec.deals[name].terms, first.spec),
        terms=dict(first.spec.deals[name].terms),
        weeks=[int(w) for w in weeks],
        vetoes=vetoes,
        table=pd.DataFrame(rows),
        runs=tables,
        scenario=first,
        seed=results[0].seed,
        wall_seconds=time.perf_counter() - began,
    )


def acceptance_row(runs: pd.DataFrame, week: int, vetoes: Sequence[str]) -> dict:
    """One week's figures from the per-replicate table of a tabled-deal ensemble."""
    n = len(runs)
    row: dict = {"week": week, "runs": n}
    for actor in vetoes:
        k = int(runs[f"accepted_{actor}"].sum())
        row[f"p_accept_{actor}"] = k / n
        row[f"p_accept_{actor}_lo"], row[f"p_accept_{actor}_hi"] = wilson(k, n)
    together = np.logical_and.reduce([runs[f"accepted_{a}"].to_numpy() for a in vetoes])
    k = int(together.sum())
    row["p_all_accept"] = k / n
    row["p_all_accept_lo"], row["p_all_accept_hi"] = wilson(k, n)
    blockers = runs["blocker"].astype(object)
    for actor in vetoes:
        row[f"blocker_{actor}"] = float((blockers == actor).mean())
    held = int(runs["held"].to_numpy()[together].sum())
    row["p_held"] = held / k if k else float("nan")
    row["p_held_lo"], row["p_held_hi"] = wilson(held, k) if k else (float("nan"), float("nan"))
    return row


def write_deal(
    result: DealResult, out: Path, plots: bool = True, provenance: Mapping | None = None
) -> None:
    """Write a deal's results folder into ``out`` (which the caller makes atomic).

    Files: ``deal.csv`` (one row per week), ``deal.json`` (the ``--json`` object plus what
    produced it: scenario file and SHA-256, seed, runs, policy, overrides, versions),
    ``runs.parquet`` (every week's replicates, with a ``week`` column) and, unless ``plots``
    is false, ``plots/deal.png``.
    """
    from .results import versions

    scenario = result.scenario
    spec = scenario.spec
    to_csv(result.table, out / "deal.csv")
    runs = pd.concat(
        [table.assign(week=week) for week, table in result.runs.items()], ignore_index=True
    )
    runs.insert(0, "week", runs.pop("week"))
    runs.to_parquet(out / "runs.parquet", index=False)
    named = spec.deals[result.deal]
    info = {
        **result.to_json(),
        "kind": "deal",
        "description": named.description,
        "sources": named.sources,
        "vetoes": list(result.vetoes),
        "table": json.loads(result.table.to_json(orient="records")),
        "scenario": scenario.name,
        "label": scenario.label,
        "source": scenario.source,
        "policy": scenario.policy,
        "overrides": list(scenario.overrides),  # the user's --set: the deal is tabled apart
        "scenario_sha256": scenario.text_hash,
        "scenario_texts": scenario.texts,
        "horizon_weeks": spec.horizon,
        "issues": {k: v.model_dump() for k, v in spec.issues.items()},
        "actors": {k: a.name or k for k, a in spec.actors.items()},
        "runs": int(result.table["runs"].iloc[0]),
        "seed": result.seed,
        "wall_seconds": result.wall_seconds,
        **(provenance or {}),  # the command line (sim.jobs.Job), if one made it
        "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (out / "deal.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    if plots:
        from .plots.deal import plot_deal
        from .plots.style import save_figures

        save_figures({"deal": plot_deal(result, describe_terms(result.terms))}, out / "plots")


def describe_terms(terms: Mapping[str, float | str]) -> str:
    """``{"territory": "line", "nato": 0.0}`` -> ``territory=line, nato=0``."""
    return ", ".join(
        f"{issue}={value if value == LINE else format(float(value), 'g')}"
        for issue, value in terms.items()
    )


def deal_folder(
    scenario: str | Path | ScenarioSnapshot | Scenario,
    deal: str | None,
    terms: Mapping[str, float | str] | None,
    weeks: Sequence[int | str],
    policy: str | None = None,
    overrides: Sequence[str] = (),
    options: RunOptions | None = None,
    job: Job | None = None,
) -> tuple[DealResult, Path]:
    """``ceasefire deal``: the deal, the terms and the weeks checked (every week's scenario
    built once), then the job (:mod:`sim.jobs`): its folder claimed, the weeks run together
    (resumable), the folder written."""
    from .checkpoint import job_identity
    from .jobs import check_total, run_job

    options, job = options or RunOptions(), job or Job()
    weeks, arms = deal_arms(scenario, deal, terms, weeks, policy, overrides, cli=True)
    n = options.runs or arms[0].spec.runs
    check_total(n * len(weeks), "--runs", f"{n:,} runs x {len(weeks)} weeks")
    name = deal if terms is None else CUSTOM
    identity = job_identity(
        "deal",
        arms[:1],
        arms[0].spec.seed if options.seed is None else options.seed,
        {
            "runs": n,
            "deal": name,
            "terms": dict(terms or {}),
            "weeks": list(weeks),
            "policy": policy,
            "overrides": list(overrides),
        },
    )
    return run_job(
        job,
        f"deal-{arms[0].label}-{name}",
        n * len(weeks),
        f"{name}: {len(weeks)} weeks",
        lambda o: deal_of(name, weeks, arms, o),
        options,
        identity,
    )
