"""ceasefire: an agent-based simulator of negotiations toward a Russia-Ukraine ceasefire.

The public API is small:

- :func:`load_scenario` reads and validates a scenario file;
- :class:`NegotiationModel` is the Mesa model (R replicates stepped together);
- :func:`run` runs many replicates and returns an :class:`EnsembleResult`;
- :class:`ScenarioError` is the one error users see for bad input.
"""

from .ensemble import EnsembleResult, run_ensemble
from .errors import ScenarioError
from .model import NegotiationModel
from .scenario import Scenario, load_scenario

run = run_ensemble

__all__ = [
    "EnsembleResult",
    "NegotiationModel",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "run",
    "run_ensemble",
]
__version__ = "0.1.0"
