"""Phase 2b: the weekly cost of the war, and the war weariness it causes.

Belligerents pay ``war_cost`` per week of fighting, scaled by the strength they face
(Lanchester 1916: losses grow with the enemy's strength): ``war_cost * (1 - s_i b)`` with
``b`` the balance of strength (positive favours Russia) and ``s_i`` +1 on Russia's side, -1
on Ukraine's, so the weaker side bleeds faster and the cost is ``war_cost`` at parity.
Supporters pay ``aid_cost`` per unit of
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
    attrition: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Cost each actor bears in one week of war, shape (R, N); ``attrition`` (R, N) scales
    the belligerents' cost (:func:`attrition`)."""
    return np.where(belligerent, war_cost * attrition, aid * resolve * aid_cost)


def attrition(balance: np.ndarray, side: np.ndarray) -> np.ndarray:
    """``1 - s_i b``, shape (R, N): how much harder than at parity each actor's side is hit,
    for a balance of strength ``b`` (R,) and sides ``s`` (N,) (Lanchester 1916)."""
    return 1.0 - balance[:, None] * side[None, :]


MIN_RESOLVE = 1e-6
"""Resolve never reaches 0: the perceived cost of war divides by it."""


def wear(resolve: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """War weariness: resolve falls by the factor ``exp(-cost)``, floored at MIN_RESOLVE."""
    return np.maximum(resolve * np.exp(-cost), MIN_RESOLVE)


def cost_of_fighting(
    weekly: np.ndarray,
    resolve: np.ndarray,
    outlook_weeks: np.ndarray,
    pressure: np.ndarray,
    capability: np.ndarray,
    mediator: int,
    pressured: np.ndarray,
) -> np.ndarray:
    """Each veto player's perceived cost of fighting on over its outlook, (R, V) (phase 5).

    ``k_i = T w_i (1 - rho_i) / rho_i + [i != mediator] * pressure * c_m / max_j c_j``: the
    weekly cost ``w_i`` over the outlook ``T``, felt more the less resolve ``rho_i`` is left
    (Filson & Werner 2002), plus the mediator's leverage on the parties it presses, in
    proportion to its share of the strongest capability (Kydd 2003; docs/model.md).

    Parameters
    ----------
    weekly, resolve : ndarray, shape (R, V)
        The veto players' weekly cost of war (:func:`weekly_cost`) and resolve.
    outlook_weeks, pressure : ndarray, shape (R,)
    capability : ndarray, shape (R, N)
        Every actor's capability; ``mediator`` is the mediator's column.
    pressured : ndarray of bool, shape (V,)
        The veto players the mediator presses (all but itself).
    """
    perceived = outlook_weeks[:, None] * weekly * (1.0 - resolve) / resolve
    top = capability.max(axis=1)
    leverage = pressure * np.divide(
        capability[:, mediator], top, out=np.zeros_like(top), where=top > 0
    )
    return perceived + pressured[None, :] * leverage[:, None]
