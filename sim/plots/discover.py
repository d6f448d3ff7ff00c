"""Figures of ``discover``: the PRIM peeling trajectory and the chosen box.

Each function draws one figure (into the ``ax`` it is given, or a new one) and returns it;
:func:`plot_discovery` returns both by file name, and the caller saves them
(:func:`sim.plots.style.save_figures`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure

from .sensitivity import _short
from .style import (
    RC,
    REFERENCE,
    color,
    escape,
    on_axes,
    percent_axis,
)

if TYPE_CHECKING:
    from ..analysis.explored import DiscoveryResult

# Restricted-input counts run 0..k along the trajectory: an ordered quantity, so one
# sequential map (with a colourbar) keeps every count distinct, where a cycled palette
# made 1 and 9 look the same.
COUNTS = "viridis"


def plot_discovery(result: DiscoveryResult, label: str | None = None) -> dict[str, Figure]:
    """The peeling trajectory (coverage vs density) and the chosen box's ranges of a
    discovery (its ``.table``, ``.trajectory``, ``.step``, ``.outcome`` and
    ``.base_rate``), by file name (without suffix). ``label`` names the run in the titles."""
    with plt.rc_context(RC):
        return {
            "peeling": peeling(result, label=label),
            "box": box_ranges(result, label=label),
        }


def peeling(result: DiscoveryResult, ax=None, label: str | None = None) -> Figure:
    """Coverage against density for every box on the peeling trajectory, coloured by how
    many inputs it restricts (a colourbar), the reported box starred, and the share of all
    runs with the outcome as a reference line; the legend sits outside the data."""
    box, trajectory = result.table, result.trajectory
    step, outcome = result.step, result.outcome
    fig, ax = on_axes(ax)
    restricted = trajectory["restricted"].to_numpy(dtype=int)
    top = max(int(restricted.max()) if len(restricted) else 0, 1)
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), plt.get_cmap(COUNTS).N)
    ax.plot(trajectory["coverage"], trajectory["density"], color="0.6", lw=0.8, zorder=0)
    points = ax.scatter(
        trajectory["coverage"],
        trajectory["density"],
        c=restricted,
        cmap=COUNTS,
        norm=norm,
        s=30,
        edgecolors="0.25",
        linewidths=0.4,
        zorder=2,
    )
    bar = fig.colorbar(points, ax=ax, pad=0.02)
    bar.set_label("Inputs restricted by the box")
    ticks = np.arange(0, top + 1, max(1, -(-(top + 1) // 12)))
    bar.set_ticks(ticks)
    ax.scatter(
        [box["coverage"].iloc[0]],
        [box["density"].iloc[0]],
        s=260,
        marker="*",
        color=color(5),
        edgecolors="black",
        linewidths=0.8,
        zorder=5,
        label=f"reported box (step {step}, spurious limits dropped)",
    )
    ax.axhline(
        result.base_rate,
        color=REFERENCE,
        ls="--",
        lw=1,
        label=f"share of all runs with the outcome: {result.base_rate:.0%}",
    )
    ax.set(
        xlim=(0, 1.02),
        ylim=(0, 1.02),
        xlabel="Coverage (share of the outcome's runs in the box)",
        ylabel="Density (share of the box's runs\nwith the outcome)",
        title=f"PRIM peeling trajectory: {escape(outcome)}"
        + (f"\n{escape(label)}" if label else ""),
    )
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9)
    return fig


WEAK = 0.05
"""A restriction with a quasi-p-value at or above this could be chance (EMA Workbench's
convention): drawn pale and hatched."""


def box_ranges(result: DiscoveryResult, ax=None, label: str | None = None) -> Figure:
    """Each restricted input's range in the chosen box, within its range in the runs."""
    box, outcome = result.table, result.outcome
    rows = box[box["restricted"]]
    fig, ax = on_axes(ax, height=max(2.6, 0.45 * len(rows) + 1.8))
    if len(rows):
        y = np.arange(len(rows))[::-1]
        span = (rows["data_max"] - rows["data_min"]).replace(0, 1)
        lo = (rows["lower"] - rows["data_min"]) / span
        hi = (rows["upper"] - rows["data_min"]) / span
        # a restriction chance could make (quasi-p >= 0.05) is drawn pale and says so: it
        # is no driver the box can vouch for
        quasi = rows["quasi_p"].to_numpy(dtype=float) if "quasi_p" in rows else np.zeros(len(rows))
        weak = np.isfinite(quasi) & (quasi >= WEAK)
        ax.barh(y, [1] * len(rows), color="0.9", height=0.6, label="range in the runs")
        ax.barh(
            y[~weak],
            (hi - lo)[~weak],
            left=lo[~weak],
            color=color(0),
            height=0.6,
            label="the box (quasi-p < 0.05)",
        )
        if weak.any():
            ax.barh(
                y[weak],
                (hi - lo)[weak],
                left=lo[weak],
                color=color(0),
                alpha=0.3,
                height=0.6,
                hatch="//",
                label="weak: quasi-p >= 0.05 (could be chance)",
            )
        for j, (_, r) in enumerate(rows.iterrows()):
            p = f", quasi-p {quasi[j]:.2g}" if np.isfinite(quasi[j]) else ""
            ax.text(1.02, y[j], f"{r['lower']:.3g} to {r['upper']:.3g}{p}", va="center", fontsize=9)
        ax.set_yticks(y, [_short(n) for n in rows["input"]])
        ax.set_xlim(0, 1.55)
        ax.set_xticks([0, 0.5, 1], ["min", "middle", "max"])
        ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.16), ncol=2, fontsize=9)
    else:
        ax.text(0.5, 0.5, "no input restricted", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("Position within the input's range in the runs")
    ax.grid(axis="y", alpha=0)
    ax.set_title(
        f"Where '{escape(outcome)}' is likely: coverage {box['coverage'].iloc[0]:.0%}, "
        f"density {box['density'].iloc[0]:.0%}" + (f"\n{escape(label)}" if label else ""),
        fontsize=12,
    )
    return fig
