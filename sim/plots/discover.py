"""Figures of ``discover``: the PRIM peeling trajectory and the chosen box.

Every figure goes through :mod:`sim.plots.style` (Okabe-Ito colours, titled axes with units).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .sensitivity import _short
from .style import (
    RC,
    color,
    figure,
    percent_axis,
    save,
)


def plot_discovery(box: pd.DataFrame, folder: Path) -> list[Path]:
    """The peeling trajectory (coverage vs density) and the chosen box's ranges."""
    trajectory = box.attrs["trajectory"]
    step = box.attrs["step"]
    outcome = box.attrs["outcome"]
    with plt.rc_context(RC):
        fig, ax = figure(8.5, 5.6)
        restricted = trajectory["restricted"].to_numpy()
        for i, k in enumerate(np.unique(restricted)):
            sel = restricted == k
            ax.scatter(
                trajectory["coverage"][sel],
                trajectory["density"][sel],
                s=28,
                color=color(i),
                marker="os^Dv<>p"[i % 8],
                label=f"{k} input{'s' if k != 1 else ''} restricted",
            )
        ax.plot(trajectory["coverage"], trajectory["density"], color="0.6", lw=0.8, zorder=0)
        ax.scatter(
            [box["coverage"].iloc[0]],
            [box["density"].iloc[0]],
            s=220,
            marker="*",
            color="black",
            zorder=5,
            label=f"reported box (step {step}, spurious limits dropped)",
        )
        ax.axhline(
            box.attrs["base_rate"],
            color="0.3",
            ls="--",
            lw=1,
            label=f"share of all runs: {box.attrs['base_rate']:.0%}",
        )
        ax.set(
            xlim=(0, 1.02),
            ylim=(0, 1.02),
            xlabel="Coverage (share of the outcome's runs in the box)",
            ylabel="Density (share of the box's runs with the outcome)",
            title=f"PRIM peeling trajectory: {outcome}",
        )
        percent_axis(ax, "x")
        percent_axis(ax, "y")
        ax.legend(loc="lower left", fontsize=9)
        first = folder / "peeling.png"
        save(fig, first)

        rows = box[box["restricted"]]
        fig, ax = figure(8.5, max(2.4, 0.6 * len(rows) + 1.6))
        if len(rows):
            y = np.arange(len(rows))[::-1]
            span = (rows["data_max"] - rows["data_min"]).replace(0, 1)
            lo = (rows["lower"] - rows["data_min"]) / span
            hi = (rows["upper"] - rows["data_min"]) / span
            ax.barh(y, [1] * len(rows), color="0.9", height=0.6, label="range in the runs")
            ax.barh(y, hi - lo, left=lo, color=color(0), height=0.6, label="the box")
            for j, (_, r) in enumerate(rows.iterrows()):
                ax.text(
                    1.02, y[j], f"{r['lower']:.3g} to {r['upper']:.3g}", va="center", fontsize=9
                )
            ax.set_yticks(y, [_short(n) for n in rows["input"]])
            ax.set_xlim(0, 1.35)
            ax.set_xticks([0, 0.5, 1], ["min", "middle", "max"])
            ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.32), ncol=2, fontsize=9)
        else:
            ax.text(
                0.5, 0.5, "no input restricted", ha="center", va="center", transform=ax.transAxes
            )
        ax.set_xlabel("Position within the input's range in the runs")
        ax.grid(axis="y", alpha=0)
        ax.set_title(
            f"Where '{outcome}' is likely: coverage {box['coverage'].iloc[0]:.0%}, "
            f"density {box['density'].iloc[0]:.0%}",
            fontsize=12,
        )
        second = folder / "box.png"
        save(fig, second)
    return [first, second]
