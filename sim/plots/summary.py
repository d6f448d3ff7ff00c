"""One-slide summary figures: a run, a comparison.

Each draws one 16:9 figure with the bottom line as its title: for a run, when a first
ceasefire comes (with its 95% band) beside how the runs stand at the horizon; for a
comparison, each arm's difference from the reference in the chance of a ceasefire, with
its paired 95% interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..outcomes import STATES, cumulative_incidence, wilson
from .style import (
    REFERENCE,
    STATE_COLORS,
    escape,
    panels,
    percent_axis,
    run_title,
    wrap,
)

if TYPE_CHECKING:
    from ..analysis.compare import ComparisonResult


def draw_incidence(ax, runs: pd.DataFrame, horizon: int) -> None:
    """P(first ceasefire by week) on ``ax``: the curve, its 95% Wilson band (a step, like
    the curve: no wedge between weeks) and the share holding at the horizon as a point at
    the horizon (not a line across the weeks: it is no ceiling)."""
    n = len(runs)
    curve = cumulative_incidence(runs["ceasefire_week"], n, horizon)
    band = np.array([wilson(round(p * n), n) for p in curve])
    weeks = np.arange(horizon + 1)
    c = STATE_COLORS["ceasefire"]
    ax.fill_between(
        weeks, band[:, 0], band[:, 1], step="post", color=c, alpha=0.25, label="95% interval"
    )
    ax.step(weeks, curve, where="post", color=c, lw=2, label="P(first ceasefire by week)")
    held = float(runs["held"].mean())
    ax.plot(
        [horizon],
        [held],
        "D",
        color=REFERENCE,
        ms=7,
        clip_on=False,
        zorder=5,
        label=f"holding at week {horizon}: {held:.0%}",
    )
    ax.set(xlim=(0, horizon), ylim=(0, 1), xlabel="Week", ylabel="Share of runs")
    percent_axis(ax)
    ax.legend(loc="best", fontsize=9)  # where the curve is not


def run_summary(runs: pd.DataFrame, info: Mapping, fig=None) -> Figure:
    """A run on one slide: P(first ceasefire by week) with its band, and the shares of the
    states at the horizon, under a title that states the headline with its interval."""
    horizon = int(info["horizon_weeks"])
    n = len(runs)
    fig, axes = panels(fig, ncols=2, layout="constrained", width_ratios=[1.6, 1])
    title = run_title(info.get("label", "scenario"), info.get("overrides") or ())
    draw_incidence(axes[0, 0], runs, horizon)  # the curve of ceasefire_by_week.png
    axes[0, 0].set_title("When a first ceasefire comes", fontsize=11)
    ax = axes[0, 1]
    states = runs["outcome"].astype(object)
    shares = [(STATES[k], float((states == k).mean()), STATE_COLORS[k]) for k in STATES]
    y = np.arange(len(shares))[::-1]
    ax.barh(y, [s for _, s, _ in shares], color=[c for _, _, c in shares])
    for yy, (_, share, _) in zip(y, shares, strict=True):
        ax.text(share, yy, f" {share:.0%}", va="center", fontsize=10)
    ax.set_yticks(y, [wrap(name, 22) for name, _, _ in shares], fontsize=9)
    ax.set_xlim(0, 1.18)
    ax.set_xticks([0, 0.5, 1])
    percent_axis(ax, "x")
    ax.grid(axis="y", alpha=0)
    ax.set_title(f"Where the runs stand at week {horizon}", fontsize=11)
    hits = int(runs["ceasefire"].sum())
    lo, hi = wilson(hits, n)
    week = runs["ceasefire_week"].dropna()
    when = f"; median week {float(week.median()):g}" if len(week) else ""
    fig.suptitle(
        wrap(
            f"{title}: a first ceasefire by week {horizon} in {hits / max(n, 1):.0%} of "
            f"{n:,} runs (95% interval {lo:.0%}-{hi:.0%}){when}",
            90,
        ),
        fontsize=13,
        fontweight="bold",
    )
    return fig


def comparison_summary(comparison: ComparisonResult, key: str = "p_ceasefire", fig=None) -> Figure:
    """A comparison (its ``.table``, ``.metrics``, ``.reference``) on one slide: each arm's
    difference from the reference in one share (default: the chance of a first ceasefire
    by the horizon), largest first, with its paired 95% interval; the title names the
    largest change."""
    table = comparison.table
    others = table[~table["reference"].astype(bool)].copy()
    others = others[np.isfinite(others[f"{key}_diff"].to_numpy(dtype=float))]
    others = others.reindex(others[f"{key}_diff"].abs().sort_values(ascending=False).index)
    labels = {m["key"]: m["label"] for m in comparison.metrics}
    name = labels.get(key, key)
    reference = str(
        comparison.reference or table.loc[table["reference"].astype(bool), "arm"].iloc[0]
    )
    fig, axes = panels(fig, layout="constrained")
    ax = axes[0, 0]
    y = np.arange(len(others))[::-1]
    d, lo, hi = (others[f"{key}_diff{s}"].to_numpy(dtype=float) * 100 for s in ("", "_lo", "_hi"))
    clear = (lo > 0) | (hi < 0)
    for j in range(len(others)):
        ax.plot([lo[j], hi[j]], [y[j], y[j]], color=REFERENCE, lw=2)
        ax.plot(d[j], y[j], "o", color=REFERENCE, mfc=REFERENCE if clear[j] else "white", ms=8)
        ax.text(hi[j], y[j], f"  {d[j]:+.1f}", va="center", fontsize=9)
    ax.axvline(0, color="0.3", lw=1)
    ax.set_yticks(y, [escape(a) for a in others["arm"]])
    span = max(1.0, float(np.nanmax(np.abs(np.r_[lo, hi, 0.0]))) * 1.15) if len(others) else 1.0
    ax.set_xlim(-span, span)
    ax.set_xlabel(f"Difference from {escape(reference)} in {name} (percentage points)")
    ax.grid(axis="y", alpha=0)
    ref = table[table["reference"].astype(bool)].iloc[0]
    if len(others):
        top = others.iloc[0]
        line = (
            f"largest change: {escape(top['arm'])} {float(top[f'{key}_diff']) * 100:+.0f} points "
            f"({float(top[f'{key}_diff_lo']) * 100:+.0f} to {float(top[f'{key}_diff_hi']) * 100:+.0f})"
        )
    else:
        line = "no arm to compare"
    fig.suptitle(
        wrap(f"{name}: {escape(reference)} {float(ref[key]):.0%}; {line}", 95)
        + "\nbars: paired 95% intervals; filled = the interval excludes 0",
        fontsize=12,
        fontweight="bold",
    )
    return fig
