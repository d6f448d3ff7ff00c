"""Phase 5 (part): foresight of how the war could end, under each side's own beliefs.

A side fights on while victory looks attainable (Reiter 2009, *How Wars End*; Goemans
2000): what fighting on is worth depends on the chance that the war is *decided* within
the side's outlook, by the same mechanics that decide it in the model (phase 2c), not only
on where the front will stand.  Each veto player ``i`` reads the balance of strength from
its belief about the front's drift, ``mu = delta b`` (phase 2a), so its belief
``N(m_i, sigma^2 / n_i)`` about the drift is a belief ``N(m_i / delta, sigma^2 / (delta^2
n_i))`` about the balance ``b``.  It knows the armies' resolve, breaking points and weekly
costs (an approximation: the private information of the model sits in the balance).

**Armies that break** (phase 2b-c).  At a balance ``b`` held for ``T`` weeks, belligerent
``j`` on side ``s_j`` wears its resolve by ``kappa_j (1 - s_j b)`` a week, so it breaks
within the outlook when ``kappa_j (1 - s_j b) T >= A_j = ln(rho_j / rho_min_j)``:

    Ukraine's side breaks   iff  b >= beta_U = A_U / (kappa_U T) - 1,
    Russia's side breaks    iff  b <= beta_R = 1 - A_R / (kappa_R T),

and when both would, the one that breaks first, ``t_U(b) < t_R(b)`` iff ``b > b_eq`` with
``b_eq = (A_U kappa_R - A_R kappa_U) / (A_U kappa_R + A_R kappa_U)``.  So, exactly under
the normal belief,

    P(Ukraine's army breaks first) = P(b >= max(beta_U, b_eq)),
    P(Russia's army breaks first)  = P(b <= min(beta_R, b_eq)).

**The last fort falls** (Smith & Stam 2004): control, a random walk with drift ``mu`` and
weekly sd ``sigma``, reaches 1 (or 0) within ``T`` weeks with the first-passage probability
of a Brownian motion with drift (Karlin & Taylor 1975, ch. 7):

    P(max_{t<=T} c_t >= 1) = Phi((mu T - a) / (sigma sqrt T))
                             + exp(2 mu a / sigma^2) Phi((-a - mu T) / (sigma sqrt T)),

``a = 1 - c``.  **Fort and break race**: at a balance ``b`` the first army to break does
so in the week ``t_R(b) = A_R / (kappa_R (1 - b))`` or ``t_U(b) = A_U / (kappa_U (1 + b))``,
and a fort decides only if it falls before then.  The belief splits into three stretches
of ``b``: Russia's army breaks first within the outlook, neither does, Ukraine's does.
Within each the chances are smooth in ``b``, so each is integrated by Gauss-Legendre
quadrature in the belief's quantile:

    P(Russia wins) = E[P_top(b, t_R); Russia's breaks first] + E[P_top(b, T); neither]
                     + E[1 - P_bottom(b, t_U); Ukraine's breaks first],  and likewise.

The continuous-time first passage is a little above the weekly walk's;
``tests/test_foresight.py`` holds the closed form to a brute-force simulation of the same
beliefs within 0.03 (taking the break first in every world was 0.55 off where a fort was
within reach of an army near breaking).
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri

_LEGENDRE_NODES, _LEGENDRE_WEIGHTS = np.polynomial.legendre.leggauss(3)
STRETCH_NODES = (_LEGENDRE_NODES + 1.0) / 2.0
"""Gauss-Legendre nodes on [0, 1], in the belief's quantile of the balance, for each
stretch of it in which the same army breaks first (or none does)."""
STRETCH_WEIGHTS = _LEGENDRE_WEIGHTS / 2.0
QUANTILE_FLOOR = 1e-12
"""Quantiles kept inside (0, 1), so that the nodes of a stretch at a tail stay finite."""

BALANCE_CAP = 1e6
"""Bound on the believed balance and its spread (the balance itself lies in [-1, 1])."""

NEVER = np.inf
"""Wear an army never reaches (a breaking point of 0 or no cost of war)."""


def _breaking_thresholds(
    resolve: np.ndarray,
    breaking_point: np.ndarray,
    war_cost: np.ndarray,
    side: np.ndarray,
    belligerent: np.ndarray,
    weeks: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """The balances beyond which each side's army breaks within ``weeks``, and the wear
    ``A`` and weekly cost ``kappa`` of the army that breaks first on each side."""
    with np.errstate(divide="ignore", invalid="ignore"):
        wear = np.where(
            breaking_point > 0, np.log(resolve / np.maximum(breaking_point, 1e-300)), NEVER
        )
        wear = np.maximum(wear, 0.0)
        rate = war_cost * weeks[:, None]  # kappa_j T
        # (1 - s_j b) >= A_j / (kappa_j T): the attrition factor that breaks j in time
        needed = np.where(rate > 0, wear / rate, NEVER)
    ukr = belligerent & (side < 0)
    rus = belligerent & (side > 0)
    # the army of a side breaks when its first belligerent does (phase 2c)
    beta_u = np.where(ukr, needed - 1.0, NEVER).min(axis=1)
    beta_r = np.where(rus, 1.0 - needed, -NEVER).max(axis=1)
    ju = np.where(ukr, needed, NEVER).argmin(axis=1)
    jr = np.where(rus, needed, NEVER).argmin(axis=1)
    rows = np.arange(len(resolve))
    return (
        beta_u,
        beta_r,
        wear[rows, ju],
        war_cost[rows, ju],
        wear[rows, jr],
        war_cost[rows, jr],
    )


def _equal_time(a_u, k_u, a_r, k_r) -> np.ndarray:
    """The balance at which both armies would break in the same week (see module doc)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        num = a_u * k_r - a_r * k_u
        den = a_u * k_r + a_r * k_u
        b_eq = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    # an army that never wears never breaks first
    b_eq = np.where(~np.isfinite(a_u) | (k_u <= 0), np.inf, b_eq)
    b_eq = np.where(~np.isfinite(a_r) | (k_r <= 0), -np.inf, b_eq)
    return np.nan_to_num(b_eq, nan=0.0)


def _beyond(threshold: np.ndarray, mean: np.ndarray, sd: np.ndarray, upper: bool) -> np.ndarray:
    """P(b >= threshold) (``upper``) or P(b <= threshold) under N(mean, sd^2)."""
    z = (mean - threshold) if upper else (threshold - mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(z >= 0, 1.0, 0.0)
        p = np.where(sd > 0, ndtr(z / np.where(sd > 0, sd, 1.0)), exact)
    return np.where(np.isinf(threshold), np.where(z > 0, 1.0, 0.0), p)


def first_passage(distance: np.ndarray, drift: np.ndarray, sd: np.ndarray, weeks: np.ndarray):
    """P(a random walk with weekly ``drift`` and ``sd`` rises by ``distance`` >= 0 within
    ``weeks``), in the Brownian limit; arrays broadcast together."""
    distance = np.maximum(distance, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = sd * np.sqrt(weeks)
        safe = np.where(scale > 0, scale, 1.0)
        first = ndtr((drift * weeks - distance) / safe)
        log_second = 2.0 * drift * distance / np.where(sd > 0, sd * sd, 1.0) + log_ndtr(
            (-distance - drift * weeks) / safe
        )
        second = np.exp(np.minimum(log_second, 0.0))
        p = np.where(scale > 0, first + second, (drift * weeks >= distance).astype(float))
    return np.clip(np.where(distance <= 0, 1.0, p), 0.0, 1.0)


def ending_chances(
    control: np.ndarray,
    belief_mean: np.ndarray,
    belief_weight: np.ndarray,
    drift: np.ndarray,
    volatility: np.ndarray,
    weeks: np.ndarray,
    resolve: np.ndarray,
    breaking_point: np.ndarray,
    war_cost: np.ndarray,
    side: np.ndarray,
    belligerent: np.ndarray,
    balance: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each viewer's chance that Russia and that Ukraine wins within its outlook.

    Parameters
    ----------
    control : ndarray, shape (R,)
    belief_mean, belief_weight : ndarray, shape (R, V)
        The viewers' drift beliefs (phase 3).
    drift, volatility, weeks : ndarray, shape (R,)
        ``battlefield.drift`` (delta), ``battlefield.volatility`` (sigma) and the outlook T.
    resolve, breaking_point, war_cost : ndarray, shape (R, N)
        Every actor's; only belligerents count.
    side : ndarray, shape (N,)
    belligerent : ndarray of bool, shape (N,)
    balance : ndarray, shape (R,)
        The true balance, what a viewer expects where the front does not move with it
        (``drift`` = 0).

    Returns
    -------
    (p_russia, p_ukraine) : ndarrays, shape (R, V), with ``p_russia + p_ukraine <= 1``.
    """
    t = weeks[:, None]
    delta = drift[:, None]
    sigma = volatility[:, None]
    moves = delta > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # capped below
        mean_b = np.where(moves, belief_mean / np.where(moves, delta, 1.0), balance[:, None])
        sd_b = np.where(moves, sigma / (np.where(moves, delta, 1.0) * np.sqrt(belief_weight)), 0.0)
    # the balance lives in [-1, 1]: far outside it nothing changes, and a tiny drift per unit
    # of balance must not overflow
    mean_b = np.clip(np.nan_to_num(mean_b, nan=0.0), -BALANCE_CAP, BALANCE_CAP)
    sd_b = np.clip(np.nan_to_num(sd_b, nan=0.0), 0.0, BALANCE_CAP)
    beta_u, beta_r, a_u, k_u, a_r, k_r = _breaking_thresholds(
        resolve, breaking_point, war_cost, side, belligerent, weeks
    )
    b_eq = _equal_time(a_u, k_u, a_r, k_r)[:, None]
    # the belief splits into three stretches of the balance: Russia's army breaks first
    # within the outlook (u below u_r), Ukraine's does (u above u_u), or neither (between),
    # u the belief's quantile of the balance
    ukraine_breaks = _beyond(np.maximum(beta_u[:, None], b_eq), mean_b, sd_b, upper=True)
    russia_breaks = _beyond(np.minimum(beta_r[:, None], b_eq), mean_b, sd_b, upper=False)
    u_r = np.minimum(russia_breaks, 1.0 - ukraine_breaks)
    u_u = 1.0 - ukraine_breaks
    drift_sd = sigma / np.sqrt(belief_weight)  # the belief's spread of the drift itself
    # the three stretches stacked on a leading axis (Russia's army breaks first, neither,
    # Ukraine's), each with its Gauss-Legendre nodes in the quantile u on the last axis:
    # the chances are smooth within a stretch; an empty one has weight 0
    low = np.stack([np.zeros_like(u_r), u_r, u_u])[..., None]
    mass = np.stack([u_r, u_u - u_r, 1.0 - u_u])[..., None]
    z = ndtri(np.clip(low + mass * STRETCH_NODES, QUANTILE_FLOOR, 1.0 - QUANTILE_FLOOR))
    b = np.clip(mean_b[..., None] + sd_b[..., None] * z, -BALANCE_CAP, BALANCE_CAP)
    mu = belief_mean[..., None] + drift_sd[..., None] * z  # = delta b where the front moves
    # the race: a fort decides only if it falls before the first army breaks, in the week
    # t_R(b) = A_R / (kappa_R (1 - b)) or t_U(b) = A_U / (kappa_U (1 + b)) (module doc)
    outlook = t[..., None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf: no break
        russia_first = a_r[:, None, None] / (k_r[:, None, None] * (1.0 - b[0]))
        ukraine_first = a_u[:, None, None] / (k_u[:, None, None] * (1.0 + b[2]))
    until = np.stack([russia_first, np.broadcast_to(outlook, b[1].shape), ukraine_first])
    until = np.maximum(np.fmin(until, outlook), 0.0)  # fmin: an empty stretch's 0/0 is no week
    c = control[:, None, None]
    top = first_passage(1.0 - c, mu, sigma[..., None], until)
    bottom = first_passage(c, -mu, sigma[..., None], until)
    forts = np.maximum(top + bottom, 1.0)  # both forts within one outlook: share the mass
    top, bottom = top / forts, bottom / forts
    # no fort fell before the break: the side whose army broke first loses
    bottom[0] = 1.0 - top[0]
    top[2] = 1.0 - bottom[2]
    weight = mass * STRETCH_WEIGHTS
    p_russia = (top * weight).sum(axis=(0, -1))
    p_ukraine = (bottom * weight).sum(axis=(0, -1))
    return p_russia, p_ukraine


DEFEAT_LOOMS = 0.5
"""A veto player whose chance of losing its army within its outlook exceeds this is no
longer held by its limits or red lines (docs/model.md, phase 5: more likely than not)."""


def defeat_looms(p_russia: np.ndarray, p_ukraine: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Whether each veto player expects to lose the war within its outlook, more likely than
    not (:data:`DEFEAT_LOOMS`), (R, V), from :func:`ending_chances` and the veto players'
    sides ``side`` (V,): a government facing defeat signs what it must (Reiter 2009)."""
    return np.where(side > 0, p_ukraine, p_russia) > DEFEAT_LOOMS
