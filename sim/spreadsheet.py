"""Every CSV the tool writes, made safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula, so a scenario or policy named
``=HYPERLINK("http://x", "c")`` would become a live link (or worse) in ``comparison.csv``.
Following OWASP's advice on CSV injection, such a text cell is prefixed with a single
quote, which spreadsheets show as text.  Numbers stay numbers: numeric columns are never
touched, and neither is a text cell that reads as a number (``-0.5``), which a spreadsheet
takes as that number, not as a formula.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(cell: object) -> object:
    """``cell`` as a spreadsheet may read it: a text cell that would start a formula gets a
    leading ``'``; anything else (numbers, NaN, other text) is returned as it is."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_STARTS):
        return cell
    try:
        if math.isfinite(float(cell)):
            return cell  # "-0.5", "+3": a number to a spreadsheet, never a formula
    except ValueError:
        pass
    return "'" + cell


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name passed through
    :func:`neutral` (numeric columns are left as they are)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutral)
    out.columns = [neutral(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame, path: str | Path | None = None) -> str | None:
    """Write ``frame`` as CSV (no index, ``\\n`` line ends) to ``path``, or return the text
    when ``path`` is None; cells are neutralised first (:func:`neutralised`)."""
    return neutralised(frame).to_csv(path, index=False, lineterminator="\n")
