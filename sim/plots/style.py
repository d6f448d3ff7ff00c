"""One look for every figure: colour-blind-safe colours, readable type, titled axes."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt

# No backend is chosen here (a notebook keeps its inline backend): the command line selects
# Agg (sim.cli.app.main), and headless matplotlib falls back to Agg by itself.

# Okabe & Ito (2008), the colour-blind-safe qualitative palette.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
}


def figure(width: float = 8.0, height: float = 4.8, **kwargs):
    """A new figure and axes in the house style."""
    with plt.rc_context(RC):
        return plt.subplots(figsize=(width, height), **kwargs)


def save(fig, path) -> None:
    """Save and close (figures are never shown: this runs headless)."""
    with plt.rc_context(RC):
        fig.savefig(path)
    plt.close(fig)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


# Line styles to tell series apart without colour (printouts, colour-vision deficiency).
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), "-")

# Sequential colour map for heat maps: perceptually uniform and colour-blind safe.
SEQUENTIAL = "cividis"


def linestyle(i: int):
    """The ``i``-th line style (cycles with the palette so colour + dash stay unique)."""
    return LINESTYLES[(i // len(PALETTE) + i) % len(LINESTYLES)]


def percent_axis(ax, axis: str = "y") -> None:
    """Show a probability axis (values in [0, 1]) as percentages."""
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=0))


# Colours for many series on white (arms of a comparison): Okabe-Ito without its yellow
# (too faint as a line on white) and black (kept for the reference), then Paul Tol's olive
# and wine, which stay distinct under the common colour-vision deficiencies.
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933", "#882255")
REFERENCE = "#000000"


def series_color(i: int) -> str:
    """Colour of the ``i``-th non-reference series."""
    return SERIES[i % len(SERIES)]
