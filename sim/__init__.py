"""ceasefire: an agent-based simulator of negotiations toward a Russia-Ukraine ceasefire.

The public API is small:

- :func:`load_scenario` reads and validates a scenario file;
- :class:`NegotiationModel` is the Mesa model (R replicates stepped together);
- :func:`run` runs many replicates and returns an :class:`EnsembleResult`;
- :func:`evaluate_deal` tables a package in given weeks and returns a :class:`DealResult`
  (who accepts it, how likely, and whether it holds);
- :func:`compare`, :func:`sweep`, :func:`sensitivity` and :func:`discover` compare
  policies and explore assumptions, returning pandas DataFrames;
- :class:`ScenarioError` is the one error users see for bad input.
"""

from .analysis import compare, discover, sensitivity, sweep
from .deals import DealResult, evaluate_deal
from .ensemble import EnsembleResult, run_ensemble
from .errors import ScenarioError
from .model import NegotiationModel
from .scenario import Scenario, load_scenario

run = run_ensemble

__all__ = [
    "DealResult",
    "EnsembleResult",
    "compare",
    "discover",
    "evaluate_deal",
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
