"""The scenario schema: field bounds, the pydantic models of every section, and the
validation of a whole document (one-line errors naming the field).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from ..distributions import Choice, Distribution, Normal, Param, Triangular, Uniform
from ..errors import ScenarioError

MAX_FILE_BYTES = 1_000_000
"""Scenario files larger than this are refused (they are hand-written data, not dumps)."""

MAX_EXTENDS_DEPTH = 16
"""Longest ``extends:`` chain (the file itself included)."""

MAX_RUNS = 10_000_000
"""Most replicates one run may ask for (``runs:``, ``--runs``).  Each replicate keeps a row
of outcomes and sampled inputs in memory (about a kilobyte), so ten million is already
gigabytes; a larger request is refused before any work rather than running out of memory."""

MAX_NAME_BYTES = 100
"""Longest scenario ``name`` (in UTF-8 bytes).  The name becomes part of a results folder's
name, and file systems allow 255 bytes for one, with room needed for the command, the policy
and the time stamp."""

MAX_KEY_LENGTH = 64
"""Longest actor, issue, policy or event name (they also appear in folder and column names)."""


class _Name:
    """Actor, issue, policy, event and deal names: a letter first, then letters, digits,
    ``_`` or ``-``, where a letter or digit is what Python calls one (``str.isalpha``,
    ``str.isalnum``), in any script: ``Россия`` and ``Україна`` are names, while spaces,
    dots (they split ``--set`` paths), controls and invisible formatting characters are
    not."""

    @staticmethod
    def match(key: object) -> bool:
        return (
            isinstance(key, str)
            and key[:1].isalpha()
            and all(c.isalnum() or c in "_-" for c in key)
        )


_NAME = _Name()
_WHEN = re.compile(
    r"^\s*(control|week|actors\.[A-Za-z][A-Za-z0-9_-]*\.resolve|rejections\.[A-Za-z][A-Za-z0-9_-]*)"
    r"\s*(<=|>=|<|>)\s*"
    r"(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?)\s*$"
)

# Attributes that events may set or scale while a replicate runs.
DYNAMIC_ACTOR_FIELDS = ("capability", "resolve", "aid", "aid_cost", "war_cost", "risk")
DYNAMIC_ISSUE_FIELDS = ("position", "salience")
DYNAMIC_GLOBAL_FIELDS = ("battlefield.drift", "battlefield.volatility", "negotiation.pressure")


# --------------------------------------------------------------------------- parameters
def _fmt(x: float) -> str:
    return f"{x:.15g}"


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number", f"must be a number, got {value!r}")
    if not math.isfinite(value):
        raise PydanticCustomError("number", f"must be a finite number, got {value}")
    return float(value)


def _check_range(x: float, low: float, high: float, low_open: bool) -> None:
    too_low = x <= low if low_open else x < low
    if too_low or x > high:
        if math.isinf(high):
            bound = f"greater than {_fmt(low)}" if low_open else f"at least {_fmt(low)}"
            msg = f"must be {bound}, got {_fmt(x)}"
        else:
            lo = f"above {_fmt(low)}" if low_open else f"between {_fmt(low)}"
            msg = (
                f"must be {lo} and at most {_fmt(high)}, got {_fmt(x)}"
                if low_open
                else f"must be {lo} and {_fmt(high)}, got {_fmt(x)}"
            )
        raise PydanticCustomError("range", msg)


DISTRIBUTION_KINDS = ("uniform", "normal", "triangular", "choice")
"""The distributions a scenario may give instead of a number."""


def _distribution(value: Mapping, low: float, high: float, low_open: bool) -> Distribution:
    if len(value) != 1:
        raise PydanticCustomError(
            "distribution",
            f"a distribution has exactly one of {', '.join(DISTRIBUTION_KINDS)}; got "
            + (", ".join(map(str, value)) or "nothing"),
        )
    kind, args = next(iter(value.items()))
    try:
        if kind == "uniform":
            a, b = (_number(v) for v in _pair(args, 2, "uniform: [low, high]"))
            if a > b:
                raise PydanticCustomError("distribution", "uniform: low must not exceed high")
            dist: Distribution = Uniform(a, b)
        elif kind == "triangular":
            a, c, b = (_number(v) for v in _pair(args, 3, "triangular: [low, mode, high]"))
            if not a <= c <= b:
                raise PydanticCustomError("distribution", "triangular: need low <= mode <= high")
            dist = Triangular(a, c, b)
        elif kind == "normal":
            if not isinstance(args, Mapping) or set(args) != {"mean", "sd"}:
                raise PydanticCustomError("distribution", "normal takes {mean: m, sd: s}")
            mean, sd = _number(args["mean"]), _number(args["sd"])
            if sd < 0:
                raise PydanticCustomError("distribution", "normal: sd must be at least 0")
            # an open bound is not a value: clip to the nearest number inside it
            floor = math.nextafter(low, math.inf) if low_open else low
            dist = Normal(mean, sd, floor, high)
        elif kind == "choice":
            if not isinstance(args, list) or not args:
                raise PydanticCustomError("distribution", "choice takes a non-empty list")
            dist = Choice(tuple(_number(v) for v in args))
        else:
            raise PydanticCustomError(
                "distribution",
                f"unknown distribution {kind!r} (use uniform, normal, triangular or choice)",
            )
    except PydanticCustomError as err:
        if err.type == "number":
            raise PydanticCustomError("distribution", f"{kind}: {err.message()}") from None
        raise
    return dist


def _pair(args: Any, n: int, form: str) -> list:
    if not isinstance(args, list) or len(args) != n:
        raise PydanticCustomError("distribution", "expected " + form)
    return args


def _number_schema(low: float, high: float, low_open: bool = False, integer=False) -> dict:
    """The JSON Schema of a number within ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    out: dict = {"type": "integer" if integer else "number"}
    if math.isfinite(low):
        out["exclusiveMinimum" if low_open else "minimum"] = low
    if math.isfinite(high):
        out["maximum"] = high
    return out


DISTRIBUTION_SCHEMA: dict = {
    "type": "object",
    "description": "An uncertain value: exactly one of uniform, triangular, normal, choice",
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
    "properties": {
        "uniform": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        "triangular": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 3,
            "maxItems": 3,
        },
        "normal": {
            "type": "object",
            "properties": {"mean": {"type": "number"}, "sd": {"type": "number", "minimum": 0}},
            "required": ["mean", "sd"],
            "additionalProperties": False,
        },
        "choice": {"type": "array", "items": {"type": "number"}, "minItems": 1},
    },
}
"""The JSON Schema of a distribution (``{uniform: [a, b]}``, ...); its support is checked
against the field's bounds when the file loads, not by the schema."""


@dataclass(frozen=True)
class _Typed(PlainValidator):
    """A plain validator that also states its JSON Schema (pydantic leaves a plain
    validator's schema empty): ``ceasefire schema`` types every numeric field."""

    schema: str = "{}"  # JSON text: the annotation must stay hashable

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict:
        return json.loads(self.schema)


def param(low: float = -math.inf, high: float = math.inf, low_open: bool = False) -> PlainValidator:
    """A validator for a numeric field that may also be a distribution.

    Numbers and the support of distributions must lie within ``[low, high]`` (``(low,
    high]`` when ``low_open``); normal distributions are clipped to the bounds and only
    their mean is checked.
    """

    def validate(value: Any) -> Param:
        if isinstance(value, Mapping):
            dist = _distribution(value, low, high, low_open)
            for x in dist.support:
                _check_range(x, low, high, low_open)
            return dist
        x = _number(value)
        _check_range(x, low, high, low_open)
        return x

    number_schema = _number_schema(low, high, low_open)
    return _Typed(validate, schema=json.dumps({"anyOf": [number_schema, DISTRIBUTION_SCHEMA]}))


def whole(low: int, high: int | None = None) -> PlainValidator:
    """A validator for a plain whole number within ``[low, high]``."""

    def validate(value: Any) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not value.is_integer())
        ):
            raise PydanticCustomError("whole", f"must be a whole number, got {value!r}")
        x = int(value)
        if x < low or (high is not None and x > high):
            rng = f"at least {low}" if high is None else f"between {low} and {high}"
            shown = value if isinstance(value, float) else x  # 1e+300, not 301 digits
            raise PydanticCustomError("range", f"must be {rng}, got {shown}")
        return x

    top = high if high is not None else math.inf
    return _Typed(validate, schema=json.dumps(_number_schema(low, top, integer=True)))


def number(low: float = -math.inf, high: float = math.inf) -> PlainValidator:
    """A validator for a plain number within ``[low, high]`` (no distribution allowed)."""

    def validate(value: Any) -> float:
        if isinstance(value, Mapping):
            raise PydanticCustomError("number", "must be a plain number here, not a distribution")
        x = _number(value)
        _check_range(x, low, high, False)
        return x

    return _Typed(validate, schema=json.dumps(_number_schema(low, high)))


MAX_MAGNITUDE = 1e6
"""Upper bound of the open-ended non-negative fields (capability, aid, costs, drift, ...).

Far above any meaningful value, it keeps products and sums of inputs (and event scalings of
them) finite, so a typo such as ``1e60`` for ``1e-6`` is refused instead of overflowing."""


class Bounds(NamedTuple):
    """The range of a numeric field: ``[low, high]``, or ``(low, high]`` when ``low_open``."""

    low: float
    high: float
    low_open: bool = False


# Each field's bounds are declared once here; the schema below and the run-time clipping of
# event changes (:data:`DYNAMIC_BOUNDS`, used by the model) both derive from them.
UNIT = Bounds(0.0, 1.0)
NON_NEGATIVE = Bounds(0.0, MAX_MAGNITUDE)
RESOLVE = Bounds(0.0, 1.0, low_open=True)
RISK = Bounds(0.1, 10.0)
WEEKS = Bounds(0.0, 10_000.0, low_open=True)

Unit = Annotated[Param, param(*UNIT)]
NonNeg = Annotated[Param, param(*NON_NEGATIVE)]
Text = Annotated[str, Strict()]
Flag = Annotated[bool, Strict()]

DYNAMIC_BOUNDS: dict[str, Bounds] = {
    "capability": NON_NEGATIVE,
    "resolve": RESOLVE,
    "risk": RISK,
    "aid": NON_NEGATIVE,
    "aid_cost": NON_NEGATIVE,
    "war_cost": NON_NEGATIVE,
    "position": UNIT,
    "salience": UNIT,
    "battlefield.drift": NON_NEGATIVE,
    "battlefield.volatility": NON_NEGATIVE,
    "negotiation.pressure": NON_NEGATIVE,
}
"""Bounds of the fields events may set or scale.  A ``set`` value is checked against them
when the file loads; after a ``scale`` the model clips the field back into them, so no
chain of events can take a value past its documented cap (or overflow)."""


# --------------------------------------------------------------------------- schema
class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True
    )


def _as_written(value: Param | None) -> float | dict | None:
    """An optional number-or-distribution as the file writes it (pydantic's own union
    serializer warns on an optional distribution)."""
    return value.to_yaml() if isinstance(value, Distribution) else value


class IssueSpec(_Strict):
    """A negotiated issue: a dimension in [0, 1] with labelled ends."""

    low: Text = Field(description="What 0 means")
    high: Text = Field(description="What 1 means")
    # where the issue stands today: what a deal leaves it at if the deal does not name it
    status_quo: Unit = 0.0
    # what the issue is worth while the war goes on, when that is not what a deal would fix
    # (e.g. no NATO accession during a war, only a path kept open); the status quo if absent
    at_war: Annotated[Param | None, param(*UNIT), PlainSerializer(_as_written)] = None
    # what a military victory imposes: the victor's ideal ("ideal": the loser decides it),
    # or its ideal within the feasible range ("table": third parties decide it)
    victor_gets: Literal["ideal", "table"] = "ideal"
    # the terms the mediator can put on the table: what third parties will underwrite
    feasible: tuple[Annotated[float, number(0.0, 1.0)], Annotated[float, number(0.0, 1.0)]] = (
        0.0,
        1.0,
    )
    description: Text = ""
    # the issue's extent in km², where it is land (figures give terms in km² beside 0-1)
    area_km2: Annotated[float, number(0.0, 1e8)] | None = None


class ActorSpec(_Strict):
    """One actor: its role, power and preferences."""

    name: Text = ""
    role: Literal["belligerent", "supporter", "mediator"]
    side: Literal["russia", "ukraine", "neutral"] = "neutral"
    veto: Flag = False
    capability: NonNeg
    resolve: Annotated[Param, param(*RESOLVE)] = 1.0
    risk: Annotated[Param, param(*RISK)] = 1.0
    aid: NonNeg = 0.0
    aid_cost: NonNeg = 0.0
    war_cost: NonNeg = 0.0
    optimism: Annotated[Param, param(-1.0, 1.0)] = 0.0
    # weight of a loss of held territory against a gain (Kahneman & Tversky 1979)
    loss_aversion: Annotated[Param, param(1.0, 10.0)] = 1.0
    # where territorial losses count from: the line it holds, or its own claim (its ideal)
    reference: Literal["line", "claim"] = "line"
    # largest share of territory a deal may concede from its reference (held line or claim)
    # and still be signed: a referendum (Ukraine), a constitution (Russia); none: no limit
    ratification_limit: Unit | None = None
    # issue -> threshold: a term beyond it, seen from the ideal, is refused outright
    # (Toft 2003 on indivisible stakes), not weighed as a linear cost
    red_lines: dict[str, Annotated[float, number(0.0, 1.0)]] = {}
    # resolve below which a belligerent's army breaks and the other side wins; 0: never
    breaking_point: Unit = 0.0
    # sd of its error in reading a week's change of the front, in multiples of the front's
    # weekly volatility (intelligence quality, Smith & Stam 2004); 0: sees the front as it is
    signal_noise: Annotated[Param, param(0.0, 100.0)] = 0.0
    # yearly growth of capability while the guns are silent (rearmament, Powell 2006)
    rearmament: Annotated[Param, param(-1.0, 1.0)] = 0.0
    position: dict[str, Unit]
    salience: dict[str, Unit]


class BattlefieldSpec(_Strict):
    issue: Text = "territory"
    control: Unit
    drift: NonNeg = 0.001
    volatility: NonNeg = 0.003


class BeliefSpec(_Strict):
    prior_weeks: Annotated[Param, param(*WEEKS)] = 26.0
    outlook_weeks: Annotated[Param, param(1.0, 1_000.0)] = 52.0


class NegotiationSpec(_Strict):
    q: Annotated[float, number(0.0, 1.0)] = 1.0
    t: Annotated[float, number(0.0, 1.0)] = 1.0
    rounds_every: Annotated[int, whole(1, 520)] = 4
    first_week: Annotated[int, whole(1)] = 1
    pressure: NonNeg = 0.0
    cooldown_weeks: Annotated[int, whole(0)] = 12
    # an interested mediator's tilt of the bargaining weights (Kydd 2003); 0 = neutral
    mediator_bias: Annotated[Param, param(0.0, 10.0)] = 0.0
    # sd of the mediator's error about each veto player's value of fighting on (Fearon 1995:
    # private information); 0 = the mediator knows them
    mediator_error: Annotated[Param, param(0.0, 1.0)] = 0.0


class DurabilitySpec(_Strict):
    # weekly chance that an incident nobody chose ends the ceasefire
    accident_hazard: Unit = 0.0
    # utility a party gives up by restarting the war (remobilisation, blame)
    resume_cost: NonNeg = 0.0
    # issue -> strength that guarantor forces add to the defender, per unit of the term
    tripwire: dict[str, NonNeg] = {}


class EventSpec(_Strict):
    """A shock that sets or scales dynamic parameters, once per replicate at most."""

    name: Text
    at: Annotated[int, whole(1)] | None = None
    window: tuple[Annotated[int, whole(1)], Annotated[int, whole(1)]] | None = None
    probability: Unit = 1.0
    when: Text | None = None
    set: dict[str, Annotated[Param, param()]] = {}
    scale: dict[str, Annotated[Param, param(0.0, 1000.0)]] = {}
    # not before this week (a policy's `from:`): a condition that holds earlier waits
    from_: Annotated[int, whole(1)] | None = Field(None, alias="from")


def _week_or_date(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise PydanticCustomError("range", f"must be a week of at least 1, got {value}")
        return value
    from ..dates import iso

    try:
        return iso(value)
    except ValueError:
        raise PydanticCustomError(
            "week", f"must be a week (a whole number) or a date (YYYY-MM-DD), got {value!r}"
        ) from None


class OfferHoldsSpec(_Strict):
    """When the scenario's ``offer:`` holds: from a week, until a week, or until the veto
    players have refused a package carrying it N times; otherwise the mediator tables its
    own package (an offer that adapts)."""

    from_week: Annotated[int, whole(1)] = 1
    until_week: Annotated[int, whole(1)] | None = None
    until_refused: Annotated[int, whole(1)] | None = None


class PolicySpec(_Strict):
    """A named policy: overrides applied to the scenario before validation.

    ``set`` and ``events`` change the world; ``offer`` changes the package (it fixes terms
    in every package the mediator tables), merged into the scenario's ``offer:``.
    """

    description: Text = ""
    set: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    offer: dict[str, Any] = {}
    offer_holds: dict[str, Any] = {}
    # the week (or date) the policy takes effect; before it the scenario runs as written
    from_: Annotated[int | str, PlainValidator(_week_or_date)] | None = Field(None, alias="from")


LINE = "line"
"""A deal's territorial term may be this word: the line of contact when the deal is tabled."""


def _term(value: Any) -> float | str:
    if value == LINE:
        return LINE
    if isinstance(value, str):
        raise PydanticCustomError("term", f"must be a number in [0, 1] or 'line', got {value!r}")
    x = _number(value)
    _check_range(x, 0.0, 1.0, False)
    return x


class DealSpec(_Strict):
    """A named package of terms that a user can table (``ceasefire deal``)."""

    description: Text = ""
    terms: dict[str, Annotated[float | str, PlainValidator(_term)]]
    sources: Text = ""


class TabledSpec(_Strict):
    """Table one named deal in one week instead of the mediator's packages."""

    deal: Text
    week: Annotated[int, whole(1)]


def _start(value: Any) -> str:
    from ..dates import iso

    try:
        return iso(value)
    except ValueError as err:
        raise PydanticCustomError("date", str(err)) from None


class ScenarioSpec(_Strict):
    """The validated content of a scenario file."""

    name: Text
    description: Text = ""
    # the calendar: the date of week 0 (ISO text; sim.dates); none: weeks are numbers only
    start: Annotated[str, PlainValidator(_start)] | None = None
    horizon: Annotated[int, whole(1, 5200)]
    runs: Annotated[int, whole(1, MAX_RUNS)] = 1000
    seed: Annotated[int, whole(0, 2**63 - 1)] = 0
    mediator: Text
    issues: dict[str, IssueSpec]
    actors: dict[str, ActorSpec]
    battlefield: BattlefieldSpec
    beliefs: BeliefSpec = BeliefSpec()
    negotiation: NegotiationSpec = NegotiationSpec()
    durability: DurabilitySpec = DurabilitySpec()
    events: list[EventSpec] = []
    policies: dict[str, PolicySpec] = {}
    offer: dict[str, Annotated[float, number(0.0, 1.0)]] = {}
    offer_holds: OfferHoldsSpec = OfferHoldsSpec()
    deals: dict[str, DealSpec] = {}
    tabled: TabledSpec | None = None


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
        if _lower(spec.actors[name].risk) < 1.0:
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
            match = _WHEN.match(event.when)
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
                if target == "risk" and parts[1] in vetoes and _lower(value) < 1.0:
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
