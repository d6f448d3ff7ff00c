"""The calendar: a scenario's weeks as dates.

A scenario may set ``start:`` (an ISO date): week 0 is the state on that day, and week
``w`` is the step that covers the seven days up to ``start + 7 w``.  A date therefore falls
in week ``ceil((date - start) / 7 days)``: the start day is week 0, the next seven days are
week 1, and so on.  Without ``start:`` weeks are only numbers.

Only the standard library is needed here, so ``validate`` and ``--help`` stay light.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from .errors import ScenarioError


def as_date(value: Any) -> dt.date:
    """An ISO date (``2025-03-11``, or a date YAML has already read) as a date.

    Raises
    ------
    ValueError
        With a one-line reason, when ``value`` is not a calendar date.
    """
    if isinstance(value, dt.datetime):
        raise ValueError(f"must be a date (YYYY-MM-DD), not a time, got {value.isoformat()!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}")


def iso(value: Any) -> str:
    """A date as its ISO text (see :func:`as_date`)."""
    return as_date(value).isoformat()


def week_of(date: Any, start: Any) -> int:
    """The week a date falls in, counted from ``start`` (week 0); negative before it."""
    days = (as_date(date) - as_date(start)).days
    return math.ceil(days / 7)


def date_of(week: int, start: Any) -> dt.date:
    """The last day of week ``week`` (week 0: the start day itself)."""
    return as_date(start) + dt.timedelta(days=7 * int(week))


def week_label(week: int, start: Any | None) -> str:
    """``"12"`` without a calendar, ``"12 (2025-03-26)"`` with one."""
    if start is None:
        return str(int(week))
    return f"{int(week)} ({date_of(week, start).isoformat()})"


def parse_week(text: str, start: Any | None, option: str = "--weeks") -> int:
    """A week given as a whole number or, when the scenario has a calendar, an ISO date.

    Raises
    ------
    ScenarioError
        Naming ``option``: neither a whole number nor a date, or a date without ``start:``.
    """
    part = text.strip()
    if part.isdecimal() and part.isascii():
        return int(part)
    try:
        day = as_date(part)
    except ValueError:
        raise ScenarioError(
            option, "", f"expected whole numbers or dates (YYYY-MM-DD), got {part!r}"
        ) from None
    if start is None:
        raise ScenarioError(
            option, part, "a date needs a calendar: the scenario sets no start: date"
        )
    return week_of(day, start)


def is_date_text(text: str) -> bool:
    """Whether a command-line value is written as a date rather than a week number."""
    try:
        as_date(text)
    except ValueError:
        return False
    return True
