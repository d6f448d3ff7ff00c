"""Compare policies and explore assumptions, on common random numbers.

- ``comparison.py``: :func:`compare` (arms, paired differences, the comparison folder) and
  its :class:`~sim.analysis.comparison.ComparisonResult`;
- ``explore.py``: :func:`sweep`, :func:`sensitivity` (Sobol, Morris) and :func:`discover`;
- ``explored.py``: their result objects (``SweepResult``, ``SensitivityResult``,
  ``DiscoveryResult``) and folder writers;
- ``prim.py``: the PRIM peeling and pasting :func:`discover` uses.

Nothing here draws: the figures are in :mod:`sim.plots`, called by the folder writers, the
results' ``.plot()`` and the command line.
"""

from .comparison import compare
from .explore import discover, sensitivity, sweep

__all__ = ["compare", "discover", "sensitivity", "sweep"]
