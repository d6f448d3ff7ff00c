"""Scenario files: schema, inheritance, policies, overrides, distributions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import triang

from sim import ScenarioError, load_scenario, run_ensemble
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
        ("runs", -5, "runs: must be between 1 and 10000000, got -5"),
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


# --------------------------------------------------------------------------- issue 11 (input)
def test_extends_replaces_a_distribution_by_one_of_another_kind(write_scenario, mini_path):
    """A distribution is one value: the child's replaces the parent's, whatever its kind."""
    child = write_scenario(
        f"extends: {mini_path}\nname: child\nactors:\n  Russia:\n"
        "    resolve: {triangular: [0.8, 0.9, 0.95]}\n    war_cost: 0.004\n"
        "  US:\n    resolve: {uniform: [0.5, 0.7]}\n",
        "child.yaml",
    )
    actors = load_scenario(child).spec.actors
    assert actors["Russia"].resolve == Triangular(0.8, 0.9, 0.95)  # parent: uniform
    assert actors["Russia"].war_cost == 0.004  # a number over a distribution
    assert actors["US"].resolve == Uniform(0.5, 0.7)  # a distribution over a number
    assert actors["Russia"].optimism == Uniform(0.0, 0.3)  # untouched: inherited


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("resolve", ("actors", "Russia", "resolve")),
        ("prior_weeks", ("beliefs", "prior_weeks")),
    ],
)
def test_normal_never_draws_an_open_bound(field, path, mini_doc, write_scenario):
    """Fields open at 0 ((0, 1] for resolve) never get exactly 0 from a clipped normal."""
    node = mini_doc
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = {"normal": {"mean": 0.05, "sd": 0.5}}  # about half the draws below 0
    scenario = load_scenario(write_scenario(mini_doc))
    result = run_ensemble(scenario, runs=200, workers=1)
    drawn = result.runs[".".join(path)].to_numpy()
    assert (drawn > 0).all() and (drawn < 0.05).mean() > 0.3
    assert np.isfinite(result.runs["final_control"]).all()


def test_events_scaling_past_the_cap_are_clipped_at_run_time(mini_doc, write_scenario):
    """Scalings compound; the field stays within its declared bounds and the run ends."""
    from sim import NegotiationModel
    from sim.scenario import DYNAMIC_BOUNDS

    mini_doc["actors"]["US"]["capability"] = 1e6  # the cap itself
    mini_doc["events"] = [
        {
            "name": f"boost{i}",
            "at": 1,
            "scale": {
                "actors.US.capability": 1000.0,
                "actors.UK.risk": 0.0,  # not a veto player's: those stay >= 1
                "actors.UK.position.nato": 1000.0,
            },
        }
        for i in range(120)
    ]
    scenario = load_scenario(write_scenario(mini_doc))
    model = NegotiationModel(scenario, replicates=20)
    model.run_model()
    us, uk = (model.actor_keys.index(a) for a in ("US", "UK"))
    assert (model.state["capability"][:, us] == DYNAMIC_BOUNDS["capability"].high).all()
    assert (model.state["risk"][:, uk] == DYNAMIC_BOUNDS["risk"].low).all()
    assert (model.state["ideal"] <= 1.0).all() and (model.state["position"] <= 1.0).all()
    result = run_ensemble(scenario, runs=20, workers=1)
    assert np.isfinite(result.runs["final_control"]).all()


# --------------------------------------------------------------------------- every problem
def test_a_typo_is_an_unknown_key_with_a_suggestion_and_every_problem_is_listed(
    write_scenario, mini_doc, capsys
):
    """`horizn:` is reported as itself with the field it was meant to be, never as
    `horizon` missing; every problem of the file is its own line."""
    from sim.cli import main
    from sim.errors import ScenarioError
    from sim.scenario import load_scenario

    doc = dict(mini_doc)
    doc["horizn"] = doc.pop("horizon")
    actor = next(iter(doc["actors"]))
    doc["actors"][actor] = {**doc["actors"][actor], "resolve": 7}
    doc["actors"][actor]["capabilty"] = doc["actors"][actor].pop("capability")
    path = write_scenario(doc)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    lines = caught.value.lines()
    assert f"{path}: horizn: unknown field (did you mean 'horizon'?)" in lines
    assert f"{path}: actors.{actor}.capabilty: unknown field (did you mean 'capability'?)" in lines
    assert any(f"actors.{actor}.resolve: must be" in line for line in lines)
    assert not any("horizon: required field is missing" in line for line in lines)
    assert not any(f"{actor}.capability: required" in line for line in lines)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {line}" for line in lines] and len(err) == 3


def test_the_problems_listed_are_bounded(write_scenario, mini_doc):
    from sim.errors import ScenarioError
    from sim.scenario import load_scenario
    from sim.scenario.diagnose import MAX_PROBLEMS

    doc = {**mini_doc, **{f"junk{i}": i for i in range(40)}}
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write_scenario(doc))
    lines = caught.value.lines()
    assert len(lines) == MAX_PROBLEMS + 1 and lines[-1].endswith("more problems")
