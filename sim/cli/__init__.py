"""The ``ceasefire`` command line (entry point ``sim.cli:main``, also ``python -m sim``).

- ``app.py``: the Typer app, the options the commands share, :func:`main` (exit codes);
- one module per command group, each registering its commands on ``app``:
  ``run.py`` (run, validate, plot), ``compare.py``, ``sweep.py``, ``sensitivity.py``,
  ``discover.py``,
  ``deal.py`` (deal), ``record.py`` (calibrate, backtest), ``report.py`` (report),
  ``validation.py`` (reproduce), ``story.py`` (story), ``explore.py`` (explore),
  ``schema.py`` (schema).

Commands are registered here, by importing their modules after ``app`` exists; a command
module imports ``app`` from ``.app`` and never from this package, so there is no import circle.
The order of the imports is the order of ``ceasefire --help``.
"""

from .app import app, main

# isort: off
from . import run  # noqa: F401  (run, validate, plot)
from . import compare  # noqa: F401  (compare)
from . import sweep  # noqa: F401  (sweep)
from . import sensitivity  # noqa: F401  (sensitivity)
from . import discover  # noqa: F401  (discover)
from . import deal  # noqa: F401  (deal)
from . import record  # noqa: F401  (calibrate, backtest)
from . import report  # noqa: F401  (report)
from . import validation  # noqa: F401  (reproduce)
from . import story  # noqa: F401  (story)
from . import explore  # noqa: F401  (explore)
from . import schema  # noqa: F401  (schema)

# isort: on

__all__ = ["app", "main"]
