"""Fuzzing the scenario loader (issue 7): every document is either accepted and runs cleanly,
or refused with a :class:`ScenarioError` — never any other exception.

Valid-shaped documents are built from ``tests/data/mini.yaml``'s structure with random
numbers (in and out of range), random distributions and random subsets of actors and
issues; mutated documents then delete keys, change types, insert unknown keys or swap
numbers for strings, lists, mappings, ``None``, huge values, NaN or infinity.  The default
run takes a few seconds; ``pytest -m slow`` runs a bigger sample.
"""

from __future__ import annotations

import copy
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import ScenarioError, load_scenario, run_ensemble
from sim.outcomes import summarize
from sim.scenario import (
    DYNAMIC_ACTOR_FIELDS,
    ActorSpec,
    BattlefieldSpec,
    BeliefSpec,
    DurabilitySpec,
    EventSpec,
    IssueSpec,
    NegotiationSpec,
    ScenarioSpec,
)
from sim.testing import strategies
from sim.testing.strategies import bounds_of, dynamic_values

MINI: dict = yaml.safe_load((Path(__file__).parent / "data" / "mini.yaml").read_text())
DEFAULT_EXAMPLES = 40
SLOW_EXAMPLES = 500
FUZZ = settings(
    max_examples=DEFAULT_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(FUZZ, max_examples=SLOW_EXAMPLES)

# ---------------------------------------------------------------------------- documents
# Every range comes from the schema's declared bounds (sim.testing.strategies); the only
# numbers here are the test's sizes (horizon, runs, counts of weeks), kept small for speed.
WEEKS = 12
ACTOR_FIELDS = ("capability", "resolve", "risk", "aid", "aid_cost", "war_cost", "optimism")


@st.composite
def scenario_docs(draw, valid: bool | None = None) -> dict:
    """A document with mini's structure and random contents.

    ``valid=True`` keeps every number in its range; ``False`` lets numbers stray; ``None``
    draws which.
    """
    if valid is None:
        valid = draw(st.booleans())

    def value(model, name):
        return draw(strategies.values(model, name, valid))

    doc = copy.deepcopy(MINI)
    extra = draw(st.lists(st.sampled_from(["nato", "troops"]), unique=True))
    issues = ["territory", *extra]
    doc["issues"] = {k: v for k, v in doc["issues"].items() if k in issues}
    for issue in doc["issues"].values():
        if draw(st.booleans()):
            issue["status_quo"] = value(IssueSpec, "status_quo")
    names = ["Russia", "Ukraine", "US", *draw(st.lists(st.just("UK"), max_size=1))]
    doc["actors"] = {k: v for k, v in doc["actors"].items() if k in names}
    for actor in doc["actors"].values():
        for field in draw(st.lists(st.sampled_from(ACTOR_FIELDS), unique=True)):
            veto = bool(actor.get("veto"))
            actor[field] = draw(strategies.actor_values(field, valid, veto=veto))
        actor["position"] = {k: value(ActorSpec, "position") for k in issues}
        actor["salience"] = {k: value(ActorSpec, "salience") for k in issues}
    doc["horizon"] = draw(strategies.wholes(ScenarioSpec, "horizon", most=WEEKS))
    doc["runs"] = draw(strategies.wholes(ScenarioSpec, "runs", most=5))
    doc["seed"] = draw(strategies.wholes(ScenarioSpec, "seed"))
    doc["battlefield"] = {
        "issue": "territory",
        **{k: value(BattlefieldSpec, k) for k in ("control", "drift", "volatility")},
    }
    doc["beliefs"] = {k: value(BeliefSpec, k) for k in ("prior_weeks", "outlook_weeks")}
    doc["negotiation"] = {
        "q": value(NegotiationSpec, "q"),
        "t": value(NegotiationSpec, "t"),
        "rounds_every": draw(strategies.wholes(NegotiationSpec, "rounds_every", most=WEEKS)),
        "first_week": draw(strategies.wholes(NegotiationSpec, "first_week", most=WEEKS)),
        "pressure": value(NegotiationSpec, "pressure"),
        "cooldown_weeks": draw(strategies.wholes(NegotiationSpec, "cooldown_weeks", most=WEEKS)),
    }
    doc["durability"] = {
        "accident_hazard": value(DurabilitySpec, "accident_hazard"),
        "resume_cost": value(DurabilitySpec, "resume_cost"),
        "tripwire": {k: value(DurabilitySpec, "tripwire") for k in issues if k != "territory"},
    }
    unit = strategies.numbers(bounds_of(BattlefieldSpec, "control"))
    week = strategies.wholes(EventSpec, "at", most=WEEKS)
    events = []
    for i in range(draw(st.integers(0, 3))):
        actor = draw(st.sampled_from(names))
        field = draw(st.sampled_from(DYNAMIC_ACTOR_FIELDS))
        timing = draw(
            st.sampled_from(
                [
                    {"at": draw(week)},
                    {"window": sorted(draw(st.tuples(week, week)))},
                    {"when": f"control > {draw(unit):.3f}"},
                    {"when": f"actors.{actor}.resolve < {draw(unit):.3f}"},
                    {"when": f"week >= {draw(week)}"},
                ]
            )
        )
        scale = strategies.values(EventSpec, "scale", valid)
        change = draw(
            st.sampled_from(
                [
                    {"scale": {f"actors.{actor}.{field}": draw(scale)}},
                    {"set": {f"actors.{actor}.{field}": draw(dynamic_values(field, valid))}},
                    {
                        "set": {
                            f"actors.{actor}.position.{issues[0]}": draw(
                                dynamic_values("position", valid)
                            )
                        }
                    },
                    {"scale": {"battlefield.drift": draw(scale)}},
                ]
            )
        )
        probability = value(EventSpec, "probability")
        events.append({"name": f"e{i}", "probability": probability, **timing, **change})
    doc["events"] = events
    doc["policies"] = {
        "cut": {"description": "a policy", "set": {"actors.US.aid": value(ActorSpec, "aid")}}
    }
    return doc


# ---------------------------------------------------------------------------- mutations
JUNK = [
    "text",
    "",
    [],
    [1, 2],
    {},
    {"a": 1},
    None,
    True,
    -1,
    0,
    1e308,
    -1e308,
    math.nan,
    math.inf,
    -math.inf,
    10**30,
    "1e-3",
    {"uniform": [1, 0]},
    {"normal": {"mean": 0.5}},
]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a mapping entry or list item in a document."""
    out = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


@st.composite
def mutated_docs(draw) -> dict:
    doc = draw(scenario_docs(valid=True))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        kind = draw(st.sampled_from(["delete", "replace", "insert", "rename"]))
        if kind == "delete":
            del parent[key]
        elif kind == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(JUNK)))
        elif kind == "insert" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["colour", "extra", "1", "Russia", "a.b"]))] = 1
        elif kind == "rename" and isinstance(parent, dict):
            parent[f"{key}_x"] = parent.pop(key)
    return doc


# ---------------------------------------------------------------------------- the contract
def check(doc: dict) -> None:
    """Accepted and runs cleanly, or refused with ScenarioError; nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            assert "\n" not in str(err)
            return
    assert scenario.spec.horizon <= 5200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = run_ensemble(scenario, runs=5, workers=1)
    control = result.runs["final_control"].to_numpy(float)
    assert not np.isnan(control).any()
    assert ((control >= 0) & (control <= 1)).all()
    summary = summarize(result.runs, result.issues, scenario.spec.horizon)
    for key, value in summary.items():
        if key.startswith("p_") and not key.endswith("_ci"):
            assert 0.0 <= value <= 1.0, key


@FUZZ
@given(scenario_docs())
def test_generated_scenarios_run_or_are_refused(doc):
    check(doc)


@FUZZ
@given(mutated_docs())
def test_mutated_scenarios_run_or_are_refused(doc):
    check(doc)


@pytest.mark.slow
@SLOW
@given(scenario_docs())
def test_generated_scenarios_run_or_are_refused_many(doc):
    check(doc)


@pytest.mark.slow
@SLOW
@given(mutated_docs())
def test_mutated_scenarios_run_or_are_refused_many(doc):
    check(doc)


def _accepted(doc: dict) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        try:
            load_scenario(path)
        except ScenarioError:
            return False
    return True


def test_the_generator_also_produces_valid_scenarios():
    """Guard against a generator that only ever exercises the error path."""
    accepted: list[bool] = []

    @settings(max_examples=30, deadline=None, database=None)
    @given(scenario_docs(valid=True))
    def collect(doc):
        accepted.append(_accepted(doc))

    collect()
    assert sum(accepted) >= len(accepted) // 2, f"{sum(accepted)} of {len(accepted)} accepted"
