"""The comparison table: each arm's outcomes and their paired differences from a reference.

Every arm runs the same replicate indices with the same seed (common random numbers), so
differences between arms are estimated *paired*, replicate by replicate, which removes the
shared luck from the difference: Newcombe's paired interval for shares, the paired t
interval for means, and a bootstrap that resamples replicate indices jointly for the
differences of medians (:mod:`sim.statistics`).  The compared outcomes are the
registry's (:class:`sim.outcomes.Outcome`); ``compare`` (:mod:`sim.analysis.compare`) and
``compare DIR DIR`` (:mod:`sim.analysis.folders`) both make this table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..outcomes import Outcome, headline_outcomes, median_ci, terms_outcome
from ..statistics import (
    bootstrap_medians,
    mean_interval,
    paired_mean_difference,
    paired_proportion_difference,
    percentile_interval,
    wilson_interval,
)

N_RESAMPLES = 2000
"""Bootstrap resamples for the paired differences of medians (the only intervals that
are resampled): enough for stable 95% percentile limits."""

LEVEL = 0.95


def metrics(issues: Sequence[str], horizon: int) -> list[Outcome]:
    """The compared outcomes for arms with these issues and (shortest) horizon: the headline
    outcomes (:data:`sim.outcomes.HEADLINE`), then the median terms on each issue
    (:func:`sim.outcomes.terms_outcome`)."""
    return [*headline_outcomes(horizon), *(terms_outcome(i) for i in issues)]


def outcome_values(runs: pd.DataFrame, outcome: Outcome, horizon: int) -> np.ndarray:
    """Per-replicate values of an outcome: 0/1 for proportions, NaN where a median skips."""
    return outcome.compute(runs, horizon)


# --------------------------------------------------------------------------- statistics
def estimate(values: np.ndarray, kind: str) -> tuple[float, float, float]:
    """Point estimate and 95% interval of one arm's metric (closed forms, no resampling).

    Proportions: the share with the Wilson (1927) score interval.  Medians: the median of
    the non-null values with the distribution-free interval from binomial order statistics
    (:func:`sim.outcomes.median_ci`).  Means: the mean of the non-null values with
    Student's t interval.
    """
    if kind == "proportion":
        n, k = len(values), int(np.sum(values))
        if not n:
            return (float("nan"),) * 3
        lo, hi = wilson_interval(k, n)
        return k / n, float(lo), float(hi)
    if kind == "mean":
        return mean_interval(values)
    return median_ci(values[~np.isnan(values)])


def difference(
    reference: np.ndarray,
    arm: np.ndarray,
    kind: str,
    seed: int = 0,
    n_resamples: int = N_RESAMPLES,
) -> tuple[float, float, float]:
    """``arm - reference`` with a paired 95% interval (the replicates are paired by CRN).

    Proportions: Newcombe's (1998) method 10 for paired proportions
    (:func:`sim.statistics.newcombe_paired`).  Means: the paired t interval on the
    per-replicate differences.  Medians: the difference of the two medians with a
    percentile interval from ``n_resamples`` bootstrap resamples of the replicate indices,
    the same indices for both arms (:func:`sim.statistics.bootstrap_medians`,
    seeded by ``seed``).  Two arms equal on every replicate: the difference is exactly 0
    with interval [0, 0].
    """
    if kind == "proportion":
        return paired_proportion_difference(reference, arm)
    if kind == "mean":
        return paired_mean_difference(reference, arm)
    draws = bootstrap_medians([reference, arm], n_resamples, seed)
    return _median_difference(reference, arm, draws[1] - draws[0])


def _median_difference(
    reference: np.ndarray, arm: np.ndarray, draws: np.ndarray
) -> tuple[float, float, float]:
    """Difference of medians and the percentile interval of its paired bootstrap draws."""
    r, a = reference[~np.isnan(reference)], arm[~np.isnan(arm)]
    if not len(r) or not len(a):
        return (float("nan"),) * 3
    d = float(np.median(a) - np.median(r))
    if np.array_equal(reference, arm, equal_nan=True):
        return d, 0.0, 0.0
    return (d, *percentile_interval(draws))


def compare_runs(
    runs: Mapping[str, pd.DataFrame],
    horizons: Mapping[str, int],
    issues: Sequence[str],
    reference: str | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """The comparison table of arms that ran on common random numbers.

    Parameters
    ----------
    runs : mapping of str to DataFrame
        Each arm's per-replicate table (as ``EnsembleResult.runs``), in display order.
    horizons : mapping of str to int
        Each arm's horizon in weeks.
    issues : sequence of str
        Issues whose terms are compared (missing ones give NaN).
    reference : str, optional
        The arm differences are taken from (default: the first).
    n_resamples : int
        Bootstrap resamples for the differences of medians (the only bootstrapped
        intervals; one set of resampled replicate indices serves every arm and median).
    seed : int
        Seed of the bootstrap (intervals are reproducible, bit for bit).

    Returns
    -------
    DataFrame
        One row per arm: ``arm``, ``reference``, ``runs`` and, for each metric ``m`` (see
        :func:`metrics`), ``m``, ``m_lo``, ``m_hi`` (95% interval) and ``m_diff``,
        ``m_diff_lo``, ``m_diff_hi`` (arm minus reference, paired 95% interval; NaN on the
        reference row).  The methods are those of :func:`estimate` and :func:`difference`.
    """
    labels = list(runs)
    reference = reference or labels[0]
    if reference not in runs:
        raise ScenarioError("--reference", reference, f"no such arm (arms: {', '.join(labels)})")
    sizes = {len(frame) for frame in runs.values()}
    if len(sizes) != 1:
        raise ValueError("arms must have the same number of replicates to be paired")
    for label, frame in runs.items():
        if not np.array_equal(frame["replicate"].to_numpy(), runs[reference]["replicate"]):
            raise ValueError(f"arm {label!r} does not share the reference's replicate indices")
    horizon = min(horizons.values())
    chosen = metrics(issues, horizon)
    values = {
        (label, m.key): outcome_values(runs[label], m, horizon) for label in labels for m in chosen
    }
    # every median of every arm under the same resampled replicate indices: paired draws
    medians = [(label, m.key) for m in chosen if m.estimator == "median" for label in labels]
    draws = dict(
        zip(
            medians, bootstrap_medians([values[k] for k in medians], n_resamples, seed), strict=True
        )
    )
    rows = []
    for label in labels:
        row: dict = {"arm": label, "reference": label == reference, "runs": len(runs[label])}
        for m in chosen:
            v, ref = values[label, m.key], values[reference, m.key]
            est = estimate(v, m.estimator)
            row.update({m.key: est[0], f"{m.key}_lo": est[1], f"{m.key}_hi": est[2]})
            if label == reference:
                diff = (float("nan"),) * 3
            elif m.estimator == "median":
                paired = draws[label, m.key] - draws[reference, m.key]
                diff = _median_difference(ref, v, paired)
            else:
                diff = difference(ref, v, m.estimator)
            put_difference(row, m.key, diff)
        rows.append(row)
    return pd.DataFrame(rows)


def put_difference(row: dict, key: str, diff: Sequence[float]) -> None:
    """Store an outcome's difference from the reference and its interval in a table row."""
    row.update({f"{key}_diff": diff[0], f"{key}_diff_lo": diff[1], f"{key}_diff_hi": diff[2]})


def described(issues: Sequence[str], horizon: int) -> list[dict[str, str]]:
    """The compared outcomes (:func:`metrics`) as a comparison lists them (its
    ``metrics``: key, label, estimator as ``kind``, unit), for its result and manifest."""
    return [m.described(horizon) for m in metrics(issues, horizon)]


# --------------------------------------------------------------------------- cells
def _pct(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:.1%}"


def _pp(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x * 100:+.1f}"


def _num(x: float, signed: bool = False, digits: int = 2) -> str:
    if not np.isfinite(x):
        return "-"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def cell(row: Mapping, metric: Mapping, diff: bool = False) -> str:
    """One table cell: value [95% interval], or the difference [paired 95% interval]."""
    k = metric["key"] + ("_diff" if diff else "")
    value, lo, hi = row[k], row[f"{k}_lo"], row[f"{k}_hi"]
    if not np.isfinite(value):
        return "-"
    if metric["kind"] == "proportion":
        fmt = _pp if diff else _pct
        unit = " pp" if diff else ""
        return f"{fmt(value)}{unit} [{fmt(lo)}, {fmt(hi)}]"
    digits = (
        (1 if diff else 0) if metric["unit"] == "weeks" else 3 if metric["kind"] == "mean" else 2
    )
    return f"{_num(value, diff, digits)} [{_num(lo, diff, digits)}, {_num(hi, diff, digits)}]"
