"""Scenario files: schema, inheritance, policies, overrides, distributions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import triang

from sim import ScenarioError, load_scenario
from sim.distributions import Choice, Normal, Triangular, Uniform
from sim.parameters import flat_parameters, sample, uncertain


def test_mini_loads_with_its_structure(mini_path):
    scenario = load_scenario(mini_path)
    spec = scenario.spec
    assert list(spec.issues) == ["territory", "nato", "troops"]
    assert spec.actors["Russia"].veto and spec.actors["Ukraine"].veto
    assert isinstance(spec.actors["Russia"].resolve, Uniform)
    assert spec.horizon == 52 and scenario.label == "mini"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "actors.Russia.salience.nato",
            1.4,
            "actors.Russia.salience.nato: must be between 0 and 1, got 1.4",
        ),
        ("horizon", 0, "horizon: must be between 1 and 5200, got 0"),
        ("runs", -5, "runs: must be at least 1, got -5"),
        (
            "actors.US.role",
            "judge",
            "actors.US.role: must be 'belligerent', 'supporter' or 'mediator', got 'judge'",
        ),
        ("actors.US.colour", "blue", "actors.US.colour: unknown field"),
        ("actors.US.capability", "big", "actors.US.capability: must be a number, got 'big'"),
        (
            "actors.US.capability",
            {"uniform": [2, 1]},
            "actors.US.capability: uniform: low must not exceed high",
        ),
        ("actors.US.aid", {"beta": [1, 2]}, "actors.US.aid: unknown distribution 'beta'"),
        ("mediator", "China", "mediator: unknown actor 'China'"),
        ("battlefield.issue", "sanctions", "battlefield.issue: unknown issue 'sanctions'"),
    ],
)
def test_bad_values_give_one_line_naming_file_and_field(
    write_scenario, mini_doc, path, value, message
):
    node = mini_doc
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    node[last] = value
    file = write_scenario(mini_doc)
    with pytest.raises(ScenarioError) as err:
        load_scenario(file)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(f"{file}: ")
    assert message in text


def test_missing_salience_for_an_issue_is_named(write_scenario, mini_doc):
    del mini_doc["actors"]["UK"]["salience"]["troops"]
    with pytest.raises(
        ScenarioError, match=r"actors\.UK\.salience\.troops: required field is missing"
    ):
        load_scenario(write_scenario(mini_doc))


def test_duplicate_keys_and_object_tags_are_refused(write_scenario):
    with pytest.raises(ScenarioError, match="duplicate key 'a'"):
        load_scenario(write_scenario("a: 1\na: 2\n"))
    with pytest.raises(ScenarioError, match="YAML tags that build objects are not allowed"):
        load_scenario(write_scenario("a: !!python/object/apply:os.system ['echo hi']\n"))


def test_extends_deep_merges_and_detects_cycles(write_scenario, mini_path, tmp_path):
    child = write_scenario(
        f"extends: {mini_path}\nname: child\nactors:\n  Russia:\n    resolve: 0.5\n", "child.yaml"
    )
    spec = load_scenario(child).spec
    assert spec.name == "child"
    assert spec.actors["Russia"].resolve == 0.5
    assert spec.actors["Russia"].capability == 1.5  # inherited
    write_scenario("extends: b.yaml\nname: a\n", "a.yaml")
    b = write_scenario("extends: a.yaml\nname: b\n", "b.yaml")
    with pytest.raises(ScenarioError, match="extends: inheritance cycle"):
        load_scenario(b)
    orphan = write_scenario("extends: nowhere.yaml\nname: x\n", "orphan.yaml")
    with pytest.raises(ScenarioError, match="parent file not found: nowhere.yaml"):
        load_scenario(orphan)


def test_overrides_and_policies_are_validated_the_same_way(mini_path):
    assert (
        load_scenario(mini_path, overrides=["actors.Russia.resolve=0.5"])
        .spec.actors["Russia"]
        .resolve
        == 0.5
    )
    with pytest.raises(
        ScenarioError, match=r"actors\.Russia\.resolve: must be above 0 and at most 1, got 2"
    ):
        load_scenario(mini_path, overrides=["actors.Russia.resolve=2"])
    with pytest.raises(ScenarioError, match="no such field: actors.China"):
        load_scenario(mini_path, overrides=["actors.China.resolve=0.5"])
    assert load_scenario(mini_path, policy="us_aid_cut").spec.actors["US"].aid == 0.0
    with pytest.raises(ScenarioError, match=r"policies\.nope: no such policy"):
        load_scenario(mini_path, policy="nope")


def test_distributions_sample_within_support_and_reproducibly():
    u = np.linspace(0.001, 0.999, 999)
    assert np.all((Uniform(0.2, 0.4).ppf(u) >= 0.2) & (Uniform(0.2, 0.4).ppf(u) <= 0.4))
    np.testing.assert_allclose(Triangular(0.0, 0.3, 1.0).ppf(u), triang(0.3).ppf(u), rtol=1e-12)
    assert set(Choice((1.0, 2.0, 3.0)).ppf(u)) == {1.0, 2.0, 3.0}
    clipped = Normal(0.9, 0.5, 0.0, 1.0).ppf(u)
    assert clipped.max() == 1.0 and clipped.min() >= 0.0


def test_each_uncertain_input_has_its_own_stream(mini_path):
    spec = load_scenario(mini_path).spec
    flat = flat_parameters(spec)
    assert set(uncertain(flat)) == {
        "actors.Russia.resolve",
        "actors.Russia.war_cost",
        "actors.Russia.optimism",
        "actors.Ukraine.resolve",
        "actors.Ukraine.war_cost",
        "actors.Ukraine.optimism",
    }
    whole = sample(flat, 5, 0, 100)
    part = sample(flat, 5, 40, 60)
    np.testing.assert_array_equal(
        whole["actors.Russia.resolve"][40:60], part["actors.Russia.resolve"]
    )
    # fixing one input leaves another's draws untouched (common random numbers)
    fixed = dict(flat, **{"actors.Russia.resolve": 0.9})
    np.testing.assert_array_equal(
        sample(fixed, 5, 0, 100)["actors.Ukraine.war_cost"], whole["actors.Ukraine.war_cost"]
    )
