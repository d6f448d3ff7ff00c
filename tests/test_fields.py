"""Each scenario field declared once (issue 21): its bounds, label, unit and whether events
change it sit on the schema's field, and everything else derives from them."""

from __future__ import annotations

import typing

import pytest

from sim import load_scenario
from sim.parameters import flat_parameters
from sim.plots.style import FIELDS, param_label
from sim.scenario import (
    DYNAMIC_ACTOR_FIELDS,
    DYNAMIC_BOUNDS,
    DYNAMIC_GLOBAL_FIELDS,
    DYNAMIC_ISSUE_FIELDS,
    LABELS,
    OPTIONAL_SECTIONS,
    SECTIONS,
    ScenarioSpec,
)
from sim.scenario.fields import MODELS, fields_of


def test_every_bounded_field_has_a_label():
    """A number in a scenario file is labelled in the figures, with its unit."""
    unlabelled = [
        f"{model.__name__}.{f.name}"
        for model in MODELS
        for f in fields_of(model).values()
        # an event's set and scale entries are labelled by the field they change
        if f.bounds is not None and f.declared is None and f.name not in ("set", "scale")
    ]
    assert not unlabelled
    assert all(label for label, _ in LABELS.values())


def test_labels_follow_the_schema_and_not_removed_fields():
    for name in ("accident_hazard", "resume_cost", "tripwire"):
        assert name in FIELDS and FIELDS[name] == LABELS[name]
    for removed in ("base_hazard", "guarantees", "dissatisfaction", "consolidation_weeks"):
        assert removed not in FIELDS


def test_every_parameter_of_the_baseline_has_a_readable_label():
    spec = load_scenario("scenarios/baseline.yaml").spec
    for path in flat_parameters(spec):
        parts = path.split(".")
        name = parts[-1]
        if parts[0] == "actors":
            name = parts[2]  # actors.US.aid, actors.US.position.nato
        elif parts[:2] == ["durability", "tripwire"]:
            name = "tripwire"  # durability.tripwire.troops
        assert name in FIELDS, path
        assert "." not in param_label(path), path


def test_the_dynamic_fields_and_their_bounds_come_from_the_declarations():
    assert set(DYNAMIC_BOUNDS) == {
        *DYNAMIC_ACTOR_FIELDS,
        *DYNAMIC_ISSUE_FIELDS,
        *DYNAMIC_GLOBAL_FIELDS,
    }
    assert "capability" in DYNAMIC_ACTOR_FIELDS and "optimism" not in DYNAMIC_ACTOR_FIELDS
    assert DYNAMIC_ISSUE_FIELDS == ("position", "salience")
    assert DYNAMIC_GLOBAL_FIELDS == (
        "battlefield.drift",
        "battlefield.volatility",
        "negotiation.pressure",
    )
    assert DYNAMIC_BOUNDS["resolve"].low_open and DYNAMIC_BOUNDS["position"].high == 1.0


@pytest.mark.parametrize("section", SECTIONS)
def test_the_parameter_sections_are_sections_of_the_spec(section):
    field = ScenarioSpec.model_fields[section]
    assert isinstance(field.annotation, type) and any(
        f.uncertain for f in fields_of(field.annotation).values()
    )


def test_the_optional_sections_may_be_left_out():
    assert set(SECTIONS) - {"battlefield"} <= set(OPTIONAL_SECTIONS)
    for name in OPTIONAL_SECTIONS:
        field = ScenarioSpec.model_fields[name]
        assert not field.is_required()
        assert typing.get_origin(field.annotation) is not list
    assert "battlefield" not in OPTIONAL_SECTIONS  # required
    assert "policies" not in OPTIONAL_SECTIONS  # applied before --set
