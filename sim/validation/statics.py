"""Section 3 of the validation table (docs/validation.md): Filson & Werner (2002),
Slantchev (2003), Smith & Stam (2004), comparative statics from paired sweeps on
``scenarios/duel.yaml`` (and ``scenarios/mini.yaml``) in this package, on common random
numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..mechanics import acceptance
from ..model import NegotiationModel
from ..scenario import load_scenario
from .row import DUEL, MINI, T_MIN, Row

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
