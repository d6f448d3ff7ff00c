"""Figures: ``style.py`` (the house style) and one module per command.

- ``run.py``: a run's results folder (``ceasefire run``, ``ceasefire plot``);
- ``compare.py``, ``sweep.py``, ``sensitivity.py``, ``discover.py``: the analysis commands;
- ``deal.py``: a tabled deal (``ceasefire deal``).

Every plot function returns a :class:`matplotlib.figure.Figure` (it draws into the ``ax`` or
``fig`` it is given, or a new figure); :func:`sim.plots.style.save_figure` saves one as PNG,
SVG or PDF by the path's suffix, and the callers (``sim.results.plot_results``, the commands)
save them as PNG.

Plot modules draw from tables they are given: they import only :mod:`sim.outcomes` and the
style, never the simulation, the analysis or the results folders (which call them).
"""

from .compare import plot_comparison
from .deal import plot_deal
from .discover import plot_discovery
from .run import plot_run
from .sensitivity import plot_sensitivity
from .sweep import plot_sweep

__all__ = [
    "plot_comparison",
    "plot_deal",
    "plot_discovery",
    "plot_run",
    "plot_sensitivity",
    "plot_sweep",
]
