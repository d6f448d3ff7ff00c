"""Section 5 of the validation table (docs/validation.md): Nash (1950), the mediator's
package (:mod:`sim.mechanics.package`) has the properties of the bargaining solution,
checked against brute force on random bargaining problems."""

from __future__ import annotations

import numpy as np

from ..mechanics import package
from .row import Row

_NASH = "Nash 1950"
NASH_TOL = 1e-9
"""Risk-neutral utilities are piecewise linear, so the package is exact up to rounding; the
same tolerance holds for symmetry and rescaling with curved utilities (risk in [1, 3])."""
NASH_GRID = {3: 21, 4: 13}
"""Brute-force grid points per issue, by number of issues."""


def nash_problems(
    rng: np.random.Generator, r: int, k: int, risk: tuple[float, float] = (1.0, 1.0)
) -> dict:
    """``r`` random two-player bargaining problems over ``k`` issues (territory first).

    Random ideals, salience weights (Dirichlet), loss aversion in [1, 3], line of contact,
    bargaining weights, and boxes (about 20% of terms fixed, 30% narrowed); disagreement
    points around the utilities of a random package in the box, so that about half the
    problems admit a package both prefer to fighting.  Returns the keyword arguments of
    :func:`package.nash_package`.
    """
    prefs = package.Preferences(
        ideal=rng.random((r, 2, k)),
        weights=rng.dirichlet(np.ones(k), size=(r, 2)),
        risk=rng.uniform(*risk, size=(r, 2)),
        loss_aversion=rng.uniform(1.0, 3.0, size=(r, 2)),
        side=np.array([1.0, -1.0]),
        claims=np.array([bool(rng.random() < 0.5), False]),
        territory=0,
    )
    control = rng.random(r)
    kind, a, b = rng.random((r, k)), rng.random((r, k)), rng.random((r, k))
    low = np.where(kind < 0.2, a, np.where(kind < 0.5, np.minimum(a, b), 0.0))
    high = np.where(kind < 0.2, a, np.where(kind < 0.5, np.maximum(a, b), 1.0))
    start = low + (high - low) * rng.random((r, k))
    war = prefs.utility(start, control) + rng.normal(0.05, 0.15, (r, 2))
    b0 = rng.uniform(0.05, 0.95, r)
    return dict(
        preferences=prefs,
        control=control,
        war_value=war,
        beta=np.stack([b0, 1.0 - b0], axis=1),
        low=low,
        high=high,
        grid=risk != (1.0, 1.0),
    )


def package_grid_utilities(problem: dict, points: int) -> np.ndarray:
    """Both players' utilities at every package of a grid over the box, (R, 2, points ** K).

    Utilities are separable over issues, so the grid's utilities are sums of per-issue ones."""
    low, high = problem["low"], problem["high"]
    values = low[..., None] + (high - low)[..., None] * np.linspace(0.0, 1.0, points)
    per_issue = problem["preferences"].issue_utility(values, problem["control"])
    total = per_issue[:, :, 0]
    for k in range(1, low.shape[1]):
        total = (total[..., :, None] + per_issue[:, :, k, None, :]).reshape(*total.shape[:2], -1)
    return total


def _nash_cases(quick: bool, risks=((1.0, 1.0),), seed: int = 1950, grid: bool = True):
    """(problem, package, utilities on the grid or None) for the Nash rows: 200 or 1,000
    problems per risk range (K = 3 and 4, half with claims as Russia's reference point)."""
    rng = np.random.default_rng(seed)
    r = 50 if quick else 250
    for risk in risks:
        for k in NASH_GRID:
            for _ in range(2):
                problem = nash_problems(rng, r, k, risk)
                pkg = package.nash_package(**problem)
                yield problem, pkg, package_grid_utilities(problem, NASH_GRID[k]) if grid else None


def nash_pareto(quick: bool = False) -> Row:
    """No agreed package is Pareto dominated by any package on a grid over the box."""
    agreed = dominated = 0
    worst = 0.0
    for problem, pkg, grid in _nash_cases(quick):
        u = problem["preferences"].utility(pkg.terms, problem["control"])
        gain = grid - u[..., None]  # (R, 2, N)
        weakly = (gain >= -1e-12).all(axis=1)
        better = np.where(weakly, gain.max(axis=1), 0.0).max(axis=1)[pkg.feasible]
        agreed += int(pkg.feasible.sum())
        dominated += int((better > NASH_TOL).sum())
        worst = max(worst, float(better.max(initial=0.0)))
    share = 1.0 - dominated / max(agreed, 1)
    return Row(
        "nash_pareto",
        _NASH,
        "agreed package Pareto efficient (no grid point dominates)",
        f"{share:.3f} of {agreed} agreements (largest gain {worst:.0e})",
        f"1.000 (gain <= {NASH_TOL:g})",
        dominated == 0,
    )


def nash_optimal(quick: bool = False) -> Row:
    """The agreed package maximises the Nash product: no grid point does better."""
    worst, agreed = -np.inf, 0
    for problem, pkg, grid in _nash_cases(quick, seed=1954):
        war, beta = problem["war_value"], problem["beta"]
        s = problem["preferences"].utility(pkg.terms, problem["control"]) - war
        surplus = grid - war[..., None]
        positive = (surplus > 0.0).all(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = (beta[..., None] * np.log(surplus)).sum(axis=1)
            ours = (beta * np.log(np.maximum(s, 0.0))).sum(axis=1)
        best = np.where(positive, logs, -np.inf).max(axis=1)
        rows = pkg.feasible & np.isfinite(best)
        agreed += int(rows.sum())
        worst = max(worst, float((best[rows] - ours[rows]).max(initial=-np.inf)))
    return Row(
        "nash_optimal",
        _NASH,
        "agreed package maximises sum_i beta_i log(U_i - d_i)",
        f"best grid point - ours: {worst:+.0e} (max over {agreed} agreements)",
        f"<= 0 (+{NASH_TOL:g})",
        worst <= NASH_TOL,
    )


def nash_symmetry(quick: bool = False) -> Row:
    """Mirror-image players (ideals x and 1 - x, equal weights, d and beta) gain equally."""
    rng = np.random.default_rng(1951)
    r = 200 if quick else 1000
    worst, agreed, n = 0.0, 0, 0
    for risk in ((1.0, 1.0), (1.0, 3.0)):
        x = rng.random((r, 4))
        w = rng.dirichlet(np.ones(4), size=r)
        a = rng.uniform(*risk, size=r)
        lam = rng.uniform(1.0, 3.0, size=r)
        prefs = package.Preferences(
            ideal=np.stack([x, 1.0 - x], axis=1),
            weights=np.stack([w, w], axis=1),
            risk=np.stack([a, a], axis=1),
            loss_aversion=np.stack([lam, lam], axis=1),
            side=np.array([1.0, -1.0]),
            claims=np.array([True, True]),
            territory=0,
        )
        control = np.full(r, 0.5)
        half = rng.uniform(0.0, 0.5, (r, 4)) * (rng.random((r, 4)) < 0.5)
        middle = prefs.utility(np.full((r, 4), 0.5), control)[:, :1]
        war = (middle + rng.normal(-0.05, 0.1, (r, 1))) * np.ones((1, 2))
        beta = np.full((r, 2), 0.5)
        pkg = package.nash_package(
            prefs, control, war, beta, half, 1.0 - half, grid=risk != (1.0, 1.0)
        )
        s = prefs.utility(pkg.terms, control) - war
        worst = max(worst, float(np.abs(s[:, 0] - s[:, 1]).max()))
        agreed += int(pkg.feasible.sum())
        n += r
    return Row(
        "nash_symmetry",
        _NASH,
        "symmetric problem -> equal surpluses (risk 1 and 1-3)",
        f"max |s_0 - s_1| {worst:.0e} ({agreed}/{n} agreed)",
        f"0 (<= {NASH_TOL:g})",
        worst <= NASH_TOL,
    )


def nash_invariance(quick: bool = False) -> Row:
    """Rescaling one player's utility and disagreement point (U, d -> cU, cd) moves no term."""
    rng = np.random.default_rng(1952)
    worst, agreed, same = 0.0, 0, True
    for problem, pkg, _ in _nash_cases(
        quick, risks=((1.0, 1.0), (1.0, 3.0)), seed=1952, grid=False
    ):
        r = len(pkg.terms)
        c = 10.0 ** rng.uniform(-1.0, 1.0, size=r)
        scale = np.where(np.arange(2) == rng.integers(0, 2, size=r)[:, None], c[:, None], 1.0)
        prefs = problem["preferences"]
        scaled = package.Preferences(
            **{**prefs.__dict__, "weights": prefs.weights * scale[..., None]}
        )
        moved = package.nash_package(
            **{**problem, "preferences": scaled, "war_value": problem["war_value"] * scale}
        )
        ok = pkg.feasible
        same &= bool(np.array_equal(moved.feasible, ok))
        worst = max(worst, float(np.abs(moved.terms[ok] - pkg.terms[ok]).max(initial=0.0)))
        agreed += int(ok.sum())
    return Row(
        "nash_invariance",
        _NASH,
        "U_i, d_i -> c U_i, c d_i (c in 0.1-10): same agreement",
        f"max term change {worst:.0e} over {agreed} agreements; same feasibility: {same}",
        f"0 (<= {NASH_TOL:g})",
        worst <= NASH_TOL and same,
    )


def nash_agreement(quick: bool = False) -> Row:
    """Whenever some package on the grid beats fighting for both, the mediator tables a
    package both accept (risk 1 and 1-3)."""
    exists = found = 0
    for problem, pkg, grid in _nash_cases(quick, risks=((1.0, 1.0), (1.0, 3.0)), seed=1953):
        war = problem["war_value"]
        acceptable = ((grid - war[..., None]) >= 0.0).all(axis=1).any(axis=1)
        s = problem["preferences"].utility(pkg.terms, problem["control"]) - war
        accepted = pkg.feasible & (s >= -package.ACCEPT_TOL).all(axis=1)
        exists += int(acceptable.sum())
        found += int((acceptable & accepted).sum())
    share = found / max(exists, 1)
    return Row(
        "nash_agreement",
        _NASH,
        "a deal whenever one beats war for both (risk 1 and 1-3)",
        f"{share:.3f} of {exists} problems with an acceptable package",
        ">= 0.99",
        share >= 0.99,
    )
