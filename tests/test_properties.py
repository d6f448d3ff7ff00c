"""Invariants of the model under random (valid) inputs, checked with hypothesis."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import NegotiationModel, load_scenario
from sim.model import CEASEFIRE

unit = st.floats(0.0, 1.0)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    control=unit,
    drift=st.floats(0.0, 0.05),
    volatility=st.floats(0.0, 0.05),
    war_cost=st.floats(0.0, 0.05),
    optimism=st.floats(-1.0, 1.0),
    resolve=st.floats(0.01, 1.0),
    risk=st.floats(1.0, 10.0),  # a veto player needs concave utility (risk >= 1)
    position=unit,
    salience=unit,
    pressure=st.floats(0.0, 0.5),
    hazard=unit,
)
def test_invariants_hold_every_week(
    mini_path,
    control,
    drift,
    volatility,
    war_cost,
    optimism,
    resolve,
    risk,
    position,
    salience,
    pressure,
    hazard,
):
    paths = {
        "battlefield.control": control,
        "battlefield.drift": drift,
        "battlefield.volatility": volatility,
        "actors.Russia.war_cost": war_cost,
        "actors.Ukraine.optimism": optimism,
        "actors.Ukraine.resolve": resolve,
        "actors.Russia.risk": risk,
        "actors.UK.position.nato": position,
        "actors.Russia.salience.troops": salience,
        "negotiation.pressure": pressure,
        "durability.accident_hazard": hazard,
        "horizon": 20,
    }
    overrides = [f"{k}={v}" for k, v in paths.items()]
    model = NegotiationModel(load_scenario(mini_path, overrides=overrides), replicates=16)
    first_seen = np.full(16, -1)
    while model.running:
        model.step()
        s = model.state
        for name in ("control", "resolve", "position", "ideal", "salience"):
            assert np.all(np.isfinite(s[name])), name
        assert np.all((s["control"] >= 0) & (s["control"] <= 1))
        assert np.all((s["position"] >= 0) & (s["position"] <= 1))
        assert np.all((s["resolve"] > 0) & (s["resolve"] <= 1))
        assert np.all(np.isfinite(s["belief_mean"]))
        # a first ceasefire, once reached, is never rewritten
        reached = model.first_ceasefire_week >= 0
        assert np.all(model.first_ceasefire_week[first_seen >= 0] == first_seen[first_seen >= 0])
        first_seen = np.where(reached, model.first_ceasefire_week, -1)
        in_ceasefire = model.status == CEASEFIRE
        assert np.all(reached[in_ceasefire])
        assert np.all(np.isfinite(model.terms[in_ceasefire]))
    out = model.outcomes()
    assert np.all(out["collapses"] >= 0)
    assert np.all(out["held"] <= out["ceasefire"])
