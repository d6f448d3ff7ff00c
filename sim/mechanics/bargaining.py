"""Phase 4 bargaining: Bueno de Mesquita's expected-utility model (EUM), vectorised.

The model follows the reconstruction of Scholz, Calbert & Smith (2011) as
implemented and tabulated by David Masad ("Agents in Conflict", chapter
"BDM's EUM as ABM", file ``Dissertation/BDM_Reproduction/BDM_ABM.tex`` of
github.com/dmasad/Agents-In-Conflict, and his ``Real_BDM_Agent`` code). Every
array function accepts one game, shape ``(N,)``, or ``R`` independent replicates,
shape ``(R, N)``, and never loops over replicates or actors in Python.

Conventions (see ``docs/model.md``, Phase 4, for the discussion):

* positions lie in ``[0, 1]``; capability ``>= 0``; salience in ``[0, 1]``;
* ``win_probability[..., i, j]`` is the probability that ``i`` prevails over ``j``;
* ``expected_utility[..., i, j]`` is ``i``'s expected utility of challenging
  ``j``, computed with ``i``'s own risk exponent;
* the status-quo reference point ``mu`` is the BDM median voter position
  (the actor position minimising the capability-and-salience-weighted sum of
  distances), as in Masad's ``find_median``;
* a target evaluates incoming offers by mirror-imaging: it computes the
  sender's expected utility with its *own* risk exponent (Masad, "Risk
  Propensity" section, and ``compute_eu`` in his code);
* conflicts are resolved deterministically, in expectation (our departure from
  the stochastic draw of BDM 2011 / Masad).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CAPITULATION",
    "COMPROMISE",
    "CONFLICT",
    "NO_OFFER",
    "EUMAnalysis",
    "OfferResolution",
    "bargaining_round",
    "eu_weighted_mean",
    "eum_analysis",
    "median_voter_position",
    "resolve_offers",
]

# Offer categories (Masad's octants), as stored in ``OfferResolution.kind``.
NO_OFFER = 0
CONFLICT = 1
COMPROMISE = 2
CAPITULATION = 3

# An offer is sent (and found credible) only if the expected utility exceeds
# this; Masad's ``decide_threat`` uses the same threshold so that utilities
# which are zero up to rounding never generate offers.
_EU_EPS = 1e-4
# Tolerance for "equally close" / "equally enforceable" offers, so that ties
# between senders at the same position are broken by actor order (as Masad's
# ``min``/``max`` over a list do) rather than by rounding noise.
_TIE_TOL = 1e-12

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class EUMAnalysis:
    """Step-0 quantities of the expected-utility model.

    Attributes
    ----------
    risk : ndarray, shape (N,) or (R, N)
        Risk exponents ``r_i`` in ``[0.5, 2]`` (1 = risk neutral).
    win_probability : ndarray, shape (N, N) or (R, N, N)
        ``[..., i, j]``: probability that ``i`` prevails over ``j`` in a
        bilateral contest decided by third-party "votes". Zero on the diagonal,
        between co-located actors and when nobody casts a vote.
    expected_utility : ndarray, shape (N, N) or (R, N, N)
        ``[..., i, j]``: ``i``'s expected utility of challenging ``j``,
        computed with ``i``'s own risk exponent. Zero on the diagonal and
        between co-located actors.
    median : ndarray, shape () or (R,)
        The median voter position ``mu`` used as the status-quo reference.
    """

    risk: FloatArray
    win_probability: FloatArray
    expected_utility: FloatArray
    median: FloatArray


@dataclass(frozen=True)
class OfferResolution:
    """Outcome of one round of offers on one issue.

    Attributes
    ----------
    sender : ndarray of int, shape (N,) or (R, N)
        Index of the actor whose offer each target accepted, ``-1`` if none.
    kind : ndarray of int, shape (N,) or (R, N)
        ``NO_OFFER``, ``CONFLICT``, ``COMPROMISE`` or ``CAPITULATION``.
    proposed : ndarray, shape (N,) or (R, N)
        Position each target would move to under the accepted offer (its
        current position when it accepted none).
    reneged : ndarray of bool, shape (N,) or (R, N)
        Actors that stay put because another actor compromised or capitulated
        to them this round (Masad's reneging rule).
    new_position : ndarray, shape (N,) or (R, N)
        Positions after the round, clipped to ``[0, 1]``.
    """

    sender: NDArray[np.int64]
    kind: NDArray[np.int64]
    proposed: FloatArray
    reneged: NDArray[np.bool_]
    new_position: FloatArray


# --------------------------------------------------------------------------- helpers


def _prepare(
    position: ArrayLike, capability: ArrayLike, salience: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, bool]:
    """Broadcast inputs to float64 ``(R, N)``; report whether the input was 1-D."""
    x, c, s = np.broadcast_arrays(
        np.asarray(position, dtype=np.float64),
        np.asarray(capability, dtype=np.float64),
        np.asarray(salience, dtype=np.float64),
    )
    if x.ndim not in (1, 2) or x.shape[-1] < 1:
        raise ValueError(f"expected arrays of shape (N,) or (R, N) with N >= 1, got {x.shape}")
    if not (np.isfinite(x).all() and np.isfinite(c).all() and np.isfinite(s).all()):
        raise ValueError("position, capability and salience must be finite")
    single = x.ndim == 1
    if single:
        x, c, s = x[None, :], c[None, :], s[None, :]
    # Clip rather than raise: Monte Carlo perturbations routinely step a hair
    # outside the domain, and the formulas need these ranges to stay finite
    # (power of a negative base) and to keep probabilities in [0, 1].
    x = np.clip(x, 0.0, 1.0)
    c = np.maximum(c, 0.0)
    s = np.clip(s, 0.0, 1.0)
    return x, c, s, single


def _check_prob(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return value


def _win_probability(x: FloatArray, w: FloatArray) -> FloatArray:
    """P[r, i, j] = sum of votes for i over j / sum of all |votes| on (i, j).

    Votes of k: v_k = w_k (|x_k - x_j| - |x_k - x_i|) with w_k = c_k s_k >= 0.
    """
    dist = np.abs(x[:, :, None] - x[:, None, :])  # dist[r, k, i] = |x_k - x_i|
    # The one (R, N, N, N) temporary: v[r, k, i, j] before weighting. Since
    # w_k >= 0, max(w v, 0) = w max(v, 0), so weight after the clip via einsum.
    v = dist[:, :, None, :] - dist[:, :, :, None]
    np.maximum(v, 0.0, out=v)
    pos = np.einsum("rk,rkij->rij", w, v)  # sum of positive votes for i over j
    # sum_k |v_k| = (positive votes for i) + (positive votes for j); computing
    # it this way makes P_ij + P_ji == 1 hold to rounding.
    den = pos + pos.transpose(0, 2, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(den > 0.0, pos / np.where(den > 0.0, den, 1.0), 0.0)
    # No contest between actors at the same spot (this also zeroes the diagonal).
    p[x[:, :, None] == x[:, None, :]] = 0.0
    return p


def median_voter_position(
    position: ArrayLike, capability: ArrayLike, salience: ArrayLike
) -> FloatArray:
    """BDM's median voter position, as computed by Masad's ``find_median``.

    Masad takes the position ``x_i`` of the ordered pair ``(i, j)`` with the
    largest vote total ``sum_k c_k s_k (|x_k - x_j| - |x_k - x_i|)``. That total
    equals ``A_j - A_i`` with ``A_i = sum_k c_k s_k |x_k - x_i|``, so the answer
    is the actor position minimising ``A`` (a capability-and-salience-weighted
    median restricted to actor positions); ties (within 1e-12) go to the first
    actor, as they do in Masad's loop.

    Parameters
    ----------
    position, capability, salience : array_like, shape (N,) or (R, N)

    Returns
    -------
    ndarray, shape () or (R,)
    """
    x, c, s, single = _prepare(position, capability, salience)
    mu = _median(x, c * s)
    return mu[0] if single else mu


def _median(x: FloatArray, w: FloatArray) -> FloatArray:
    a = np.einsum("rk,rki->ri", w, np.abs(x[:, :, None] - x[:, None, :]))
    lo = a.min(axis=1, keepdims=True)
    # Exact ties (e.g. an even split) are common with coarse inputs; resolve
    # them by actor order, not by rounding noise, so results don't depend on
    # how many replicates share the call.
    idx = np.argmax(a <= lo + _TIE_TOL * np.maximum(1.0, np.abs(lo)), axis=1)
    return np.take_along_axis(x, idx[:, None], axis=1)[:, 0]


def eu_weighted_mean(position: ArrayLike, capability: ArrayLike, salience: ArrayLike) -> FloatArray:
    """Capability-and-salience-weighted mean position.

    ``sum_i c_i s_i x_i / sum_i c_i s_i`` -- the simple forecast that Bueno de
    Mesquita (2011) reports as a strong baseline for the full model. When all
    weights are zero the unweighted mean is returned (nobody cares, so no
    position is privileged).

    Parameters
    ----------
    position, capability, salience : array_like, shape (N,) or (R, N)

    Returns
    -------
    ndarray, shape () or (R,)
    """
    x, c, s, single = _prepare(position, capability, salience)
    w = c * s
    tot = w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(tot > 0.0, (w * x).sum(axis=1) / np.where(tot > 0.0, tot, 1.0), 0.0)
    mean = np.where(tot > 0.0, mean, x.mean(axis=1))
    return mean[0] if single else mean


class _Bases:
    """Logs of the utility bases, shared by every risk exponent in a round.

    Every utility has the form ``2 - 4 b**r`` with a base ``b`` depending on
    the pair (i, j) and an exponent depending on one actor, so ``log b`` is
    computed once and each exponent costs one ``exp``.
    """

    def __init__(self, x: FloatArray, mu: FloatArray, q: float) -> None:
        self.mu = mu
        d = np.abs(x[:, :, None] - x[:, None, :])
        # Bases stay in [0, 1] for x in [0, 1]; the maximum() only guards rounding.
        self.b_s = np.maximum(0.5 - 0.5 * d, 0.0)  # success: 0 when d = 1
        self.b_f = 0.5 + 0.5 * d  # failure
        self.q_lt_1 = q < 1.0
        with np.errstate(divide="ignore"):  # log(0) = -inf -> exp(-inf) = 0 below
            self.l_s = np.log(self.b_s)
            self.l_f = np.log(self.b_f)
            if self.q_lt_1:  # U_b / U_w only matter when the target might move anyway
                m = np.abs(x - mu[:, None])
                m = 0.25 * (m[:, :, None] + m[:, None, :])
                self.b_b = np.maximum(0.5 - m, 0.0)
                self.b_w = 0.5 + m
                self.l_b = np.log(self.b_b)
                self.l_w = np.log(self.b_w)


def _expected_utility(
    bases: _Bases,
    p: FloatArray,
    s: FloatArray,
    r: FloatArray | None,
    q: float,
    t: float,
    same: NDArray[np.bool_],
) -> FloatArray:
    """E[r, i, j]: i's expected utility of challenging j (Masad's eq. EU, sign corrected).

    ``r`` broadcasts against ``(R, N, N)``: ``(R, N, 1)`` uses the challenger's
    exponent, ``(R, 1, N)`` the target's (mirror-imaging); ``None`` means r = 1
    for everyone.
    """

    def util(base: FloatArray, log_base: FloatArray) -> FloatArray:
        # r > 0 always (r in [0.5, 2]), so exp(r * -inf) = 0 = 0**r.
        return 2.0 - 4.0 * (base if r is None else np.exp(r * log_base))

    u_s = util(bases.b_s, bases.l_s)
    u_f = util(bases.b_f, bases.l_f)
    u_sq = 2.0 - 4.0 * (0.5 if r is None else np.power(0.5, r))
    sj = s[:, None, :]
    # s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s, regrouped to save temporaries.
    e = u_s * (1.0 - sj * (1.0 - p)) + u_f * (sj * (1.0 - p)) - q * u_sq
    if bases.q_lt_1:
        u_b = util(bases.b_b, bases.l_b)
        u_w = util(bases.b_w, bases.l_w)
        e -= (1.0 - q) * (t * u_b + (1.0 - t) * u_w)
    # Nobody challenges an actor at its own position (Masad's compute_eu returns 0).
    e[same] = 0.0
    return e


def _analyse(
    x: FloatArray, c: FloatArray, s: FloatArray, q: float, t: float
) -> tuple[FloatArray, FloatArray, FloatArray, _Bases, NDArray[np.bool_]]:
    """Core of :func:`eum_analysis` on ``(R, N)`` arrays: (risk, P, E, bases, same)."""
    w = c * s
    same = x[:, :, None] == x[:, None, :]
    p = _win_probability(x, w)
    mu = _median(x, w)
    bases = _Bases(x, mu, q)
    # Risk (Masad eq. R_0, ``Real_BDM_Agent.find_r``): the "danger" to k is the
    # sum of everyone's EU of challenging k, all evaluated with r = 1.
    e1 = _expected_utility(bases, p, s, None, q, t, same)
    danger = e1.sum(axis=1)  # column sums; diagonal is 0
    hi = danger.max(axis=1, keepdims=True)
    lo = danger.min(axis=1, keepdims=True)
    spread = hi - lo
    # Equal dangers (up to rounding) mean nobody is more exposed: R = 0, r = 1.
    flat = spread <= 1e-12 * np.maximum(1.0, np.maximum(np.abs(hi), np.abs(lo)))
    with np.errstate(divide="ignore", invalid="ignore"):
        big_r = np.where(flat, 0.0, (2.0 * danger - hi - lo) / np.where(flat, 1.0, spread))
    big_r = np.clip(big_r, -1.0, 1.0)
    risk = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    e = _expected_utility(bases, p, s, risk[:, :, None], q, t, same)
    return risk, p, e, bases, same


# --------------------------------------------------------------------------- public API


def eum_analysis(
    position: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    q: float = 1.0,
    t: float = 1.0,
) -> EUMAnalysis:
    """Risk exponents, win probabilities and expected utilities of the EUM.

    Parameters
    ----------
    position : array_like, shape (N,) or (R, N)
        Actor positions, already scaled to ``[0, 1]``.
    capability : array_like, same shape
        Capabilities (any non-negative scale; only ratios matter).
    salience : array_like, same shape
        Saliences in ``[0, 1]``.
    q : float, default 1.0
        Challenger's belief that an unchallenged target keeps its position
        (``1`` = status quo certain; Masad's runs use 1).
    t : float, default 1.0
        Belief that, if the target moves anyway, it moves towards the median
        (only matters when ``q < 1``).

    Returns
    -------
    EUMAnalysis
        ``risk`` (N,) / (R, N); ``win_probability`` and ``expected_utility``
        (N, N) / (R, N, N); ``median`` () / (R,).

    Notes
    -----
    Rows are independent replicates: each replicate's result depends only on
    its own row. Out-of-domain inputs are clipped (positions and saliences to
    ``[0, 1]``, capabilities to ``>= 0``); non-finite inputs raise ``ValueError``.
    """
    q = _check_prob("q", q)
    t = _check_prob("t", t)
    x, c, s, single = _prepare(position, capability, salience)
    risk, p, e, bases, _ = _analyse(x, c, s, q, t)
    mu = bases.mu
    if single:
        return EUMAnalysis(risk[0], p[0], e[0], mu[0])
    return EUMAnalysis(risk, p, e, mu)


def resolve_offers(
    position: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    q: float = 1.0,
    t: float = 1.0,
    *,
    selection: str = "closest",
) -> OfferResolution:
    """One round of offers and responses, with the details of each choice.

    Rules (Masad's text and ``Real_BDM_Agent``, except where noted):

    1. ``i`` sends an offer to ``j`` when ``E_ij > 0`` (own risk exponent).
    2. Target ``j`` re-evaluates each offer by mirror-imaging, with its own
       exponent: the sender's perceived EU ``E^j_ij`` and its own ``E_ji``.
       Offers with non-positive perceived EU are not credible and ignored.
    3. Octants: ``E_ji > 0`` -> conflict; else ``|E_ji| <= E^j_ij`` ->
       compromise at ``x_j + (x_i - x_j)|E_ji / E^j_ij|``; else capitulation
       to ``x_i``. A conflict is fought only when ``i`` in turn accepted ``j``'s
       conflict offer (Masad's ``execute_attack``); otherwise ``j`` stays. A fought
       conflict is resolved deterministically in expectation:
       ``x_j + P_ij (x_i - x_j)`` (our departure from the stochastic draw).
    4. ``j`` accepts the offer whose resulting position is closest to ``x_j``;
       ties go to the highest perceived sender EU, then to the lower index
       (``selection="closest"``, Masad's text and code). With
       ``selection="enforceable"`` the order is reversed: highest perceived
       sender EU first, closest on ties. Only "closest" reproduces Masad's
       table of accepted offers; "enforceable" lets strong actors pull harder.
    5. Reneging: an actor to whom somebody compromised or capitulated keeps its
       position this round, and a conflict involving such an actor is called
       off.

    Parameters
    ----------
    position, capability, salience : array_like, shape (N,) or (R, N)
        As in :func:`eum_analysis`.
    q, t : float
        As in :func:`eum_analysis`.
    selection : {"closest", "enforceable"}, keyword-only
        Offer-selection order, see rule 4.

    Returns
    -------
    OfferResolution
    """
    if selection not in ("closest", "enforceable"):
        raise ValueError(f"selection must be 'closest' or 'enforceable', got {selection!r}")
    q = _check_prob("q", q)
    t = _check_prob("t", t)
    x, c, s, single = _prepare(position, capability, salience)
    risk, p, e, bases, same = _analyse(x, c, s, q, t)
    n = x.shape[1]

    # Sender's EU as perceived by the target j (exponent r_j, i.e. per column).
    e_seen = _expected_utility(bases, p, s, risk[:, None, :], q, t, same)
    own = e.transpose(0, 2, 1)  # own[r, i, j] = E_ji: target's EU of challenging the sender
    offer = (e > _EU_EPS) & (e_seen > _EU_EPS) & ~same

    conflict = own > 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(own) / np.where(offer, e_seen, 1.0)
    compromise = ~conflict & (ratio <= 1.0)
    # Fraction of the way from x_j to x_i that j ends up at under each offer.
    frac = np.where(conflict, p, np.where(compromise, ratio, 1.0))
    xi = x[:, :, None]
    xj = x[:, None, :]
    target_pos = xj + frac * (xi - xj)
    kind_all = np.where(conflict, CONFLICT, np.where(compromise, COMPROMISE, CAPITULATION))

    # Offer selection over senders (axis 1), by two keys to minimise in turn:
    # the move required of the target and minus the sender's perceived EU.
    move_size = np.abs(target_pos - xj)
    keys = (move_size, -e_seen) if selection == "closest" else (-e_seen, move_size)
    cand = offer
    for key in keys:  # two fixed passes, not a loop over actors or replicates
        k = np.where(cand, key, np.inf)
        cand = cand & (k <= k.min(axis=1, keepdims=True) + _TIE_TOL)
    chosen = np.argmax(cand, axis=1)  # first True = lowest sender index
    has = offer.any(axis=1)

    def pick(a: np.ndarray) -> np.ndarray:
        return np.take_along_axis(a, chosen[:, None, :], axis=1)[:, 0, :]

    kind = np.where(has, pick(kind_all), NO_OFFER)
    proposed = np.where(has, pick(target_pos), x)

    # Reneging: sender i keeps its position if some target compromised or
    # capitulated to it (Masad's ``offer_accepted``).
    yielded = has & ((kind == COMPROMISE) | (kind == CAPITULATION))
    onehot = (np.arange(n)[None, :, None] == chosen[:, None, :]) & yielded[:, None, :]
    reneged = onehot.any(axis=2)
    called_off = (kind == CONFLICT) & np.take_along_axis(reneged, chosen, axis=1)
    # A conflict is fought only when both sides chose each other's conflict offer
    # (Masad's ``execute_attack``); otherwise the target stays where it is.
    returned = (np.take_along_axis(chosen, chosen, axis=1) == np.arange(n)) & (
        np.take_along_axis(kind, chosen, axis=1) == CONFLICT
    )
    unfought = (kind == CONFLICT) & ~returned
    move = has & ~reneged & ~called_off & ~unfought
    new_x = np.clip(np.where(move, proposed, x), 0.0, 1.0)

    sender = np.where(has, chosen, -1)
    if single:
        return OfferResolution(sender[0], kind[0], proposed[0], reneged[0], new_x[0])
    return OfferResolution(sender, kind, proposed, reneged, new_x)


def bargaining_round(
    position: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    q: float = 1.0,
    t: float = 1.0,
) -> FloatArray:
    """One round of EUM offers and their resolution on one issue.

    Parameters
    ----------
    position : array_like, shape (N,) or (R, N)
        Positions in ``[0, 1]``.
    capability : array_like, same shape
        Non-negative capabilities.
    salience : array_like, same shape
        Saliences in ``[0, 1]``.
    q, t : float, default 1.0
        Status-quo beliefs, see :func:`eum_analysis`.

    Returns
    -------
    ndarray, same shape as ``position``
        New positions, clipped to ``[0, 1]``. For several issues call once per
        issue with that issue's positions and saliences.

    See Also
    --------
    resolve_offers : the same round, with who accepted what.
    """
    return resolve_offers(position, capability, salience, q, t).new_position
