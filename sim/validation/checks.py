"""The validation table: published results of the models ceasefire builds on, reproduced.

Every row of ``docs/validation.md`` is one check here.  A check is a function returning a
:class:`Row` (reference, claim, our figure, theirs, pass/fail); ``tests/test_validation.py``
asserts each row passes and ``ceasefire reproduce`` prints them all.  The checks are
deterministic: fixed seeds, and common random numbers (the same replicate index sees the
same battlefield luck and the same draws of uncertain inputs) in every paired comparison.

Sections (the numbering of ``docs/validation.md``):

1. Bueno de Mesquita's expected-utility model on the EC vehicle-emissions case
   (Masad's reproduction of Scholz, Calbert & Smith 2011).
2. Fearon (1995): the bargaining range and the risk-return trade-off, with our acceptance
   rule and the mediator's Nash package in the limit where the rest of the model is
   switched off.
3. Filson & Werner (2002), Slantchev (2003), Smith & Stam (2004): comparative statics from
   paired sweeps on ``scenarios/duel.yaml`` (and ``scenarios/mini.yaml``) in this package.
4. Base rates of war termination and ceasefire durability against the baseline scenario.
5. Nash (1950): the mediator's package (``sim.mechanics.package``) has the properties of the
   bargaining solution, checked against brute force on random bargaining problems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..mechanics import acceptance, bargaining, package
from ..mechanics.beliefs import WEIGHTS
from ..model import NegotiationModel
from ..scenario import load_scenario
from . import data as vd

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
"""The scenario files the checks run, shipped with the package (so ``ceasefire reproduce``
works from a wheel): ``duel.yaml`` lives only here; ``mini.yaml`` and ``baseline.yaml`` are
copies of ``tests/data/mini.yaml`` and ``scenarios/baseline.yaml``, which
``tests/test_layout.py`` holds equal."""
DUEL = SCENARIOS / "duel.yaml"
MINI = SCENARIOS / "mini.yaml"
BASELINE = SCENARIOS / "baseline.yaml"

T_MIN = 3.0
"""A paired effect counts only if its mean is at least this many standard errors from 0."""


@dataclass(frozen=True)
class Row:
    """One line of the validation table.

    Attributes
    ----------
    key : str
        Short identifier (the test and the CLI use it).
    reference : str
        The published source.
    claim : str
        What the source establishes, in a few words.
    ours : str
        Our figure.
    theirs : str
        Their figure, or the expected sign/band.
    passed : bool
        Whether ours reproduces theirs (for a documented departure: whether the departure
        is as documented).
    departure : str
        Empty, or why this row departs from the source on purpose.
    """

    key: str
    reference: str
    claim: str
    ours: str
    theirs: str
    passed: bool
    departure: str = ""


# =========================================================================== 1. EUM
_MASAD = "Masad / BDM 1994 (EC case)"


def eum_risk() -> Row:
    """Step-0 risk exponents of the ten EC actors (Masad, table ``eg_agent_data``)."""
    risk = bargaining.eum_analysis(vd.EC_X, vd.EC_C, vd.EC_S).risk
    same = int((np.round(risk, 2) == vd.EC_RISK).sum())
    err = float(np.abs(risk - vd.EC_RISK).max())
    return Row(
        "eum_risk",
        _MASAD,
        "round-0 risk exponents r_i",
        f"{same}/10 equal to 2 dp (max err {err:.4f})",
        "10/10 (1.12 ... 2.00)",
        same == len(vd.EC_RISK),
    )


def eum_expected_utilities() -> Row:
    """All 90 off-diagonal step-0 expected utilities (Masad, table ``eg_eu``)."""
    eu = bargaining.eum_analysis(vd.EC_X, vd.EC_C, vd.EC_S).expected_utility
    perm = [vd.EC_NAMES.index(n) for n in vd.EU_ORDER]
    ours = eu[np.ix_(perm, perm)]
    off = ~np.eye(len(perm), dtype=bool)
    same = int((np.round(ours, 2)[off] + 0.0 == vd.EU_TABLE[off] + 0.0).sum())
    err = float(np.abs(ours - vd.EU_TABLE)[off].max())
    return Row(
        "eum_expected_utilities",
        _MASAD,
        "round-0 expected utilities E_ij",
        f"{same}/90 equal to 2 dp (max err {err:.4f})",
        "90/90",
        same == 90,
    )


def eum_classification() -> Row:
    """First-round accepted offer and its octant for every target (table ``eg_offers``)."""
    res = bargaining.resolve_offers(vd.EC_X, vd.EC_C, vd.EC_S)
    expected = {**vd.EC_OFFERS, "UK": (None, bargaining.NO_OFFER)}
    hits = 0
    for target, (sender, kind) in expected.items():
        j = vd.EC_NAMES.index(target)
        got = vd.EC_NAMES[res.sender[j]] if res.sender[j] >= 0 else None
        hits += got == sender and res.kind[j] == kind
    kinds = {bargaining.CONFLICT: "conflict", bargaining.COMPROMISE: "compromise"}
    counts = [sum(res.kind == k) for k in kinds]
    return Row(
        "eum_classification",
        _MASAD,
        "round-1 dyads: accepted offer and octant per target",
        f"{hits}/10 targets ({counts[0]} conflict, {counts[1]} compromise, UK none)",
        "10/10 (7 conflict, 2 compromise, UK none)",
        hits == 10,
    )


def eum_round_one_positions() -> Row:
    """Positions after round 1 against Masad's narrative, taken in expectation.

    In Masad only the mutual Belgium-Netherlands conflict is fought (winner drawn with
    P = 0.63), Denmark steps towards Greece and Greece reneges; everybody else stays.  The
    expectation of his draw is NL = BE = 0.5 * 0.63.  Our deterministic-in-expectation rule
    reproduces that pair, but also moves every target that accepted a conflict offer the
    sender did not reciprocate (a documented departure, docs/_bargaining_section.md).
    """
    p = vd.EC_BELGIUM_VOTES / (vd.EC_BELGIUM_VOTES + vd.EC_NETHERLANDS_VOTES)
    masad = vd.EC_X.copy()
    masad[vd.EC_NAMES.index("Netherlands")] = 0.5 * p
    masad[vd.EC_NAMES.index("Belgium")] = 0.5 * p
    ours = bargaining.bargaining_round(vd.EC_X, vd.EC_C, vd.EC_S)
    den = vd.EC_NAMES.index("Denmark")
    differ = np.abs(ours - masad) > 1e-9
    differ[den] = not 0.0 < ours[den] < 0.05  # "a small step towards Greece"
    moved = sorted(vd.EC_NAMES[i] for i in np.flatnonzero(differ))
    documented = sorted(["Luxembourg", "Germany", "France", "Italy", "Ireland"])
    return Row(
        "eum_round_one_positions",
        _MASAD,
        "round-1 positions (Masad's draw in expectation)",
        f"{10 - len(moved)}/10 agree; differ: {', '.join(n[:3] for n in moved)}",
        "NL = BE = 0.32, DK small step, rest stay",
        moved == documented,
        departure=(
            "conflict offers move every target that accepted one (expected position), not "
            "only mutual pairs: LU, DE, IE move to 0.32 and FR, IT to 0.75 in round 1"
        ),
    )


def eum_median_path(rounds: int = 12) -> Row:
    """The median over rounds: deterministic, no cycle, short of the observed 0.81.

    BDM (1994) publishes its median path only as a figure (reproduced by Scholz et al.);
    Masad reports that his implementation does not cycle as the original does and that
    neither converges to the observed outcome (8.833 years, about 0.8).  Ours is a fixed
    path (no random draw), so it is compared with those two statements.
    """
    path = ec_median_path(rounds)
    again = ec_median_path(rounds)
    deterministic = bool(np.array_equal(path, again))
    settles = bool(np.all(path[1:] == path[-1]))  # no cycle: constant after round 1
    short = bool(abs(path[-1] - vd.EC_OUTCOME) > 0.1)
    return Row(
        "eum_median_path",
        _MASAD,
        f"median over {rounds} rounds: no cycle, not at the outcome",
        f"{path[0]:.2f} -> {path[-1]:.2f}, constant (deterministic: {deterministic})",
        f"Masad: no cycle, misses {vd.EC_OUTCOME:.2f}; BDM: cycles",
        deterministic and settles and short,
        departure="conflicts resolved in expectation, so one path instead of a distribution",
    )


def ec_median_path(rounds: int) -> np.ndarray:
    """Median voter position before round 1 and after each of ``rounds`` rounds."""
    x = vd.EC_X.copy()
    out = [float(bargaining.median_voter_position(x, vd.EC_C, vd.EC_S))]
    for _ in range(rounds):
        x = bargaining.bargaining_round(x, vd.EC_C, vd.EC_S)
        out.append(float(bargaining.median_voter_position(x, vd.EC_C, vd.EC_S)))
    return np.array(out)


def ec_mean_path(rounds: int) -> np.ndarray:
    """Capability-and-salience-weighted mean before round 1 and after each round."""
    x = vd.EC_X.copy()
    out = [float(bargaining.eu_weighted_mean(x, vd.EC_C, vd.EC_S))]
    for _ in range(rounds):
        x = bargaining.bargaining_round(x, vd.EC_C, vd.EC_S)
        out.append(float(bargaining.eu_weighted_mean(x, vd.EC_C, vd.EC_S)))
    return np.array(out)


def eum_weighted_mean(rounds: int = 12) -> Row:
    """The weighted-mean forecast against the observed outcome (BDM 2011's baseline).

    BDM (2011) reports the capability-and-salience-weighted mean as a strong baseline.
    On the EC case it is closer to the observed outcome than the model's median, at
    round 0 and after ``rounds`` rounds; both fall short of it.
    """
    mean = ec_mean_path(rounds)
    median = ec_median_path(rounds)
    target = vd.EC_OUTCOME
    closer = abs(mean[0] - target) < abs(median[0] - target) and abs(mean[-1] - target) < abs(
        median[-1] - target
    )
    return Row(
        "eum_weighted_mean",
        "BDM 2011; Masad (EC outcome)",
        "weighted mean beats the EUM median",
        f"mean {mean[0]:.3f} (r{rounds}: {mean[-1]:.3f}) vs median {median[-1]:.2f}",
        f"outcome {target:.3f}: mean closer",
        bool(closer),
    )


# =========================================================================== 2. Fearon
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


# =========================================================================== 3. statics
_FW = "Filson & Werner 2002"
_SL = "Slantchev 2003"
_SS = "Smith & Stam 2004"

COSTLY = [
    "actors.Russia.war_cost={uniform: [0.006, 0.016]}",
    "actors.Ukraine.war_cost={uniform: [0.006, 0.016]}",
]
"""Both belligerents' weekly costs doubled (quantile by quantile, so pairs stay matched)."""
COSTLY_RUSSIA = COSTLY[:1]
"""Russia's weekly cost doubled, Ukraine's unchanged."""
OPTIMISTIC = [
    "actors.Russia.optimism={uniform: [0.1, 0.2]}",
    "actors.Ukraine.optimism={uniform: [-0.2, -0.1]}",
]
"""Each side 0.1 a year more optimistic: the optimism gap grows by 0.2."""


def _replicates(quick: bool) -> int:
    return 300 if quick else 2000


def run_outcomes(
    path: Path, overrides: list[str] | tuple[str, ...] = (), replicates: int = 400
) -> dict[str, np.ndarray]:
    """Outcome columns of ``replicates`` replicates of a scenario (file seed, one process)."""
    scenario = load_scenario(path, overrides=list(overrides))
    model = NegotiationModel(scenario, replicates=replicates, trajectory_replicates=0)
    model.run_model()
    return model.outcomes()


def war_weeks(outcomes: dict[str, np.ndarray], horizon: int) -> np.ndarray:
    """Weeks of war before the first ceasefire; ``horizon + 1`` when none came (censored)."""
    return np.where(outcomes["ceasefire"], outcomes["ceasefire_week"], horizon + 1).astype(float)


def paired(diff: np.ndarray) -> tuple[float, float]:
    """Mean of paired differences and its standard error."""
    diff = diff[np.isfinite(diff)]
    if len(diff) < 2:
        return float("nan"), float("nan")
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))


def _effect_row(
    key: str,
    reference: str,
    claim: str,
    diff: np.ndarray,
    sign: int,
    unit: str,
) -> Row:
    mean, se = paired(diff)
    t = mean / se if se > 0 else (np.inf * np.sign(mean) if mean else 0.0)
    n = int(np.isfinite(diff).sum())
    return Row(
        key,
        reference,
        claim,
        f"{mean:+.3g}{f' {unit}' if unit else ''} (SE {se:.2g}, n={n})",
        f"{'> 0' if sign > 0 else '< 0'} (|t| >= {T_MIN:g})",
        bool(sign * t >= T_MIN),
    )


def _duration_effect(
    key: str, reference: str, claim: str, path: Path, overrides: list[str], sign: int, quick: bool
) -> Row:
    n = _replicates(quick)
    horizon = load_scenario(path).spec.horizon
    base = war_weeks(run_outcomes(path, (), n), horizon)
    arm = war_weeks(run_outcomes(path, overrides, n), horizon)
    return _effect_row(key, reference, claim, arm - base, sign, "weeks")


def _terms_effect(
    key: str,
    reference: str,
    claim: str,
    path: Path,
    overrides: list[str],
    quick: bool,
    sign: int = 1,
) -> Row:
    n = _replicates(quick)
    base, arm = run_outcomes(path, (), n), run_outcomes(path, overrides, n)
    both = base["ceasefire"] & arm["ceasefire"]
    diff = np.where(both, arm["terms_territory"] - base["terms_territory"], np.nan)
    return _effect_row(key, reference, claim, diff, sign, "")


def costs_shorten_war(quick: bool = False) -> Row:
    """Higher costs, shorter wars (duel: both sides' weekly cost doubled)."""
    return _duration_effect(
        "costs_shorten_war", _FW, "costs x2 -> shorter war (duel)", DUEL, COSTLY, -1, quick
    )


def costs_shorten_war_mini(quick: bool = False) -> Row:
    """The same effect on the three-issue mini scenario."""
    return _duration_effect(
        "costs_shorten_war_mini", _FW, "costs x2 -> shorter war (mini)", MINI, COSTLY, -1, quick
    )


def costs_lower_demands(quick: bool = False) -> Row:
    """Higher costs, lower demands: Russia, paying more for the war, settles for less
    territory (duel).  Only Russia's cost doubles: with both doubled the Nash split of the
    surplus moves by the difference of the costs, zero on average."""
    return _terms_effect(
        "costs_lower_demands",
        _FW,
        "Russia's costs x2 -> lower territorial terms",
        DUEL,
        COSTLY_RUSSIA,
        quick,
        -1,
    )


def optimism_lengthens_war(quick: bool = False) -> Row:
    """Beliefs further apart, longer wars (duel: optimism gap +0.2 a year)."""
    return _duration_effect(
        "optimism_lengthens_war",
        _SS,
        "optimism gap +0.2 -> longer war (duel)",
        DUEL,
        OPTIMISTIC,
        1,
        quick,
    )


def optimism_lengthens_war_mini(quick: bool = False) -> Row:
    """The same effect on the three-issue mini scenario."""
    return _duration_effect(
        "optimism_lengthens_war_mini",
        _SS,
        "optimism gap +0.2 -> longer war (mini)",
        MINI,
        OPTIMISTIC,
        1,
        quick,
    )


def learning_shortens_war(quick: bool = False) -> Row:
    """A lighter prior (26 -> 8 weeks of evidence) lets battles inform faster: shorter war."""
    return _duration_effect(
        "learning_shortens_war",
        _SL,
        "prior weight 26 -> 8 wk -> shorter war",
        DUEL,
        ["beliefs.prior_weeks=8"],
        -1,
        quick,
    )


def terms_track_control(quick: bool = False) -> Row:
    """Higher initial control, terms closer to Russia's claim (duel: 0.83 -> 0.90)."""
    return _terms_effect(
        "terms_track_control",
        _FW,
        "control 0.83 -> 0.90 -> terms up",
        DUEL,
        ["battlefield.control=0.9"],
        quick,
    )


def terms_track_drift(quick: bool = False) -> Row:
    """Stronger Russian drift, terms closer to Russia's claim (duel: drift doubled)."""
    return _terms_effect(
        "terms_track_drift", _FW, "drift x2 -> terms up", DUEL, ["battlefield.drift=0.0048"], quick
    )


NO_TALKS = ["negotiation.first_week=100000"]
"""Talks never open, so every replicate keeps fighting (and learning) to the horizon."""
NO_COSTS = ["actors.Russia.war_cost=0.0", "actors.Ukraine.war_cost=0.0"]
"""Fighting costs nothing: the gap between demands is then information alone."""


def demands(model: NegotiationModel) -> tuple[np.ndarray, np.ndarray]:
    """Russia's smallest acceptable territorial line and Ukraine's largest, this week.

    A reading of each side's demand, not what the mediator tables (that is the Nash package,
    :func:`package.nash_package`).  Each veto player is asked alone, through
    :func:`acceptance.propose` (the line nearest a target that every given player accepts),
    for the line nearest the far end of the scale (Ukraine's ideal for Russia, Russia's for
    Ukraine): the end of its own acceptable interval.  Other issues are held at the
    capability-and-salience-weighted mean of stated positions, and the plain utility is used
    (no loss term, no ratification limit): exact in the duel, which has one issue and neither.
    NaN where a player accepts no line at all.
    """
    s, v, k = model.state, model.vetoes, model.territory
    rows = np.arange(model.replicates)
    war = model.value_of_fighting(rows)
    base = acceptance.weighted_mean_positions(s["position"], s["capability"], s["salience"])
    ideal = s["ideal"][:, v]
    weights = acceptance.stakes(s["salience"][:, v])
    risk = s["risk"][:, v]
    out = []
    for side in (1, -1):
        j = int(np.flatnonzero(model.side[v] == side)[0])
        far = base.copy()
        far[:, k] = 1.0 - ideal[:, j, k]
        terms, surplus = acceptance.propose(
            far, ideal[:, [j]], weights[:, [j]], risk[:, [j]], war[:, [j]], k
        )
        out.append(np.where(surplus[:, 0] >= -1e-12, terms[:, k], np.nan))
    return out[0], out[1]


def learning_paths(
    prior_weeks: float, replicates: int, weeks: int = 52, extra: tuple[str, ...] = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Belief gap and demand gap, week by week, in the costless duel without talks.

    Returns
    -------
    belief_gap : ndarray, shape (weeks + 1, R)
        Russia's minus Ukraine's belief about the weekly drift.
    demand_gap : ndarray, shape (weeks + 1, R)
        Russia's smallest acceptable line minus Ukraine's largest.
    prior : ndarray, shape (R,)
        The prior weight in weeks.
    """
    scenario = load_scenario(
        DUEL, overrides=[*NO_TALKS, *NO_COSTS, f"beliefs.prior_weeks={prior_weeks}", *extra]
    )
    model = NegotiationModel(scenario, replicates=replicates, trajectory_replicates=0)
    v = model.vetoes
    russia = int(np.flatnonzero(model.side[v] > 0)[0])
    ukraine = int(np.flatnonzero(model.side[v] < 0)[0])
    belief, demand = [], []
    for week in range(weeks + 1):
        if week:
            model.step()
        mean = model.state["belief_mean"][:, v]
        belief.append(mean[:, russia] - mean[:, ukraine])
        low, high = demands(model)
        demand.append(low - high)
    return np.array(belief), np.array(demand), model.state["prior_weeks"].copy()


def beliefs_converge(quick: bool = False) -> Row:
    """The belief gap shrinks as w0 / (w0 + t): battles reveal information (exactly)."""
    n = 100 if quick else 500
    worst = 0.0
    for w0 in (26.0, 8.0):
        gap, _, prior = learning_paths(w0, n)
        t = np.arange(gap.shape[0])[:, None]
        predicted = gap[0] * prior / (prior + t)
        worst = max(worst, float(np.abs(gap - predicted).max() / np.abs(gap[0]).max()))
    return Row(
        "beliefs_converge",
        f"{_SL}; {_SS}",
        "belief gap_t = gap_0 w0/(w0+t) (w0 = 26, 8)",
        f"max rel. error {worst:.1e}",
        "0 (Bayes, common observations)",
        worst < 1e-9,
    )


def beliefs_diverge(quick: bool = False) -> Row:
    """With private, noisy readings of the front, belief gaps can also widen (Smith & Stam
    2004): the share of replicates whose gap at week 52 exceeds the gap at week 0."""
    n = 100 if quick else 500
    noisy = ("actors.Russia.signal_noise=3", "actors.Ukraine.signal_noise=3")
    shares = {}
    for name, extra in (("exact", ()), ("noisy", noisy)):
        gap, _, _ = learning_paths(26.0, n, extra=extra)
        shares[name] = float((np.abs(gap[-1]) > np.abs(gap[0])).mean())
    return Row(
        "beliefs_diverge",
        _SS,
        "private noisy readings: belief gaps can widen",
        f"gap wider at week 52: exact {shares['exact']:.2f}, noise 3: {shares['noisy']:.2f}",
        "0 with exact readings; > 0 with noise",
        shares["exact"] == 0.0 and shares["noisy"] > 0.0,
    )


def demands_converge(quick: bool = False) -> Row:
    """Demands converge with weeks of fighting, faster under a lighter prior."""
    n = 100 if quick else 500
    ratio = {}
    for w0 in (26.0, 8.0):
        _, gap, _ = learning_paths(w0, n)
        ratio[w0] = float(np.nanmean(gap[-1]) / np.nanmean(gap[1]))
    shrink = ratio[26.0] < 1.0 and ratio[8.0] < ratio[26.0]
    return Row(
        "demands_converge",
        _SL,
        "demand gap wk 52 / wk 1 < 1, smaller for w0 = 8",
        f"w0=26: {ratio[26.0]:.2f}; w0=8: {ratio[8.0]:.2f}",
        "< 1; w0=8 < w0=26",
        bool(shrink),
    )


# =========================================================================== 4. base rates
CEASEFIRE_BAND = (0.20, 0.67)
"""Argued band for P(first ceasefire within the baseline's two years), docs section 4."""


def baseline_outcomes(quick: bool = False) -> dict[str, np.ndarray]:
    """The baseline scenario's outcomes (file seed; 300 or 1,000 replicates)."""
    return run_outcomes(BASELINE, (), 300 if quick else 1000)


_BASE_CACHE: dict[bool, dict[str, np.ndarray]] = {}


def _baseline(quick: bool) -> dict[str, np.ndarray]:
    # the three base-rate rows read one run; the run is deterministic, so caching is safe
    if quick not in _BASE_CACHE:
        _BASE_CACHE[quick] = baseline_outcomes(quick)
    return _BASE_CACHE[quick]


def base_ceasefire_share(quick: bool = False) -> Row:
    """P(ceasefire within two years) sits inside the band argued from termination data."""
    out = _baseline(quick)
    share = float(out["ceasefire"].mean())
    lo, hi = CEASEFIRE_BAND
    return Row(
        "base_ceasefire_share",
        "Pillar 1983; Kreutz 2010; Fortna 2009",
        "P(ceasefire in 2 yr) in the argued band",
        f"{share:.2f} (n={len(out['ceasefire'])})",
        f"{lo:.2f}-{hi:.2f}",
        lo <= share <= hi,
    )


VICTORY_CEILING = 23 / (23 + 41)
"""Kreutz 2010 (secondary count, docs/validation.md section 4): 23 victories against at
least 41 peace agreements among the conflicts that ended in 2000-2005."""


def base_victories(quick: bool = False) -> Row:
    """Victories end some wars, fewer than agreements do, and rarely long ones (Kreutz 2010:
    'victories are more common in conflicts with short duration'); the same war without
    talks shows the outcome exists."""
    out = _baseline(quick)
    won = np.isin(out["outcome"], ["russian_victory", "ukrainian_victory"])
    ended = won | out["ceasefire"]
    share = float(won.sum() / max(ended.sum(), 1))
    fought_out = run_outcomes(BASELINE, ("negotiation.first_week=100000",), 300 if quick else 1000)
    decided = float(np.isin(fought_out["outcome"], ["russian_victory", "ukrainian_victory"]).mean())
    return Row(
        "base_victories",
        "Kreutz 2010",
        "victories end fewer wars than agreements, rarely long ones",
        f"{share:.3f} of endings ({int(won.sum())} of {int(ended.sum())}); "
        f"no talks: {decided:.2f} decided",
        f"<= {VICTORY_CEILING:.2f} (23 victories vs >= 41 agreements, 2000-05); > 0 without talks",
        share <= VICTORY_CEILING and decided > 0.0,
    )


COLLAPSE_CEILING = 0.5
"""Fortna 2004: 'almost half' of interstate wars saw renewed fighting, over decades of
follow-up; within two years the share must be lower, though not zero (failures cluster
early)."""


def base_collapse_share(quick: bool = False) -> Row:
    """Share of ceasefires that collapse at least once within the two-year horizon."""
    out = _baseline(quick)
    ceasefire = out["ceasefire"]
    share = float((out["collapses"][ceasefire] > 0).mean())
    return Row(
        "base_collapse_share",
        "Fortna 2004",
        "ceasefires collapsing ('almost half', over decades)",
        f"{share:.3f} within 2 yr (n={int(ceasefire.sum())})",
        f"> 0 and < {COLLAPSE_CEILING:.1f} within two years",
        0.0 < share < COLLAPSE_CEILING,
    )


def _collapse_share(overrides: tuple[str, ...], quick: bool) -> tuple[float, np.ndarray]:
    out = run_outcomes(BASELINE, overrides, 400 if quick else 1000)
    collapsed = (out["collapses"] > 0) & out["ceasefire"]
    return float(collapsed.sum() / max(out["ceasefire"].sum(), 1)), out


def powell_power_shift(quick: bool = False) -> Row:
    """Powell 2006: a larger expected shift of power makes peace harder to keep (the rising
    side cannot commit not to use its new strength).  With the shift foreseen at signing,
    it shows twice: fewer worlds at peace at the horizon, and more collapse of the deals
    that are signed all the same."""
    none, out_none = _collapse_share(("actors.Russia.rearmament=0",), quick)
    base, out_base = _collapse_share((), quick)
    fast, out_fast = _collapse_share(("actors.Russia.rearmament={uniform: [0.38, 0.76]}",), quick)
    held = [float(o["held"].mean()) for o in (out_none, out_base, out_fast)]
    return Row(
        "powell_power_shift",
        "Powell 2006",
        "larger shift of power, less peace and more collapse",
        f"Russia rearms 0 / baseline / x2: at peace {held[0]:.3f} / {held[1]:.3f} / "
        f"{held[2]:.3f}; collapse {none:.3f} / {base:.3f} / {fast:.3f}",
        "at peace decreasing; collapse x2 > 0",
        held[0] > held[1] > held[2] and fast > none,
    )


def tripwire_guarantee(quick: bool = False) -> Row:
    """Fortna 2004; Schelling 1966: guarantor forces on the ground that would fight an
    attacker make peace last (here through Russia's calculation, not a hazard).  With the
    commitment problem foreseen at signing (Powell 2006), the force acts twice: Ukraine can
    trust a deal Russia would otherwise break once rearmed, so more are signed, and fewer of
    the signed ones are broken by Russia.  Measured as the share of worlds at peace at the
    horizon, in a world where Russia would sign a deal with a force at all (no red line on
    troops: in the baseline it never does, so no force is ever deployed)."""
    world = (
        "actors.Russia.rearmament={uniform: [0.38, 0.76]}",
        "offer.troops=0.5",
        "actors.Russia.red_lines={}",
    )
    n = 400 if quick else 1000
    bare = run_outcomes(BASELINE, (*world, "durability.tripwire={troops: 0.0}"), n)
    guarded = run_outcomes(BASELINE, world, n)
    held = [float(o["held"].mean()) for o in (bare, guarded)]
    broken = [float(((o["breaker"] == "Russia") & o["ceasefire"]).sum()) for o in (bare, guarded)]
    signed = [max(float(o["ceasefire"].sum()), 1.0) for o in (bare, guarded)]
    return Row(
        "tripwire_guarantee",
        "Fortna 2004; Schelling 1966",
        "a guarantee force makes peace last",
        f"at peace at the horizon: no force {held[0]:.3f} -> force {held[1]:.3f}; broken by "
        f"Russia {broken[0] / signed[0]:.3f} -> {broken[1] / signed[1]:.3f} of signed",
        "higher with the force; Russia's breaks not more frequent",
        held[1] > held[0] and broken[1] / signed[1] <= broken[0] / signed[0],
    )


# =========================================================================== 5. Nash
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


# =========================================================================== the table
Check = Callable[..., Row]

CHECKS: list[tuple[str, Check, bool]] = [
    ("1", eum_risk, False),
    ("1", eum_expected_utilities, False),
    ("1", eum_classification, False),
    ("1", eum_round_one_positions, False),
    ("1", eum_median_path, False),
    ("1", eum_weighted_mean, False),
    ("2", fearon_range, False),
    ("2", fearon_risk_return, True),
    ("3", costs_shorten_war, True),
    ("3", costs_shorten_war_mini, True),
    ("3", costs_lower_demands, True),
    ("3", optimism_lengthens_war, True),
    ("3", optimism_lengthens_war_mini, True),
    ("3", learning_shortens_war, True),
    ("3", beliefs_converge, True),
    ("3", demands_converge, True),
    ("3", terms_track_control, True),
    ("3", terms_track_drift, True),
    ("3", beliefs_diverge, True),
    ("4", base_ceasefire_share, True),
    ("4", base_victories, True),
    ("4", base_collapse_share, True),
    ("4", powell_power_shift, True),
    ("4", tripwire_guarantee, True),
    ("5", nash_pareto, True),
    ("5", nash_optimal, True),
    ("5", nash_symmetry, True),
    ("5", nash_invariance, True),
    ("5", nash_agreement, True),
]
"""(section, check, takes ``quick``) in table order."""


def run_check(check: Check, takes_quick: bool, quick: bool) -> Row:
    """Run one check; an exception becomes a failed row rather than ending the table."""
    try:
        row = check(quick=quick) if takes_quick else check()
    except Exception as err:  # noqa: BLE001 - the table must report every row
        name = getattr(check, "__name__", "check")
        return Row(name, "-", "raised an error", f"{type(err).__name__}: {err}", "-", False)
    return Row(**{**row.__dict__, "passed": bool(row.passed)})


def run_all(quick: bool = False, on_row: Callable[[str, Row], None] | None = None) -> list[Row]:
    """Every row of the validation table, in order.

    Parameters
    ----------
    quick : bool
        Fewer replicates and Monte Carlo draws (the fast test suite's sizes).
    on_row : callable, optional
        Called with ``(section, row)`` as each row finishes (for progress output).
    """
    rows = []
    for section, check, takes_quick in CHECKS:
        row = run_check(check, takes_quick, quick)
        rows.append(row)
        if on_row:
            on_row(section, row)
    return rows


def eu_weighted_mean_forecast() -> float:
    """The weighted-mean forecast of the EC case before any bargaining (BDM 2011)."""
    return float(bargaining.eu_weighted_mean(vd.EC_X, vd.EC_C, vd.EC_S))
