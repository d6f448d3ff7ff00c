"""Hypothesis strategies for scenario fields, drawn from the bounds the schema declares
(:mod:`sim.scenario.fields`), so a test never writes a field's range again.

``valid=True`` keeps every value inside its field's bounds (a number, or for a field that
may be uncertain a distribution whose support lies inside them); ``valid=False`` lets
values stray a little outside them, or anywhere.  Needs hypothesis (the ``test`` extra).
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from ..scenario.crossrefs import VETO_MIN_RISK
from ..scenario.fields import DYNAMIC_BOUNDS, fields_of
from ..scenario.schema import ActorSpec, Bounds

ANY_FINITE = st.floats(allow_nan=False, allow_infinity=False, width=32)
"""Any finite number (a 32-bit float, so YAML writes it back as it was drawn)."""


def bounds_of(model: type[BaseModel], name: str) -> Bounds:
    """The bounds ``model.name`` declares (its validator's)."""
    found = fields_of(model)[name].bounds
    if found is None:
        raise KeyError(f"{model.__name__}.{name} declares no bounds")
    return found


def numbers(bounds: Bounds, valid: bool = True) -> st.SearchStrategy[float]:
    """Numbers inside ``bounds`` (an open low end excluded), or with ``valid=False`` inside,
    just outside, or anywhere."""
    low = bounds.low if math.isfinite(bounds.low) else None
    high = bounds.high if math.isfinite(bounds.high) else None
    inside = st.floats(
        low,
        high,
        exclude_min=bounds.low_open and low is not None,
        allow_nan=False,
        allow_infinity=False,
    )
    if valid:
        return inside
    near = st.floats(
        None if low is None else low - 1.0,
        None if high is None else high + 1.0,
        allow_nan=False,
        allow_infinity=False,
    )
    return st.one_of(inside, near, ANY_FINITE)


def uncertain(bounds: Bounds, valid: bool = True) -> st.SearchStrategy[Any]:
    """A number or a distribution as a file writes it (``{uniform: [a, b]}``, ...): within
    ``bounds`` when ``valid``, else anything near."""
    x = numbers(bounds, valid)
    if valid:
        return st.one_of(
            x,
            st.lists(x, min_size=2, max_size=2).map(lambda p: {"uniform": sorted(p)}),
            st.lists(x, min_size=3, max_size=3).map(lambda p: {"triangular": sorted(p)}),
            st.lists(x, min_size=1, max_size=3).map(lambda v: {"choice": v}),
            st.tuples(x, st.floats(0.0, 1.0)).map(lambda p: {"normal": {"mean": p[0], "sd": p[1]}}),
        )
    return st.one_of(
        x,
        st.lists(x, min_size=2, max_size=2).map(lambda p: {"uniform": p}),
        st.lists(x, min_size=3, max_size=3).map(lambda p: {"triangular": p}),
        st.lists(x, max_size=3).map(lambda v: {"choice": v}),
        st.tuples(x, st.floats(-1.0, 1.0)).map(lambda p: {"normal": {"mean": p[0], "sd": p[1]}}),
    )


def values(model: type[BaseModel], name: str, valid: bool = True) -> st.SearchStrategy[Any]:
    """Values of ``model.name`` (of each entry, for a mapping field such as ``position``):
    numbers or distributions where the field may be uncertain, plain numbers otherwise."""
    field = fields_of(model)[name]
    bounds = bounds_of(model, name)
    return uncertain(bounds, valid) if field.uncertain else numbers(bounds, valid)


def wholes(model: type[BaseModel], name: str, most: int | None = None) -> st.SearchStrategy[int]:
    """Whole numbers inside ``model.name``'s bounds, at most ``most`` (a test's size, for
    fields whose bound is far above what a fast test runs: ``horizon``, ``runs``)."""
    bounds = bounds_of(model, name)
    high = bounds.high if math.isfinite(bounds.high) else None
    if most is not None:
        high = most if high is None else min(int(high), most)
    return st.integers(int(bounds.low), None if high is None else int(high))


def actor_values(name: str, valid: bool = True, veto: bool = False) -> st.SearchStrategy[Any]:
    """Values of an actor's field; a veto player's risk exponent at least
    :data:`~sim.scenario.crossrefs.VETO_MIN_RISK` (the check across fields)."""
    if name == "risk" and veto and valid:
        low, high, _ = bounds_of(ActorSpec, "risk")
        return uncertain(Bounds(max(low, VETO_MIN_RISK), high), valid)
    return values(ActorSpec, name, valid)


def dynamic_values(target: str, valid: bool = True) -> st.SearchStrategy[Any]:
    """Values an event may ``set`` a dynamic field to (``capability``, ``position``,
    ``battlefield.drift``, ...: :data:`~sim.scenario.fields.DYNAMIC_BOUNDS`)."""
    return uncertain(DYNAMIC_BOUNDS[target], valid)
