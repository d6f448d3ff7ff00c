"""What follows from the fields' declarations in :mod:`sim.scenario.schema`: each field's
bounds (its validator's), label, unit and whether events may change it (its
:class:`~sim.scenario.schema.Declared`), read from the pydantic models, never written
again.

From them: the fields events may set or scale and their bounds (:data:`DYNAMIC_BOUNDS`,
which the model clips to), the scenario's sections (:data:`SECTIONS`, which
:func:`sim.parameters.flat_parameters` walks, and :data:`OPTIONAL_SECTIONS`, which
``--set`` may reach when a file leaves them out), the axis labels of the plots
(:data:`LABELS`) and the test suite's hypothesis strategies (:mod:`sim.testing.strategies`).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Union

from pydantic import BaseModel

from .schema import ActorSpec, Bounds, Declared, ScenarioSpec, _Typed


@dataclass(frozen=True)
class Field:
    """One declared field of a section: where it is, its bounds, label, unit, and whether
    it maps names (issues, actors) to values."""

    model: type[BaseModel]
    name: str
    bounds: Bounds | None
    declared: Declared | None
    mapping: bool  # a {name: value} field (position, salience, tripwire, ...)
    uncertain: bool = False  # may be a distribution, not only a number

    @property
    def dynamic(self) -> bool:
        return self.declared is not None and self.declared.dynamic


def _metadata(annotation: Any) -> list:
    """The Annotated metadata of a type, its optional and mapping parts included."""
    out: list = []
    if typing.get_origin(annotation) is Annotated:
        out += list(annotation.__metadata__)
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                out += _metadata(arg)
    elif origin is dict:
        out += _metadata(typing.get_args(annotation)[1])
    return out


def fields_of(model: type[BaseModel]) -> dict[str, Field]:
    """Every field of ``model`` with its declarations (by the name the file writes)."""
    out = {}
    for name, info in model.model_fields.items():
        found = list(info.metadata) + _metadata(info.annotation)
        bounds = next((m.bounds for m in found if isinstance(m, _Typed) and m.bounds), None)
        declared = next((m for m in found if isinstance(m, Declared)), None)
        mapping = typing.get_origin(info.annotation) is dict
        uncertain = any(isinstance(m, _Typed) and m.uncertain for m in found)
        key = info.alias or name
        out[key] = Field(model, key, bounds, declared, mapping, uncertain)
    return out


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_optional_section(annotation: Any) -> bool:
    """A model, a mapping, or an optional model (not a scalar, not a list)."""
    if _is_section(annotation) or typing.get_origin(annotation) is dict:
        return True
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return any(_is_section(a) for a in typing.get_args(annotation))
    return False


def _uncertain(model: type[BaseModel]) -> bool:
    """Whether any field of ``model`` may be a distribution (a :func:`~.schema.param`)."""
    return any(f.uncertain for f in fields_of(model).values())


SECTIONS: tuple[str, ...] = tuple(
    name
    for name, info in ScenarioSpec.model_fields.items()
    if _is_section(info.annotation) and _uncertain(info.annotation)
)
"""The sections of parameters, one model each whose fields may be uncertain (battlefield,
beliefs, negotiation, durability): the ones :func:`sim.parameters.flat_parameters` walks
by dotted path (``offer_holds`` holds weeks the mediator keeps to, not parameters)."""

OPTIONAL_SECTIONS: tuple[str, ...] = tuple(
    name
    for name, info in ScenarioSpec.model_fields.items()
    if not info.is_required() and _is_optional_section(info.annotation) and name != "policies"
)
"""Top-level sections a file may leave out (all defaults) and ``--set`` may still reach
(not ``policies``: a policy is applied before the ``--set`` overrides, so one set there
would never apply)."""

_ACTOR = fields_of(ActorSpec)

DYNAMIC_ACTOR_FIELDS: tuple[str, ...] = tuple(
    f.name for f in _ACTOR.values() if f.dynamic and not f.mapping
)
"""Actor fields events may set or scale: ``actors.<actor>.<field>``."""

DYNAMIC_ISSUE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in _ACTOR.values() if f.dynamic and f.mapping
)
"""Actor fields per issue events may set or scale: ``actors.<actor>.<field>.<issue>``."""

DYNAMIC_GLOBAL_FIELDS: tuple[str, ...] = tuple(
    f"{section}.{f.name}"
    for section in SECTIONS
    for f in fields_of(ScenarioSpec.model_fields[section].annotation).values()
    if f.dynamic
)
"""Fields of the sections events may set or scale: ``battlefield.drift``, ..."""


def _bounds(field: Field) -> Bounds:
    if field.bounds is None:
        raise TypeError(f"{field.model.__name__}.{field.name}: dynamic, but no bounds declared")
    return field.bounds


DYNAMIC_BOUNDS: dict[str, Bounds] = {
    **{name: _bounds(_ACTOR[name]) for name in (*DYNAMIC_ACTOR_FIELDS, *DYNAMIC_ISSUE_FIELDS)},
    **{
        path: _bounds(
            fields_of(ScenarioSpec.model_fields[path.split(".")[0]].annotation)[path.split(".")[1]]
        )
        for path in DYNAMIC_GLOBAL_FIELDS
    },
}
"""Bounds of the fields events may set or scale.  A ``set`` value is checked against them
when the file loads; after a ``scale`` the model clips the field back into them, so no
chain of events can take a value past its documented cap (or overflow)."""


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """``model`` and every model its fields hold (sections, actors, issues, events)."""
    out = [model]
    for info in model.model_fields.values():
        for arg in (info.annotation, *typing.get_args(info.annotation)):
            for inner in (arg, *typing.get_args(arg)):
                if _is_section(inner) and inner not in out:
                    out += [m for m in _models(inner) if m not in out]
    return out


MODELS: tuple[type[BaseModel], ...] = tuple(_models(ScenarioSpec))
"""Every model of a scenario file, the file's own first."""

LABELS: dict[str, tuple[str, str]] = {
    f.name: (f.declared.label, f.declared.unit)
    for model in MODELS
    for f in fields_of(model).values()
    if f.declared is not None
}
"""Each declared field's readable name and unit, by field name (docs/scenarios.md)."""
