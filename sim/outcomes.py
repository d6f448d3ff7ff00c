"""Outcome records and their summaries: proportions with intervals, terms, curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

OUTCOME_COLUMNS = ("ceasefire", "ceasefire_week", "held", "collapses", "final_control", "blocker")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

# The outcomes `sensitivity` computes per design point (sim.analysis.explore) and plots
# (sim.plots.sensitivity): key -> label.
SENSITIVITY_OUTCOMES = {
    "p_ceasefire": "P(ceasefire by the horizon)",
    "ceasefire_week": "Week of first ceasefire (horizon + 1 if none)",
    "p_held": "P(ceasefire holding at the horizon)",
    "final_control": "Russia's final control (0-1)",
}


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
    return frame


def wilson(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (well-behaved at 0 and 1)."""
    if n == 0:
        return (float("nan"), float("nan"))
    z = norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # the interval always holds p; clipping to p only undoes rounding at 0 and 1
    return (min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


def cumulative_incidence(weeks: pd.Series, runs: int, horizon: int) -> np.ndarray:
    """P(first ceasefire by week t) for t = 0 .. horizon."""
    counts = np.bincount(weeks.dropna().to_numpy(dtype=np.int64), minlength=horizon + 1)
    return np.cumsum(counts[: horizon + 1]) / max(runs, 1)


def summarize(runs: pd.DataFrame, issues: Sequence[str], horizon: int) -> dict:
    """Headline figures of a run, JSON-ready.

    Returns
    -------
    dict
        ``runs``, ``p_ceasefire`` and ``p_ceasefire_ci`` (Wilson 95%), the same for
        ``p_held`` and for ceasefires by weeks 26 and 52, ``median_ceasefire_week``,
        ``terms`` quantiles per issue, ``final_control`` quantiles and ``blockers`` shares.
    """
    n = len(runs)
    reached = int(runs["ceasefire"].sum())
    held = int(runs["held"].sum())
    weeks = runs["ceasefire_week"].dropna().astype(float)
    summary: dict = {
        "runs": n,
        "horizon_weeks": horizon,
        "p_ceasefire": reached / n if n else float("nan"),
        "p_ceasefire_ci": list(wilson(reached, n)),
        "p_held": held / n if n else float("nan"),
        "p_held_ci": list(wilson(held, n)),
    }
    for week in (26, 52):
        if week <= horizon:
            k = int((weeks <= week).sum())
            summary[f"p_ceasefire_by_week_{week}"] = k / n if n else float("nan")
            summary[f"p_ceasefire_by_week_{week}_ci"] = list(wilson(k, n))
    summary["median_ceasefire_week"] = float(weeks.median()) if len(weeks) else None
    summary["mean_collapses"] = float(runs["collapses"].mean()) if n else float("nan")
    summary["terms"] = {issue: _quantiles(runs[f"terms_{issue}"].dropna()) for issue in issues}
    summary["final_control"] = _quantiles(runs["final_control"])
    blockers = runs["blocker"].dropna()
    summary["blockers"] = {str(k): v / n for k, v in blockers.value_counts().sort_index().items()}
    return summary


def _quantiles(values: pd.Series) -> dict | None:
    if not len(values):
        return None
    q = np.quantile(values.to_numpy(dtype=float), QUANTILES)
    return {f"q{int(p * 100):02d}": float(v) for p, v in zip(QUANTILES, q, strict=True)}
