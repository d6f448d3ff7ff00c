"""Figures of ``sensitivity``: the indices per outcome, largest first.

:func:`plot_sensitivity` draws one figure (into the ``fig`` it is given, or a new one) and
returns it; the caller saves it (:func:`sim.plots.style.save_figure`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import (
    RC,
    color,
    escape,
    outcome_order,
    panels,
    param_label,
)


def plot_sensitivity(
    table: pd.DataFrame, top: int = 12, fig=None, label: str | None = None
) -> Figure:
    """Bar chart of the indices per outcome, largest first, with 95% intervals.

    ``label`` names the run in the title (default: the table's scenario).
    """
    sobol = table.attrs["method"] == "sobol"
    labels = table.attrs.get("outcomes") or {o: o for o in table["outcome"].unique()}
    outcomes = sorted((o for o in labels if o in set(table["outcome"])), key=outcome_order)
    n_inputs = min(top, table["input"].nunique())
    nrows = max(1, -(-len(outcomes) // 2))
    with plt.rc_context(RC):
        fig, axes = panels(
            fig, height=max(3.0, 0.3 * n_inputs + 1.4) * nrows + 0.8, nrows=nrows, ncols=2
        )
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            rows = table[table["outcome"] == outcome].head(top)
            y = np.arange(len(rows))[::-1]
            if rows[["ST" if sobol else "mu_star"]].isna().all().all():
                ax.text(
                    0.5,
                    0.5,
                    "outcome constant:\nno variance to share out",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
            elif sobol:
                h = 0.38
                ax.barh(
                    y + h / 2,
                    rows["ST"].clip(lower=0),
                    h,
                    xerr=rows["ST_conf"],
                    color=color(0),
                    label="total (ST)",
                    capsize=2,
                )
                ax.barh(
                    y - h / 2,
                    rows["S1"].clip(lower=0),
                    h,
                    xerr=rows["S1_conf"],
                    color=color(1),
                    label="first order (S1)",
                    capsize=2,
                )
                ax.set_xlim(0, max(1.05, float((rows["ST"] + rows["ST_conf"]).max()) * 1.05))
                ax.set_xlabel("Share of the outcome's variance")
            else:
                ax.barh(
                    y,
                    rows["mu_star"],
                    xerr=rows["mu_star_conf"],
                    color=color(0),
                    label="mu* (mean |effect|)",
                    capsize=2,
                )
                ax.set_xlabel("Mean |change| across each input's full range")
            ax.set_yticks(y, [_short(n) for n in rows["input"]], fontsize=8.5)
            ax.set_title(labels[outcome], fontsize=11)
            ax.grid(axis="y", alpha=0)
            if ax.get_legend_handles_labels()[0]:  # a panel with no rows has nothing to key
                ax.legend(loc="lower right", fontsize=8)
        for ax in list(axes.flat)[len(outcomes) :]:
            ax.axis("off")
        what = "Sobol indices" if sobol else "Morris elementary effects"
        fig.suptitle(
            f"Which uncertain inputs matter? {what}\n"
            f"{escape(label or table.attrs['scenario'])}, {table.attrs['points']:,} points x "
            f"{table.attrs['replicates']} runs; 95% intervals",
            fontsize=12,
            fontweight="bold",
        )
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.2 / fig.get_figheight()))
    return fig


def _short(path: str) -> str:
    """An input's name for a tick label: ``actors.US.aid`` -> ``US aid``."""
    return param_label(path, unit=False)
