"""Figures of ``sweep``: headline outcomes across a grid (lines or heat maps).

Every figure goes through :mod:`sim.plots.style` (Okabe-Ito colours, titled axes with units).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ..outcomes import HEADLINE, Outcome
from .style import (
    RC,
    SEQUENTIAL,
    color,
    figure,
    linestyle,
    percent_axis,
    save,
)


def _outcomes(table: pd.DataFrame) -> list[Outcome]:
    """The headline outcomes the table holds, in the registry's order."""
    return [o for o in HEADLINE if o.key in table]


def _title(outcome: Outcome, table: pd.DataFrame) -> str:
    return outcome.title(table.attrs.get("horizon", "the horizon"))


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
    shares = [o for o in _outcomes(table) if o.kind == "proportion"]
    others = [o for o in _outcomes(table) if o.kind != "proportion"]
    fig, axes = figure(5 * (1 + len(others)), 4.6, ncols=1 + len(others), squeeze=False)
    axes = axes[0]
    ax = axes[0]
    for i, o in enumerate(shares):
        key = o.key
        ax.fill_between(x, table[f"{key}_lo"], table[f"{key}_hi"], color=color(i), alpha=0.18)
        ax.plot(
            x,
            table[key],
            color=color(i),
            ls=linestyle(i),
            marker="o",
            ms=4,
            lw=2,
            label=_title(o, table),
        )
    ax.set(ylim=(0, 1), xlabel=param, ylabel="Probability", title="Ceasefire")
    percent_axis(ax)
    ax.legend(loc="best", fontsize=9)
    for j, (ax, o) in enumerate(zip(axes[1:], others, strict=True)):
        key, c = o.key, (1, 5, 2, 3, 4, 6)[j % 6]
        ax.fill_between(
            x,
            table[f"{key}_lo"],
            table[f"{key}_hi"],
            color=color(c),
            alpha=0.2,
            label="95% interval",
        )
        ax.plot(x, table[key], color=color(c), marker="o", ms=4, lw=2, label="estimate")
        ax.set(xlabel=param, ylabel=o.unit.capitalize(), title=_title(o, table))
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
    panels = [(o.key, _title(o, table), o.kind == "proportion") for o in _outcomes(table)]
    ncols = 2 if len(panels) <= 4 else 3
    nrows = -(-len(panels) // ncols)
    fig, axes = figure(6.5 * ncols, 5 * nrows, nrows=nrows, ncols=ncols, squeeze=False)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    for ax, (key, title, share) in zip(axes.flat, panels, strict=False):
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
