"""Phase 2b: the weekly cost of the war, and the war weariness it causes.

Belligerents pay ``war_cost`` per week of fighting; supporters pay ``aid_cost`` per unit of
the aid they deliver, ``aid * resolve``.  Costs are in utility units per week and wear resolve down
multiplicatively, ``resolve' = resolve * exp(-cost)`` (war weariness: Filson & Werner 2002
make costs the force that ends wars; a floor of 1e-6 keeps resolve in (0, 1]).
"""

from __future__ import annotations

import numpy as np


def weekly_cost(
    war_cost: np.ndarray,
    aid: np.ndarray,
    aid_cost: np.ndarray,
    resolve: np.ndarray,
    belligerent: np.ndarray,
) -> np.ndarray:
    """Cost each actor bears in one week of war, shape (R, N)."""
    return np.where(belligerent, war_cost, aid * resolve * aid_cost)


MIN_RESOLVE = 1e-6
"""Resolve never reaches 0: the perceived cost of war divides by it."""


def wear(resolve: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """War weariness: resolve falls by the factor ``exp(-cost)``, floored at MIN_RESOLVE."""
    return np.maximum(resolve * np.exp(-cost), MIN_RESOLVE)
