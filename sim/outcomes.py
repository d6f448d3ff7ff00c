"""Outcome records and their summaries: the registry of headline outcomes, proportions
with intervals, terms, curves.

:data:`HEADLINE` declares every headline outcome once: its key, label, kind and how it is
computed from the per-replicate table.  ``summary.json`` (:func:`summarize`), the tables
of ``compare``, ``sweep`` and ``sensitivity``, the command line's tables and the figures
are all derived from it, so a new headline outcome is one :class:`Outcome` entry (plus, if
needed, the function that computes it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# median_ci and wilson are used from here by the plots, deals and the record (re-exported)
from .statistics import mean_interval, median_ci, wilson  # noqa: F401

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

HEADLINE_WEEKS = (26, 52)
"""Weeks with their own P(first ceasefire by week w) outcome (``p_by_<w>``), shown when they
come before the horizon."""

KINDS = ("proportion", "week", "value")

STATES: dict[str, str] = {
    "war": "At war, no ceasefire yet",
    "ceasefire": "In a ceasefire",
    "war_resumed": "At war again after a ceasefire collapsed",
    "russian_victory": "Russian victory",
    "ukrainian_victory": "Ukrainian victory",
}
"""Where a replicate stands in a week, by key and label; the model codes a replicate's
state by its position here, and the ``outcome`` column is the state at the horizon.  The two
victories are absorbing (docs/model.md, phase 2c)."""

VICTORIES = ("russian_victory", "ukrainian_victory")

VICTOR: dict[str, str] = {"russian_victory": "russia", "ukrainian_victory": "ukraine"}
"""The side each victory is won by."""

SIDE_CODES: dict[str, str] = {"russia": "RU", "ukraine": "UA"}
"""The sides' short names in table headers (ISO 3166 codes: "UK" would be Britain)."""

LABELS: dict[str, str] = {
    **STATES,
    "outcomes": "How the runs stand at the horizon",
    "breakers": "Who broke the last ceasefire (share of all runs)",
    "accident": "An accident (nobody chose it)",
}
"""Labels of the blocks of ``summary.json`` beyond the headline (the report reads them)."""


# --------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Outcome:
    """A headline outcome.

    Attributes
    ----------
    key : str
        Its name in every table and file; intervals are ``<key>_lo`` and ``<key>_hi``.
    label : str
        Its title; ``{horizon}`` is replaced by the horizon in weeks.
    kind : {"proportion", "week", "value"}
        How it is summarised over replicates (:mod:`sim.statistics`): ``proportion`` (0/1
        per replicate) as a share with a Wilson interval; ``week`` (NaN where it does not
        apply) as the median of the replicates where it applies, with an order-statistic
        interval (a paired bootstrap for ``compare``'s differences of medians); ``value``
        as the mean with Student's t interval.  In ``sensitivity`` each design point's replicates are averaged, a
        missing week counted as horizon + 1.
    compute : callable
        ``compute(runs, horizon)``: the per-replicate values (a float array as long as
        ``runs``).
    unit : str
        Unit of the value (axis labels, differences).
    short : str
        Column heading in the command line's narrow tables; empty: left out of them.
    applies : callable
        ``applies(horizon)``: whether the outcome is reported for this horizon.
    estimator : {"proportion", "median", "mean"}
        How ``compare`` estimates it over an arm's replicates (default: by ``kind``, see
        :data:`ESTIMATORS`).
    """

    key: str
    label: str
    kind: str
    compute: Callable[[pd.DataFrame, int], np.ndarray]
    unit: str = "share"
    short: str = ""
    applies: Callable[[int], bool] = lambda horizon: True
    estimator: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"outcome {self.key!r}: kind must be one of {KINDS}")
        if not self.estimator:
            object.__setattr__(self, "estimator", ESTIMATORS[self.kind])

    def described(self, horizon: int) -> dict[str, str]:
        """The outcome as a comparison's manifest lists it (``metrics``): key, title,
        estimator (as ``kind``) and unit."""
        return {
            "key": self.key,
            "label": self.title(horizon),
            "kind": self.estimator,
            "unit": self.unit,
        }

    def title(self, horizon: int | str) -> str:
        return self.label.format(horizon=horizon)

    def format(self, value: float | None) -> str:
        """A value as the tables show it (``-`` where there is none)."""
        if value is None or not np.isfinite(value):
            return "-"
        if self.kind == "proportion":
            return f"{value:.1%}"
        return f"{value:g}" if self.kind == "week" else f"{value:.3f}"


def _reads(column: str, compute: Callable) -> Callable[[pd.DataFrame, int], np.ndarray]:
    """``compute``, marked with the column of the runs table it reads (:func:`record_columns`)."""
    compute.column = column  # type: ignore[attr-defined]
    return compute


ESTIMATORS = {"proportion": "proportion", "week": "median", "value": "mean"}
"""How ``compare`` estimates each kind of outcome over an arm's replicates."""


def terms_outcome(issue: str) -> Outcome:
    """The median terms on an issue, as ``compare`` compares them (NaN where a run has no
    ceasefire, or no such issue)."""
    name = f"terms_{issue}"

    def compute(runs: pd.DataFrame, horizon: int) -> np.ndarray:
        if name not in runs:
            return np.full(len(runs), np.nan)
        return runs[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)

    return Outcome(
        name, f"Median terms: {issue}", "value", compute, f"{issue} scale (0-1)", estimator="median"
    )


def _column(name: str) -> Callable[[pd.DataFrame, int], np.ndarray]:
    def compute(runs: pd.DataFrame, horizon: int) -> np.ndarray:
        return runs[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)

    return _reads(name, compute)


def _by_week(week: int) -> Callable[[pd.DataFrame, int], np.ndarray]:
    def compute(runs: pd.DataFrame, horizon: int) -> np.ndarray:
        return (runs["ceasefire_week"].astype("Float64") <= week).fillna(False).to_numpy(float)

    return _reads("ceasefire_week", compute)


def _state(state: str) -> Callable[[pd.DataFrame, int], np.ndarray]:
    def compute(runs: pd.DataFrame, horizon: int) -> np.ndarray:
        return (runs["outcome"].astype(object) == state).to_numpy(float)

    return _reads("outcome", compute)


def _any(name: str) -> Callable[[pd.DataFrame, int], np.ndarray]:
    def compute(runs: pd.DataFrame, horizon: int) -> np.ndarray:
        return (runs[name].to_numpy() > 0).astype(float)

    return _reads(name, compute)


def _prevails(side: str) -> Callable[[pd.DataFrame, int], np.ndarray]:
    """A side's victory, or a standing ceasefire that is the other side's capitulation
    (``capitulated`` names the side that capitulated; docs/model.md, phase 5)."""
    victory = VICTORIES[0 if side == "russia" else 1]
    other = "ukraine" if side == "russia" else "russia"

    def compute(runs: pd.DataFrame, horizon: int) -> np.ndarray:
        won = runs["outcome"].astype(object) == victory
        if "capitulated" in runs:  # absent from folders written before the column
            won |= runs["capitulated"].astype(object) == other
        return won.to_numpy(float)

    return _reads("capitulated", compute)


HEADLINE: tuple[Outcome, ...] = (
    Outcome(
        "p_ceasefire",
        "P(ceasefire by week {horizon})",
        "proportion",
        _column("ceasefire"),
        short="P(ceasefire)",
    ),
    *(
        Outcome(
            f"p_by_{w}",
            f"P(ceasefire by week {w})",
            "proportion",
            _by_week(w),
            short=f"P(by week {w})" if w == max(HEADLINE_WEEKS) else "",
            applies=lambda horizon, w=w: w < horizon,  # at the horizon it is p_ceasefire
        )
        for w in HEADLINE_WEEKS
    ),
    Outcome(
        "p_held",
        "P(ceasefire holding at the horizon)",
        "proportion",
        _column("held"),
        short="P(holding at end)",
    ),
    *(
        Outcome(
            f"p_{state}",
            f"P({STATES[state]} by week {{horizon}})",
            "proportion",
            _state(state),
            short=f"P({SIDE_CODES[VICTOR[state]]} wins)",
        )
        for state in VICTORIES
    ),
    *(
        Outcome(
            f"p_{side}_prevails",
            f"P({side.capitalize()} prevails by week {{horizon}})",
            "proportion",
            _prevails(side),
            short=f"P({SIDE_CODES[side]} prevails)",
        )
        for side in ("russia", "ukraine")
    ),
    Outcome(
        "p_collapse",
        "P(a ceasefire collapsed by week {horizon})",
        "proportion",
        _any("collapses"),
        short="P(collapse)",
    ),
    Outcome(
        "median_week",
        "Median week of first ceasefire",
        "week",
        _column("ceasefire_week"),
        unit="weeks",
        short="median week",
    ),
    Outcome(
        "final_control",
        "Russia's final control (mean, 0-1)",
        "value",
        _column("final_control"),
        unit="control (0-1)",
        short="final control",
    ),
)
"""The headline outcomes, in display order."""

BLOCKS = ("blocker", "breaker")
"""The columns of the outcome record beyond those the headline outcomes read: who blocked
the last package and who broke the last ceasefire (``summary.json``'s ``blockers`` and
``breakers``)."""


def record_columns() -> tuple[str, ...]:
    """The columns of the outcome record (``runs.parquet``, one row per replicate, before
    the terms and the sampled inputs): those the headline outcomes read, then
    :data:`BLOCKS`."""
    read = (getattr(o.compute, "column", None) for o in HEADLINE)
    return tuple(dict.fromkeys([*(c for c in read if c), *BLOCKS]))


def headline_outcomes(horizon: int) -> list[Outcome]:
    """The headline outcomes reported for this horizon."""
    return [o for o in HEADLINE if o.applies(horizon)]


def headline_outcome(key: str) -> Outcome | None:
    """The headline outcome with this key, if there is one."""
    return next((o for o in HEADLINE if o.key == key), None)


def summarise(outcome: Outcome, values: np.ndarray) -> tuple[float, float, float]:
    """An outcome's estimate and 95% interval from its per-replicate values, by its kind
    (:mod:`sim.statistics`): a share with Wilson's interval, a median week with the
    order-statistic interval, a mean with Student's t (as ``compare``)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    if outcome.kind == "proportion":
        hits = int(values.sum())
        return (hits / n if n else math.nan, *wilson(hits, n))
    if outcome.kind == "week":
        return median_ci(values[~np.isnan(values)])
    return mean_interval(values)


def headline(runs: pd.DataFrame, horizon: int) -> dict[str, float]:
    """Every headline outcome of a set of replicates with its 95% interval: ``<key>``,
    ``<key>_lo`` and ``<key>_hi`` for each outcome of :func:`headline_outcomes`."""
    out: dict[str, float] = {}
    for outcome in headline_outcomes(horizon):
        est = summarise(outcome, outcome.compute(runs, horizon))
        out.update({outcome.key: est[0], f"{outcome.key}_lo": est[1], f"{outcome.key}_hi": est[2]})
    return out


def point_values(outcome: Outcome, runs: pd.DataFrame, horizon: int) -> np.ndarray:
    """Per-replicate values as ``sensitivity`` averages them: a missing week counts as
    horizon + 1, so that every replicate has a value."""
    values = outcome.compute(runs, horizon)
    if outcome.kind == "week":
        values = np.where(np.isnan(values), horizon + 1, values)
    return values


def to_frame(columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The per-replicate table, with nulls where an outcome does not apply.

    ``ceasefire_week`` and ``terms_*`` are null where no ceasefire came; ``blocker`` is null
    where the last proposal was accepted (or none was made).
    """
    frame = pd.DataFrame(dict(columns))
    reached = frame["ceasefire"].to_numpy()
    frame["ceasefire_week"] = pd.array(np.where(reached, frame["ceasefire_week"], 0), dtype="Int64")
    frame.loc[~reached, "ceasefire_week"] = pd.NA
    # few distinct names: a categorical keeps 100,000 replicates' worth small
    frame["blocker"] = pd.Categorical(frame["blocker"].replace("", None))
    frame["breaker"] = pd.Categorical(frame["breaker"].replace("", None))
    frame["outcome"] = pd.Categorical(frame["outcome"], categories=list(STATES))
    return frame


def cumulative_incidence(weeks: pd.Series, runs: int, horizon: int) -> np.ndarray:
    """P(first ceasefire by week t) for t = 0 .. horizon."""
    counts = np.bincount(weeks.dropna().to_numpy(dtype=np.int64), minlength=horizon + 1)
    return np.cumsum(counts[: horizon + 1]) / max(runs, 1)


def summarize(runs: pd.DataFrame, issues: Sequence[str], horizon: int) -> dict:
    """Headline figures of a run, JSON-ready.

    Returns
    -------
    dict
        ``runs``, ``horizon_weeks``, every headline outcome (:data:`HEADLINE`) with its 95%
        interval as ``<key>``, ``<key>_lo``, ``<key>_hi``, then ``mean_collapses``,
        ``terms`` quantiles per issue, ``final_control_quantiles`` and ``blockers`` shares.
    """
    n = len(runs)
    summary: dict = {"runs": n, "horizon_weeks": horizon}
    summary.update({k: _json_number(v) for k, v in headline(runs, horizon).items()})
    summary["mean_collapses"] = float(runs["collapses"].mean()) if n else float("nan")
    summary["outcomes"] = outcome_shares(runs)
    breakers = runs["breaker"].dropna()
    summary["breakers"] = {str(k): v / n for k, v in breakers.value_counts().sort_index().items()}
    summary["terms"] = {issue: _quantiles(runs[f"terms_{issue}"].dropna()) for issue in issues}
    summary["final_control_quantiles"] = _quantiles(runs["final_control"])
    blockers = runs["blocker"].dropna()
    summary["blockers"] = {str(k): v / n for k, v in blockers.value_counts().sort_index().items()}
    return summary


def outcome_shares(runs: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Share of replicates in each state at the horizon (:data:`STATES`), with its 95%
    Wilson interval: ``{state: {"share", "lo", "hi"}}``."""
    n = len(runs)
    counts = runs["outcome"].astype(object).value_counts()
    shares = {}
    for state in STATES:
        hits = int(counts.get(state, 0))
        lo, hi = wilson(hits, n)
        shares[state] = {"share": hits / n if n else math.nan, "lo": lo, "hi": hi}
    return shares


def state_shares(status: np.ndarray) -> np.ndarray:
    """Share of replicates in each state every week, shape (weeks, len(STATES)), from the
    weekly state codes (replicates x weeks) of the kept trajectories."""
    status = np.asarray(status)
    if status.size == 0:
        return np.zeros((status.shape[-1] if status.ndim == 2 else 0, len(STATES)))
    counts = np.stack([(status == code).sum(axis=0) for code in range(len(STATES))], axis=1)
    return counts / status.shape[0]


def _json_number(value: float) -> float | None:
    """NaN (an outcome that applies to no replicate) as JSON null."""
    return float(value) if math.isfinite(value) else None


def _quantiles(values: pd.Series) -> dict | None:
    if not len(values):
        return None
    q = np.quantile(values.to_numpy(dtype=float), QUANTILES)
    return {f"q{int(p * 100):02d}": float(v) for p, v in zip(QUANTILES, q, strict=True)}


def summary_frame(summary: dict) -> pd.DataFrame:
    """The headline figures as a data frame (``--format csv``): one row per figure, with
    ``outcome`` (its key in summary.json), ``label``, ``value``, ``lo`` and ``hi`` (the 95%
    interval of a headline outcome; the 5% and 95% quantiles of terms and final control),
    and ``interval``, which says which of the two a row's ``lo`` and ``hi`` are."""
    horizon = summary["horizon_weeks"]
    nan = float("nan")
    rows = [("runs", "Runs", summary["runs"], nan, nan)]
    for outcome in HEADLINE:
        if outcome.key in summary:
            rows.append(
                (
                    outcome.key,
                    outcome.title(horizon),
                    *(summary[outcome.key + s] for s in ("", "_lo", "_hi")),
                )
            )
    for issue, q in summary["terms"].items():
        if q:
            rows.append(
                (f"terms_{issue}", f"Terms: {issue} (median)", q["q50"], q["q05"], q["q95"])
            )
    fc = summary["final_control_quantiles"]
    rows.append(
        ("final_control_median", "Russia's final control (median)", fc["q50"], fc["q05"], fc["q95"])
    )
    for actor, share in summary["blockers"].items():
        rows.append((f"blocker_{actor}", f"Last package blocked by {actor}", share, nan, nan))
    rows += [
        (k, label, v, nan if lo is None else lo, nan if hi is None else hi)
        for k, label, v, lo, hi in ending_rows(summary)
    ]
    frame = pd.DataFrame(rows, columns=["outcome", "label", "value", "lo", "hi"])
    # lo and hi are not one kind of number: say which each row's are
    quantile = frame["outcome"].str.startswith(("terms_", "final_control_median"))
    frame["interval"] = np.where(
        quantile, "5%-95% quantiles", np.where(frame["lo"].notna(), "95% interval", "")
    )
    return frame


def ending_rows(summary: Mapping) -> list[tuple[str, str, float, float | None, float | None]]:
    """How the runs stand at the horizon (``outcomes``, the victories left to the headline
    rows) and who broke the ceasefires that collapsed (``breakers``), as table rows:
    ``(key, label, share, lo, hi)``."""
    week = summary["horizon_weeks"]
    rows = [
        (
            f"outcome_{state}",
            f"At week {week}: {STATES[state].lower()}",
            s["share"],
            s["lo"],
            s["hi"],
        )
        for state, s in summary.get("outcomes", {}).items()
        if state not in VICTORIES and state in STATES
    ]
    rows += [
        (
            f"breaker_{who}",
            "Last ceasefire ended by an accident"
            if who == "accident"
            else f"Last ceasefire broken by {who}",
            share,
            None,
            None,
        )
        for who, share in summary.get("breakers", {}).items()
    ]
    return rows
