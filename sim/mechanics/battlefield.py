"""Phase 2a: the front moves with the balance of effective strength.

Equations (docs/model.md, phase 2): Russia's and Ukraine's effective strength are their
belligerents' capabilities plus the aid their supporters deliver, aid scaled by each
supporter's resolve (domestic support gates delivery).  The balance
``b = (S_R - S_U) / (S_R + S_U)`` drives a bounded random walk of Russia's control
(Smith & Stam 2004: the front as a random walk whose drift is the balance of strength).
"""

from __future__ import annotations

import numpy as np


def effective_strength(
    capability: np.ndarray,
    aid: np.ndarray,
    resolve: np.ndarray,
    side: np.ndarray,
    belligerent: np.ndarray,
    guarantors: np.ndarray | float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Strength of the Russian and the Ukrainian side.

    Parameters
    ----------
    capability, aid, resolve : ndarray, shape (R, N)
    side : ndarray, shape (N,)
        +1 for Russia's side, -1 for Ukraine's, 0 for neutral.
    belligerent : ndarray of bool, shape (N,)
    guarantors : ndarray, shape (R,), or float
        Strength of guarantor forces fighting on Ukraine's side: a tripwire force whose
        ceasefire Russia broke (phase 6).

    Returns
    -------
    (russia, ukraine) : two ndarrays of shape (R,)
    """
    contribution = np.where(belligerent, capability, aid * resolve)
    russia = contribution[:, side > 0].sum(axis=1)
    ukraine = contribution[:, side < 0].sum(axis=1) + guarantors
    return russia, ukraine


def balance(russia: np.ndarray, ukraine: np.ndarray) -> np.ndarray:
    """Balance of strength in [-1, 1]; positive favours Russia, 0 when both are 0."""
    total = russia + ukraine
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (russia - ukraine) / np.where(total > 0, total, 1.0), 0.0)


def move_front(
    control: np.ndarray,
    strength_balance: np.ndarray,
    drift: np.ndarray,
    volatility: np.ndarray,
    shock: np.ndarray,
) -> np.ndarray:
    """One week of fighting: ``c' = clip(c + drift * b + volatility * shock, 0, 1)``.

    ``shock`` is standard normal, one per replicate.
    """
    return np.clip(control + drift * strength_balance + volatility * shock, 0.0, 1.0)
