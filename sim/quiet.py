"""Silence a warning of Mesa's import in notebooks; imported before :mod:`sim.model`.

Mesa imports ``tqdm.auto`` (for its batch runner), which in a Jupyter kernel without
ipywidgets warns once, at import: ``TqdmWarning: IProgress not found``.  The simulator draws
no progress bar in a notebook, so the warning says nothing to an analyst: ``tqdm.auto`` is
imported here first with that warning ignored (a module is imported once, so Mesa's import
of it is then silent).  Nothing else is filtered.
"""

from __future__ import annotations

import warnings
from contextlib import suppress

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="IProgress not found")
    with suppress(ImportError):
        import tqdm.auto  # noqa: F401
