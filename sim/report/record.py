"""The report's sections for the record's folders (``calibrate``, ``backtest``).

Built from the folder's ``manifest.json`` alone; returned as plain mappings (caption, head,
rows, note) that :mod:`sim.report.sections` turns into its tables.  The template escapes
every cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .folder import Folder


def _share(x: object) -> str:
    return f"{float(x):.1%}" if isinstance(x, int | float) and math.isfinite(x) else "-"


def _num(x: object, digits: int = 3) -> str:
    return f"{float(x):.{digits}g}" if isinstance(x, int | float) and math.isfinite(x) else "-"


def _signed(x: object) -> str:
    return f"{float(x):+.2f}" if isinstance(x, int | float) and math.isfinite(x) else "-"


def calibrate_tables(folder: Folder) -> list[Mapping]:
    """The kept worlds, each fact's prior and posterior share, the inputs that moved."""
    info = folder.info
    facts = [f for f in info.get("facts_table") or [] if isinstance(f, Mapping)]
    inputs = [i for i in info.get("inputs_table") or [] if isinstance(i, Mapping)]
    until = f"those dated on or before {info['until']}" if info.get("until") else "all"
    head = {
        "caption": "Worlds consistent with the record",
        "head": ["", "Value"],
        "rows": [
            [["Prior worlds run"], [f"{int(info.get('runs') or 0):,}"]],
            [["Kept (every used fact holds)"], [f"{int(info.get('kept') or 0):,}"]],
            [["Effective sample size"], [_num(info.get("ess"), 6)]],
            [["Facts used"], [until]],
        ],
        "note": str(info.get("message") or ""),
    }
    fact_rows = []
    for f in facts:
        status = (
            "used"
            if f.get("used")
            else "held out" + (" (FLAGGED: below 50%)" if f.get("flagged") else "")
        )
        fact_rows.append(
            [
                [str(f.get("name"))],
                [str(f.get("kind"))],
                [str(f.get("date"))],
                [status],
                [_share(f.get("prior"))],
                [_share(f.get("posterior"))],
            ]
        )
    fact_table = {
        "caption": "Facts: their share among the prior worlds and among the kept worlds",
        "head": ["Fact", "Kind", "Date", "Use", "Prior share", "Among kept"],
        "rows": fact_rows,
        "note": "A low prior share is a fact the model finds surprising. A held-out fact's "
        "share among the kept worlds checks the calibration on what it did not see.",
    }
    ranked = sorted(
        inputs,
        key=lambda i: -abs(i["shift_sd"]) if isinstance(i.get("shift_sd"), int | float) else 0.0,
    )
    input_rows = [
        [
            [str(i.get("path"))],
            [_num(i.get("prior_mean"))],
            [_num(i.get("prior_sd"))],
            [_num(i.get("posterior_mean"))],
            [_num(i.get("posterior_sd"))],
            [_signed(i.get("shift_sd"))],
        ]
        for i in ranked
    ]
    input_table = {
        "caption": "Uncertain inputs: prior and posterior",
        "head": [
            "Input",
            "Prior mean",
            "Prior sd",
            "Posterior mean",
            "Posterior sd",
            "Shift (prior sd)",
        ],
        "rows": input_rows,
        "note": "Sorted by the size of the shift of the mean, in prior standard deviations.",
    }
    return [head, fact_table, input_table]


def backtest_tables(folder: Folder) -> list[Mapping]:
    """Each question's forecast and scores, the references' and the means."""
    info = folder.info
    questions = [q for q in info.get("questions") or [] if isinstance(q, Mapping)]
    names = sorted({n for q in questions for n in (q.get("reference") or {})})
    rows = []
    for q in questions:
        refs = q.get("reference") or {}
        cells = [
            [str(q.get("name"))],
            [str(q.get("asked"))],
            [str(q.get("ceasefire_by", ""))],
            [_share(q.get("p"))],
            [f"{int(q.get('kept') or 0):,}"],
            ["yes" if q.get("outcome") else "no"],
            [_num(q.get("brier"))],
            [_num(q.get("log"))],
        ]
        for n in names:
            r = refs.get(n) or {}
            cells.append([f"{_share(r.get('p'))} ({_num(r.get('brier'))})" if r else "-"])
        rows.append(cells)
    means = info.get("reference_brier") or {}
    mean_row = [
        ["Mean"],
        [""],
        [""],
        [""],
        [""],
        [""],
        [_num(info.get("brier"))],
        [_num(info.get("log"))],
    ]
    mean_row += [[_num(means.get(n))] for n in names]
    rows.append(mean_row)
    return [
        {
            "caption": "Forecasts and their scores",
            "head": [
                "Question",
                "Asked",
                "Ceasefire by",
                "Model P",
                "Worlds kept",
                "Outcome",
                "Brier",
                "Log score",
                *(f"{n}: P (Brier)" for n in names),
            ],
            "rows": rows,
            "note": "Brier score: (p - outcome)^2, lower is better (0.25 for always 50%). "
            "Log score: -ln of the probability given to what happened, lower is better. "
            "The model's probability is among the worlds consistent with the facts dated "
            "before the question was asked.",
        }
    ]
