"""ceasefire: an agent-based simulator of negotiations toward a Russia-Ukraine ceasefire.

The public API is small:

- :func:`load_scenario` reads and validates a scenario file;
- :class:`NegotiationModel` is the Mesa model (R replicates stepped together);
- :func:`run` runs many replicates and returns an :class:`EnsembleResult`;
- :func:`compare`, :func:`sweep`, :func:`sensitivity` and :func:`discover` compare
  policies and explore assumptions, returning pandas DataFrames;
- :class:`ScenarioError` is the one error users see for bad input.
"""

from .analysis import compare, discover, sensitivity, sweep
from .ensemble import EnsembleResult, run_ensemble
from .errors import ScenarioError
from .model import NegotiationModel
from .scenario import Scenario, load_scenario

run = run_ensemble

__all__ = [
    "EnsembleResult",
    "compare",
    "discover",
    "sensitivity",
    "sweep",
    "NegotiationModel",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "run",
    "run_ensemble",
]
__version__ = "0.1.0"
