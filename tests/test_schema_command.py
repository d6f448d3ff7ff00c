"""``ceasefire schema``: a JSON Schema of the scenario format with typed numeric fields,
which every shipped scenario satisfies and a bad one does not."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from sim.cli import main
from sim.scenario.jsonschema import parent_free, scenario_schema
from sim.scenario.reading import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    [
        *ROOT.glob("scenarios/*.yaml"),
        *ROOT.glob("sim/validation/scenarios/*.yaml"),
        *ROOT.glob("sim/scenarios/*.yaml"),
        ROOT / "tests" / "data" / "mini.yaml",
    ]
)


@pytest.fixture(scope="module")
def schema() -> dict:
    found = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(found)
    return found


def _doc(path: Path) -> dict:
    return parse_yaml(path.read_text(), str(path))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_scenario_satisfies_the_schema(schema, path):
    doc = _doc(path)
    # a child file is complete only once merged with its parents: its keys and types
    jsonschema.validate(doc, parent_free(schema) if "extends" in doc else schema)


def test_numeric_fields_are_typed_with_their_bounds(schema):
    actor = schema["$defs"]["ActorSpec"]["properties"]
    number, distribution = actor["resolve"]["anyOf"]
    assert number == {"type": "number", "exclusiveMinimum": 0.0, "maximum": 1.0}
    assert distribution == {"$ref": "#/$defs/Distribution"}
    assert schema["properties"]["horizon"]["type"] == "integer"
    assert actor["capability"]["anyOf"][0]["minimum"] == 0.0


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(horizon="two years"),
        lambda d: d.update(horizn=52),
        lambda d: next(iter(d["actors"].values())).update(resolve=1.5),
        lambda d: next(iter(d["actors"].values())).update(resolve={"uniform": [0.1]}),
        lambda d: next(iter(d["actors"].values())).update(risk={"beta": [1, 2]}),
    ],
    ids=["text-horizon", "unknown-key", "resolve-above-1", "short-uniform", "unknown-dist"],
)
def test_a_bad_scenario_is_refused(schema, change):
    doc = _doc(ROOT / "tests" / "data" / "mini.yaml")
    change(doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_the_command_prints_it_and_writes_it(tmp_path, capsys):
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(scenario_schema()))
    out = tmp_path / "s.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == printed
    assert main(["schema", "--out", str(tmp_path / "no" / "such" / "dir.json")]) == 2
