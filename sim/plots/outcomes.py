"""Where the replicates stand week by week: at war, in a ceasefire, at war again, or won."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..outcomes import STATES, state_shares
from .style import STATE_COLORS, date_axis, figure, percent_axis, wrap


def outcome_areas(status: np.ndarray, title: str, ax=None, start: date | None = None):
    """Stacked shares of the replicates in each state (:data:`sim.outcomes.STATES`) by week.

    Parameters
    ----------
    status : ndarray of int, shape (replicates, weeks + 1)
        Weekly state codes of the kept trajectories (``trajectories.npz``'s ``status``).
    title : str
        What was run (scenario, policy, overrides).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    start : date, optional
        The date of week 0 (the scenario's ``start:``): dates on a second axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ax is None:
        fig, ax = figure(8.0, 5.6)
    else:
        fig = ax.figure
    shares = state_shares(status)
    weeks = np.arange(shares.shape[0])
    ax.stackplot(
        weeks,
        shares.T,
        labels=[
            f"{label} ({shares[-1, i]:.0%} at the end)" for i, label in enumerate(STATES.values())
        ],
        colors=[STATE_COLORS[k] for k in STATES],
        alpha=0.9,
        linewidth=0,
    )
    percent_axis(ax)
    ax.set(
        xlim=(0, weeks[-1]),
        ylim=(0, 1),
        xlabel="Week",
        ylabel="Share of runs",
        # wrapped: a long title (overrides) must not widen the figure past a slide
        title=wrap(f"How the war stands, week by week ({title}; first {len(status):,} runs)", 70),
    )
    ax.grid(False)
    date_axis(ax, start)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9)
    return fig
