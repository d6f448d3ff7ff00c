"""How result objects show themselves in a notebook: a short text line and a small HTML table.

Every result (:class:`~sim.ensemble.EnsembleResult`, :class:`~sim.deals.DealResult` and the
results of :mod:`sim.analysis`) has a ``__repr__`` of a line or a few (what was run, how
many runs, the headline) and a ``_repr_html_`` built here: a table of the headline numbers
with their intervals, every text escaped.  No numerical library is imported here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

MAX_ROWS = 40
"""Rows shown in a result's HTML table (a note says how many more there are)."""


def is_number(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def share(value: object) -> str:
    """``0.4567`` -> ``45.7%`` (``-`` where there is no value)."""
    return f"{float(value):.1%}" if is_number(value) else "-"


def number(value: object, digits: int = 3) -> str:
    return f"{float(value):.{digits}g}" if is_number(value) else "-"


def interval(lo: object, hi: object, fmt=share) -> str:
    """``[lo, hi]`` formatted, or empty when either end is missing."""
    if not (is_number(lo) and is_number(hi)):
        return ""
    return f"[{fmt(lo)}, {fmt(hi)}]"


def shorten(text: object, width: int = 80) -> str:
    """One line of at most ``width`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def html_table(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    note: str = "",
) -> str:
    """A small HTML table with a caption; every cell and the caption are escaped."""
    rows = list(rows)
    shown = rows[:MAX_ROWS]
    esc = html.escape
    out = [
        '<div class="ceasefire-result">',
        f"<p><b>{esc(str(title))}</b></p>",
        "<table>",
        "<thead><tr>" + "".join(f"<th>{esc(str(h))}</th>" for h in header) + "</tr></thead>",
        "<tbody>",
    ]
    for row in shown:
        out.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    more = len(rows) - len(shown)
    notes = [note] if note else []
    if more > 0:
        notes.append(f"{more} more rows not shown (see .table or .summary()).")
    for text in notes:
        out.append(f"<p><small>{esc(text)}</small></p>")
    out.append("</div>")
    return "\n".join(out)
