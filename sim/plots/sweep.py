"""Figures of ``sweep``: headline outcomes across a grid (lines or heat maps).

Every figure goes through :mod:`sim.plots.style` (Okabe-Ito colours, titled axes with units).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from .style import (
    RC,
    SEQUENTIAL,
    color,
    figure,
    linestyle,
    percent_axis,
    save,
)

_SWEEP_SHARES = (
    ("p_ceasefire", "ceasefire by the horizon"),
    ("p_by_52", "ceasefire by week 52"),
    ("p_by_26", "ceasefire by week 26"),
    ("p_held", "ceasefire holding at the horizon"),
)


def plot_sweep(table: pd.DataFrame, path: Path) -> Path:
    """Headline outcomes across a sweep: lines with 95% bands (one parameter) or heat
    maps (two parameters)."""
    with plt.rc_context(RC):
        if len(table.attrs["vary"]) == 1:
            return _sweep_lines(table, path)
        return _sweep_heatmaps(table, path)


def _sweep_lines(table: pd.DataFrame, path: Path) -> Path:
    param = table.attrs["vary"][0]
    x = table[param].to_numpy(dtype=float)
    fig, axes = figure(15, 4.6, ncols=3)
    ax = axes[0]
    for i, (key, label) in enumerate(k for k in _SWEEP_SHARES if k[0] in table):
        ax.fill_between(x, table[f"{key}_lo"], table[f"{key}_hi"], color=color(i), alpha=0.18)
        ax.plot(x, table[key], color=color(i), ls=linestyle(i), marker="o", ms=4, lw=2, label=label)
    ax.set(ylim=(0, 1), xlabel=param, ylabel="Probability", title="Ceasefire")
    percent_axis(ax)
    ax.legend(loc="best", fontsize=9)
    for ax, key, label, unit, c in (
        (axes[1], "median_week", "Median week of first ceasefire", "Week", 1),
        (axes[2], "final_control", "Russia's final control (mean)", "Control (0-1)", 5),
    ):
        ax.fill_between(
            x,
            table[f"{key}_lo"],
            table[f"{key}_hi"],
            color=color(c),
            alpha=0.2,
            label="95% interval",
        )
        ax.plot(x, table[key], color=color(c), marker="o", ms=4, lw=2, label="estimate")
        ax.set(xlabel=param, ylabel=unit, title=label)
        ax.legend(loc="best", fontsize=9)
    fig.suptitle(
        f"Sweep of {param} ({table.attrs['scenario']}, {table.attrs['runs']:,} runs per point, "
        "95% intervals)",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    save(fig, path)
    return path


def _sweep_heatmaps(table: pd.DataFrame, path: Path) -> Path:
    p1, p2 = table.attrs["vary"]
    xs, ys = np.unique(table[p2]), np.unique(table[p1])
    panels = [
        ("p_ceasefire", "P(ceasefire by the horizon)", True),
        ("p_held", "P(ceasefire holding at the horizon)", True),
        ("median_week", "Median week of first ceasefire", False),
        ("final_control", "Russia's final control (mean, 0-1)", False),
    ]
    fig, axes = figure(13, 10, nrows=2, ncols=2, squeeze=False)
    for ax, (key, title, share) in zip(axes.flat, panels, strict=True):
        grid = (
            table.pivot_table(index=p1, columns=p2, values=key, dropna=False)
            .reindex(index=ys, columns=xs)
            .to_numpy(dtype=float)
        )
        im = ax.imshow(
            grid,
            origin="lower",
            aspect="auto",
            cmap=SEQUENTIAL,
            vmin=0 if share else None,
            vmax=1 if share else None,
        )
        ax.set_xticks(range(len(xs)), [f"{v:.3g}" for v in xs], rotation=45 if len(xs) > 6 else 0)
        ax.set_yticks(range(len(ys)), [f"{v:.3g}" for v in ys])
        ax.set(xlabel=p2, ylabel=p1, title=title)
        ax.grid(False)
        bar = fig.colorbar(im, ax=ax, shrink=0.85)
        if share:
            bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        if grid.size <= 150:  # values printed in the cells while they stay legible
            lo, hi = np.nanmin(grid), np.nanmax(grid)
            for (r, c), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    dark = (v - lo) / (hi - lo + 1e-12) < 0.55 if not share else v < 0.55
                    text = f"{v:.0%}" if share else f"{v:.3g}"
                    ax.text(
                        c,
                        r,
                        text,
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if dark else "black",
                    )
    fig.suptitle(
        f"Sweep of {p1} x {p2} ({table.attrs['scenario']}, {table.attrs['runs']:,} runs per cell)",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    save(fig, path)
    return path
