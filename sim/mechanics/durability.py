"""Phase 6: whether a ceasefire holds, from the commitment problem.

A ceasefire is a deal each side keeps only while keeping it is worth more than going back to
war (Fearon 1995; Powell 2006; Werner & Yuen 2005).  During a ceasefire the balance of
strength shifts: each side rearms at its ``rearmament`` rate, and aid goes on (or stops, by
events).  Every week each veto player ``i`` weighs the deal against resuming the war from
the new state:

    break_i  if  W_i(shifted belief, guarantors) - c_resume > U_i(terms)

``W_i`` is its value of fighting on (phase 5) with its belief about the front's drift moved
by the shift of the balance since signing, ``mu_i + d (b_now - b_signed)``, and ``c_resume``
the cost of restarting a war.  Guarantees work through the mechanism, not a coefficient:
guarantor forces on the ground (``tripwire``, strength per unit of a term such as
``troops``) join the defender if Russia attacks (Fortna 2003, 2004: peacekeepers and strong
agreements make ceasefires last by raising the cost of defection), so they enter Russia's
balance when it weighs an attack.  A small weekly ``accident_hazard`` ends ceasefires that
nobody chose to break.  After a collapse the war resumes from the new state.
"""

from __future__ import annotations

import numpy as np


def tripwire_strength(terms: np.ndarray, tripwire: np.ndarray) -> np.ndarray:
    """Strength guarantor forces add to Ukraine's side if Russia attacks,
    ``sum_k t_k z_k`` for terms (R, K) and strengths per unit (R, K) -> (R,)."""
    return (terms * tripwire).sum(axis=1)


def shifted_belief(
    mean: np.ndarray, drift: np.ndarray, balance_now: np.ndarray, balance_signed: np.ndarray
) -> np.ndarray:
    """Each veto player's drift belief (R, V) moved by the shift of the balance since
    signing: the front's drift is ``d b`` (phase 2a), so it expects ``d (b_now - b_signed)``
    more a week.  ``balance_now`` (R, V) is the balance each would face on resuming the war
    (Russia's includes the guarantors it would fight); ``drift``, ``balance_signed`` (R,)."""
    return mean + drift[:, None] * (balance_now - balance_signed[:, None])


def gain_from_breaking(
    war_value: np.ndarray, deal_value: np.ndarray, resume_cost: np.ndarray
) -> np.ndarray:
    """``W_i - c_resume - U_i(z)`` for each veto player, (R, V): positive where it would
    break the ceasefire.

    Parameters
    ----------
    war_value, deal_value : ndarray, shape (R, V)
        Each veto player's value of resuming the war and of keeping the deal.
    resume_cost : ndarray, shape (R,)
    """
    return war_value - resume_cost[:, None] - deal_value


def breakers(gain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who breaks the ceasefire, from :func:`gain_from_breaking`: ``(breaks, who)``.

    Returns
    -------
    breaks : ndarray of bool, shape (R,)
    who : ndarray of int, shape (R,)
        The veto player (column) that gains most by breaking; meaningful where ``breaks``.
    """
    return (gain > 0).any(axis=1), gain.argmax(axis=1)


def rearmed(capability: np.ndarray, rearmament: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Capabilities (R, N) after ``years`` (R,) of rearming at each actor's yearly rate
    ``rearmament`` (R, N): ``c exp(g t)``."""
    return capability * np.exp(rearmament * years[:, None])


def trust_needed(accept: np.ndarray) -> np.ndarray:
    """Rows where distrust can change an answer, (R,) indices: two or more veto players
    accept (a player's own breaking never makes it distrust a deal)."""
    return np.flatnonzero(accept.sum(axis=1) >= 2)


def trusted(untrusty: np.ndarray) -> np.ndarray:
    """Whether each veto player can trust the others to keep a deal, (R, V), given who
    accepts it now and would break it once rearmed, ``untrusty`` (R, V) (Powell 2006: a deal
    the rising side will not keep is no deal for the declining one)."""
    others = untrusty.sum(axis=1, keepdims=True) - untrusty  # not its own breaking
    return others == 0
