"""Phase 5 (part): utilities, the value of fighting on, and acceptable territorial lines.

Utility of terms ``z`` for actor ``i`` is salience-weighted over issues with the actor's
risk attitude ``a_i`` (concave for ``a_i > 1``, i.e. risk-averse):

    U_i(z) = sum_k s_ik (1 - |z_k - x_ik| ** a_i).

Stakes are absolute: an issue of salience ``s`` is worth ``s`` utility units won against
lost, whatever else is at stake, so a new issue adds a stake instead of diluting the others
(costs are in the same units).  (:class:`sim.mechanics.package.Preferences` adds the loss
term for conceded territory.)  The value of fighting on is the same utility taken over the
war's lottery: if the war is decided within the outlook (:mod:`foresight`), the victor's
terms on every issue; if not, the territory issue at the actor's predicted control
(quadrature nodes from :mod:`beliefs`) and every other issue at its wartime value; less the
perceived cost of fighting.

:func:`propose` gives, in closed form, the territorial line nearest a target that every
given veto player accepts with the other issues fixed (Fearon 1995: the bargaining range on
one issue); the validation table uses it to read each side's demand.  The mediator's
package itself is :func:`sim.mechanics.package.nash_package`.
"""

from __future__ import annotations

import numpy as np

from .beliefs import WEIGHTS
from .curvature import curved


def stakes(salience: np.ndarray) -> np.ndarray:
    """A veto player's stake in each issue: its salience, in absolute utility units (a new
    issue adds a stake and leaves the others as they are)."""
    return np.asarray(salience, dtype=float)


def issue_weights(salience: np.ndarray) -> np.ndarray:
    """Salience normalised to sum to one over issues (zero when an actor cares for none):
    the mediator's weights when it ranks the veto players' ideal packages (its tilt)."""
    total = salience.sum(axis=-1, keepdims=True)
    return np.divide(salience, total, out=np.zeros_like(salience), where=total > 0)


def utility(
    terms: np.ndarray, ideal: np.ndarray, weights: np.ndarray, risk: np.ndarray
) -> np.ndarray:
    """``U_i(z)`` for terms of shape (R, K) and actors' ideals/weights (R, V, K); -> (R, V)."""
    loss = curved(np.abs(terms[:, None, :] - ideal), risk[..., None])
    return (weights * (1.0 - loss)).sum(axis=-1)


def value_of_fighting(
    control_nodes: np.ndarray,
    ideal: np.ndarray,
    weights: np.ndarray,
    risk: np.ndarray,
    war_terms: np.ndarray,
    territory: int,
    cost: np.ndarray,
    victory: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Each actor's expected utility of fighting on, shape (R, V).

    ``W_i = (1 - p_R - p_U) W_i^cont + p_R U_i(v_R) + p_U U_i(v_U) - k_i``: the war either is
    decided within the outlook, with the victor's terms ``v`` on every issue, or goes on,
    with control at the outlook's nodes and every other issue at its wartime value.

    Parameters
    ----------
    control_nodes : ndarray, shape (R, V, Q)
        Predicted control at the quadrature nodes of :data:`beliefs.WEIGHTS`.
    ideal, weights : ndarray, shape (R, V, K)
    risk : ndarray, shape (R, V)
    war_terms : ndarray, shape (R, K)
        What each issue is worth while the war goes on (``at_war``, docs/model.md).
    territory : int
        Index of the issue the battlefield decides.
    cost : ndarray, shape (R, V)
        Perceived cost of fighting on, in utility units.
    victory : (p_russia, p_ukraine, terms_russia, terms_ukraine), optional
        Each viewer's chance (R, V) that each side wins within the outlook, and the terms
        (R, K) each victor imposes (:mod:`sim.mechanics.foresight`).
    """
    peace_side = utility(war_terms, ideal, weights, risk)
    # replace the territory term of the war's terms by its expectation over the lottery
    a = risk[..., None]
    sq_loss = curved(np.abs(war_terms[:, None, territory] - ideal[..., territory]), risk)
    war_loss = curved(np.abs(control_nodes - ideal[..., territory, None]), a) @ WEIGHTS
    w = weights[..., territory]
    going_on = peace_side + w * (sq_loss - war_loss)
    if victory is None:
        return going_on - cost
    p_russia, p_ukraine, terms_russia, terms_ukraine = victory
    won = p_russia * utility(terms_russia, ideal, weights, risk)
    won += p_ukraine * utility(terms_ukraine, ideal, weights, risk)
    return (1.0 - p_russia - p_ukraine) * going_on + won - cost


def weighted_mean_positions(
    position: np.ndarray, capability: np.ndarray, salience: np.ndarray
) -> np.ndarray:
    """Capability-and-salience-weighted mean position per issue, (R, N, K) -> (R, K)."""
    total = np.einsum("rn,rnk->rk", capability, salience)
    weighted = np.einsum("rn,rnk,rnk->rk", capability, salience, position)
    mean = position.mean(axis=1)
    return np.divide(weighted, total, out=mean, where=total > 0)


def propose(
    base_terms: np.ndarray,
    ideal: np.ndarray,
    weights: np.ndarray,
    risk: np.ndarray,
    war_value: np.ndarray,
    territory: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The territorial line nearest ``base_terms`` that every veto player accepts.

    With the other issues fixed, veto player ``i``'s surplus from a territorial line ``g``
    is ``c_i + w_i (1 - |g - x_i| ** a_i)``, so the lines it accepts form the interval
    ``|g - x_i| <= ((c_i + w_i) / w_i) ** (1 / a_i)``.  The bargaining range is the
    intersection of these intervals; the line in it nearest the target, or, when it is
    empty, the target itself (and someone rejects it).

    Parameters
    ----------
    base_terms : ndarray, shape (R, K)
        Terms on every issue before the territorial line is chosen.
    ideal, weights : ndarray, shape (R, V, K)
        The veto players' ideal points and issue weights.
    risk, war_value : ndarray, shape (R, V)

    Returns
    -------
    terms : ndarray, shape (R, K)
    surplus : ndarray, shape (R, V)
        ``U_i(terms) - V_i``; every entry >= 0 means all veto players accept.
    """
    contribution = weights * (1.0 - np.abs(base_terms[:, None, :] - ideal) ** risk[..., None])
    fixed = contribution.sum(axis=-1) - contribution[..., territory] - war_value
    w, x = weights[..., territory], ideal[..., territory]

    low, high = _lines_at(fixed, w, x, risk)
    # inside the range: the line nearest the forecast; no range: the forecast itself
    line = np.where(
        low <= high, np.clip(base_terms[:, territory], low, high), base_terms[:, territory]
    )
    terms = base_terms.copy()
    terms[:, territory] = line
    surplus = fixed + w * (1.0 - np.abs(line[:, None] - x) ** risk)
    return terms, surplus


def _lines_at(
    fixed: np.ndarray, w: np.ndarray, x: np.ndarray, risk: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The lines every veto player accepts: the interval [low, high] (empty if low > high)."""
    slack = fixed + w
    has_w = w > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = slack / np.where(has_w, w, 1.0)
        radius = np.where(ratio >= 0, np.abs(ratio) ** (1.0 / risk), -np.inf)
    # an actor indifferent to territory accepts every line or none
    radius = np.where(has_w, radius, np.where(slack >= 0, np.inf, -np.inf))
    low = np.maximum((x - radius).max(axis=1), 0.0)
    high = np.minimum((x + radius).min(axis=1), 1.0)
    return low, high
