"""Compare policies and explore assumptions, on common random numbers.

One module per job, each running its arms on the one scheduler
(:func:`sim.ensemble.run_arms`):

- ``compare.py``: :func:`compare` (arms, the comparison folder) and its
  :class:`~sim.analysis.compare.ComparisonResult`;
- ``paired.py``: the comparison table (each arm's outcomes and paired differences), shared
  with ``folders.py`` (``compare DIR DIR``: unpaired);
- ``sweep.py``: :func:`sweep`; ``sensitivity.py``: :func:`sensitivity` (Sobol, Morris);
  ``discover.py``: :func:`discover` (PRIM, with ``prim.py``);
- ``explored.py``: the result objects of sweep, sensitivity and discover
  (``SweepResult``, ``SensitivityResult``, ``DiscoveryResult``) and their folder writers.

Nothing here draws: the figures are in :mod:`sim.plots`, called by the folder writers, the
results' ``.plot()`` and the command line.

The functions are ``sim.compare``, ``sim.sweep``, ``sim.sensitivity`` and ``sim.discover``;
here each name is its module (``sim.analysis.sweep.sweep``), so nothing is imported with
the package and no function hides the module of the same name.
"""
