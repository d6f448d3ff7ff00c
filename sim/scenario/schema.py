"""The scenario schema: field bounds, the pydantic models of every section, and the
validation of a whole document (one-line errors naming the field).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
)
from pydantic_core import PydanticCustomError

from ..distributions import Choice, Distribution, Normal, Param, Triangular, Uniform

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

WHEN = re.compile(
    r"^\s*(control|week|actors\.[A-Za-z][A-Za-z0-9_-]*\.resolve|rejections\.[A-Za-z][A-Za-z0-9_-]*)"
    r"\s*(<=|>=|<|>)\s*"
    r"(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?)\s*$"
)
"""An event's ``when:`` condition: ``<control|week|actors.<actor>.resolve|rejections.<actor>>
<op> <number>``, groups (variable, op, number); the schema checks it, the model reads it
(:mod:`sim.mechanics.events`), never evaluated as code."""


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


class Bounds(NamedTuple):
    """The range of a numeric field: ``[low, high]``, or ``(low, high]`` when ``low_open``."""

    low: float
    high: float
    low_open: bool = False


@dataclass(frozen=True)
class _Typed(PlainValidator):
    """A plain validator that also states its JSON Schema (pydantic leaves a plain
    validator's schema empty): ``ceasefire schema`` types every numeric field.  Its
    ``bounds`` are the field's, declared once: :mod:`sim.scenario.fields` reads them."""

    schema: str = "{}"  # JSON text: the annotation must stay hashable
    bounds: Bounds | None = None
    uncertain: bool = False  # may be a distribution (param), not only a number

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict:
        return json.loads(self.schema)


@dataclass(frozen=True)
class Declared:
    """What a field means, declared beside its type: its label and unit (axis labels,
    :func:`sim.plots.style.param_label`) and whether events may set or scale it while a
    replicate runs.  :mod:`sim.scenario.fields` derives the dynamic fields, their bounds
    and the labels from these."""

    label: str
    unit: str = ""
    dynamic: bool = False


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
    return _Typed(
        validate,
        schema=json.dumps({"anyOf": [number_schema, DISTRIBUTION_SCHEMA]}),
        bounds=Bounds(low, high, low_open),
        uncertain=True,
    )


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
    schema = json.dumps(_number_schema(low, top, integer=True))
    return _Typed(validate, schema=schema, bounds=Bounds(low, top))


def number(low: float = -math.inf, high: float = math.inf) -> PlainValidator:
    """A validator for a plain number within ``[low, high]`` (no distribution allowed)."""

    def validate(value: Any) -> float:
        if isinstance(value, Mapping):
            raise PydanticCustomError("number", "must be a plain number here, not a distribution")
        x = _number(value)
        _check_range(x, low, high, False)
        return x

    return _Typed(validate, schema=json.dumps(_number_schema(low, high)), bounds=Bounds(low, high))


MAX_MAGNITUDE = 1e6
"""Upper bound of the open-ended non-negative fields (capability, aid, costs, drift, ...).

Far above any meaningful value, it keeps products and sums of inputs (and event scalings of
them) finite, so a typo such as ``1e60`` for ``1e-6`` is refused instead of overflowing."""


# Each field's bounds are declared once, in its annotation below (with its label, unit and
# whether events change it: :class:`Declared`); the run-time clipping of event changes
# (:data:`sim.scenario.fields.DYNAMIC_BOUNDS`, used by the model) derives from them.
UNIT = Bounds(0.0, 1.0)
NON_NEGATIVE = Bounds(0.0, MAX_MAGNITUDE)
RESOLVE = Bounds(0.0, 1.0, low_open=True)
RISK = Bounds(0.1, 10.0)
WEEKS = Bounds(0.0, 10_000.0, low_open=True)

Unit = Annotated[Param, param(*UNIT)]
NonNeg = Annotated[Param, param(*NON_NEGATIVE)]
Text = Annotated[str, Strict()]
Flag = Annotated[bool, Strict()]


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
    status_quo: Annotated[Unit, Declared("status quo", "0-1")] = 0.0
    # what the issue is worth while the war goes on, when that is not what a deal would fix
    # (e.g. no NATO accession during a war, only a path kept open); the status quo if absent
    at_war: Annotated[
        Param | None, param(*UNIT), PlainSerializer(_as_written), Declared("value at war", "0-1")
    ] = None
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
    area_km2: Annotated[Annotated[float, number(0.0, 1e8)] | None, Declared("area", "km²")] = None


class ActorSpec(_Strict):
    """One actor: its role, power and preferences."""

    name: Text = ""
    role: Literal["belligerent", "supporter", "mediator"]
    side: Literal["russia", "ukraine", "neutral"] = "neutral"
    veto: Flag = False
    capability: Annotated[
        NonNeg, Declared("capability", "US$100 bn of military spending a year", dynamic=True)
    ]
    resolve: Annotated[Param, param(*RESOLVE), Declared("resolve", "0-1", dynamic=True)] = 1.0
    risk: Annotated[
        Param, param(*RISK), Declared("risk exponent", "1 = risk-neutral", dynamic=True)
    ] = 1.0
    aid: Annotated[NonNeg, Declared("aid", "US$100 bn a year", dynamic=True)] = 0.0
    aid_cost: Annotated[
        NonNeg, Declared("cost of aid", "per week, per unit of aid", dynamic=True)
    ] = 0.0
    war_cost: Annotated[NonNeg, Declared("cost of war", "utility per week", dynamic=True)] = 0.0
    optimism: Annotated[
        Param, param(-1.0, 1.0), Declared("optimism", "-1 to 1, + = Russia gains more")
    ] = 0.0
    # weight of a loss of held territory against a gain (Kahneman & Tversky 1979)
    loss_aversion: Annotated[Param, param(1.0, 10.0), Declared("loss aversion", "λ, 1 = none")] = (
        1.0
    )
    # where territorial losses count from: the line it holds, or its own claim (its ideal)
    reference: Literal["line", "claim"] = "line"
    # largest share of territory a deal may concede from its reference (held line or claim)
    # and still be signed: a referendum (Ukraine), a constitution (Russia); none: no limit
    ratification_limit: Annotated[
        Unit | None, Declared("ratification limit", "share of held territory")
    ] = None
    # issue -> threshold: a term beyond it, seen from the ideal, is refused outright
    # (Toft 2003 on indivisible stakes), not weighed as a linear cost
    red_lines: Annotated[
        dict[str, Annotated[float, number(0.0, 1.0)]], Declared("red line", "0-1, from the ideal")
    ] = {}
    # resolve below which a belligerent's army breaks and the other side wins; 0: never
    breaking_point: Annotated[Unit, Declared("breaking point", "resolve")] = 0.0
    # sd of its error in reading a week's change of the front, in multiples of the front's
    # weekly volatility (intelligence quality, Smith & Stam 2004); 0: sees the front as it is
    signal_noise: Annotated[
        Param, param(0.0, 100.0), Declared("signal noise", "sd, x the weekly volatility")
    ] = 0.0
    # yearly growth of capability while the guns are silent (rearmament, Powell 2006)
    rearmament: Annotated[
        Param, param(-1.0, 1.0), Declared("rearmament", "growth of capability a year")
    ] = 0.0
    position: Annotated[dict[str, Unit], Declared("position", "0-1", dynamic=True)]
    salience: Annotated[dict[str, Unit], Declared("salience", "0-1", dynamic=True)]


class BattlefieldSpec(_Strict):
    issue: Text = "territory"
    control: Annotated[
        Unit, Declared("Russia's control at week 0", "share of the territory in dispute")
    ]
    drift: Annotated[NonNeg, Declared("drift of the front", "per week", dynamic=True)] = 0.001
    volatility: Annotated[
        NonNeg, Declared("volatility of the front", "sd per week", dynamic=True)
    ] = 0.003


class BeliefSpec(_Strict):
    prior_weeks: Annotated[Param, param(*WEEKS), Declared("weight of prior beliefs", "weeks")] = (
        26.0
    )
    outlook_weeks: Annotated[Param, param(1.0, 1_000.0), Declared("outlook", "weeks")] = 52.0


class NegotiationSpec(_Strict):
    q: Annotated[float, number(0.0, 1.0), Declared("status-quo belief q", "0-1")] = 1.0
    t: Annotated[float, number(0.0, 1.0), Declared("status-quo belief t", "0-1")] = 1.0
    rounds_every: Annotated[int, whole(1, 520), Declared("weeks between rounds", "weeks")] = 4
    first_week: Annotated[int, whole(1), Declared("first week of talks", "week")] = 1
    pressure: Annotated[NonNeg, Declared("mediator's pressure", "utility", dynamic=True)] = 0.0
    cooldown_weeks: Annotated[int, whole(0), Declared("cooldown after a collapse", "weeks")] = 12
    # an interested mediator's tilt of the bargaining weights (Kydd 2003); 0 = neutral
    mediator_bias: Annotated[
        Param, param(0.0, 10.0), Declared("mediator's bias", "μ, 0 = neutral")
    ] = 0.0
    # sd of the mediator's error about each veto player's value of fighting on (Fearon 1995:
    # private information); 0 = the mediator knows them
    mediator_error: Annotated[
        Param, param(0.0, 1.0), Declared("mediator's error", "sd, utility")
    ] = 0.0


class DurabilitySpec(_Strict):
    # weekly chance that an incident nobody chose ends the ceasefire
    accident_hazard: Annotated[Unit, Declared("accident hazard", "per week")] = 0.0
    # utility a party gives up by restarting the war (remobilisation, blame)
    resume_cost: Annotated[NonNeg, Declared("cost of resuming the war", "utility")] = 0.0
    # issue -> strength that guarantor forces add to the defender, per unit of the term
    tripwire: Annotated[
        dict[str, NonNeg], Declared("tripwire", "strength per unit of the term")
    ] = {}


class EventSpec(_Strict):
    """A shock that sets or scales dynamic parameters, once per replicate at most."""

    name: Text
    at: Annotated[Annotated[int, whole(1)] | None, Declared("week", "week")] = None
    window: tuple[Annotated[int, whole(1)], Annotated[int, whole(1)]] | None = None
    probability: Annotated[Unit, Declared("probability", "0-1")] = 1.0
    when: Text | None = None
    set: dict[str, Annotated[Param, param()]] = {}
    scale: dict[str, Annotated[Param, param(0.0, 1000.0)]] = {}
    # not before this week (a policy's `from:`): a condition that holds earlier waits
    from_: Annotated[Annotated[int, whole(1)] | None, Declared("not before", "week")] = Field(
        None, alias="from"
    )


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

    from_week: Annotated[int, whole(1), Declared("offer holds from", "week")] = 1
    until_week: Annotated[
        Annotated[int, whole(1)] | None, Declared("offer holds until", "week")
    ] = None
    until_refused: Annotated[
        Annotated[int, whole(1)] | None, Declared("offer holds until refused", "times")
    ] = None


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
    week: Annotated[int, whole(1), Declared("week tabled", "week")]


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
    horizon: Annotated[int, whole(1, 5200), Declared("horizon", "weeks")]
    runs: Annotated[int, whole(1, MAX_RUNS), Declared("runs", "replicates")] = 1000
    seed: Annotated[int, whole(0, 2**63 - 1), Declared("seed")] = 0
    mediator: Text
    issues: dict[str, IssueSpec]
    actors: dict[str, ActorSpec]
    battlefield: BattlefieldSpec
    beliefs: BeliefSpec = BeliefSpec()
    negotiation: NegotiationSpec = NegotiationSpec()
    durability: DurabilitySpec = DurabilitySpec()
    events: list[EventSpec] = []
    policies: dict[str, PolicySpec] = {}
    offer: Annotated[
        dict[str, Annotated[float, number(0.0, 1.0)]], Declared("offered term", "0-1")
    ] = {}
    offer_holds: OfferHoldsSpec = OfferHoldsSpec()
    deals: dict[str, DealSpec] = {}
    tabled: TabledSpec | None = None
