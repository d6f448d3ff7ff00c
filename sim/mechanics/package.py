"""Phase 5a: the mediator's package over all issues -- the asymmetric Nash bargaining solution.

The veto players bargain over the whole package ``z`` (one term per issue, Sebenius 1983:
linking issues lets each side give way where it cares less).  Each veto player's
disagreement point is its value of fighting on ``d_i`` (Binmore, Rubinstein & Wolinsky
1986: the outside option of a bargaining game).  The mediator tables

    z* = argmax_z  sum_i beta_i log(U_i(z) - d_i)    subject to U_i(z) >= d_i,  z in Z,

the asymmetric Nash bargaining solution (Nash 1950), where ``Z`` is the box of terms that can
be put on the table (each issue's ``feasible`` range, terms fixed by an ``offer:``, and a
ratification limit on the territory a party may cede).  When no package satisfies every veto
player, the mediator tables the package that minimises the largest shortfall,
``argmax_z min_i (U_i(z) - d_i)``, and the blocker is the veto player furthest from
accepting even the best package the other would accept.

How it is solved (docs/model.md, "Computing the package").  Utilities are separable over
issues, ``U_i(z) = sum_k U_ik(z_k)``, and concave in each term, so the Pareto frontier of the
two veto players is traced by the weighted-sum packages

    z(theta)_k = argmax_{z_k}  (1 - theta) U_0k(z_k) + theta U_1k(z_k),   theta in (0, 1),

one issue at a time.  Along the frontier ``U_0`` falls and ``U_1`` rises with ``theta``, so
every solution above is where a monotone function of ``theta`` crosses zero: found by
bisection on ``theta``, then exactly on the frontier segment the crossing lies on (the
utilities are linear along it, so the Nash and equal-shortfall points there have closed
forms).  Each issue's maximum is taken over candidate terms: the kinks of the piecewise-linear
utilities (the bounds, each veto player's ideal, the line of contact) -- exact when every veto
player is risk neutral -- plus a grid of :data:`GRID` points when one is not.

The mediator's own stated positions break ties between packages the veto players value
equally (an issue neither cares about goes where the mediator wants it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .curvature import curved

GRID = 33
"""Grid points per issue added to the kinks when a veto player's utility is curved (risk
attitude other than 1): the package is then exact to within half a grid step per term."""

THETA_EDGE = 1e-9
"""The frontier's ends: ``theta`` this close to 0 or 1 still breaks ties in favour of the
other player, so even the end points are Pareto efficient."""

BISECTIONS = 36
"""Bisection steps on ``theta``: brackets the crossing to ~1.5e-11, far finer than the
spacing of the frontier's vertices in any but contrived cases (the exact solution on the
bracketing segment does the rest)."""

TIE_WEIGHT = 1e-9
"""Weight of the mediator's utility in each issue's maximisation: it breaks ties only."""

ACCEPT_TOL = 1e-9
"""A veto player accepts a package when ``U_i(z) - d_i >= -ACCEPT_TOL`` (rounding)."""

_MAXMIN, _NASH, _ZERO_1, _ZERO_0 = 0, 1, 2, 3


@dataclass(frozen=True)
class Preferences:
    """The veto players' preferences over packages, for a block of replicates.

    Utility of terms ``z`` for veto player ``i`` (docs/model.md, phase 5):

        U_i(z) = sum_k w_ik (1 - |z_k - x_ik| ** a_i) - w_iT (lambda_i - 1) ceded_i(z_T),

    with ``ceded_i(g) = max(0, sigma_i (r_i - g))`` the territory a line ``g`` concedes below
    the player's reference point ``r_i`` (``sigma`` = +1 for Russia's side, -1 for Ukraine's,
    0 for neutral).  The reference is the line of contact ``c`` (what the player holds: the
    status quo, Levy 1996) or its own claim (its ideal: a claim written into law, which a
    deal short of it renounces).  Losses weigh ``lambda`` times a gain (Kahneman & Tversky
    1979; Levy 1996 on loss aversion in international bargaining).

    Attributes
    ----------
    ideal, weights : ndarray, shape (R, V, K)
        Ideal points and salience weights (summing to 1 over issues).
    risk, loss_aversion : ndarray, shape (R, V)
    side : ndarray, shape (V,)
        +1, -1 or 0.
    claims : ndarray of bool, shape (V,)
        Whether the player's reference point is its claim (else the line of contact).
    territory : int
        Index of the territory issue.
    """

    ideal: np.ndarray
    weights: np.ndarray
    risk: np.ndarray
    loss_aversion: np.ndarray
    side: np.ndarray
    claims: np.ndarray
    territory: int

    def take(self, rows: np.ndarray) -> Preferences:
        """The same preferences in a subset of the replicates."""
        return Preferences(
            self.ideal[rows],
            self.weights[rows],
            self.risk[rows],
            self.loss_aversion[rows],
            self.side,
            self.claims,
            self.territory,
        )

    def reference(self, control: np.ndarray) -> np.ndarray:
        """Each player's territorial reference point, (R,) -> (R, V)."""
        return np.where(self.claims, self.ideal[..., self.territory], control[:, None])

    def ceded(self, line: np.ndarray, control: np.ndarray) -> np.ndarray:
        """Territory a line concedes below each player's reference: (R,) lines -> (R, V)."""
        return np.maximum(0.0, self.side * (self.reference(control) - line[:, None]))

    def utility(self, terms: np.ndarray, control: np.ndarray) -> np.ndarray:
        """``U_i(z)`` for terms of shape (R, K) -> (R, V)."""
        loss = curved(np.abs(terms[:, None, :] - self.ideal), self.risk[..., None])
        plain = (self.weights * (1.0 - loss)).sum(axis=-1)
        return plain - self._loss_penalty(self.ceded(terms[:, self.territory], control))

    def issue_utility(self, values: np.ndarray, control: np.ndarray) -> np.ndarray:
        """Weighted utility ``U_ik`` of candidate terms: (R, K, M) -> (R, V, K, M)."""
        a = self.risk[..., None, None]
        u = self.weights[..., None] * (
            1.0 - curved(np.abs(values[:, None] - self.ideal[..., None]), a)
        )
        t = self.territory
        lines = values[:, t, :]  # (R, M)
        reference = self.reference(control)[..., None]  # (R, V, 1)
        ceded = np.maximum(0.0, self.side[None, :, None] * (reference - lines[:, None]))
        u[:, :, t, :] -= self._loss_penalty(ceded)
        return u

    def _loss_penalty(self, ceded: np.ndarray) -> np.ndarray:
        extra = self.weights[..., self.territory] * (self.loss_aversion - 1.0)
        return extra.reshape(extra.shape + (1,) * (ceded.ndim - 2)) * ceded


def acceptance(
    surplus: np.ndarray, ceded: np.ndarray, limit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Who accepts tabled terms (Fearon 1995; Putnam 1988): ``(accept, ratified)``.

    A veto player accepts when the terms beat fighting on, ``U_i(z) - d_i >= -ACCEPT_TOL``,
    and the territory they concede from its reference is within its ratification limit.
    """
    ratified = ceded <= limit + ACCEPT_TOL
    return (surplus >= -ACCEPT_TOL) & ratified, ratified


@dataclass(frozen=True)
class Package:
    """The mediator's package for a block of replicates.

    Attributes
    ----------
    terms : ndarray, shape (R, K)
    feasible : ndarray of bool, shape (R,)
        Some package in the table's box satisfies every veto player.
    blocker : ndarray of int, shape (R,)
        Where infeasible, the position (among the veto players) of the one furthest from
        accepting; -1 where feasible.
    """

    terms: np.ndarray
    feasible: np.ndarray
    blocker: np.ndarray


def candidates(
    low: np.ndarray,
    high: np.ndarray,
    ideal: np.ndarray,
    control: np.ndarray,
    territory: int,
    grid: bool,
) -> np.ndarray:
    """Candidate terms per issue, (R, K, M): the kinks of the utilities, and a grid.

    Parameters
    ----------
    low, high : ndarray, shape (R, K)
        The box of terms that can be tabled (``low == high`` fixes a term).
    ideal : ndarray, shape (R, P, K)
        Ideal points (of the veto players, and of the mediator for tie-breaking).
    control : ndarray, shape (R,)
        Line of contact: the kink of loss aversion on the territory issue.
    grid : bool
        Add :data:`GRID` evenly spaced points (for curved utilities).
    """
    kinks = [low, high, *np.moveaxis(ideal, 1, 0)]
    line = low.copy()
    line[:, territory] = control
    kinks.append(line)
    points = np.stack(kinks, axis=-1)
    if grid:
        steps = np.linspace(0.0, 1.0, GRID)
        points = np.concatenate([points, low[..., None] + (high - low)[..., None] * steps], axis=-1)
    return np.clip(points, low[..., None], high[..., None])


def bargaining_weights(
    cost: np.ndarray, mediator_likes: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """The veto players' bargaining weights ``beta_i``, (R, V), summing to 1.

    ``beta_i`` is proportional to ``exp(bias * L_i) / c_i``: the more a player loses by delay
    (its perceived cost of fighting on ``c_i``), the weaker it bargains (Binmore, Rubinstein &
    Wolinsky 1986: in the limit of alternating offers player i's weight is the other's rate
    of impatience); an interested mediator (Kydd 2003) lends weight to the side whose ideal
    package it likes better (``L_i``: the mediator's utility of player i's ideal package;
    ``bias`` 0 is a neutral mediator).
    """
    raw = np.exp(bias[:, None] * mediator_likes) / np.maximum(cost, 1e-9)
    return raw / raw.sum(axis=1, keepdims=True)


def nash_package(
    preferences: Preferences,
    control: np.ndarray,
    war_value: np.ndarray,
    beta: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    mediator: tuple[np.ndarray, np.ndarray] | None = None,
    grid: bool = False,
    attribute: bool = True,
) -> Package:
    """The package the mediator tables (see the module docstring).

    Parameters
    ----------
    preferences : Preferences
        Of one or two veto players.
    control : ndarray, shape (R,)
    war_value : ndarray, shape (R, V)
        Each veto player's value of fighting on, its disagreement point.
    beta : ndarray, shape (R, V)
        Bargaining weights.
    low, high : ndarray, shape (R, K)
        The box of terms that can be tabled.
    mediator : (ideal, weights), each ndarray of shape (R, K), optional
        The mediator's stated positions and issue weights: its (linear) utility breaks ties
        between packages the veto players value equally, with weight :data:`TIE_WEIGHT`.
    grid : bool
        Whether utilities are curved (any veto player's risk attitude is not 1).
    attribute : bool
        Find the blocker where no package satisfies every veto player (it costs two more
        searches of the frontier); else ``blocker`` is -1 everywhere.

    Returns
    -------
    Package
    """
    r, v, _ = preferences.ideal.shape
    if v not in (1, 2):
        raise ValueError(f"the package solver takes one or two veto players, got {v}")
    ideals = preferences.ideal
    if mediator is not None:
        ideals = np.concatenate([ideals, mediator[0][:, None, :]], axis=1)
    points = candidates(low, high, ideals, control, preferences.territory, grid)
    util = preferences.issue_utility(points, control)
    d = war_value
    # a weight of exactly 0 would stall the Nash search at the frontier's end
    b = np.maximum(beta, 1e-12) if v == 2 else beta
    if v == 1:  # a lone veto player: a dummy second player who accepts anything
        util = np.concatenate([util, np.zeros_like(util)], axis=1)
        d = np.concatenate([d, np.full((r, 1), -1e9)], axis=1)
        b = np.concatenate([b, np.zeros((r, 1))], axis=1)
    tie = np.zeros(points.shape)
    if mediator is not None:
        m_ideal, m_weights = mediator
        tie = TIE_WEIGHT * (m_weights[..., None] * (1.0 - np.abs(points - m_ideal[..., None])))
    lo_idx, hi_idx, t, feasible, blocker = _solve(
        np.ascontiguousarray(util),
        np.ascontiguousarray(tie),
        np.ascontiguousarray(d),
        np.ascontiguousarray(b),
        THETA_EDGE,
        ACCEPT_TOL,
        BISECTIONS,
        attribute,
    )
    start = np.take_along_axis(points, lo_idx[..., None], axis=-1)[..., 0]
    stop = np.take_along_axis(points, hi_idx[..., None], axis=-1)[..., 0]
    terms = np.clip(start + t[:, None] * (stop - start), low, high)
    return Package(terms=terms, feasible=feasible, blocker=blocker)


# --------------------------------------------------------------------------- compiled core
@numba.njit(cache=True, error_model="numpy")
def _undominated(util, tie, r, cand, keep, count):
    """The candidates of replicate ``r`` the weighted-sum maximum can choose, per issue.

    Keeps, in their order, the candidates of issue ``k`` that no earlier kept candidate
    weakly dominates in ``U_0k``, ``U_1k`` and the tie-break: ``count[k]`` of them, their
    indices in ``keep[k]`` and those three values in ``cand[k, :, 0:3]`` (packed, so that the
    bisections read contiguous memory).  With weights ``1 - theta`` and ``theta`` >= 0,
    rounded products and sums are monotone, so a dominated candidate never scores above the
    earlier one that dominates it: the first best candidate, which :func:`_frontier`
    returns, is always kept and its choice is the full search's, bit for bit.
    """
    k_count, m_count = util.shape[2], util.shape[3]
    for k in range(k_count):
        kept = 0
        for m in range(m_count):
            a0, a1, at = util[r, 0, k, m], util[r, 1, k, m], tie[r, k, m]
            dominated = False
            for j in range(kept):
                if a0 <= cand[k, j, 0] and a1 <= cand[k, j, 1] and at <= cand[k, j, 2]:
                    dominated = True
                    break
            if not dominated:
                cand[k, kept, 0] = a0
                cand[k, kept, 1] = a1
                cand[k, kept, 2] = at
                keep[k, kept] = m
                kept += 1
        count[k] = kept


@numba.njit(cache=True, error_model="numpy")
def _frontier(theta, cand, keep, count, idx):
    """Weighted-sum package at ``theta``: chosen candidate per issue into ``idx``; (U0, U1).

    Scores the candidates :func:`_undominated` kept (``cand``, ``keep``, ``count``).
    """
    u0 = 0.0
    u1 = 0.0
    for k in range(count.shape[0]):
        best = -np.inf
        chosen = 0
        # a lone candidate (a term fixed by the box, or dominating the others) is chosen
        # whatever theta: nothing to score
        for j in range(count[k] if count[k] > 1 else 0):
            f = (1.0 - theta) * cand[k, j, 0] + theta * cand[k, j, 1]
            f += cand[k, j, 2]
            # selects, not a branch: which candidate wins is data-dependent (mispredicts)
            better = f > best
            best = f if better else best
            chosen = j if better else chosen
        idx[k] = keep[k, chosen]
        u0 += cand[k, chosen, 0]
        u1 += cand[k, chosen, 1]
    return u0, u1


@numba.njit(cache=True, error_model="numpy")
def _criterion(kind, theta, s0, s1, b0, b1):
    """A function of the frontier point that rises with theta; the target is its zero."""
    if kind == 0:  # equal shortfall: s1 - s0
        return s1 - s0
    if kind == 1:  # Nash: theta / (1 - theta) = b1 s0 / (b0 s1) at the optimum
        return theta * b0 * max(s1, 0.0) - (1.0 - theta) * b1 * max(s0, 0.0)
    if kind == 2:  # player 1 just satisfied
        return s1
    return -s0  # player 0 just satisfied


@numba.njit(cache=True, error_model="numpy")
def _cross(kind, cand, keep, count, d0, d1, b0, b1, edge, steps, idx_lo, idx_hi):
    """Find where ``_criterion`` crosses zero along the frontier.

    Writes the candidate choices at both ends of the frontier segment into ``idx_lo`` and
    ``idx_hi`` and returns ``(t, s0, s1)``: the position on the segment and the surpluses
    there (utilities are linear along a segment).  ``cand``, ``keep`` and ``count``: the
    candidates :func:`_frontier` scores.
    """
    lo, hi = edge, 1.0 - edge
    u0, u1 = _frontier(lo, cand, keep, count, idx_lo)
    s0_lo, s1_lo = u0 - d0, u1 - d1
    if _criterion(kind, lo, s0_lo, s1_lo, b0, b1) >= 0.0:
        idx_hi[:] = idx_lo
        return 0.0, s0_lo, s1_lo
    u0, u1 = _frontier(hi, cand, keep, count, idx_hi)
    s0_hi, s1_hi = u0 - d0, u1 - d1
    if _criterion(kind, hi, s0_hi, s1_hi, b0, b1) < 0.0:
        idx_lo[:] = idx_hi
        return 0.0, s0_hi, s1_hi
    scratch = np.empty_like(idx_lo)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        u0, u1 = _frontier(mid, cand, keep, count, scratch)
        if _criterion(kind, mid, u0 - d0, u1 - d1, b0, b1) < 0.0:
            lo = mid
        else:
            hi = mid
    u0, u1 = _frontier(lo, cand, keep, count, idx_lo)
    s0_lo, s1_lo = u0 - d0, u1 - d1
    u0, u1 = _frontier(hi, cand, keep, count, idx_hi)
    s0_hi, s1_hi = u0 - d0, u1 - d1
    g0, g1 = s0_hi - s0_lo, s1_hi - s1_lo  # slopes along the segment
    t = 0.0
    if kind == 0:
        denom = (s1_hi - s0_hi) - (s1_lo - s0_lo)
        t = -(s1_lo - s0_lo) / denom if denom != 0.0 else 0.0
    elif kind == 1:
        denom = (b0 + b1) * g0 * g1
        t = -(b0 * g0 * s1_lo + b1 * g1 * s0_lo) / denom if denom != 0.0 else 0.0
    elif kind == 2:
        t = -s1_lo / g1 if g1 != 0.0 else 0.0
    else:
        t = -s0_lo / g0 if g0 != 0.0 else 0.0
    t = min(max(t, 0.0), 1.0)
    return t, s0_lo + t * g0, s1_lo + t * g1


@numba.njit(cache=True, error_model="numpy")
def _solve(util, tie, d, beta, edge, tol, steps, attribute):
    """The package of every replicate: segment ends, position, feasibility, blocker.

    The Nash search runs first; only where its package leaves someone short is the
    equal-shortfall package computed (it decides feasibility exactly).
    """
    r_count, k_count = util.shape[0], util.shape[2]
    lo_idx = np.zeros((r_count, k_count), dtype=np.int64)
    hi_idx = np.zeros((r_count, k_count), dtype=np.int64)
    t_out = np.zeros(r_count)
    feasible = np.zeros(r_count, dtype=np.bool_)
    blocker = np.full(r_count, -1, dtype=np.int64)
    a = np.empty(k_count, dtype=np.int64)
    b = np.empty(k_count, dtype=np.int64)
    cand = np.empty((k_count, util.shape[3], 3))
    keep = np.empty((k_count, util.shape[3]), dtype=np.int64)
    count = np.empty(k_count, dtype=np.int64)
    for r in range(r_count):
        _undominated(util, tie, r, cand, keep, count)
        d0, d1, b0, b1 = d[r, 0], d[r, 1], beta[r, 0], beta[r, 1]
        t, s0, s1 = _cross(_NASH, cand, keep, count, d0, d1, b0, b1, edge, steps, a, b)
        if min(s0, s1) < -tol:  # no Nash point: is any package acceptable to both?
            t, s0, s1 = _cross(_MAXMIN, cand, keep, count, d0, d1, b0, b1, edge, steps, a, b)
        lo_idx[r, :] = a
        hi_idx[r, :] = b
        t_out[r] = t
        if min(s0, s1) >= -tol:
            feasible[r] = True
            continue
        if not attribute:
            continue
        # who is furthest from accepting the best the other would accept?
        u0, u1 = _frontier(edge, cand, keep, count, a)
        best0 = u0 - d0
        u0, u1 = _frontier(1.0 - edge, cand, keep, count, a)
        best1 = u1 - d1
        if best0 < 0.0 and best1 < 0.0:
            blocker[r] = 0 if best0 <= best1 else 1
        elif best1 < 0.0:
            blocker[r] = 1
        elif best0 < 0.0:
            blocker[r] = 0
        else:
            _, short0, _ = _cross(_ZERO_1, cand, keep, count, d0, d1, b0, b1, edge, steps, a, b)
            _, _, short1 = _cross(_ZERO_0, cand, keep, count, d0, d1, b0, b1, edge, steps, a, b)
            blocker[r] = 0 if short0 <= short1 else 1
    return lo_idx, hi_idx, t_out, feasible, blocker
