"""Section 2 of the validation table (docs/validation.md): Fearon (1995), the bargaining
range and the risk-return trade-off, with our acceptance rule and the mediator's Nash
package in the limit where the rest of the model is switched off."""

from __future__ import annotations

import numpy as np

from ..mechanics import acceptance, package
from ..mechanics.beliefs import WEIGHTS
from .row import Row

_FEARON = "Fearon 1995"


def fearon_setup(
    p: float, cost_a: float, cost_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fearon's two-player world in our acceptance rule's arrays, one row per draw.

    A (index 0) has its ideal at 1 (it gets ``x``), B (index 1) at 0; one issue, weight 1,
    risk exponent 1 (linear utility).  Fighting is a degenerate outlook: control equals
    ``p`` at every quadrature node (zero volatility), minus each side's cost.

    Returns
    -------
    ideal, weights : ndarray, shape (R, 2, 1)
    risk : ndarray, shape (R, 2)
    war_value : ndarray, shape (R, 2)
        ``acceptance.value_of_fighting``: ``p - c_A`` and ``1 - p - c_B``.
    """
    cost_b = np.atleast_1d(np.asarray(cost_b, dtype=float))
    r = len(cost_b)
    ideal = np.broadcast_to(np.array([1.0, 0.0])[None, :, None], (r, 2, 1)).copy()
    weights = np.ones((r, 2, 1))
    risk = np.ones((r, 2))
    nodes = np.full((r, 2, len(WEIGHTS)), p)
    status_quo = np.full((r, 1), p)  # never used: the one issue is the battlefield's
    cost = np.stack([np.full(r, cost_a), cost_b], axis=1)
    war = acceptance.value_of_fighting(nodes, ideal, weights, risk, status_quo, 0, cost)
    return ideal, weights, risk, war


FEARON_BETAS = np.array([1e-6, 0.01, *np.linspace(0.05, 0.95, 19), 0.99, 1.0 - 1e-6])
"""A's bargaining weight in the package check: the Nash split for any weight in (0, 1)."""


def fearon_package(p: float, cost_a: float, cost_b: float, beta: np.ndarray) -> package.Package:
    """The package the mediator tables in Fearon's world, one row per bargaining weight.

    The asymmetric Nash solution (:func:`package.nash_package`) over the one issue, box
    [0, 1], for the two players of :func:`fearon_setup` with A's weight ``beta`` (B's
    ``1 - beta``); no loss aversion, so the line of contact (``p``) is only the reference.
    With linear utilities it is the closed form ``p - c_A + beta (c_A + c_B)``.
    """
    beta = np.asarray(beta, dtype=float)
    r = len(beta)
    ideal, weights, risk, war = fearon_setup(p, cost_a, np.full(r, cost_b))
    prefs = package.Preferences(
        ideal=ideal,
        weights=weights,
        risk=risk,
        loss_aversion=np.ones((r, 2)),
        side=np.array([1.0, -1.0]),
        claims=np.array([False, False]),
        territory=0,
    )
    return package.nash_package(
        prefs,
        np.full(r, p),
        war,
        np.stack([beta, 1.0 - beta], axis=1),
        np.zeros((r, 1)),
        np.ones((r, 1)),
    )


def fearon_acceptance_set(p: float, cost_a: float, cost_b: float, step: float = 1e-3):
    """The splits both accept (on a grid), and whether the tabled package lies among them.

    Returns
    -------
    (low, high, offers_ok) : the accepted interval's ends on the grid, and whether, for every
    bargaining weight in :data:`FEARON_BETAS`, the Nash package the mediator tables
    (:func:`fearon_package`) lies in [p - c_A, p + c_B] and both players accept it (all
    surpluses >= 0: no war).
    """
    grid = np.round(np.arange(0.0, 1.0 + step / 2, step), 12)
    ideal, weights, risk, war = fearon_setup(p, cost_a, np.full(len(grid), cost_b))
    surplus = acceptance.utility(grid[:, None], ideal, weights, risk) - war
    accepted = grid[(surplus >= -1e-12).all(axis=1)]
    offer = fearon_package(p, cost_a, cost_b, FEARON_BETAS)
    ideal, weights, risk, war = fearon_setup(p, cost_a, np.full(len(FEARON_BETAS), cost_b))
    offered = acceptance.utility(offer.terms, ideal, weights, risk) - war
    lo, hi = max(p - cost_a, 0.0), min(p + cost_b, 1.0)
    offers_ok = bool(
        offer.feasible.all()
        and (offered >= -package.ACCEPT_TOL).all()
        and (offer.terms[:, 0] >= lo - 1e-12).all()
        and (offer.terms[:, 0] <= hi + 1e-12).all()
    )
    return float(accepted.min()), float(accepted.max()), offers_ok


FEARON_CASES = [(0.5, 0.1, 0.1), (0.3, 0.05, 0.2), (0.8, 0.15, 0.02), (0.5, 0.0, 0.0)]
"""(p, c_A, c_B) for the complete-information rows: symmetric, lopsided, and no costs."""


def fearon_range() -> Row:
    """With complete information the acceptance set is [p - c_A, p + c_B], and the Nash
    package the mediator tables lies in it for any bargaining weight: no war."""
    step = 1e-3
    worst, all_ok = 0.0, True
    for p, ca, cb in FEARON_CASES:
        lo, hi, ok = fearon_acceptance_set(p, ca, cb, step)
        worst = max(worst, abs(lo - (p - ca)), abs(hi - (p + cb)))
        all_ok &= ok
    return Row(
        "fearon_range",
        _FEARON,
        "acceptance set = [p - c_A, p + c_B]; Nash package in it, no war",
        f"max end error {worst:.1e} over {len(FEARON_CASES)} cases; package in it and "
        f"accepted for {len(FEARON_BETAS)} weights: {all_ok}",
        f"0 (grid step {step:g}); no war",
        worst <= step + 1e-12 and all_ok,
    )


def fearon_screening(
    c_bar: float, p: float = 0.5, cost_a: float = 0.1, draws: int = 20_000, seed: int = 1995
) -> tuple[float, float]:
    """A's best take-it-or-leave-it demand and the war it risks, by Monte Carlo.

    B's cost is private, uniform on ``[0, c_bar]`` (stratified draws: one per stratum of
    width ``c_bar / draws``).  For each demand ``x`` on a fine grid, B accepts when our
    acceptance rule says so (``utility >= value_of_fighting``); A's payoff is ``x`` when
    accepted and its own war value otherwise.  Returns ``(x*, P(war at x*))``.
    """
    rng = np.random.default_rng(seed)
    cost_b = c_bar * (np.arange(draws) + rng.random(draws)) / draws
    ideal, weights, risk, war = fearon_setup(p, cost_a, cost_b)
    # B never refuses x <= p and always refuses x > p + c_bar: search in between
    demands = np.linspace(p, min(p + c_bar, 1.0), 801)
    best, best_value, best_war = p, -np.inf, 0.0
    for x in demands:
        u = acceptance.utility(np.full((draws, 1), x), ideal, weights, risk)
        accept = u[:, 1] >= war[:, 1]
        value = np.where(accept, u[:, 0], war[:, 0]).mean()
        if value > best_value + 1e-15:
            best, best_value, best_war = float(x), float(value), float(1.0 - accept.mean())
    return best, best_war


FEARON_C_BARS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7]
"""Upper ends of B's cost, below and above c_A = 0.1 (where war becomes possible)."""


def fearon_risk_return(quick: bool = False, p: float = 0.5, cost_a: float = 0.1) -> Row:
    """P(war) = max(0, (c_bar - c_A) / (2 c_bar)) and x* = p + max(0, c_bar - c_A) / 2."""
    draws = 5_000 if quick else 20_000
    err_x = err_w = 0.0
    wars = []
    for c_bar in FEARON_C_BARS:
        x, war = fearon_screening(c_bar, p, cost_a, draws)
        x_star = p + max(0.0, c_bar - cost_a) / 2
        p_war = max(0.0, (c_bar - cost_a) / (2 * c_bar))
        err_x, err_w = max(err_x, abs(x - x_star)), max(err_w, abs(war - p_war))
        wars.append(war)
    rising = bool(np.all(np.diff(wars) >= -1e-9))
    return Row(
        "fearon_risk_return",
        _FEARON,
        "private costs: x* and P(war) over c_bar = 0.05..0.7",
        f"max |dx*| {err_x:.4f}, |dP(war)| {err_w:.4f}; rises: {rising}",
        "closed form (err <= 0.005, 0.01)",
        err_x <= 0.005 and err_w <= 0.01 and rising,
    )
