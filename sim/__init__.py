"""ceasefire: an agent-based simulator of negotiations toward a Russia-Ukraine ceasefire.

The public API is small:

- :func:`load_scenario` reads and validates a scenario file;
- :class:`NegotiationModel` is the Mesa model (R replicates stepped together);
- :func:`run` runs many replicates and returns an :class:`EnsembleResult`;
- :func:`evaluate_deal` tables a package in given weeks and returns a :class:`DealResult`
  (who accepts it, how likely, and whether it holds);
- :func:`compare`, :func:`sweep`, :func:`sensitivity` and :func:`discover` compare
  policies and explore assumptions, returning a :class:`ComparisonResult`,
  :class:`SweepResult`, :class:`SensitivityResult` or :class:`DiscoveryResult` (the
  pandas table is ``.table``);
- :func:`calibrate` keeps the worlds consistent with a record of dated facts
  (:class:`CalibrationResult`), :func:`backtest` scores the model's forecasts of its
  questions (:class:`BacktestResult`), and ``given=RECORD`` on :func:`run`,
  :func:`compare` and :func:`evaluate_deal` reports over those worlds (docs/record.md);
- :func:`load` reads any results folder back as the result object that wrote it;
- :class:`ScenarioError` is the one error users see for bad input;
- :class:`RunOptions` holds the run options of every function (``runs``, ``seed``,
  ``workers``, ``chunk_size``, ``scheduler``, ``checkpoint``, ``on_progress``): each takes
  them as keywords or as one ``options=RunOptions(...)``.

Every function takes a scenario file's path or a loaded :class:`Scenario`.  Every result
shows itself briefly (``repr``, and an HTML table in a notebook) and has ``.summary()``
(the headline figures), ``.plot()`` (the figures the command saves) and ``.save(folder)``
(the results folder the command writes, report.html included); see docs/notebook.md.

The names are loaded on first use (PEP 562): ``import sim`` imports none of the numerical
stack (pandas, scipy, numba, Mesa, matplotlib), so the command line starts quickly;
``sim.run`` or ``from sim import run`` imports what it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names as a type checker or an IDE sees them
    from .analysis.compare import ComparisonResult
    from .analysis.discover import discover
    from .analysis.explored import DiscoveryResult, SensitivityResult, SweepResult
    from .analysis.sensitivity import sensitivity
    from .analysis.sweep import sweep
    from .deals import DealResult, evaluate_deal
    from .ensemble import EnsembleResult, run_ensemble
    from .errors import ScenarioError
    from .loaded import load
    from .model import NegotiationModel
    from .options import RunOptions
    from .record import load_record
    from .record.api import compare, run
    from .record.backtest import BacktestResult, backtest
    from .record.calibrate import CalibrationResult, calibrate
    from .scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "BacktestResult",
    "CalibrationResult",
    "backtest",
    "calibrate",
    "load_record",
    "ComparisonResult",
    "DealResult",
    "DiscoveryResult",
    "SensitivityResult",
    "SweepResult",
    "EnsembleResult",
    "compare",
    "discover",
    "evaluate_deal",
    "sensitivity",
    "sweep",
    "NegotiationModel",
    "RunOptions",
    "Scenario",
    "ScenarioError",
    "load",
    "load_scenario",
    "run",
    "run_ensemble",
]


def _home(name: str) -> object:
    """The module that defines the public ``name`` (imported here, on first use; written
    out import by import so that ``tests/test_imports.py`` sees each dependency)."""
    if name in ("run", "compare", "evaluate_deal"):  # given= (sim.record.api)
        from .record import api

        return api
    if name in ("calibrate", "CalibrationResult"):
        from .record import calibrate

        return calibrate
    if name in ("backtest", "BacktestResult"):
        from .record import backtest

        return backtest
    if name == "load_record":
        from . import record

        return record
    if name == "discover":
        from .analysis import discover

        return discover
    if name == "sensitivity":
        from .analysis import sensitivity

        return sensitivity
    if name == "sweep":
        from .analysis import sweep

        return sweep
    if name == "ComparisonResult":
        from .analysis import compare

        return compare
    if name in ("DiscoveryResult", "SensitivityResult", "SweepResult"):
        from .analysis import explored

        return explored
    if name == "DealResult":
        from . import deals

        return deals
    if name in ("EnsembleResult", "run_ensemble"):
        from . import ensemble

        return ensemble
    if name == "RunOptions":
        from . import options

        return options
    if name == "ScenarioError":
        from . import errors

        return errors
    if name == "NegotiationModel":
        import sim.quiet  # noqa: F401 - before Mesa (see sim/quiet.py)

        from . import model

        return model
    if name in ("Scenario", "load_scenario"):
        from . import scenario

        return scenario
    if name == "load":
        from . import loaded

        return loaded
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __getattr__(name: str) -> object:
    """PEP 562: a public name is imported on first use, then kept as a module attribute."""
    value = getattr(_home(name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
