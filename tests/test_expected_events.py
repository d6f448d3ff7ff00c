"""Foresight of the scenario's events (sim/mechanics/expected_events.py, Talks.outlook): the
chances held to a simulation of the events' own draws, the approximation of an event that
fires part-way through the outlook held to a brute-force simulation of the same beliefs,
and the mechanism in the model: a threat lowers the value of fighting on of the side it is
addressed to, before it fires, and nobody else's."""

from __future__ import annotations

import numpy as np
import pytest
from test_foresight import BASE, BELLIGERENT, SIDE, brute_force

from sim import load_scenario
from sim.mechanics import expected_events, foresight
from sim.model import NegotiationModel
from sim.state import WAR

TOLERANCE = 0.04
"""Brute force against the mixture: the closed form's own 0.03 (tests/test_foresight.py),
plus the event's effect taken at its mean week of firing instead of averaged over weeks."""


def test_window_chance_is_bayes_rule_over_the_events_draws():
    rng = np.random.default_rng(3)
    p, (first, last), week, weeks = 0.5, (4, 26), 12, 52.0
    happens = rng.random(200_000) < p
    fires = rng.integers(first, last + 1, size=happens.size)
    pending = ~(happens & (fires <= week))  # not fired by week 12: what the side sees
    inside = happens & (fires > week) & (fires <= week + weeks)
    q, f = expected_events.windowed(week, np.array([weeks]), (first, last), np.array([p]), 0)
    assert q[0] == pytest.approx(inside[pending].mean(), abs=0.005)
    share = (week + weeks - fires[inside & pending] + 1) / weeks
    assert f[0] == pytest.approx(share.mean(), abs=0.005)
    # past the window, or before a policy's first week, nothing is left to foresee
    assert expected_events.windowed(30, np.array([weeks]), (4, 26), np.array([p]), 0)[0][0] == 0
    late = expected_events.windowed(0, np.array([weeks]), (4, 26), np.array([p]), 27)
    assert late[0][0] == 0


def test_scheduled_and_threatened_fire_when_they_say():
    weeks = np.array([52.0, 52.0])
    q, f = expected_events.scheduled(10, weeks, 20, np.array([0.8, 0.8]))
    assert list(q) == [0.8, 0.8] and f[0] == pytest.approx(43 / 52)
    assert expected_events.scheduled(10, weeks, 70, np.array([1.0, 1.0]))[0][0] == 0
    # two refusals so far, three needed: refusing now fires it next week; none so far: in
    # two more rounds of four weeks
    q, f = expected_events.threatened(10, weeks, np.array([2, 0]), 3, 4, np.array([1.0, 1.0]))
    assert list(q) == [1.0, 1.0]
    assert f[0] == pytest.approx(52 / 52) and f[1] == pytest.approx((52 - 8) / 52)
    assert expected_events.threatened(10, weeks, np.array([3, 3]), 3, 4, weeks)[0][0] == 0
    assert expected_events.refusals_needed(">=", 3) == 3
    assert expected_events.refusals_needed(">", 2) == 3
    assert expected_events.refusals_needed("<", 2) is None


def mixture(case: dict, q: float, share: float, cut: dict) -> tuple[float, float]:
    """What Talks.outlook computes: the chances without the event, mixed with those of the
    world it makes, its changes weighted by the share of the outlook they are in force."""

    def chances(mean: float, war_cost: np.ndarray) -> np.ndarray:
        one = np.ones(1)
        return np.array(
            foresight.ending_chances(
                control=case["control"] * one,
                belief_mean=np.array([[mean]]),
                belief_weight=np.array([[case["weight"]]]),
                drift=case["delta"] * one,
                volatility=case["sigma"] * one,
                weeks=case["weeks"] * one,
                resolve=np.array([case["resolve"]], dtype=float),
                breaking_point=np.array([case["breaking_point"]], dtype=float),
                war_cost=war_cost[None, :],
                side=SIDE,
                belligerent=BELLIGERENT,
                balance=np.zeros(1),
            )
        )[:, 0, 0]

    kappa = np.array(case["war_cost"], dtype=float)
    before = chances(case["mean"], kappa)
    after = chances(
        case["mean"] + case["delta"] * share * cut["balance"],
        kappa + share * (kappa * cut["war_cost"] - kappa),
    )
    return tuple((1 - q) * before + q * after)


AID_CUT = {"balance": 0.15, "war_cost": np.array([1.0, 1.0])}
SANCTIONS = {"balance": 0.0, "war_cost": np.array([1.5, 1.0])}
EVENT_CASES = {
    "aid cut soon": ({**BASE, "resolve": [0.95, 0.8]}, 0.5, (1, 10), AID_CUT),
    "aid cut within the year": ({**BASE, "resolve": [0.95, 0.78]}, 0.7, (5, 40), AID_CUT),
    "sanctions next week": ({**BASE, "resolve": [0.7, 0.95]}, 1.0, (1, 1), SANCTIONS),
    "sanctions in two rounds": ({**BASE, "resolve": [0.68, 0.9]}, 0.8, (9, 9), SANCTIONS),
}


@pytest.mark.parametrize("name", list(EVENT_CASES))
def test_mixture_matches_brute_force_of_an_event_part_way_through(name):
    case, q, window, cut = EVENT_CASES[name]
    weeks = np.array([case["weeks"]])
    share = float(expected_events.in_force(0, weeks, np.array([sum(window) / 2]))[0])
    exact = mixture(case, q, share, cut)
    simulated = brute_force(case, seed=9, event=(q, window, cut))
    assert exact[0] == pytest.approx(simulated[0], abs=TOLERANCE)
    assert exact[1] == pytest.approx(simulated[1], abs=TOLERANCE)
    # and the event matters: foreseeing it moves the chances the way its mechanics say
    none = mixture(case, 0.0, share, cut)
    if cut is AID_CUT:
        assert exact[0] > none[0] + 0.02  # Ukraine without aid breaks sooner
    else:
        assert exact[1] > none[1] + 0.02  # Russia paying more breaks sooner


def _model_in_talks(
    policy: str, refusals: int | None = None
) -> tuple[NegotiationModel, np.ndarray]:
    """The baseline under ``policy`` after its first round of talks, with Russia's refusals
    so far set to ``refusals``, and the replicates still at war."""
    scenario = load_scenario("scenarios/baseline.yaml", policy)
    model = NegotiationModel(scenario, replicates=400, seed=11, trajectory_replicates=0)
    while model.week < scenario.spec.negotiation.first_week:
        model.step()
    if refusals is not None:
        model.rejections[:, model.veto_keys.index("Russia")] = refusals
    return model, np.flatnonzero(model.status == WAR)


def _with_and_without_events(model: NegotiationModel, rows: np.ndarray) -> tuple[tuple, tuple]:
    """``model.outlook(rows)`` with the scenario's events foreseen, and in the same worlds
    with none to foresee."""
    foreseen = model.outlook(rows)
    events, model.events = model.events, []
    try:
        return foreseen, model.outlook(rows)
    finally:
        model.events = events


def test_a_threat_lowers_the_value_of_fighting_of_the_side_it_is_addressed_to():
    """Schelling (1960): the lever works through the target's foresight.  Russia, one refusal
    short of secondary sanctions, values fighting on less than in the same worlds without
    the lever; Ukraine, to which the threat is not addressed, values it the same."""
    model, rows = _model_in_talks("secondary_sanctions", refusals=2)
    russia, ukraine = (model.veto_keys.index(k) for k in ("Russia", "Ukraine"))
    pending = ~model.events[0].fired[rows]
    (_, endings, foreseen), (_, plain_endings, plain) = _with_and_without_events(model, rows)
    assert pending.mean() > 0.9
    drop = plain[pending, russia] - foreseen[pending, russia]
    assert (drop > 0).mean() > 0.9 and np.median(drop) > 0.005
    assert np.array_equal(foreseen[:, ukraine], plain[:, ukraine])
    # Russia expects its army to break sooner, paying half as much again each week
    assert (endings[1][pending, russia] >= plain_endings[1][pending, russia] - 1e-12).all()


def test_an_expected_aid_cut_moves_both_sides_before_it_happens():
    """With a US aid cut in the air (us_aid_cut: probability 0.5 in weeks 4-26), Ukraine values
    fighting on less and Russia more, in the same worlds, before the cut has come."""
    model, rows = _model_in_talks("us_aid_cut")
    russia, ukraine = (model.veto_keys.index(k) for k in ("Russia", "Ukraine"))
    pending = ~model.events[0].fired[rows]
    (_, _, foreseen), (_, _, plain) = _with_and_without_events(model, rows)
    assert pending.mean() > 0.5
    assert (foreseen[pending, ukraine] < plain[pending, ukraine]).mean() > 0.9
    assert (foreseen[pending, russia] > plain[pending, russia]).mean() > 0.9


def test_a_policy_adopted_later_is_not_foreseen_before_its_week():
    """A policy with `from:` (as `compare --given` sets it) is announced when it is adopted:
    before that week the sides value fighting on as without it, so the worlds share their
    history up to then."""
    model, rows = _model_in_talks("us_aid_cut")
    model.events[0].first_week = model.week + 1
    (_, _, foreseen), (_, _, plain) = _with_and_without_events(model, rows)
    assert np.array_equal(foreseen, plain)
