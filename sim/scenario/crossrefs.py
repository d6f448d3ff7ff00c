"""A whole scenario document's validation: the schema (:mod:`sim.scenario.schema`), then the
checks across fields that no one field's type can make (names, references between
sections, veto players, events' timings and targets), each problem in one line naming the
field."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from ..distributions import Param
from ..errors import ScenarioError
from .fields import (
    DYNAMIC_ACTOR_FIELDS,
    DYNAMIC_BOUNDS,
    DYNAMIC_GLOBAL_FIELDS,
    DYNAMIC_ISSUE_FIELDS,
)
from .schema import (
    _NAME,
    LINE,
    MAX_KEY_LENGTH,
    MAX_NAME_BYTES,
    WHEN,
    ScenarioSpec,
    _check_range,
    _fmt,
)


# --------------------------------------------------------------------------- validation
def _loc(parts: Iterable) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _where(loc: tuple) -> str:
    if len(loc) >= 2 and loc[-1] == "[key]":  # a mapping key of the wrong type
        return ".".join(x for x in (_loc(loc[:-2]), str(loc[-2])) if x)
    return _loc(loc)


def _problem(err: dict) -> str:
    kind = err["type"]
    if err["loc"] and err["loc"][-1] == "[key]":
        return f"keys must be text, got {err['input']!r}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind.startswith("literal_error"):
        return f"{err['msg'].replace('Input should be', 'must be')}, got {err['input']!r}"
    if kind in {"dict_type", "model_type"}:
        return f"must be a mapping, got {type(err['input']).__name__}"
    if kind in {"string_type", "bool_type", "list_type", "tuple_type", "int_type"}:
        return f"{err['msg'].replace('Input should be', 'must be')}, got {err['input']!r}"
    if kind in {"too_short", "too_long"} and isinstance(err["input"], list | tuple):
        ctx = err.get("ctx", {})
        want = ctx.get("max_length", ctx.get("min_length"))
        return f"expected {want} items, got {len(err['input'])}"
    return err["msg"].replace("Input should be", "must be").replace("Value error, ", "")


VETO_MIN_RISK = 1.0
"""A veto player's least risk exponent: the package is solved for concave utilities
(docs/model.md, phase 5), so neither the file nor an event may take it lower."""


def validate_document(doc: dict, source: str) -> ScenarioSpec:
    """Validate a merged raw document; raise :class:`ScenarioError` naming every problem
    the schema finds (one line each, :meth:`ScenarioError.lines`; a misspelt key with a
    suggestion), or the first problem of the checks across fields."""
    try:
        spec = ScenarioSpec.model_validate(doc)
    except ValidationError as exc:
        from .diagnose import MAX_PROBLEMS, problems  # every problem, misspellings named

        found = problems(exc, ScenarioSpec, _where, _problem)
        raise ScenarioError.many(source, found, MAX_PROBLEMS) from None
    _check_references(spec, source)
    return spec


def _check_dynamic_path(spec: ScenarioSpec, path: str, source: str, where: str) -> str:
    """Check that events may change ``path``; return the field's name for its bounds."""
    parts = path.split(".")
    if path in DYNAMIC_GLOBAL_FIELDS:
        return path
    if len(parts) >= 3 and parts[0] == "actors":
        if parts[1] not in spec.actors:
            raise ScenarioError(source, where, f"unknown actor {parts[1]!r}")
        if len(parts) == 3 and parts[2] in DYNAMIC_ACTOR_FIELDS:
            return parts[2]
        if len(parts) == 4 and parts[2] in DYNAMIC_ISSUE_FIELDS:
            if parts[3] not in spec.issues:
                raise ScenarioError(source, where, f"unknown issue {parts[3]!r}")
            return parts[2]
    allowed = ", ".join(
        [f"actors.<actor>.{f}" for f in DYNAMIC_ACTOR_FIELDS]
        + [f"actors.<actor>.{f}.<issue>" for f in DYNAMIC_ISSUE_FIELDS]
        + list(DYNAMIC_GLOBAL_FIELDS)
    )
    raise ScenarioError(source, where, f"events cannot change {path!r}; they can change {allowed}")


def _check_references(spec: ScenarioSpec, source: str) -> None:
    if not spec.name.strip():
        raise ScenarioError(source, "name", "must not be empty")
    size = len(spec.name.encode("utf-8", "surrogatepass"))
    if size > MAX_NAME_BYTES:
        raise ScenarioError(
            source,
            "name",
            f"must be at most {MAX_NAME_BYTES} characters (UTF-8 bytes), got {size}: "
            "it names the results folder",
        )
    issues = list(spec.issues)
    if not issues:
        raise ScenarioError(source, "issues", "a scenario needs at least one issue")
    if not spec.actors:
        raise ScenarioError(source, "actors", "a scenario needs actors")
    names = [
        *(f"issues.{k}" for k in issues),
        *(f"actors.{k}" for k in spec.actors),
        *(f"policies.{k}" for k in spec.policies),
    ]
    for where in names:
        key = where.split(".", 1)[1]
        if not _NAME.match(key):
            raise ScenarioError(
                source, where, "names must start with a letter and use letters, digits, _ or -"
            )
        _check_key_length(key, source, where.split(".", 1)[0])
    seen_events: dict[str, int] = {}
    for i, event in enumerate(spec.events):
        if not _NAME.match(event.name):
            raise ScenarioError(
                source,
                f"events[{i}].name",
                f"names must start with a letter and use letters, digits, _ or -, "
                f"got {event.name!r}",
            )
        _check_key_length(event.name, source, f"events[{i}].name")
        if event.name in seen_events:
            raise ScenarioError(
                source,
                f"events[{i}].name",
                f"duplicate event name {event.name!r} (also events[{seen_events[event.name]}])",
            )
        seen_events[event.name] = i
    if spec.battlefield.issue not in spec.issues:
        raise ScenarioError(
            source, "battlefield.issue", f"unknown issue {spec.battlefield.issue!r}"
        )
    if spec.mediator not in spec.actors:
        raise ScenarioError(source, "mediator", f"unknown actor {spec.mediator!r}")
    if spec.actors[spec.mediator].role == "belligerent":
        raise ScenarioError(
            source,
            "mediator",
            f"{spec.mediator!r} is a belligerent; the mediator must be a supporter or mediator",
        )
    for actor_name, actor in spec.actors.items():
        for kind in ("position", "salience"):
            values = getattr(actor, kind)
            for issue in values:
                if issue not in spec.issues:
                    raise ScenarioError(
                        source, f"actors.{actor_name}.{kind}.{issue}", "unknown issue"
                    )
            for issue in issues:
                if issue not in values:
                    raise ScenarioError(
                        source, f"actors.{actor_name}.{kind}.{issue}", "required field is missing"
                    )
        for issue in actor.red_lines:
            if issue not in spec.issues:
                raise ScenarioError(
                    source, f"actors.{actor_name}.red_lines.{issue}", "unknown issue"
                )
        if actor.role == "belligerent" and actor.side == "neutral":
            raise ScenarioError(
                source,
                f"actors.{actor_name}.side",
                "a belligerent must be on side russia or ukraine",
            )
    for side in ("russia", "ukraine"):
        if not any(a.role == "belligerent" and a.side == side for a in spec.actors.values()):
            raise ScenarioError(source, "actors", f"no belligerent on side {side}")
    vetoes = [k for k, a in spec.actors.items() if a.veto]
    if not vetoes:
        raise ScenarioError(source, "actors", "no veto player: set veto: true for at least one")
    if len(vetoes) > 2:
        raise ScenarioError(
            source,
            "actors",
            f"at most two veto players (the package is bargained between them), got "
            f"{len(vetoes)}: {', '.join(vetoes)}",
        )
    for name in vetoes:
        if _lower(spec.actors[name].risk) < VETO_MIN_RISK:
            raise ScenarioError(
                source,
                f"actors.{name}.risk",
                "a veto player's risk attitude must be at least 1 (the package is solved for "
                f"concave utilities), got {_fmt(_lower(spec.actors[name].risk))}",
            )
    for name, issue in spec.issues.items():
        if issue.feasible[0] > issue.feasible[1]:
            raise ScenarioError(source, f"issues.{name}.feasible", "low must not exceed high")
    for issue in spec.offer:
        if issue not in spec.issues:
            raise ScenarioError(source, f"offer.{issue}", "unknown issue")
    for name, deal in spec.deals.items():
        if not _NAME.match(name):
            raise ScenarioError(
                source,
                f"deals.{name}",
                "names must start with a letter and use letters, digits, _ or -",
            )
        for issue, term in deal.terms.items():
            if issue not in spec.issues:
                raise ScenarioError(source, f"deals.{name}.terms.{issue}", "unknown issue")
            if term == LINE and issue != spec.battlefield.issue:
                raise ScenarioError(
                    source,
                    f"deals.{name}.terms.{issue}",
                    f"'line' is only for the battlefield issue ({spec.battlefield.issue})",
                )
    if spec.tabled is not None:
        if spec.tabled.deal not in spec.deals:
            known = ", ".join(spec.deals) or "none"
            raise ScenarioError(
                source, "tabled.deal", f"no such deal {spec.tabled.deal!r} (defined: {known})"
            )
        if spec.tabled.week > spec.horizon:
            raise ScenarioError(
                source,
                "tabled.week",
                f"must be at most the horizon ({spec.horizon}), got {spec.tabled.week}",
            )
    for issue in issues:
        top = max(_upper(spec.actors[a].salience[issue]) for a in spec.actors)
        if top <= 0:
            raise ScenarioError(source, f"issues.{issue}", "no actor has salience above 0 for it")
    for issue in spec.durability.tripwire:
        if issue not in spec.issues:
            raise ScenarioError(source, f"durability.tripwire.{issue}", "unknown issue")
    for i, event in enumerate(spec.events):
        where = f"events[{i}]"
        timing = [event.at is not None, event.window is not None, event.when is not None]
        if sum(timing) != 1:
            raise ScenarioError(source, where, "give exactly one of at, window or when")
        if event.window is not None and event.window[0] > event.window[1]:
            raise ScenarioError(source, f"{where}.window", "start must not be after end")
        if event.when is not None:
            match = WHEN.match(event.when)
            if not match:
                raise ScenarioError(
                    source,
                    f"{where}.when",
                    "expected '<control|week|actors.<actor>.resolve|rejections.<actor>> <op> "
                    "<number>' "
                    "with op one of <, <=, >, >=",
                )
            if match.group(1).startswith(("actors.", "rejections.")):
                actor = match.group(1).split(".")[1]
                if actor not in spec.actors:
                    raise ScenarioError(source, f"{where}.when", f"unknown actor {actor!r}")
                if match.group(1).startswith("rejections.") and actor not in vetoes:
                    raise ScenarioError(
                        source,
                        f"{where}.when",
                        f"{actor!r} is not a veto player: only veto players reject packages",
                    )
        if not event.set and not event.scale:
            raise ScenarioError(source, where, "an event must set or scale something")
        for kind in ("set", "scale"):
            for path, value in getattr(event, kind).items():
                target = _check_dynamic_path(spec, path, source, f"{where}.{kind}.{path}")
                if kind == "set":
                    _check_set_value(value, target, source, f"{where}.set.{path}")
                parts = path.split(".")
                if target == "risk" and parts[1] in vetoes and _lower(value) < VETO_MIN_RISK:
                    # a veto player's utility must stay concave (docs/model.md, phase 5)
                    raise ScenarioError(
                        source,
                        f"{where}.{kind}.{path}",
                        f"would take a veto player's risk attitude below 1, got "
                        f"{_fmt(_lower(value))}",
                    )


def _check_key_length(key: str, source: str, where: str) -> None:
    if len(key) > MAX_KEY_LENGTH:
        raise ScenarioError(
            source, where, f"names must be at most {MAX_KEY_LENGTH} characters, got {len(key)}"
        )


def _check_set_value(value: Param, target: str, source: str, where: str) -> None:
    """An event may set a field only to values the field itself allows."""
    low, high, low_open = DYNAMIC_BOUNDS[target]
    try:
        for x in (value,) if isinstance(value, float) else value.support:
            _check_range(x, low, high, low_open)
    except PydanticCustomError as err:
        raise ScenarioError(source, where, err.message()) from None


def _upper(value: Param) -> float:
    return value if isinstance(value, float) else value.support[1]


def _lower(value: Param) -> float:
    return value if isinstance(value, float) else value.support[0]
