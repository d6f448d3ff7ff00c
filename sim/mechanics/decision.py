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


def victory_terms(
    victor_ideal: np.ndarray,
    feasible_low: np.ndarray,
    feasible_high: np.ndarray,
    victor_table: np.ndarray,
) -> np.ndarray:
    """The terms a victory imposes, (R, K): the victor's ideal ``victor_ideal`` (R, K) on
    every issue, within the feasible range (K,) where third parties decide the issue
    (``victor_table`` (K,), ``victor_gets: table``; docs/model.md, phase 2c)."""
    bounded = np.clip(victor_ideal, feasible_low, feasible_high)
    return np.where(victor_table, bounded, victor_ideal)


def capitulations(capitulates: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Which side capitulates in each signed deal, (R,): +1 Russia's, -1 Ukraine's, 0 none.

    A veto player capitulates when it signs terms beyond its own red lines or ratification
    limit, which it can only do because it expects to lose its army within its outlook
    (phase 5: its limits and red lines lift).  The war then ends as the other side's
    victory in the sense of the conflict-termination data: one side succumbs to the power of
    the other by capitulation (Kreutz 2010, the UCDP Conflict Termination dataset; Reiter
    2009).  Where players of both sides capitulate (both armies expected to break) the deal
    is a settlement, not a capitulation.

    Parameters
    ----------
    capitulates : ndarray of bool, shape (R, V)
        Each veto player accepts terms beyond the bounds it holds when defeat does not loom.
    side : ndarray, shape (V,)
        The veto players' sides.
    """
    russia = (capitulates & (side > 0)[None, :]).any(axis=1)
    ukraine = (capitulates & (side < 0)[None, :]).any(axis=1)
    return np.where(russia & ~ukraine, 1, np.where(ukraine & ~russia, -1, 0))
