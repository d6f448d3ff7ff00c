"""Every problem of a scenario file at once, one line each, with a suggestion for a
misspelt key.

pydantic reports a misspelt key (``horizn:``) as two problems: an unknown field, and the
field it was meant to be as missing. :func:`problems` pairs them into one line, ``horizn:
unknown field (did you mean 'horizon'?)``, suggests the nearest allowed name for any other
unknown key, and lists the rest as they come, at most :data:`MAX_PROBLEMS` of them.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable

from pydantic import BaseModel, ValidationError

MAX_PROBLEMS = 12
"""Problems listed for one file; beyond them one line says how many more there are."""


def _step(tp: object, part: object) -> object:
    """The type found at ``part`` (a field name, a mapping key or a list index) of ``tp``."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _step(typing.get_args(tp)[0], part)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = _step(arg, part)
            if found is not None:
                return found
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        return field.annotation if field is not None else None
    if origin in (dict, typing.Mapping) or (origin is not None and _is_mapping(origin)):
        args = typing.get_args(tp)
        return args[1] if len(args) == 2 else None
    if origin in (list, tuple):
        args = typing.get_args(tp)
        return args[0] if args else None
    return None


def _is_mapping(origin: object) -> bool:
    import collections.abc

    return isinstance(origin, type) and issubclass(origin, collections.abc.Mapping)


def _model(tp: object) -> type[BaseModel] | None:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _model(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = _model(arg)
            if found is not None:
                return found
        return None
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def allowed_fields(root: type[BaseModel], loc: Iterable[object]) -> list[str]:
    """The field names allowed at ``loc`` (a pydantic error location) under ``root``."""
    tp: object = root
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return []
    model = _model(tp)
    return list(model.model_fields) if model is not None else []


def suggestion(key: str, allowed: Iterable[str]) -> str | None:
    """The allowed name nearest to ``key``, if one is close enough to be a typo."""
    found = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
    return found[0] if found else None


def problems(
    exc: ValidationError,
    root: type[BaseModel],
    where: typing.Callable[[tuple], str],
    problem: typing.Callable[[dict], str],
    prefix: tuple = (),
) -> list[tuple[str, str]]:
    """The problems of a failed validation as ``(field, problem)`` pairs, in file order,
    a misspelt key and the field it was meant to be merged into one.

    ``where`` and ``problem`` turn a pydantic error into the field path and the plain
    words (:func:`sim.scenario.schema._where`, ``_problem``); ``prefix`` goes before every
    location (a policy's ``policies.<name>``).
    """
    errors = exc.errors()
    missing = {tuple(e["loc"]): e for e in errors if e["type"] == "missing" and len(e["loc"]) >= 1}
    used: set[tuple] = set()
    out: list[tuple[str, str]] = []
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "missing" and loc in used:
            continue
        if err["type"] == "extra_forbidden" and loc:
            parent, key = loc[:-1], loc[-1]
            gone = [m[-1] for m in missing if m[:-1] == parent and m not in used]
            near = suggestion(str(key), [str(g) for g in gone])
            if near is not None:
                used.add((*parent, near))
            else:
                near = suggestion(str(key), allowed_fields(root, parent))
            text = "unknown field" + (f" (did you mean {near!r}?)" if near else "")
            out.append((where((*prefix, *loc)), text))
            continue
        out.append((where((*prefix, *loc)), problem(err)))
    # a missing field whose misspelling was found is reported once, at the misspelling
    return [p for p in out if not _merged(p, used, where, prefix)]


def _merged(item: tuple[str, str], used: set[tuple], where, prefix: tuple) -> bool:
    return item[1] == "required field is missing" and any(
        where((*prefix, *u)) == item[0] for u in used
    )
