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
"""

from __future__ import annotations

import copy
import errno
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, Strict, ValidationError
from pydantic_core import PydanticCustomError

from .distributions import Choice, Distribution, Normal, Param, Triangular, Uniform
from .errors import ScenarioError

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

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
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

    return PlainValidator(validate)


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

    return PlainValidator(validate)


def number(low: float = -math.inf, high: float = math.inf) -> PlainValidator:
    """A validator for a plain number within ``[low, high]`` (no distribution allowed)."""

    def validate(value: Any) -> float:
        if isinstance(value, Mapping):
            raise PydanticCustomError("number", "must be a plain number here, not a distribution")
        x = _number(value)
        _check_range(x, low, high, False)
        return x

    return PlainValidator(validate)


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
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class IssueSpec(_Strict):
    """A negotiated issue: a dimension in [0, 1] with labelled ends."""

    low: Text = Field(description="What 0 means")
    high: Text = Field(description="What 1 means")
    status_quo: Unit = 0.0  # where the issue stands while the war goes on
    # the terms the mediator can put on the table: what third parties will underwrite
    feasible: tuple[Annotated[float, number(0.0, 1.0)], Annotated[float, number(0.0, 1.0)]] = (
        0.0,
        1.0,
    )
    description: Text = ""


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
    # largest share of held territory a deal may cede and still be ratified; none: no vote
    ratification_limit: Unit | None = None
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
    base_hazard: Unit = 0.01
    guarantees: dict[str, NonNeg] = {}
    dissatisfaction: NonNeg = 2.0
    consolidation_weeks: Annotated[Param, param(*WEEKS)] = 52.0


class EventSpec(_Strict):
    """A shock that sets or scales dynamic parameters, once per replicate at most."""

    name: Text
    at: Annotated[int, whole(1)] | None = None
    window: tuple[Annotated[int, whole(1)], Annotated[int, whole(1)]] | None = None
    probability: Unit = 1.0
    when: Text | None = None
    set: dict[str, Annotated[Param, param()]] = {}
    scale: dict[str, Annotated[Param, param(0.0, 1000.0)]] = {}


class PolicySpec(_Strict):
    """A named policy: overrides applied to the scenario before validation.

    ``set`` and ``events`` change the world; ``offer`` changes the package (it fixes terms
    in every package the mediator tables), merged into the scenario's ``offer:``.
    """

    description: Text = ""
    set: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    offer: dict[str, Any] = {}


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


class ScenarioSpec(_Strict):
    """The validated content of a scenario file."""

    name: Text
    description: Text = ""
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
    deals: dict[str, DealSpec] = {}
    tabled: TabledSpec | None = None


# --------------------------------------------------------------------------- YAML
MAX_YAML_NODES = 100_000
"""Most values (mappings, lists and scalars) a document may hold once its aliases are
expanded.  Hand-written scenarios hold a few hundred; the bound stops an alias bomb
("billion laughs": a few lines that expand to billions of values) before anything walks it."""

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"

# Numbers by the YAML 1.2 core schema.  PyYAML implements YAML 1.1, where `052` is octal
# (42), `1:30` is base 60 (90), `1_000` is 1000 and `1e-3` (no dot) is text: all surprises
# in a hand-written file.  Under 1.2, `052` is 52, `0o52` is octal, `0x2A` hexadecimal, and
# `1:30` and `1_000` are text (then refused by the schema as "must be a number").
_YAML12_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_YAML12_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def _yaml12_resolvers() -> dict:
    """SafeLoader's implicit resolvers without its YAML 1.1 int and float rules."""
    return {
        first: [(tag, rx) for tag, rx in rules if tag not in (_INT_TAG, _FLOAT_TAG)]
        for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe loader for scenarios: YAML 1.2 numbers, no duplicate keys, bounded aliases."""

    yaml_implicit_resolvers = _yaml12_resolvers()

    def compose_document(self) -> yaml.Node:
        # the node graph shares aliased nodes, so it is small even for an alias bomb;
        # measure what it would expand to before anything constructs or walks it
        node = super().compose_document()
        _check_expansion(node)
        return node


def _check_expansion(root: yaml.Node, limit: int = MAX_YAML_NODES) -> None:
    """Refuse a node graph that expands to more than ``limit`` values, or that contains
    itself (an alias inside its own anchor), without expanding it."""
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > limit:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"aliases expand to more than {limit:,} values",
                    node.start_mark,
                )
            continue
        if key in size:
            continue
        if key in open_:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to a node that contains it", node.start_mark
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _construct_int(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if not _YAML12_INT.match(text):  # e.g. `!!int 1:30`: no YAML 1.1 forms, even tagged
        raise yaml.constructor.ConstructorError(
            None, None, f"not a whole number: {text!r}", node.start_mark
        )
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)  # `052` is 52, never octal


def _construct_float(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node)
    if not _YAML12_FLOAT.match(text) and not _YAML12_INT.match(text):
        raise yaml.constructor.ConstructorError(
            None, None, f"not a number: {text!r}", node.start_mark
        )
    lowered = text.lower()
    if lowered.endswith((".inf", ".nan")):
        sign = -1.0 if lowered.startswith("-") else 1.0
        return sign * math.inf if lowered.endswith("inf") else math.nan
    if text.startswith(("0o", "0x")):
        return float(_construct_int(loader, node))
    return float(text)


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:  # `<<: *anchor` merges; its keys may be overridden
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # a list or mapping used as a key
            raise yaml.constructor.ConstructorError(
                None, None, "keys must be plain text or numbers", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor(_INT_TAG, _construct_int)
_UniqueKeyLoader.add_constructor(_FLOAT_TAG, _construct_float)
_UniqueKeyLoader.add_implicit_resolver(_INT_TAG, _YAML12_INT, list("-+0123456789"))
_UniqueKeyLoader.add_implicit_resolver(_FLOAT_TAG, _YAML12_FLOAT, list("-+0123456789."))


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text safely; errors become one-line :class:`ScenarioError`."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as err:  # a character YAML does not allow
        before = text[: err.position]
        where = f"line {before.count(chr(10)) + 1}, column {len(before.rsplit(chr(10), 1)[-1]) + 1}"
        char = err.character if isinstance(err.character, str) else chr(err.character)
        problem = f"character {ord(char):#06x} is not allowed in YAML"
        raise ScenarioError(source, where, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        if "could not determine a constructor" in str(err):
            problem = "YAML tags that build objects are not allowed"
        raise ScenarioError(source, where, f"invalid YAML: {problem}") from None
    except RecursionError:
        raise ScenarioError(source, "", "invalid YAML: nested too deeply") from None
    except ValueError as err:  # e.g. an integer longer than Python converts
        raise ScenarioError(source, "", f"invalid YAML: {str(err).split(';')[0]}") from None


def read_text(path: Path) -> str:
    """Read a scenario file as UTF-8 text with a size limit."""
    try:
        size = path.stat().st_size
    except OSError as err:
        problem = "file not found" if err.errno == errno.ENOENT else _os_problem(err)
        raise ScenarioError(str(path), "", problem) from None
    if not path.is_file():
        raise ScenarioError(str(path), "", "not a file")
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            str(path), "", f"file is {size:,} bytes; scenario files are limited to 1 MB"
        )
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(str(path), "", f"not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise ScenarioError(str(path), "", f"cannot read: {err.strerror}") from None


def _os_problem(err: OSError | RuntimeError) -> str:
    """A path the system cannot follow, in words (no exception names, no traceback)."""
    if isinstance(err, RuntimeError) or getattr(err, "errno", None) == errno.ELOOP:
        return "cannot read: symbolic link loop"  # Python < 3.13 raises RuntimeError
    return f"cannot read: {(err.strerror or str(err)).lower()}"


def resolve_path(path: Path, source: str, field: str = "") -> Path:
    """``path.resolve()``, with a symlink loop or an over-long name as a ScenarioError."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as err:
        raise ScenarioError(source, field, _os_problem(err)) from None


def is_distribution(value: Any) -> bool:
    """Whether a raw YAML value is written as a distribution (``{uniform: [a, b]}``, ...)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    kind, args = next(iter(value.items()))
    if kind == "normal":
        return isinstance(args, Mapping)
    return kind in DISTRIBUTION_KINDS and isinstance(args, list)


def deep_merge(base: Mapping, override: Mapping) -> dict:
    """Merge ``override`` into ``base``: mappings merge key by key, anything else replaces.

    A distribution is one value, not a section: on either side it replaces the other's
    value wholesale, so a child's ``{triangular: ...}`` replaces a parent's ``{uniform: ...}``.
    """
    merged = dict(copy.deepcopy(base))
    for key, value in override.items():
        old = merged.get(key)
        if is_distribution(value) or is_distribution(old):
            merged[key] = copy.deepcopy(value)
        elif isinstance(value, Mapping) and isinstance(old, Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


MAX_DEPTH = 24
"""Deepest nesting of mappings and lists a scenario document may have."""


def check_depth(doc: Any, source: str, limit: int = MAX_DEPTH) -> None:
    """Refuse documents nested deeper than ``limit`` (also catches self-referencing aliases)."""
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, dict):
            items: Iterable = ((f"{where}.{k}" if where else str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            items = ((f"{where}[{i}]", v) for i, v in enumerate(node))
        else:
            continue
        if depth >= limit:
            top = re.split(r"[.\[]", where, maxsplit=1)[0]
            raise ScenarioError(source, top, f"nested more than {limit} levels deep")
        stack.extend((child, path, depth + 1) for path, child in items)


def _load_document(path: Path, chain: tuple[Path, ...], texts: dict[str, str]) -> dict:
    source = str(path)
    text = read_text(path)
    texts[source] = text
    doc = parse_yaml(text, source)
    if doc is None:
        raise ScenarioError(source, "", "file is empty")
    if not isinstance(doc, dict):
        raise ScenarioError(
            source, "", f"expected a mapping at top level, got {type(doc).__name__}"
        )
    check_depth(doc, source)
    parent = doc.pop("extends", None)
    if parent is None:
        return doc
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(source, "extends", f"must be a file name, got {parent!r}")
    if Path(parent).suffix.lower() not in {".yaml", ".yml"}:
        raise ScenarioError(
            source, "extends", f"must name a .yaml or .yml scenario file, got {parent!r}"
        )
    # relative to the extending file's folder, never to the working directory
    parent_path = resolve_path(path.parent / parent, source, "extends")
    if parent_path in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent_path))
        raise ScenarioError(source, "extends", f"inheritance cycle: {cycle}")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            source, "extends", f"more than {MAX_EXTENDS_DEPTH} files in the extends chain"
        )
    try:
        found = parent_path.is_file()
    except OSError as err:  # e.g. a name longer than the system allows
        raise ScenarioError(source, "extends", _os_problem(err)) from None
    if not found:
        raise ScenarioError(source, "extends", f"parent file not found: {parent}")
    return deep_merge(_load_document(parent_path, (*chain, parent_path), texts), doc)


OPTIONAL_SECTIONS = ("beliefs", "negotiation", "durability", "offer", "deals", "tabled")
"""Top-level sections a file may leave out (all defaults) and ``--set`` may still reach."""


def set_path(doc: dict, path: str, value: Any, source: str) -> None:
    """Set a dotted ``path`` in a raw scenario document.

    Creates the last key, and an optional section the file left out; any other missing
    step is an error naming it.
    """
    keys = path.split(".")
    if not path or any(not k for k in keys):
        raise ScenarioError(source, repr(path), "not a valid field path")
    node: Any = doc
    for depth, key in enumerate(keys[:-1]):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
            continue
        if depth == 0 and key in OPTIONAL_SECTIONS and isinstance(node, dict):
            node.setdefault(key, {})  # a section left to its defaults can still be set
        if depth == 1 and keys[0] == "durability" and key == "guarantees":
            node.setdefault(key, {})
        if not isinstance(node, dict) or key not in node:
            raise ScenarioError(source, path, f"no such field: {'.'.join(keys[: depth + 1])}")
        node = node[key]
    if isinstance(node, list) and keys[-1].isdigit() and int(keys[-1]) < len(node):
        node[int(keys[-1])] = value
    elif isinstance(node, dict):
        node[keys[-1]] = value
    else:
        raise ScenarioError(source, path, "no such field")


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``PATH=VALUE`` from the command line; the value is read as a YAML scalar."""
    if "=" not in text:
        raise ScenarioError("--set", text, "expected PATH=VALUE")
    path, raw = text.split("=", 1)
    return path.strip(), parse_yaml(raw, f"--set {path.strip()}")


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
    """Validate a merged raw document; raise :class:`ScenarioError` for the first problem."""
    try:
        spec = ScenarioSpec.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScenarioError(source, _where(first["loc"]), _problem(first)) from None
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
    for issue in spec.durability.guarantees:
        if issue not in spec.issues:
            raise ScenarioError(source, f"durability.guarantees.{issue}", "unknown issue")
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


# --------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Scenario:
    """A validated scenario, ready to run.

    Attributes
    ----------
    spec : ScenarioSpec
        The validated content (policy and overrides applied).
    source : str
        The file it was loaded from.
    policy : str or None
        The policy applied, if any.
    texts : dict
        The text of every file read (the file and its parents), for the manifest.
    overrides : tuple of str
        The ``--set`` overrides applied, as given.
    """

    spec: ScenarioSpec
    source: str
    policy: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    overrides: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        """Name of this arm: the scenario name, plus the policy when one is applied."""
        return f"{self.spec.name}+{self.policy}" if self.policy else self.spec.name

    @property
    def text_hash(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.texts):
            digest.update(name.encode() + b"\0" + self.texts[name].encode() + b"\0")
        return digest.hexdigest()

    def with_policy(self, policy: str | None) -> Scenario:
        """The same file loaded again with another policy (``None`` for the baseline)."""
        return load_scenario(self.source, policy=policy, overrides=self.overrides)


def load_raw(path: str | Path) -> tuple[dict, dict[str, str]]:
    """Read a scenario file and its ``extends:`` parents into one merged raw document."""
    path = Path(path)
    texts: dict[str, str] = {}
    doc = _load_document(path, (resolve_path(path, str(path)),), texts)
    return doc, texts


def apply_policy(doc: dict, policy: str, source: str) -> dict:
    """Apply a named policy's overrides to a raw document (before validation)."""
    policies = doc.get("policies") or {}
    if not isinstance(policies, dict) or policy not in policies:
        known = ", ".join(policies) if isinstance(policies, dict) and policies else "none"
        raise ScenarioError(source, f"policies.{policy}", f"no such policy (defined: {known})")
    if not isinstance(policies[policy], dict):
        raise ScenarioError(source, f"policies.{policy}", "must be a mapping")
    try:
        spec = PolicySpec.model_validate(policies[policy])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(("policies", policy, *first["loc"]))
        raise ScenarioError(source, where, _problem(first)) from None
    out = copy.deepcopy(doc)
    for path, value in spec.set.items():
        try:
            set_path(out, path, copy.deepcopy(value), source)
        except ScenarioError as err:
            raise ScenarioError(source, f"policies.{policy}.set.{path}", err.problem) from None
    if spec.events:
        out["events"] = [*(out.get("events") or []), *copy.deepcopy(spec.events)]
    if spec.offer:
        base_offer = out.get("offer") or {}
        out["offer"] = {**(base_offer if isinstance(base_offer, dict) else {}), **spec.offer}
    return out


def validate_policy(doc: dict, policy: str, source: str) -> ScenarioSpec:
    """Validate ``doc`` with ``policy`` applied; errors name the policy's own field.

    A bad value the policy sets is reported at ``policies.<name>.set.<path>``, a bad event
    it adds at ``policies.<name>.events[i]``, and any other problem the policy causes as
    ``policies.<name>: once applied, <field>: <problem>``.
    """
    applied = apply_policy(doc, policy, source)
    try:
        return validate_document(applied, source)
    except ScenarioError as err:
        field_, prefix = err.field, f"policies.{policy}"
        for path in doc["policies"][policy].get("set") or {}:
            if field_ == path or field_.startswith((f"{path}.", f"{path}[")):
                raise ScenarioError(source, f"{prefix}.set.{field_}", err.problem) from None
        base_events = len(doc.get("events") or []) if isinstance(doc.get("events"), list) else 0
        match = re.match(r"^events\[(\d+)\](.*)$", field_)
        if match and int(match.group(1)) >= base_events:
            index = int(match.group(1)) - base_events
            where = f"{prefix}.events[{index}]{match.group(2)}"
            raise ScenarioError(source, where, err.problem) from None
        problem = f"once applied, {field_}: {err.problem}" if field_ else err.problem
        raise ScenarioError(source, prefix, problem) from None


def load_scenario(
    path: str | Path, policy: str | None = None, overrides: Iterable[str] = ()
) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The YAML scenario file.
    policy : str, optional
        A policy defined in the file to apply.
    overrides : iterable of str
        ``PATH=VALUE`` overrides (as from ``--set``), applied after the policy.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For any problem with the file, the policy or the overrides.
    """
    source = str(path)
    doc, texts = load_raw(path)
    # validate the unmodified document first, so every policy is checked on load
    base = validate_document(doc, source)
    for name in base.policies:
        validate_policy(doc, name, source)
    if policy is not None:
        doc = apply_policy(doc, policy, source)
    overrides = tuple(overrides)
    for text in overrides:
        key, value = parse_override(text)
        set_path(doc, key, value, f"{source} (--set)")
    spec = validate_document(doc, f"{source} (--set)" if overrides else source)
    return Scenario(spec=spec, source=source, policy=policy, texts=texts, overrides=overrides)
