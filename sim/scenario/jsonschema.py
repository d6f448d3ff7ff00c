"""The JSON Schema of the scenario format, for editors and other programs.

Built from the pydantic models of :mod:`sim.scenario.schema`, whose numeric validators
state their types and bounds (a field that takes a distribution is a number *or* one of
the distributions, declared once under ``$defs/Distribution``). The schema describes a
complete scenario; a file with ``extends:`` is complete once merged with its parents, so
editors check only its keys and types (``required`` applies to the merged document).
Checks across fields (names that must exist, a triangular's order, a distribution's support
within the field's bounds) are the loader's: ``ceasefire validate`` makes them.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_ID = "https://ceasefire.invalid/scenario.schema.json"
"""The schema's ``$id``: a name, not an address anything is fetched from."""


def _replace(node: Any, target: dict, ref: dict) -> Any:
    if isinstance(node, dict):
        if node == target:
            return dict(ref)
        return {k: _replace(v, target, ref) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace(v, target, ref) for v in node]
    return node


def scenario_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a scenario file.

    Returns
    -------
    dict
        JSON-ready; ``json.dumps`` it to write a file.
    """
    from .schema import DISTRIBUTION_SCHEMA, ScenarioSpec

    schema = ScenarioSpec.model_json_schema(mode="validation")
    schema = _replace(schema, DISTRIBUTION_SCHEMA, {"$ref": "#/$defs/Distribution"})
    schema.setdefault("$defs", {})["Distribution"] = json.loads(json.dumps(DISTRIBUTION_SCHEMA))
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "A parent scenario file (.yaml), relative to this file's folder; its "
        "keys are the defaults of this file's",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "ceasefire scenario",
    }


def parent_free(schema: dict) -> dict:
    """``schema`` without its ``required`` lists: for a file with ``extends:``, whose
    parents supply the missing keys."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "required"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(schema)
