"""Where the replicates stand week by week: at war, in a ceasefire, at war again, or won."""

from __future__ import annotations

import numpy as np

from ..outcomes import STATES, state_shares
from .style import color, figure, percent_axis

STATE_COLORS = {
    "war": "#999999",  # grey: the war goes on
    "ceasefire": color(2),  # green
    "war_resumed": color(1),  # orange: a ceasefire that broke
    "russian_victory": color(5),  # vermillion
    "ukrainian_victory": color(0),  # blue
}
"""One colour per state, the same in every figure that shows states."""


def outcome_areas(status: np.ndarray, title: str, ax=None):
    """Stacked shares of the replicates in each state (:data:`sim.outcomes.STATES`) by week.

    Parameters
    ----------
    status : ndarray of int, shape (replicates, weeks + 1)
        Weekly state codes of the kept trajectories (``trajectories.npz``'s ``status``).
    title : str
        What was run (scenario, policy, overrides).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

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
        title=f"How the war stands, week by week ({title}; first {len(status):,} runs)",
    )
    ax.grid(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9)
    return fig
