"""Phase 6: whether a ceasefire holds.

Weekly collapse hazard (a proportional-hazards form, as in the durability literature on
ceasefires: Fortna 2003, 2004; Clayton et al. 2022):

    h = min(1, h0 * exp(delta * D - sum_k g_k z_k) * exp(-age / tau))

``h0`` is the base weekly hazard, ``z_k`` the agreed terms on the guarantee issues (foreign
troops, a NATO path, a US backstop) with weights ``g_k``, ``D`` the largest concession
among the veto players (``1 - U_i(z)``: the dissatisfaction of the party that conceded
most), ``delta`` its effect, and ``tau`` how fast a ceasefire consolidates (most collapses
come early).  After a collapse the war resumes.
"""

from __future__ import annotations

import numpy as np


def guarantee_strength(terms: np.ndarray, guarantee_weights: np.ndarray) -> np.ndarray:
    """``sum_k g_k z_k`` for terms and weights of shape (R, K) -> (R,)."""
    return (terms * guarantee_weights).sum(axis=1)


def hazard(
    base: np.ndarray,
    dissatisfaction_effect: np.ndarray,
    dissatisfaction: np.ndarray,
    guarantees: np.ndarray,
    age: np.ndarray,
    consolidation: np.ndarray,
) -> np.ndarray:
    """Weekly probability that a ceasefire collapses, shape (R,)."""
    # a consolidation time just above 0 (its bound is open) overflows age / consolidation
    # to inf: the ceasefire consolidates at once and the hazard is 0, as in the limit
    with np.errstate(over="ignore"):
        log_h = dissatisfaction_effect * dissatisfaction - guarantees - age / consolidation
    return np.minimum(1.0, base * np.exp(log_h))
