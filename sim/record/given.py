"""Runs, comparisons and deals given the record: over the worlds consistent with its facts.

Every command runs its N prior replicates with the record's probes
(:mod:`sim.record.observe`), keeps the worlds in which every fact used holds (as
:func:`sim.calibrate` does), and reports over those.  Outcome clocks start at the last fact
used: ``P(a ceasefire in force within 26 / 52 weeks after <date>)``.

- :func:`run_given`: the run's results over the kept worlds;
- :func:`compare_given`: every policy takes effect the week after the last fact used
  (its ``from:``, through the events mechanism), so all arms share their history up to
  then, the kept worlds are the same in every arm, and the arms differ only after;
- :func:`deal_given`: the deal tabled in weeks after the last fact used, in the kept worlds
  (the history up to the tabling week is the plain model's, mediator and all).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import JobError, ScenarioError
from ..options import RunOptions
from ..outcomes import wilson
from ..scenario import Scenario
from .calibrate import as_bound, used_mask
from .facts import BoundRecord, Record, check_until
from .observe import Probes, RecordedModel

CLOCKS = (26, 52)
"""Weeks after the last fact used at which P(a ceasefire in force by then) is reported."""


@dataclass
class Given:
    """What a result is given: the record, the facts used, how many worlds pass.

    Attributes
    ----------
    record : BoundRecord
    until : str or None
    last_week : int
        The week of the last fact used (a window's last week); the outcome clocks start
        there and policies in ``compare`` take effect the week after.
    runs, kept : int
        Prior worlds run, and those every used fact holds in.
    clocks : dict
        ``{weeks: (p, lo, hi)}``: P(a ceasefire in force within ``weeks`` after
        ``last_week``) among the kept worlds, with its 95% Wilson interval.
    """

    record: BoundRecord = field(repr=False)
    until: str | None
    last_week: int
    runs: int
    kept: int
    clocks: dict = field(default_factory=dict)

    @property
    def last_date(self) -> str:
        return self.record.date(self.last_week)

    def message(self) -> str:
        """One line: which record, how many worlds pass, from when the clocks run."""
        used = f"facts to {self.until}" if self.until else "all facts"
        line = (
            f"Given {self.record.source} ({used}, the last in week {self.last_week}, "
            f"{self.last_date}): {self.kept:,} of {self.runs:,} worlds pass."
        )
        if self.kept == 0:
            line += " The record lies outside the model's worlds: no results given it."
        return line

    def to_json(self) -> dict:
        return {
            "record": self.record.source,
            "until": self.until,
            "last_fact_week": self.last_week,
            "last_fact_date": self.last_date,
            "runs": self.runs,
            "kept": self.kept,
            "clocks": {
                f"p_ceasefire_within_{w}_weeks": _clock_json(v) for w, v in self.clocks.items()
            },
            "warnings": [self.message()],
        }


def _clock_json(v: tuple) -> dict:
    p, lo, hi = (None if x != x else float(x) for x in v)
    return {"p": p, "lo": lo, "hi": hi}


def prepare(
    scenario: Scenario, record: str | Path | Record | BoundRecord, until: str | None
) -> tuple[BoundRecord, str | None, int]:
    """The record bound to the scenario, ``until`` checked, and the last used fact's week."""
    bound = as_bound(record, scenario.spec)
    until = check_until(bound, until)
    used = bound.used(until)
    if not used:
        raise ScenarioError("--until", str(until), f"no fact of {bound.source} is dated by then")
    return bound, until, max(f.week for f in used)


def clocks(runs: pd.DataFrame, last: int, kept: np.ndarray, horizon: int) -> dict:
    """P(a ceasefire in force within each of :data:`CLOCKS` weeks after ``last``)."""
    after = runs[f"ceasefire_after:{last}"].to_numpy()[kept]
    out = {}
    for weeks in CLOCKS:
        if last + weeks > horizon:
            continue
        hit = int(((after >= 0) & (after <= last + weeks)).sum())
        n = len(after)
        out[weeks] = (hit / n if n else float("nan"), *wilson(hit, n))
    return out


def _kept_result(result, kept: np.ndarray):
    """An EnsembleResult over the kept worlds only (runs and trajectories)."""
    from ..ensemble import EnsembleResult

    replicates = result.runs["replicate"].to_numpy()[kept]
    trajectories = {}
    if result.trajectories and len(result.trajectories.get("replicate", [])):
        t = result.trajectories
        rows = np.isin(t["replicate"], replicates)
        # the offers (sim.offers, "offer_*") are one row per offer, keyed by their replicate
        offers = np.isin(t.get("offer_replicate", np.zeros(0)), replicates)
        trajectories = {k: v[offers if k.startswith("offer_") else rows] for k, v in t.items()}
    return EnsembleResult(
        scenario=result.scenario,
        runs=result.runs[kept].reset_index(drop=True),
        trajectories=trajectories,
        seed=result.seed,
        timings=result.timings,
    )


# --------------------------------------------------------------------------- run
@dataclass
class GivenRunResult:
    """A run over the worlds consistent with the record: ``result`` (an
    :class:`~sim.ensemble.EnsembleResult` of the kept worlds) and ``given``."""

    result: object
    given: Given

    def summary(self) -> dict:
        return {**self.result.summary(), "given": self.given.to_json()}

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        from ..results import reserved

        out = Path(folder)
        with reserved(out, "folder"):
            write_given_run(self, out, plots=plots)
        return out

    def write(
        self,
        out: Path,
        plots: bool = True,
        provenance: Mapping | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> dict:
        """Write the folder into ``out`` (reserved by the caller), atomically."""
        return write_given_run(self, out, plots, provenance, on_step)

    def __repr__(self) -> str:
        return f"GivenRunResult({self.given.message()})"


def write_given_run(
    result: GivenRunResult,
    out: Path,
    plots: bool = True,
    provenance: Mapping | None = None,
    on_step: Callable[[str], None] | None = None,
) -> dict:
    """The run's results folder (:func:`sim.results.write_results`) over the kept worlds,
    with ``given.json`` (the record, the worlds kept, the outcome clocks)."""
    from ..results import write_results

    if not len(result.result.runs):
        raise ScenarioError(result.given.record.source, "", result.given.message())
    return write_results(
        result.result,
        out,
        plots=plots,
        files={"given.json": result.given.to_json()},
        on_step=on_step,
        provenance=provenance,
    )


def run_given(
    scenario: str | Path | Scenario,
    given: str | Path | Record | BoundRecord,
    until: str | None = None,
    runs: int | None = None,
    seed: int | None = None,
    policy: str | None = None,
    overrides: Sequence[str] = (),
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    options: RunOptions | None = None,
) -> GivenRunResult:
    """:func:`sim.run` over the worlds consistent with the record (see the module);
    ``runs``, ``seed``, ``workers``, ``on_progress``: or give ``options``."""
    from ..ensemble import run_ensemble
    from ..scenario import load_scenario

    options = RunOptions.merged(
        options, runs=runs, seed=seed, workers=workers, on_progress=on_progress
    )
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, policy=policy, overrides=overrides)
    bound, until, last = prepare(scenario, given, until)
    model = functools.partial(RecordedModel, probes=Probes.of(bound, (last,)))
    result = run_ensemble(scenario, model_class=model, options=options)
    kept = used_mask(result.runs, bound, until)
    info = Given(
        bound,
        until,
        last,
        len(result.runs),
        int(kept.sum()),
        clocks(result.runs, last, kept, scenario.spec.horizon),
    )
    return GivenRunResult(_kept_result(result, kept), info)


# --------------------------------------------------------------------------- compare
def startable(policy: Mapping) -> bool:
    """Whether a policy can take effect from a later week (its ``set:`` names only fields
    events may change: docs/scenarios.md)."""
    from ..scenario import DYNAMIC_BOUNDS, DYNAMIC_GLOBAL_FIELDS

    for path in (policy.get("set") or {}) if isinstance(policy, Mapping) else ():
        parts = str(path).split(".")
        if path in DYNAMIC_GLOBAL_FIELDS:
            continue
        if parts[0] == "actors" and len(parts) in (3, 4) and parts[2] in DYNAMIC_BOUNDS:
            continue
        return False
    return True


@dataclass
class GivenComparison:
    """A comparison over the worlds consistent with the record, every policy taking effect
    the week after the last fact used.

    Attributes
    ----------
    comparison : ComparisonResult
        Over the kept worlds (the same replicates in every arm).
    clocks : pandas.DataFrame
        Per arm: P(a ceasefire in force within 26 / 52 weeks after the last fact), with
        95% intervals, and the paired difference from the reference.
    given : Given
    skipped : dict
        Policies left out, with why (they cannot take effect from a later week).
    """

    comparison: object
    clocks: pd.DataFrame
    given: Given
    skipped: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            **self.given.to_json(),
            "policies_from_week": self.given.last_week + 1,
            "skipped": self.skipped,
            "clocks_table": json.loads(self.clocks.to_json(orient="records")),
        }

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``compare --given`` writes (must not exist); returns it."""
        from ..results import reserved

        out = Path(folder)
        with reserved(out, "folder"):
            self.save_into(out, plots)
        return out

    def write(
        self,
        out: Path,
        plots: bool = True,
        provenance: Mapping | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        """Write the folder into ``out`` (reserved by the caller), atomically."""
        if on_step is not None:
            on_step("writing the folder")
        self.save_into(out, plots, provenance)

    def save_into(self, out: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The comparison folder (atomic), with ``given.json`` and ``given_clocks.csv``."""
        from ..analysis.compare import write_comparison
        from ..results import atomic_dir

        c = self.comparison
        with atomic_dir(out) as tmp:
            write_comparison(c, tmp, plots, provenance)
            (tmp / "given.json").write_text(json.dumps(self.to_json(), indent=2) + "\n")
            self.clocks.to_csv(tmp / "given_clocks.csv", index=False)


class HistoryError(JobError):
    """An arm whose worlds meet the record differently from the first arm's: a policy acted,
    or was foreseen, before its ``from:`` week.  Every lever is shifted past the last fact,
    so this is a bug in the model, not in the user's files; no folder is written."""

    def __init__(self, arm: str, last: int) -> None:
        super().__init__(
            f"arm {arm!r} changes the worlds before the record's last fact (week {last}), "
            "so its comparison with the others would not be paired; no folder was written"
        )
        self.hint = (
            "this is a bug: please report it with the scenario and the record "
            "(`ceasefire run` and `ceasefire calibrate` on the same files still work)"
        )


def compare_given(
    scenario: str | Path | Scenario,
    given: str | Path | Record | BoundRecord,
    until: str | None = None,
    policies: Sequence[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    overrides: Sequence[str] = (),
    on_progress: Callable[[int], None] | None = None,
    options: RunOptions | None = None,
) -> GivenComparison:
    """:func:`sim.compare` of one file's policies given the record (see the module);
    ``runs``, ``seed``, ``workers``, ``on_progress``: or give ``options``."""
    from ..analysis.compare import comparison_of, run_compared
    from ..snapshot import ScenarioSnapshot, as_snapshot

    options = RunOptions.merged(
        options, runs=runs, seed=seed, workers=workers, on_progress=on_progress
    )

    snapshot, _, overrides = as_snapshot(scenario, None, overrides)
    base = snapshot.build(overrides=overrides)
    bound, until, last = prepare(base, given, until)
    doc = copy.deepcopy(dict(snapshot.document))
    defined = doc.get("policies") or {}
    names = list(defined) if policies is None else list(dict.fromkeys(policies))
    skipped = {}
    for name in names:
        if name not in defined:
            known = ", ".join(defined) or "none"
            raise ScenarioError(snapshot.source, f"policies.{name}", f"no such policy ({known})")
        if not startable(defined[name]):
            why = "its set: changes a field events cannot change during a run"
            if policies is not None:
                raise ScenarioError(
                    snapshot.source,
                    f"policies.{name}",
                    f"cannot take effect after the record: {why}",
                )
            skipped[name] = why
            continue
        defined[name]["from"] = last + 1
    names = [n for n in names if n not in skipped]
    if not names:
        raise ScenarioError(
            snapshot.source, "policies", "no policy can take effect after the record"
        )
    shifted = ScenarioSnapshot(snapshot.source, doc, snapshot.texts)
    arms = [shifted.build(overrides=overrides), *(shifted.build(n, overrides) for n in names)]
    model = functools.partial(RecordedModel, probes=Probes.of(bound, (last,)))
    results = run_compared(arms, options, model_class=model)
    reference = next(iter(results.values()))
    kept = used_mask(reference.runs, bound, until)
    for label, result in results.items():
        # the history up to the last fact is shared: every arm keeps the same worlds
        if not np.array_equal(used_mask(result.runs, bound, until), kept):
            raise HistoryError(label, last)
    if not kept.any():
        raise ScenarioError(bound.source, "", Given(bound, until, last, len(kept), 0).message())
    kept_results = {label: _kept_result(r, kept) for label, r in results.items()}
    horizon = base.spec.horizon
    info = Given(
        bound, until, last, len(kept), int(kept.sum()), clocks(reference.runs, last, kept, horizon)
    )
    n = int(kept.sum())
    title = (
        f"{arms[0].name} given {Path(bound.source).name}: {len(arms)} arms, {n:,} of "
        f"{len(kept):,} worlds, policies from week {last + 1}"
    )
    comparison = comparison_of(kept_results, title)
    return GivenComparison(comparison, clock_table(kept_results, last, horizon), info, skipped)


def clock_table(results: Mapping, last: int, horizon: int) -> pd.DataFrame:
    """Per arm: P(a ceasefire in force within each clock after ``last``), with its 95%
    interval, and the paired difference from the first arm (same worlds)."""
    from ..analysis.paired import difference

    rows, reference = [], None
    for label, result in results.items():
        after = result.runs[f"ceasefire_after:{last}"].to_numpy()
        row = {"arm": label}
        for weeks in CLOCKS:
            if last + weeks > horizon:
                continue
            hit = ((after >= 0) & (after <= last + weeks)).astype(float)
            key = f"p_within_{weeks}"
            n = len(hit)
            row[key] = hit.mean() if n else float("nan")
            row[f"{key}_lo"], row[f"{key}_hi"] = wilson(int(hit.sum()), n)
            if reference is None:
                row[f"{key}_diff"] = row[f"{key}_diff_lo"] = row[f"{key}_diff_hi"] = float("nan")
            else:
                d = difference(reference[key], hit, "proportion")
                row[f"{key}_diff"], row[f"{key}_diff_lo"], row[f"{key}_diff_hi"] = d
            row.setdefault("_values", {})[key] = hit
        if reference is None:
            reference = row["_values"]
        row.pop("_values", None)
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- deal
def deal_given(
    scenario: str | Path | Scenario,
    given: str | Path | Record | BoundRecord,
    until: str | None = None,
    deal: str | None = None,
    terms: Mapping[str, float | str] | None = None,
    weeks: Sequence[int | str] = (),
    runs: int | None = None,
    seed: int | None = None,
    policy: str | None = None,
    overrides: Sequence[str] = (),
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    options: RunOptions | None = None,
):
    """:func:`sim.evaluate_deal` given the record: the deal tabled at the end of each of
    ``weeks`` (all after the last fact used; default: the week after it, and 26 and 52
    weeks later where the horizon allows) in the worlds consistent with the record.
    Returns ``(DealResult, Given)``."""
    import time

    from ..deals import CUSTOM, DealResult, acceptance_row, as_weeks, check_terms, tabling
    from ..ensemble import Arm, run_arms
    from ..snapshot import as_snapshot

    options = RunOptions.merged(
        options, runs=runs, seed=seed, workers=workers, on_progress=on_progress
    )
    began = time.perf_counter()
    if (deal is None) == (terms is None):
        raise ScenarioError("--deal", "", "give exactly one of --deal NAME or --terms ...")
    snapshot, policy, overrides = as_snapshot(scenario, policy, overrides)
    base = snapshot.build(policy, overrides)
    if terms is not None:
        check_terms(terms, base.spec)
        # the custom deal is declared (not tabled: it is tabled after the record, below)
        base = tabling(base, None, terms)
    elif deal not in base.spec.deals:
        known = ", ".join(base.spec.deals) or "none"
        raise ScenarioError("--deal", deal, f"no such deal in {snapshot.source} (defined: {known})")
    name = CUSTOM if terms is not None else deal
    bound, until, last = prepare(base, given, until)
    horizon = base.spec.horizon
    weeks = as_weeks(list(weeks), bound.start) or [
        w for w in (last + 1, last + 26, last + 52) if w <= horizon
    ]
    for week in weeks:
        if not last < week <= horizon:
            raise ScenarioError(
                "--weeks",
                str(week),
                f"given the record, a deal is tabled after its last fact used (week {last}, "
                f"{bound.date(last)}) and by the horizon (week {horizon})",
            )
    named = dict(base.spec.deals[name].terms)
    vetoes = [k for k, a in base.spec.actors.items() if a.veto]
    rows, tables, info = [], {}, None
    arms = [
        Arm(
            base,
            model_class=functools.partial(
                RecordedModel, probes=Probes.of(bound, (last,), table=(int(week), named))
            ),
        )
        for week in weeks
    ]
    results = run_arms(arms, options)
    for week, result in zip(weeks, results, strict=True):
        kept = used_mask(result.runs, bound, until)
        if info is None:
            info = Given(
                bound,
                until,
                last,
                len(kept),
                int(kept.sum()),
                clocks(result.runs, last, kept, horizon),
            )
        if not kept.any():
            raise ScenarioError(bound.source, "", info.message())
        frame = result.runs[kept].reset_index(drop=True)
        tables[int(week)] = frame
        rows.append(acceptance_row(frame, int(week), vetoes))
    return (
        DealResult(
            deal=name,
            terms=named,
            weeks=[int(w) for w in weeks],
            vetoes=vetoes,
            table=pd.DataFrame(rows),
            runs=tables,
            scenario=base,
            seed=results[0].seed,
            wall_seconds=time.perf_counter() - began,
        ),
        info,
    )
