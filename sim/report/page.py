"""The building blocks of a report page: its tables, figures and sections as plain data
for the template, and the formatting every section shares (shares, numbers, labels, a
cell with its interval).

Nothing here reads a folder: :mod:`sim.report.sections` fills a :class:`Report` from a
:class:`~sim.report.folder.Folder`, with the kind's entry of :mod:`sim.report.kinds`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import outcomes

if TYPE_CHECKING:
    from .folder import Folder

FEW_RUNS = 1000
"""Fewer runs than this earn a warning: a share's 95% interval is wider than ±3 points."""

PER_TABLE = 3
"""Outcomes per table in ``compare`` and ``sweep``: one row per arm or grid point and at
most this many outcome columns, so that a table fits the page's width."""


@dataclass
class Table:
    """A table for the page: a caption, headings, rows of cells (each a list of lines)."""

    caption: str
    head: list[str]
    rows: list[list[list[str]]]
    note: str = ""
    numeric: bool = True  # right-align the cells after the first
    widths: list[str] | None = None  # of the columns, e.g. ["30%", "20%", "50%"]


@dataclass
class Figure:
    name: str
    caption: str
    uri: str


@dataclass
class Report:
    title: str
    folder: str
    kind: str
    created: str
    question: str
    scenario: list[str] = field(default_factory=list)
    headline: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    compared: list[Table] = field(default_factory=list)
    header_notes: list[str] = field(default_factory=list)
    assumptions: list[Table] = field(default_factory=list)
    assumptions_note: str = ""
    seeds_readme_path: str = ""  # relative to where the command ran; quoted, not linked
    warnings: list[str] = field(default_factory=list)
    bottom_line: str = ""
    limitations: list = field(default_factory=list)  # truth.Limitation, listed first
    checked_rows: list[str] = field(default_factory=list)  # validation rows checked
    command: str | None = None
    command_note: str = ""
    reproduce: list[tuple[str, str]] = field(default_factory=list)
    versions: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- formatting
def finite(value: object) -> bool:
    return isinstance(value, int | float | np.number) and math.isfinite(float(value))


def pct(value: object) -> str:
    return f"{float(value):.1%}" if finite(value) else "-"


def num(value: object, digits: int = 3) -> str:
    if not finite(value):
        return "-"
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:.{digits}g}"


def humanize(key: str) -> str:
    """A label for a key no registry names: ``p_blocked_by_russia`` -> ``P(blocked by
    russia)``; ``mean_collapses`` -> ``Mean collapses``."""
    key = str(key)
    if key.startswith("p_") and len(key) > 2:
        return f"P({key[2:].replace('_', ' ')})"
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def registry_labels() -> dict[str, str]:
    """Labels that :mod:`sim.outcomes` declares: the headline outcomes, and any other
    registry of it whose entries have a ``key`` and a ``label`` (a block of outcome
    shares, say), or a ``LABELS`` mapping."""
    labels: dict[str, str] = {}
    for value in vars(outcomes).values():
        if isinstance(value, tuple | list) and value:
            for entry in value:
                key, label = getattr(entry, "key", None), getattr(entry, "label", None)
                if isinstance(key, str) and isinstance(label, str):
                    labels.setdefault(key, label)
    extra = getattr(outcomes, "LABELS", None)
    if isinstance(extra, Mapping):
        labels.update({str(k): str(v) for k, v in extra.items()})
    return labels


def label_of(key: str, horizon: object, labels: Mapping[str, str]) -> str:
    outcome = outcomes.headline_outcome(key)
    if outcome is not None:
        return outcome.title(horizon if horizon is not None else "H")
    label = labels.get(key)
    if label:
        return label.replace("{horizon}", str(horizon))
    return humanize(key)


def fmt(key: str, value: object, share: bool) -> str:
    outcome = outcomes.headline_outcome(key)
    if outcome is not None and finite(value):
        return outcome.format(float(value))
    return pct(value) if share else num(value)


def is_share(key: str, values: list[object], block: str = "") -> bool:
    given = [float(v) for v in values if finite(v)]
    if not given or not all(0.0 <= v <= 1.0 for v in given):
        return False
    hints = ("p_", "share", "prob")
    return str(key).startswith(hints) or any(h in block for h in ("share", "blocker", "outcome"))


def horizon_of(folder: Folder) -> object:
    """The horizon in weeks, wherever the folder records it (or the scenario says)."""
    for info in (folder.info, folder.run_info or {}):
        if finite(info.get("horizon_weeks")):
            return int(info["horizon_weeks"])
    arms = folder.info.get("arms")
    if isinstance(arms, dict):
        weeks = [a.get("horizon_weeks") for a in arms.values() if isinstance(a, dict)]
        weeks = [w for w in weeks if finite(w)]
        if weeks:
            return int(min(weeks))
    horizon = folder.scenario_doc.get("horizon")
    return int(horizon) if finite(horizon) else None


def drop_empty_columns(table: Table) -> Table:
    """Leave out the columns (after the first) that are empty in every row."""
    if not table.rows:
        return table
    keep = [
        j
        for j in range(len(table.head))
        if j == 0 or any(j < len(row) and any(line for line in row[j]) for row in table.rows)
    ]
    if table.widths and len(table.widths) == len(table.head):
        table.widths = [table.widths[j] for j in keep]
    table.head = [table.head[j] for j in keep]
    table.rows = [[row[j] for j in keep if j < len(row)] for row in table.rows]
    return table


def cell(row: pd.Series, key: str, share: bool, diff: bool = False) -> list[str]:
    k = f"{key}_diff" if diff else key
    value = row.get(k)
    if not finite(value):
        return ["-"]
    lo, hi = row.get(f"{k}_lo"), row.get(f"{k}_hi")
    if share:
        f = (lambda x: f"{float(x) * 100:+.1f} pp" if finite(x) else "-") if diff else pct
    elif diff and key == "final_control":  # as the differences figure: points of territory
        f = lambda x: f"{float(x) * 100:+.2f} pts" if finite(x) else "-"  # noqa: E731
    else:
        f = (lambda x: f"{float(x):+.3g}" if finite(x) else "-") if diff else num
    if lo is None and hi is None:
        return [f(value)]
    return [f(value), f"[{f(lo)}, {f(hi)}]"]


def chunks(items: list, size: int = 3) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, default=str)
    return " ".join(str(value).split())
