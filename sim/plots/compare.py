"""Figures of ``compare``: cumulative incidence per arm, forest plot of the paired
differences, terms by arm.

Every figure goes through :mod:`sim.plots.style` (Okabe-Ito colours, titled axes with units).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..outcomes import cumulative_incidence
from .style import (
    RC,
    REFERENCE,
    color,
    figure,
    linestyle,
    percent_axis,
    save,
    series_color,
)

if TYPE_CHECKING:
    from ..ensemble import EnsembleResult


def plot_comparison(table: pd.DataFrame, results: Mapping, folder: Path) -> list[Path]:
    """Cumulative incidence, forest plot of differences and terms, for a comparison."""
    with plt.rc_context(RC):
        return [
            incidence_curves(curves(results), len(table), folder / "ceasefire_by_week.png"),
            forest(table, folder / "differences.png"),
            terms_by_arm(results, folder / "terms.png"),
        ]


def incidence_curves(arms: Mapping[str, np.ndarray], n_arms: int, path: Path) -> Path:
    """P(first ceasefire by week) of every arm on one axis; the reference in black."""
    fig, ax = figure(9, 5.2)
    horizon = 0
    for i, (label, curve) in enumerate(arms.items()):
        weeks = np.arange(len(curve))
        horizon = max(horizon, len(curve) - 1)
        ax.step(
            weeks,
            curve,
            where="post",
            lw=3 if i == 0 else 1.8,
            color=REFERENCE if i == 0 else series_color(i - 1),
            ls="-" if i == 0 else linestyle(i),
            label=f"{label} (reference)" if i == 0 else label,
        )
    ax.set(
        xlim=(0, horizon),
        ylim=(0, 1),
        xlabel="Week",
        ylabel="P(first ceasefire by week)",
        title="When does a ceasefire come, arm by arm?",
    )
    percent_axis(ax)
    ax.legend(loc="upper left", fontsize=9, ncol=1 if n_arms <= 5 else 2)
    save(fig, path)
    return path


def forest(table: pd.DataFrame, path: Path) -> Path:
    """Differences from the reference with paired 95% intervals, one panel per outcome."""
    chosen = table.attrs["metrics"]
    others = table[~table["reference"]]
    ncols = 3
    nrows = -(-len(chosen) // ncols)
    height = max(2.2, 0.45 * len(others) + 1.4)
    fig, axes = figure(5.0 * ncols, height * nrows, nrows=nrows, ncols=ncols, squeeze=False)
    y = np.arange(len(others))[::-1]
    for ax, m in zip(axes.flat, chosen, strict=False):
        d = others[f"{m['key']}_diff"].to_numpy(dtype=float)
        lo = others[f"{m['key']}_diff_lo"].to_numpy(dtype=float)
        hi = others[f"{m['key']}_diff_hi"].to_numpy(dtype=float)
        scale = 100.0 if m["kind"] == "proportion" else 1.0
        ax.axvline(0, color="0.3", lw=1)
        for j in range(len(others)):
            if not np.isfinite(d[j]):
                continue
            clear = lo[j] > 0 or hi[j] < 0  # interval excludes 0
            c = color(5) if clear else color(0)
            ax.plot([lo[j] * scale, hi[j] * scale], [y[j], y[j]], color=c, lw=2.2)
            ax.plot(d[j] * scale, y[j], "o" if clear else "s", color=c, ms=6)
        # a minimum width keeps tiny (or zero) differences readable, not a smear of ticks
        half = 1.0 if m["kind"] == "proportion" or m["unit"] == "weeks" else 0.01
        span = np.nanmax(np.abs(np.r_[lo, hi, 0.0] * scale))
        width = max(span * 1.1, half)
        ax.set_xlim(-width, width)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+g}" if v else "0"))
        ax.set_yticks(y, others["arm"].tolist() if ax.get_subplotspec().is_first_col() else [])
        ax.set_ylim(-0.7, len(others) - 0.3)
        unit = "percentage points" if m["kind"] == "proportion" else m["unit"]
        ax.set_xlabel(f"Difference ({unit})")
        ax.set_title(m["label"], fontsize=11)
        ax.grid(axis="y", alpha=0)
    for ax in list(axes.flat)[len(chosen) :]:
        ax.axis("off")
    fig.suptitle(
        f"Difference from {table.attrs['reference']} (95% paired intervals; "
        "orange circle = interval excludes 0)",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    save(fig, path)
    return path


def terms_by_arm(results: Mapping, path: Path) -> Path:
    """Agreed terms per issue, arm by arm (box plots over runs that reached a ceasefire)."""
    issues = list(dict.fromkeys(i for r in results.values() for i in r.issues))
    first = next(iter(results.values()))
    labels = list(results)
    fig, axes = figure(
        3.8 * len(issues), max(2.6, 0.42 * len(labels) + 1.6), ncols=len(issues), squeeze=False
    )
    y = np.arange(len(labels))[::-1]
    for k, (ax, issue) in enumerate(zip(axes[0], issues, strict=True)):
        data = [
            results[a].runs[f"terms_{issue}"].dropna().to_numpy(dtype=float)
            if f"terms_{issue}" in results[a].runs
            else np.array([])
            for a in labels
        ]
        for j, values in enumerate(data):
            if len(values) == 0:
                ax.text(0.5, y[j], "no ceasefire", ha="center", va="center", fontsize=8)
                continue
            box = ax.boxplot(
                values,
                positions=[y[j]],
                orientation="horizontal",
                widths=0.6,
                patch_artist=True,
                showfliers=False,
                medianprops={"color": "black", "lw": 1.8},
            )
            box["boxes"][0].set(facecolor="0.6" if j == 0 else series_color(j - 1), alpha=0.8)
        ax.set_yticks(y, labels if k == 0 else [])
        ax.set_xlim(-0.02, 1.02)
        spec = first.scenario.spec.issues.get(issue)
        ends = f"0 = {spec.low}\n1 = {spec.high}" if spec else "terms (0-1)"
        ax.set_xlabel(ends, fontsize=9)
        ax.set_title(issue, fontsize=11)
        ax.grid(axis="y", alpha=0)
    fig.suptitle(
        "Agreed terms by arm (runs with a ceasefire; box = middle 50%, whiskers = 1.5 IQR)",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    save(fig, path)
    return path


def curves(results: Mapping[str, EnsembleResult]) -> dict[str, np.ndarray]:
    """Each arm's cumulative incidence of a first ceasefire, weeks 0..horizon."""
    return {
        label: cumulative_incidence(r.runs["ceasefire_week"], len(r.runs), r.scenario.spec.horizon)
        for label, r in results.items()
    }
