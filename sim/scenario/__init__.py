"""Scenario files: YAML loading, ``extends:`` inheritance, policies, ``--set`` overrides and
the validated schema.

A scenario is data only: it is read with a safe YAML loader (no tags that build objects,
no duplicate keys), merged with the files it extends, changed by the chosen policy and by
command-line overrides, and then validated as a whole, so every route into a scenario meets
the same checks and the same one-line errors (:class:`sim.errors.ScenarioError`).

``extends:`` names the parent by a path that is resolved against the folder of the file
that extends it, never against the working directory; an absolute path is taken as
written (the user asked for that file).  Only ``.yaml``/``.yml`` files can be parents, so a
scenario cannot pull in arbitrary files, and chains are limited to
:data:`MAX_EXTENDS_DEPTH` files.

The package, by job:

- ``schema.py``: bounds, the pydantic models of every section, each field's bounds,
  label, unit and whether events change it declared on it (:class:`Declared`);
- ``fields.py``: what follows from those declarations: the dynamic fields and
  :data:`DYNAMIC_BOUNDS`, the sections, the labels;
- ``crossrefs.py``: :func:`validate_document`, the schema and then the checks across
  fields;
- ``reading.py``: the safe YAML 1.2 loader, size and depth limits, ``extends:``;
- ``overrides.py``: :func:`set_path` and :func:`parse_override` (policies' ``set:``, ``--set``);
- ``loading.py``: :class:`Scenario` and :func:`load_scenario` (read, policy, overrides,
  validate).

Every name below is importable from ``sim.scenario`` as before the split.
"""

from .crossrefs import validate_document
from .fields import (
    DYNAMIC_ACTOR_FIELDS,
    DYNAMIC_BOUNDS,
    DYNAMIC_GLOBAL_FIELDS,
    DYNAMIC_ISSUE_FIELDS,
    LABELS,
    OPTIONAL_SECTIONS,
    SECTIONS,
)
from .loading import (
    Scenario,
    apply_policy,
    build_scenario,
    load_raw,
    load_scenario,
    validate_policy,
)
from .overrides import (
    parse_override,
    set_path,
)
from .reading import (
    MAX_DEPTH,
    MAX_YAML_NODES,
    check_depth,
    deep_merge,
    is_distribution,
    parse_yaml,
    read_text,
    resolve_path,
)
from .schema import (
    DISTRIBUTION_KINDS,
    LINE,
    MAX_EXTENDS_DEPTH,
    MAX_FILE_BYTES,
    MAX_KEY_LENGTH,
    MAX_MAGNITUDE,
    MAX_NAME_BYTES,
    MAX_RUNS,
    NON_NEGATIVE,
    RESOLVE,
    RISK,
    UNIT,
    WEEKS,
    WHEN,
    ActorSpec,
    BattlefieldSpec,
    BeliefSpec,
    Bounds,
    DealSpec,
    Declared,
    DurabilitySpec,
    EventSpec,
    IssueSpec,
    NegotiationSpec,
    PolicySpec,
    ScenarioSpec,
    TabledSpec,
    number,
    param,
    whole,
)

__all__ = [
    "ActorSpec",
    "BattlefieldSpec",
    "BeliefSpec",
    "Bounds",
    "DISTRIBUTION_KINDS",
    "DYNAMIC_ACTOR_FIELDS",
    "DYNAMIC_BOUNDS",
    "DYNAMIC_GLOBAL_FIELDS",
    "DYNAMIC_ISSUE_FIELDS",
    "DealSpec",
    "Declared",
    "DurabilitySpec",
    "EventSpec",
    "IssueSpec",
    "LABELS",
    "LINE",
    "MAX_DEPTH",
    "MAX_EXTENDS_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_KEY_LENGTH",
    "MAX_MAGNITUDE",
    "MAX_NAME_BYTES",
    "MAX_RUNS",
    "MAX_YAML_NODES",
    "NON_NEGATIVE",
    "NegotiationSpec",
    "OPTIONAL_SECTIONS",
    "PolicySpec",
    "RESOLVE",
    "RISK",
    "SECTIONS",
    "Scenario",
    "ScenarioSpec",
    "TabledSpec",
    "UNIT",
    "WEEKS",
    "WHEN",
    "apply_policy",
    "build_scenario",
    "check_depth",
    "deep_merge",
    "is_distribution",
    "load_raw",
    "load_scenario",
    "number",
    "param",
    "parse_override",
    "parse_yaml",
    "read_text",
    "resolve_path",
    "set_path",
    "validate_document",
    "validate_policy",
    "whole",
]
