"""Phase 2c: military decision, the war's absorbing endings.

A war also ends when one side can no longer fight (docs/model.md, phase 2c):

* **the army breaks**: a belligerent's resolve, worn down by the war's cost (phase 2b),
  falls below its ``breaking_point``; the other side wins;
* **the last fort falls** (Smith & Stam 2004, where the war ends when one side holds every
  fort): the front reaches the end of the territorial issue, control 1 (Russia holds its
  whole claim) or 0 (Ukraine holds its 1991 borders).

The victor imposes its terms: every issue at its veto player's ideal point.  Both endings
are absorbing: a replicate that reaches one neither fights nor negotiates again.
"""

from __future__ import annotations

import numpy as np


def victors(
    resolve: np.ndarray,
    breaking_point: np.ndarray,
    control: np.ndarray,
    side: np.ndarray,
    belligerent: np.ndarray,
    balance: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which replicates end in a Russian and which in a Ukrainian victory this week.

    Parameters
    ----------
    resolve, breaking_point : ndarray, shape (R, N)
    control : ndarray, shape (R,)
    side : ndarray, shape (N,)
        +1 for Russia's side, -1 for Ukraine's, 0 for neutral.
    belligerent : ndarray of bool, shape (N,)
    balance : ndarray, shape (R,)
        Balance of strength; decides the rare week in which both armies break.

    Returns
    -------
    (russia_wins, ukraine_wins) : two boolean ndarrays of shape (R,), never both true
    """
    broken = belligerent[None, :] & (resolve < breaking_point)
    russia_breaks = (broken & (side > 0)[None, :]).any(axis=1) | (control <= 0.0)
    ukraine_breaks = (broken & (side < 0)[None, :]).any(axis=1) | (control >= 1.0)
    both = russia_breaks & ukraine_breaks
    russia_wins = ukraine_breaks & (~both | (balance > 0))
    ukraine_wins = russia_breaks & (~both | (balance <= 0))
    return russia_wins, ukraine_wins
