"""One look for every figure: colour-blind-safe colours, readable type, titled axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only: no display needed, works on servers and in CI

import matplotlib.pyplot as plt  # noqa: E402

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
