"""Foresight of how the war could end (sim/mechanics/foresight.py): the closed form held to a
brute-force simulation of the same beliefs, and the value of fighting it feeds."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanics import foresight

SIDE = np.array([1, -1])
BELLIGERENT = np.array([True, True])
TOLERANCE = 0.03
"""Closed form against simulation: the Brownian first passage is a little above the weekly
walk's, and fort and break are combined as independent."""


def brute_force(
    case: dict, draws: int = 40_000, seed: int = 5, event: tuple | None = None
) -> tuple[float, float]:
    """Simulate the viewer's beliefs: a drift drawn from its belief, held for the outlook;
    the front as the weekly walk, resolve worn at the balance the drift implies.

    ``event``, ``(q, window, cut)``: with chance ``q`` an event fires in a uniform week of
    ``window`` (weeks from now), and from then on the balance moves by ``cut['balance']``
    and the weekly costs scale by ``cut['war_cost']`` (tests/test_expected_events.py)."""
    rng = np.random.default_rng(seed)
    mu = case["mean"] + case["sigma"] / np.sqrt(case["weight"]) * rng.standard_normal(draws)
    b0 = mu / case["delta"]
    fires = np.full(draws, 10**6)
    cut = {"balance": 0.0, "war_cost": np.ones(2)}
    if event is not None:
        q, window, cut = event
        fires = np.where(
            rng.random(draws) < q, rng.integers(window[0], window[1] + 1, draws), 10**6
        )
    control = np.full(draws, case["control"])
    resolve = np.tile(np.array(case["resolve"], dtype=float), (draws, 1))
    decided = np.zeros(draws, dtype=int)  # +1 Russia wins, -1 Ukraine wins
    for week in range(1, int(case["weeks"]) + 1):
        on = week >= fires
        b = b0 + on * cut["balance"]
        live = decided == 0
        control[live] += case["delta"] * b[live] + case["sigma"] * rng.standard_normal(live.sum())
        kappa = np.array(case["war_cost"]) * np.where(on[:, None], cut["war_cost"], 1.0)
        resolve[live] *= np.exp(-(kappa * (1.0 - SIDE[None, :] * b[:, None]))[live])
        broken = resolve < np.array(case["breaking_point"])
        russia_breaks = broken[:, 0] | (control <= 0.0)
        ukraine_breaks = broken[:, 1] | (control >= 1.0)
        decided[live & ukraine_breaks & ~russia_breaks] = 1
        decided[live & russia_breaks & ~ukraine_breaks] = -1
        both = live & russia_breaks & ukraine_breaks
        decided[both] = np.where(b[both] > 0, 1, -1)
    return float((decided == 1).mean()), float((decided == -1).mean())


def closed_form(case: dict) -> tuple[float, float]:
    one = np.ones(1)
    p_r, p_u = foresight.ending_chances(
        control=case["control"] * one,
        belief_mean=np.array([[case["mean"]]]),
        belief_weight=np.array([[case["weight"]]]),
        drift=case["delta"] * one,
        volatility=case["sigma"] * one,
        weeks=case["weeks"] * one,
        resolve=np.array([case["resolve"]], dtype=float),
        breaking_point=np.array([case["breaking_point"]], dtype=float),
        war_cost=np.array([case["war_cost"]], dtype=float),
        side=SIDE,
        belligerent=BELLIGERENT,
        balance=np.zeros(1),
    )
    return float(p_r[0, 0]), float(p_u[0, 0])


BASE = dict(
    control=0.82,
    mean=0.0006,
    weight=30.0,
    delta=0.0025,
    sigma=0.002,
    weeks=52.0,
    resolve=[0.95, 0.92],
    breaking_point=[0.6, 0.65],
    war_cost=[0.003, 0.003],
)
CASES = {
    "baseline-like": BASE,
    "Ukraine near breaking": {**BASE, "resolve": [0.95, 0.70]},
    "Russia near breaking": {**BASE, "resolve": [0.64, 0.95], "mean": -0.0002},
    "both wear fast": {**BASE, "war_cost": [0.009, 0.009], "mean": 0.0},
    "a fort within reach": {**BASE, "control": 0.97, "mean": 0.001, "war_cost": [0.0, 0.0]},
    "the other fort": {**BASE, "control": 0.04, "mean": -0.0008, "war_cost": [0.0, 0.0]},
    "nobody wears": {**BASE, "war_cost": [0.0, 0.0]},
    "vague belief": {**BASE, "weight": 3.0, "resolve": [0.9, 0.8]},
    # the race between a fort and a break: the fort decides only if it falls first (taking
    # the break first, in every world, was 0.55 off here)
    "a fort within reach of an army near breaking": {
        **BASE,
        "control": 0.97,
        "mean": 0.001,
        "resolve": [0.64, 0.95],
    },
    "the other fort within reach of an army near breaking": {
        **BASE,
        "control": 0.04,
        "mean": -0.0008,
        "resolve": [0.95, 0.68],
    },
}


@pytest.mark.parametrize("name", list(CASES))
def test_closed_form_matches_brute_force_of_the_same_beliefs(name):
    case = CASES[name]
    exact_r, exact_u = closed_form(case)
    sim_r, sim_u = brute_force(case)
    assert exact_r == pytest.approx(sim_r, abs=TOLERANCE)
    assert exact_u == pytest.approx(sim_u, abs=TOLERANCE)
    assert 0.0 <= exact_r + exact_u <= 1.0 + 1e-12


def test_the_chances_move_the_way_their_mechanics_say():
    base_r, base_u = closed_form(BASE)
    weaker_ukraine = closed_form({**BASE, "resolve": [0.95, 0.75]})
    assert weaker_ukraine[0] > base_r + 0.2  # an army nearer breaking breaks sooner
    optimist = closed_form({**BASE, "mean": 0.0015})
    assert optimist[0] > base_r  # a side that reads the balance rosier expects to win
    assert optimist[1] <= base_u + 1e-12
    never = closed_form({**BASE, "breaking_point": [0.0, 0.0]})
    assert never[0] < 1e-6 and never[1] < 1e-6  # no army breaks, no fort within reach


def test_first_passage_limits():
    weeks = np.array([52.0])
    assert foresight.first_passage(np.array([0.0]), 0.0, 0.002, weeks)[0] == 1.0
    assert foresight.first_passage(np.array([0.5]), 0.0, 0.002, weeks)[0] < 1e-12
    # no noise: reached exactly when the drift covers the distance
    assert foresight.first_passage(np.array([0.05]), 0.001, 0.0, weeks)[0] == 1.0
    assert foresight.first_passage(np.array([0.06]), 0.001, 0.0, weeks)[0] == 0.0
