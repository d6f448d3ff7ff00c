"""The record file: dated facts and forecasting questions (docs/record.md).

Reading happens in two steps, so that every check is made before any replicate runs:

1. :func:`read_record` reads the YAML safely (the scenario loader's rules) and checks what
   the file alone can tell: the kinds of facts, names used twice, dates that are not dates,
   a ``between`` band reversed, a question whose ``ceasefire_by`` precedes ``asked``.
2. :func:`bind_record` checks it against a scenario (actors, issues, the calendar and the
   horizon) and puts every date on the scenario's weeks: a :class:`BoundRecord`.

Every problem is one :class:`~sim.errors.ScenarioError` naming the file, the fact and what
is wrong (exit code 2 on the command line).  Only the standard library, PyYAML and the
scenario package are needed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dates import as_date, date_of, week_of
from ..errors import ScenarioError

KINDS = ("tabled", "no_ceasefire", "control")
"""The fact kinds, each a key of a fact's mapping (exactly one per fact)."""

_FACT_FIELDS = {"name", "date", "source", "accepted_by", "rejected_by", "note", *KINDS}
_QUESTION_FIELDS = {"name", "asked", "ceasefire_by", "outcome", "reference", "source", "note"}


@dataclass(frozen=True)
class Fact:
    """One dated fact of the record.

    Attributes
    ----------
    name : str
    kind : str
        ``tabled``, ``no_ceasefire`` or ``control``.
    date : str
        ISO date; for a window fact, the window's last day.
    first : str or None
        A window fact's first day.
    terms : dict
        ``tabled``: the terms, as for ``ceasefire deal --terms``.
    accepted_by, rejected_by : tuple of str
        ``tabled``: the veto players whose answer the record states.
    band : tuple of float or None
        ``control``: Russia's control that week lies in ``[low, high]``.
    source : str
    """

    name: str
    kind: str
    date: str
    source: str
    first: str | None = None
    terms: dict = field(default_factory=dict)
    accepted_by: tuple[str, ...] = ()
    rejected_by: tuple[str, ...] = ()
    band: tuple[float, float] | None = None


@dataclass(frozen=True)
class Question:
    """A forecasting question: will a ceasefire be in force by ``ceasefire_by``?

    Attributes
    ----------
    name : str
    asked, ceasefire_by : str
        ISO dates.
    outcome : bool
        What happened.
    reference : dict
        Other forecasts of the same question, ``{name: probability}``.
    source : str
    """

    name: str
    asked: str
    ceasefire_by: str
    outcome: bool
    reference: dict = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class Record:
    """A record file as read: facts and questions in file order."""

    source: str
    start: str | None
    facts: tuple[Fact, ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class BoundFact:
    """A fact on a scenario's weeks: ``week`` (its date's week; a window's last week) and,
    for a window, ``first_week``; ``terms`` with every issue named (``line`` kept)."""

    fact: Fact
    week: int
    first_week: int | None = None

    @property
    def name(self) -> str:
        return self.fact.name


@dataclass(frozen=True)
class BoundQuestion:
    """A question on a scenario's weeks."""

    question: Question
    asked_week: int
    by_week: int

    @property
    def name(self) -> str:
        return self.question.name


@dataclass(frozen=True)
class BoundRecord:
    """A record checked against a scenario, its dates as weeks of the scenario's calendar."""

    record: Record
    start: str
    facts: tuple[BoundFact, ...]
    questions: tuple[BoundQuestion, ...]

    @property
    def source(self) -> str:
        return self.record.source

    def date(self, week: int) -> str:
        """The last day of a week on this calendar (ISO)."""
        return date_of(week, self.start).isoformat()

    def week(self, date: Any) -> int:
        """The week a date falls in on this calendar."""
        return week_of(date, self.start)

    def used(self, until: str | None) -> list[BoundFact]:
        """The facts dated on or before ``until`` (a window fact: when its window ends by
        then); all of them without ``until``."""
        if until is None:
            return list(self.facts)
        return [f for f in self.facts if as_date(f.fact.date) <= as_date(until)]


# --------------------------------------------------------------------------- reading
def read_record(path: str | Path) -> Record:
    """Read and check a record file on its own (see the module's docstring).

    Raises
    ------
    ScenarioError
        One line naming the file, the fact or question, and the problem.
    """
    from ..scenario.reading import parse_yaml, read_text

    source = str(path)
    doc = parse_yaml(read_text(Path(path)), source)
    if not isinstance(doc, Mapping):
        raise ScenarioError(source, "", "a record file is a mapping with facts: (and questions:)")
    unknown = sorted(set(doc) - {"start", "facts", "questions", "description"}, key=str)
    if unknown:
        raise ScenarioError(source, str(unknown[0]), "unknown field")
    start = _date(doc["start"], source, "start") if doc.get("start") is not None else None
    facts = _list(doc.get("facts"), source, "facts")
    questions = _list(doc.get("questions"), source, "questions")
    if not facts and not questions:
        raise ScenarioError(source, "facts", "the record states no facts and no questions")
    read_facts = tuple(_fact(item, i, source) for i, item in enumerate(facts))
    read_questions = tuple(_question(item, i, source) for i, item in enumerate(questions))
    for what, items in (("facts", read_facts), ("questions", read_questions)):
        seen: set[str] = set()
        for item in items:
            if item.name in seen:
                raise ScenarioError(source, f"{what}.{item.name}", "name used twice")
            seen.add(item.name)
    return Record(source, start, read_facts, read_questions)


def _list(value: Any, source: str, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(source, where, f"must be a list, got {type(value).__name__}")
    return value


def _date(value: Any, source: str, where: str) -> str:
    try:
        return as_date(value).isoformat()
    except ValueError as err:
        raise ScenarioError(source, where, str(err)) from None


def _text(value: Any, source: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(source, where, "must be non-empty text")
    return value.strip()


def _name(item: Mapping, index: int, source: str, what: str) -> str:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise ScenarioError(source, f"{what}[{index}].name", "must be text of 1-80 characters")
    return name.strip()


def _fact(item: Any, index: int, source: str) -> Fact:
    if not isinstance(item, Mapping):
        raise ScenarioError(source, f"facts[{index}]", "each fact is a mapping with a name")
    name = _name(item, index, source, "facts")
    where = f"facts.{name}"
    extra = sorted(set(item) - _FACT_FIELDS, key=str)
    if extra:
        raise ScenarioError(source, f"{where}.{extra[0]}", "unknown field")
    kinds = [k for k in KINDS if k in item]
    if len(kinds) != 1:
        raise ScenarioError(
            source, where, f"give exactly one of {', '.join(KINDS)} (got {len(kinds)})"
        )
    kind = kinds[0]
    text = _text(item.get("source"), source, f"{where}.source")
    if kind != "tabled" and ("accepted_by" in item or "rejected_by" in item):
        raise ScenarioError(source, where, "accepted_by and rejected_by belong to a tabled fact")
    if kind == "no_ceasefire":
        if "date" in item:
            raise ScenarioError(source, f"{where}.date", "a window fact has from: and to:, no date")
        window = item["no_ceasefire"]
        if not isinstance(window, Mapping) or set(window) != {"from", "to"}:
            raise ScenarioError(source, f"{where}.no_ceasefire", "must be {from: DATE, to: DATE}")
        first = _date(window["from"], source, f"{where}.no_ceasefire.from")
        last = _date(window["to"], source, f"{where}.no_ceasefire.to")
        if as_date(last) < as_date(first):
            raise ScenarioError(source, f"{where}.no_ceasefire", "from must not be after to")
        return Fact(name, kind, last, text, first=first)
    if "date" not in item:
        raise ScenarioError(source, f"{where}.date", "required field is missing")
    date = _date(item["date"], source, f"{where}.date")
    if kind == "control":
        band = item["control"]
        pair = (
            band.get("between") if isinstance(band, Mapping) and set(band) == {"between"} else None
        )
        if not isinstance(pair, list) or len(pair) != 2 or not all(_is_number(x) for x in pair):
            raise ScenarioError(source, f"{where}.control", "must be {between: [LOW, HIGH]}")
        low, high = float(pair[0]), float(pair[1])
        if not 0.0 <= low <= 1.0 or not 0.0 <= high <= 1.0:
            raise ScenarioError(source, f"{where}.control.between", "bounds must lie in [0, 1]")
        if low > high:
            raise ScenarioError(
                source, f"{where}.control.between", f"reversed: {low:g} is above {high:g}"
            )
        return Fact(name, kind, date, text, band=(low, high))
    terms = item["tabled"]
    if not isinstance(terms, Mapping) or not terms:
        raise ScenarioError(source, f"{where}.tabled", "must be a mapping of terms by issue")
    accepted = _actors(item.get("accepted_by"), source, f"{where}.accepted_by")
    rejected = _actors(item.get("rejected_by"), source, f"{where}.rejected_by")
    both = sorted(set(accepted) & set(rejected))
    if both:
        raise ScenarioError(source, where, f"{both[0]} both accepts and rejects")
    return Fact(
        name, kind, date, text, terms=dict(terms), accepted_by=accepted, rejected_by=rejected
    )


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and x == x


def _actors(value: Any, source: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise ScenarioError(source, where, "must be a list of actor keys")
    if len(set(value)) != len(value):
        raise ScenarioError(source, where, "an actor is listed twice")
    return tuple(value)


def _question(item: Any, index: int, source: str) -> Question:
    if not isinstance(item, Mapping):
        raise ScenarioError(source, f"questions[{index}]", "each question is a mapping")
    name = _name(item, index, source, "questions")
    where = f"questions.{name}"
    extra = sorted(set(item) - _QUESTION_FIELDS, key=str)
    if extra:
        raise ScenarioError(source, f"{where}.{extra[0]}", "unknown field")
    for key in ("asked", "ceasefire_by", "outcome"):
        if key not in item:
            raise ScenarioError(source, f"{where}.{key}", "required field is missing")
    asked = _date(item["asked"], source, f"{where}.asked")
    by = _date(item["ceasefire_by"], source, f"{where}.ceasefire_by")
    if as_date(by) <= as_date(asked):
        raise ScenarioError(
            source, f"{where}.ceasefire_by", f"{by} must come after asked ({asked})"
        )
    if not isinstance(item["outcome"], bool):
        raise ScenarioError(source, f"{where}.outcome", "must be true or false")
    reference = item.get("reference") or {}
    if not isinstance(reference, Mapping):
        raise ScenarioError(source, f"{where}.reference", "must be a mapping {NAME: PROBABILITY}")
    for key, p in reference.items():
        if not isinstance(key, str) or not _is_number(p) or not 0.0 <= p <= 1.0:
            raise ScenarioError(
                source, f"{where}.reference.{key}", f"must be a probability in [0, 1], got {p!r}"
            )
    text = _text(item["source"], source, f"{where}.source") if "source" in item else ""
    return Question(
        name, asked, by, item["outcome"], {k: float(p) for k, p in reference.items()}, text
    )


# --------------------------------------------------------------------------- binding
def bind_record(record: Record, spec) -> BoundRecord:
    """Check a record against a scenario's spec and put its dates on the scenario's weeks.

    The calendar is the record's ``start:``, else the scenario's.  Refused: no calendar, an
    actor that is not a veto player, an unknown issue or a bad term, a date before the
    start or past the horizon.
    """
    from ..deals import check_terms

    source = record.source
    if record.start and spec.start and record.start != spec.start:
        raise ScenarioError(
            source,
            "start",
            f"{record.start} differs from the scenario's start ({spec.start}): week 0 is the "
            "scenario's; leave start: out of the record or make them agree",
        )
    start = record.start or spec.start
    if start is None:
        raise ScenarioError(
            source, "start", "no calendar: set start: in the record or in the scenario"
        )
    last = date_of(spec.horizon, start)
    vetoes = [k for k, a in spec.actors.items() if a.veto]

    def week(date: str, where: str) -> int:
        if as_date(date) < as_date(start):
            raise ScenarioError(source, where, f"{date} is before the start ({start})")
        if as_date(date) > last:
            raise ScenarioError(
                source, where, f"{date} is past the horizon (week {spec.horizon}, {last})"
            )
        return week_of(date, start)

    facts = []
    for fact in record.facts:
        where = f"facts.{fact.name}"
        if fact.kind == "no_ceasefire":
            first = week(fact.first, f"{where}.no_ceasefire.from")
            facts.append(BoundFact(fact, week(fact.date, f"{where}.no_ceasefire.to"), first))
            continue
        bound = BoundFact(fact, week(fact.date, f"{where}.date"))
        if fact.kind == "tabled":
            for key, actors in (
                ("accepted_by", fact.accepted_by),
                ("rejected_by", fact.rejected_by),
            ):
                for actor in actors:
                    if actor not in spec.actors:
                        raise ScenarioError(
                            source,
                            f"{where}.{key}",
                            f"unknown actor {actor!r} (veto players: {', '.join(vetoes)})",
                        )
                    if actor not in vetoes:
                        raise ScenarioError(
                            source,
                            f"{where}.{key}",
                            f"{actor} has no veto; only veto players answer a tabled deal "
                            f"({', '.join(vetoes)})",
                        )
            try:
                check_terms(fact.terms, spec)
            except ScenarioError as err:
                raise ScenarioError(source, f"{where}.tabled.{err.field}", err.problem) from None
        facts.append(bound)
    questions = []
    for q in record.questions:
        where = f"questions.{q.name}"
        questions.append(
            BoundQuestion(
                q, week(q.asked, f"{where}.asked"), week(q.ceasefire_by, f"{where}.ceasefire_by")
            )
        )
    return BoundRecord(record, start, tuple(facts), tuple(questions))


def load_record(path: str | Path, spec) -> BoundRecord:
    """:func:`read_record` then :func:`bind_record` against ``spec``."""
    return bind_record(read_record(path), spec)


def check_until(record: BoundRecord, until: str | None, option: str = "--until") -> str | None:
    """``until`` as an ISO date within the record's calendar, or ``None``."""
    if until is None:
        return None
    try:
        day = as_date(until)
    except ValueError as err:
        raise ScenarioError(option, "", str(err)) from None
    if day < as_date(record.start):
        raise ScenarioError(option, day.isoformat(), f"is before the start ({record.start})")
    return day.isoformat()


def names(items: Sequence) -> list[str]:
    """The names of facts or questions, in order."""
    return [i.name for i in items]
