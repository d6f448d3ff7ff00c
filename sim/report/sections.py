"""The sections of a report, as plain data for the template: the question, the headline
numbers, the figures, what was compared, the assumptions, the warnings and how to
reproduce it.

Every section is built from a :class:`~sim.report.folder.Folder` alone, so ``ceasefire
report DIR`` rebuilds the same page the command wrote.  Text from files is passed on as it
is; the template escapes all of it.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import outcomes
from . import truth
from .assumptions import commented_fields, find_seeds_readme, header_comments, source_rows
from .folder import Folder
from .record import backtest_tables, calibrate_tables

FEW_RUNS = 1000
"""Fewer runs than this earn a warning: a share's 95% interval is wider than ±3 points."""

CAPTIONS = {
    ("run", "summary.png"): "The run on one slide: the chance of a first ceasefire by each "
    "week with its 95% band (left), and how the runs stand at the horizon, each state in its "
    "colour (right); the title gives the bottom line.",
    ("run", "ceasefire_by_week.png"): "The probability that a first ceasefire has come by each "
    "week, with a 95% band (a step, as the curve). The diamond at the horizon is the share of "
    "runs in which a ceasefire is holding then.",
    ("run", "outcomes.png"): "How the runs stand week by week: at war, in a ceasefire, at war "
    "again after a collapse, or won; each state has the same colour in every figure.",
    ("run", "terms.png"): "The agreed terms on each issue, over the runs that reached a "
    "ceasefire. An issue on which (almost) every ceasefire agreed one value is stated in "
    "words; one whose terms span a narrow range is drawn on a zoomed axis, its range named "
    "under it. The dashed line marks the status quo (for the battlefield issue, the front at "
    "week 0); where the scenario gives an issue's area, the top axis is in km².",
    ("run", "control_fan.png"): "Russia's territorial control by week: the median, the band "
    "holding the middle 50% of runs and the band holding 90%.",
    ("run", "blockers.png"): "Who blocked the talks. Top: how each run's last package fared "
    "(accepted, or blocked by a veto player). Bottom: every package rejected along the way, "
    "by the veto player that blocked it.",
    ("compare", "summary.png"): "The comparison on one slide: each arm's difference from the "
    "reference in the chance of a first ceasefire by the horizon, with its paired 95% "
    "interval; the title gives the bottom line.",
    ("compare", "ceasefire_by_week.png"): "P(first ceasefire by week) for every arm; the "
    "reference is the thick black line.",
    ("compare", "differences.png"): "Each arm's difference from the reference, one panel per "
    "unit, with its paired 95% interval. A filled marker means the interval excludes 0, a "
    "hollow one that it includes 0. Victories and collapses wear their states' colours, as "
    "in the run's figures. Further pages (differences-2, ...) hold the other panels.",
    ("compare", "terms.png"): "The agreed terms per issue, arm by arm: box = middle 50% of the "
    "runs with a ceasefire, line = median, whiskers = 1.5 IQR.",
    ("sweep", "sweep.png"): "The headline outcomes across the grid, with 95% bands (one "
    "parameter; the median week as points with intervals, since it moves in steps of the "
    "talks' rhythm; shares that are 0 at every point are named in the key) or as heat maps "
    "(two).",
    ("sensitivity", "sensitivity.png"): "The sensitivity indices of each uncertain input, one "
    "panel per outcome, with 95% error bars (Sobol bars cut at 0 and 1). Outcomes that did "
    "not vary are named under the panels; a title that gives ΣST above 2 marks an outcome "
    "whose variance is mostly noise between replicates. Further pages hold more outcomes.",
    ("discover", "peeling.png"): "The peeling trajectory: coverage against density for every "
    "box, the chosen box marked.",
    ("discover", "box.png"): "Each restricted input's range in the box, within its range in "
    "the runs. Pale hatched bars are restrictions with a quasi-p of 0.05 or more: they could "
    "be chance, not drivers.",
    ("calibrate", "posterior.png"): "The uncertain inputs that moved most: their prior (grey) "
    "and their distribution among the worlds consistent with the record (blue).",
    ("backtest", "reliability.png"): "Forecast probability against how often the event "
    "happened, in bins; on the diagonal a forecaster is perfectly reliable.",
    ("deal", "deal.png"): "Each veto player's probability of accepting the deal, and of all "
    "accepting, by the week it is tabled, with 95% intervals.",
}

QUESTIONS = {
    "run": "How likely is a ceasefire, when would it come, on what terms, would it hold, and "
    "who blocks it?",
    "compare": "What difference does each policy (or scenario) make, compared with the "
    "reference, on the same replicates?",
    "deal": "If this package were tabled in a given week, who would accept it, and would the "
    "ceasefire hold?",
    "sweep": "How do the outcomes change as the varied parameters change?",
    "sensitivity": "Which uncertain assumptions decide the outcome?",
    "discover": "In which part of the space of assumptions does the outcome become likely?",
    "calibrate": "Which of the model's worlds are consistent with what has happened, and what "
    "do they say about its uncertain inputs?",
    "backtest": "How good would the model's forecasts have been, against what happened and "
    "against other forecasters?",
}

TITLES = {
    "run": "Scenario run",
    "compare": "Policy comparison",
    "deal": "A tabled deal",
    "sweep": "Parameter sweep",
    "sensitivity": "Sensitivity analysis",
    "discover": "Scenario discovery",
    "calibrate": "Calibration on the record",
    "backtest": "Backtest on the record",
}


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
def _finite(value: object) -> bool:
    return isinstance(value, int | float | np.number) and math.isfinite(float(value))


def pct(value: object) -> str:
    return f"{float(value):.1%}" if _finite(value) else "-"


def num(value: object, digits: int = 3) -> str:
    if not _finite(value):
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


def _label(key: str, horizon: object, labels: Mapping[str, str]) -> str:
    outcome = outcomes.headline_outcome(key)
    if outcome is not None:
        return outcome.title(horizon if horizon is not None else "H")
    label = labels.get(key)
    if label:
        return label.replace("{horizon}", str(horizon))
    return humanize(key)


def _fmt(key: str, value: object, share: bool) -> str:
    outcome = outcomes.headline_outcome(key)
    if outcome is not None and _finite(value):
        return outcome.format(float(value))
    return pct(value) if share else num(value)


def _is_share(key: str, values: list[object], block: str = "") -> bool:
    finite = [float(v) for v in values if _finite(v)]
    if not finite or not all(0.0 <= v <= 1.0 for v in finite):
        return False
    hints = ("p_", "share", "prob")
    return str(key).startswith(hints) or any(h in block for h in ("share", "blocker", "outcome"))


def horizon_of(folder: Folder) -> object:
    """The horizon in weeks, wherever the folder records it (or the scenario says)."""
    for info in (folder.info, folder.run_info or {}):
        if _finite(info.get("horizon_weeks")):
            return int(info["horizon_weeks"])
    arms = folder.info.get("arms")
    if isinstance(arms, dict):
        weeks = [a.get("horizon_weeks") for a in arms.values() if isinstance(a, dict)]
        weeks = [w for w in weeks if _finite(w)]
        if weeks:
            return int(min(weeks))
    horizon = folder.scenario_doc.get("horizon")
    return int(horizon) if _finite(horizon) else None


def _drop_empty_columns(table: Table) -> Table:
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


# --------------------------------------------------------------------------- headline: run
def run_headline(summary: Mapping, labels: Mapping[str, str]) -> list[Table]:
    """The headline numbers of ``summary.json``: every number with its interval, whatever
    keys the file has (known keys get their registry label, unknown ones a derived one)."""
    horizon = summary.get("horizon_weeks")
    rows = []
    if _finite(summary.get("runs")):
        rows.append([["Runs"], [f"{int(summary['runs']):,}"], [""]])
    if _finite(horizon):
        rows.append([["Horizon"], [f"{int(horizon)} weeks"], [""]])
    tables: list[Table] = []
    blocks: list[tuple[str, Mapping]] = []
    for key, value in summary.items():
        if key in ("runs", "horizon_weeks") or _interval_key(key, summary):
            continue
        if isinstance(value, Mapping):
            blocks.append((key, value))
            continue
        if isinstance(value, list | str | bool) or (value is not None and not _finite(value)):
            continue
        lo, hi = summary.get(f"{key}_lo"), summary.get(f"{key}_hi")
        share = _is_share(key, [value, lo, hi])
        interval = f"{_fmt(key, lo, share)} – {_fmt(key, hi, share)}" if lo is not None else ""
        rows.append([[_label(key, horizon, labels)], [_fmt(key, value, share)], [interval]])
    tables.append(Table("Headline outcomes", ["Outcome", "Estimate", "95% interval"], rows))
    for key, block in blocks:
        table = _block(key, block, horizon, labels)
        if table is not None:
            tables.append(table)
    return tables


def _interval_key(key: str, mapping: Mapping) -> bool:
    return key.endswith(("_lo", "_hi")) and key[:-3] in mapping


_QUANTILE_HEAD = {"q05": "5%", "q25": "25%", "q50": "median", "q75": "75%", "q95": "95%"}


def _block(key: str, block: Mapping, horizon: object, labels: Mapping[str, str]) -> Table | None:
    """A nested block of ``summary.json`` as a table: quantiles per issue, shares with or
    without intervals, or any mapping of numbers."""
    title = _label(key, horizon, labels)
    if key == "terms":
        title = "Agreed terms (0-1 scale, over the runs that reached a ceasefire)"
    elif key == "final_control_quantiles":
        title = "Russia's final control (quantiles over runs)"
    elif key == "blockers":
        title = "Who blocked the last package (share of all runs)"
    if block and all(k in _QUANTILE_HEAD for k in block):  # one set of quantiles
        block = {"over all runs": block}
    values = list(block.values())
    if values and all(v is None or isinstance(v, Mapping) for v in values):
        quantiles = [v for v in values if v]
        if quantiles and all(set(v) <= set(_QUANTILE_HEAD) for v in quantiles):
            cols = [q for q in _QUANTILE_HEAD if any(q in v for v in quantiles)]
            rows = [
                [[str(name)], *([num(v.get(q))] if v else ["-"] for q in cols)]
                for name, v in block.items()
            ]
            return Table(title, ["", *(_QUANTILE_HEAD[q] for q in cols)], rows)
        rows = []
        for name, sub in block.items():
            rows.extend(_flat_rows(labels.get(str(name), str(name)), sub or {}, key))
        return Table(title, ["", "Estimate", "95% interval"], rows) if rows else None
    block = {labels.get(str(k), str(k)): v for k, v in block.items()}  # e.g. "accident"
    rows = _flat_rows("", block, key)
    return Table(title, ["", "Estimate", "95% interval"], rows) if rows else None


def _flat_rows(prefix: str, block: Mapping, parent: str) -> list[list[list[str]]]:
    """Rows of a mapping of numbers: ``x`` with ``x_lo``/``x_hi`` siblings, or a mapping
    with ``lo`` and ``hi`` and one estimate, shown with its interval; deeper mappings
    flattened with ``›``."""
    rows = []
    numbers = [v for v in block.values() if _finite(v)]
    share_block = _is_share("", numbers, parent) or (
        numbers and all(0 <= float(v) <= 1 for v in numbers) and "p_" in parent
    )
    if {"lo", "hi"} <= set(block) and len(block) >= 3:
        est_key = next((k for k in block if k not in ("lo", "hi")), None)
        value, lo, hi = block.get(est_key), block["lo"], block["hi"]
        share = _is_share(str(est_key), [value, lo, hi], parent) or share_block
        f = pct if share else num
        return [[[prefix or humanize(str(est_key))], [f(value)], [f"{f(lo)} – {f(hi)}"]]]
    for name, value in block.items():
        name = str(name)
        label = f"{prefix} › {humanize(name)}" if prefix else humanize(name)
        if _interval_key(name, block):
            continue
        if isinstance(value, Mapping):
            rows.extend(_flat_rows(label, value, parent))
        elif _finite(value) or value is None:
            lo, hi = block.get(f"{name}_lo"), block.get(f"{name}_hi")
            f = pct if share_block or _is_share(name, [value, lo, hi], parent) else num
            rows.append([[label], [f(value)], [f"{f(lo)} – {f(hi)}" if lo is not None else ""]])
    return rows


# --------------------------------------------------------------------------- tables of commands
def _cell(row: pd.Series, key: str, share: bool, diff: bool = False) -> list[str]:
    k = f"{key}_diff" if diff else key
    value = row.get(k)
    if not _finite(value):
        return ["-"]
    lo, hi = row.get(f"{k}_lo"), row.get(f"{k}_hi")
    if share:
        f = (lambda x: f"{float(x) * 100:+.1f} pp" if _finite(x) else "-") if diff else pct
    elif diff and key == "final_control":  # as the differences figure: points of territory
        f = lambda x: f"{float(x) * 100:+.2f} pts" if _finite(x) else "-"  # noqa: E731
    else:
        f = (lambda x: f"{float(x):+.3g}" if _finite(x) else "-") if diff else num
    if lo is None and hi is None:
        return [f(value)]
    return [f(value), f"[{f(lo)}, {f(hi)}]"]


def _metrics(folder: Folder, columns: list[str]) -> list[dict]:
    declared = folder.info.get("metrics")
    if isinstance(declared, list) and all(isinstance(m, dict) and "key" in m for m in declared):
        return [m for m in declared if m["key"] in columns]
    keys = [c for c in columns if f"{c}_lo" in columns and f"{c}_hi" in columns]
    return [{"key": k, "label": humanize(k), "kind": ""} for k in keys]


def _chunks(items: list, size: int = 3) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


PER_TABLE = 3
"""Outcomes per table in ``compare`` and ``sweep``: one row per arm or grid point and at
most this many outcome columns, so that a table fits the page's width."""


def compare_tables(folder: Folder) -> list[Table]:
    table = folder.table
    if table is None or "arm" not in table:
        return []
    metrics = _metrics(folder, list(table.columns))
    reference = table["reference"].astype(bool).tolist() if "reference" in table else []
    arms = [
        f"{a} (reference)" if reference and reference[i] else str(a)
        for i, a in enumerate(table["arm"])
    ]
    share = {
        m["key"]: m.get("kind") == "proportion"
        or (not m.get("kind") and _is_share(m["key"], table[m["key"]].tolist()))
        for m in metrics
    }
    runs = int(table["runs"].iloc[0]) if "runs" in table else None
    out = []
    terms = [m for m in metrics if m["key"].startswith("terms_")]
    rest = [m for m in metrics if m not in terms]
    groups = [g for g in (*_chunks(rest, PER_TABLE), *_chunks(terms, PER_TABLE + 1)) if g]
    for n, group in enumerate(groups, start=1):
        part = f" ({n} of {len(groups)})" if len(groups) > 1 else ""
        rows = [
            [[arms[i]], *(_cell(r, m["key"], share[m["key"]]) for m in group)]
            for i, (_, r) in enumerate(table.iterrows())
        ]
        out.append(
            Table(
                f"Outcomes by arm{part}",
                ["Arm", *(m["label"] for m in group)],
                rows,
                note=(f"{runs:,} runs per arm. " if runs else "")
                + "Brackets: 95% intervals (bootstrap; Wilson where a share is 0 or 1).",
            )
        )
    for n, group in enumerate(groups, start=1):
        group = [m for m in group if f"{m['key']}_diff" in table]
        if not group:
            continue
        part = f" ({n} of {len(groups)})" if len(groups) > 1 else ""
        rows = [
            [[arms[i]], *(_cell(r, m["key"], share[m["key"]], diff=True) for m in group)]
            for i, (_, r) in enumerate(table.iterrows())
            if not (reference and reference[i])
        ]
        out.append(
            Table(
                f"Difference from the reference{part}",
                ["Arm", *(m["label"] for m in group)],
                rows,
                note=(
                    "Arm minus reference, with paired 95% intervals (common random numbers). "
                    if folder.info.get("paired", True)
                    else "Arm minus reference, with unpaired 95% intervals (the folders hold "
                    "separate runs). "
                )
                + "pp = percentage points; Russia's final control in points of the "
                "territory in dispute (0-1 scale x 100), as in the differences figure.",
            )
        )
    return out


def deal_tables(folder: Folder) -> list[Table]:
    table = folder.table
    if table is None or "week" not in table:
        return []
    vetoes = folder.info.get("vetoes")
    if not isinstance(vetoes, list):
        vetoes = [c.removeprefix("p_accept_") for c in table if _accept_column(c)]
    horizon = folder.info.get("horizon_weeks", "the horizon")
    head = ["Week tabled", *(f"{v} accepts" for v in vetoes), "All accept"]
    head += [f"Blocked by {v}" for v in vetoes] + [f"Holds to week {horizon} (if all accept)"]
    rows = []
    for _, r in table.iterrows():
        cells = [[str(int(r["week"])) if _finite(r["week"]) else "-"]]
        cells += [_cell(r, f"p_accept_{v}", True) for v in vetoes]
        cells.append(_cell(r, "p_all_accept", True))
        cells += [[pct(r.get(f"blocker_{v}"))] for v in vetoes]
        cells.append(_cell(r, "p_held", True) if _finite(r.get("p_held")) else ["no ceasefire"])
        rows.append(cells)
    runs = int(table["runs"].iloc[0]) if "runs" in table else None
    return [
        Table(
            "Acceptance by the week the deal is tabled",
            head,
            rows,
            note=(f"{runs:,} runs per week. " if runs else "")
            + "95% Wilson intervals in brackets. Blocker shares are of all runs; 'holds' is "
            "among the runs where all accept.",
        )
    ]


def _accept_column(column: str) -> bool:
    return column.startswith("p_accept_") and not column.endswith(("_lo", "_hi"))


def sweep_tables(folder: Folder) -> list[Table]:
    table = folder.table
    if table is None:
        return []
    vary = [
        str(v).split("=")[0] for v in folder.info.get("vary") or [] if str(v).split("=")[0] in table
    ]
    horizon = horizon_of(folder)
    shown = [c for c in table if f"{c}_lo" in table and f"{c}_hi" in table and c not in vary]
    runs = folder.info.get("runs")
    note = (f"{int(runs):,} runs per grid point. " if _finite(runs) else "") + (
        "Brackets: 95% intervals."
    )
    groups = _chunks(shown, PER_TABLE)
    out = []
    for n, group in enumerate(groups, start=1):
        rows = []
        for _, r in table.iterrows():
            cells = [[num(r[p], 4)] for p in vary]
            for c in group:
                outcome = outcomes.headline_outcome(c)
                share = outcome.kind == "proportion" if outcome else _is_share(c, [r[c]])
                cells.append(_cell(r, c, share))
            rows.append(cells)
        part = f" ({n} of {len(groups)})" if len(groups) > 1 else ""
        head = [*vary, *(_label(c, horizon, {}) for c in group)]
        out.append(Table(f"Outcomes over the grid{part}", head, rows, note=note))
    return out


def sensitivity_tables(folder: Folder, top: int = 5) -> list[Table]:
    table = folder.table
    if table is None or "outcome" not in table or "input" not in table:
        return []
    pairs = [(c, f"{c}_conf") for c in ("S1", "ST", "mu_star", "sigma") if c in table]
    out = []
    for name, rows in table.groupby("outcome", sort=False):
        cells = []
        for _, r in rows.head(top).iterrows():
            line = [[str(r["input"])]]
            for a, b in pairs:
                conf = r.get(b) if b in table else None
                line.append([num(r[a]), f"± {num(conf, 2)}"] if _finite(conf) else [num(r[a])])
            cells.append(line)
        label = _label(str(name), horizon_of(folder), {})
        out.append(
            Table(
                f"{label}: the {top} most influential inputs",
                ["Input", *(a for a, _ in pairs)],
                cells,
                note="± the 95% confidence half-width of each index.",
            )
        )
    return out


def discover_tables(folder: Folder) -> list[Table]:
    table = folder.table
    if table is None or "input" not in table:
        return []
    first = table.iloc[0] if len(table) else {}
    restricted = table[table["restricted"].astype(bool)] if "restricted" in table else table
    rows = [
        [
            [str(r["input"])],
            [num(r.get("lower"), 4)],
            [num(r.get("upper"), 4)],
            [f"{num(r.get('data_min'), 4)} – {num(r.get('data_max'), 4)}"],
            [num(r.get("quasi_p"), 2) + (" (weak)" if _weak(r.get("quasi_p")) else "")],
        ]
        for _, r in restricted.iterrows()
    ] or [[["(no input restricted)"], [""], [""], [""], [""]]]
    note = ", ".join(
        f"{k} {pct(first.get(k))}" for k in ("coverage", "density", "mass") if k in table
    )
    return [
        Table(
            f"The box for '{folder.info.get('outcome', '?')}'",
            ["Input", "Box from", "to", "Range in the runs", "Quasi-p"],
            rows,
            note=((note[:1].upper() + note[1:] + ". ") if note else "")
            + "Quasi-p: how likely a restriction this strong arises by chance; at 0.05 or "
            "above (weak) the input is not a driver the box can vouch for.",
        )
    ]


def _record_tables(folder: Folder) -> list[Table]:
    made = (calibrate_tables if folder.kind == "calibrate" else backtest_tables)(folder)
    return [Table(t["caption"], t["head"], t["rows"], note=t.get("note", "")) for t in made]


def _weak(quasi_p: object) -> bool:
    return _finite(quasi_p) and float(quasi_p) >= 0.05


HEADLINE_TABLES = {
    "calibrate": _record_tables,
    "backtest": _record_tables,
    "compare": compare_tables,
    "deal": deal_tables,
    "sweep": sweep_tables,
    "sensitivity": sensitivity_tables,
    "discover": discover_tables,
}


# --------------------------------------------------------------------------- compared
def compared(folder: Folder) -> list[Table]:
    """What the folder compares or explores: arms, the deal, the grid, the inputs."""
    info, kind = folder.info, folder.kind
    doc = folder.scenario_doc
    if kind == "compare":
        arms = info.get("arms") if isinstance(info.get("arms"), dict) else {}
        described = {}
        if folder.table is not None and "description" in folder.table:
            described = dict(
                zip(folder.table["arm"].astype(str), folder.table["description"], strict=False)
            )
        rows = [
            [
                [str(label) + (" (reference)" if label == info.get("reference") else "")],
                [_text(described.get(str(label)))],
                [_text(a.get("source")) if isinstance(a, dict) else ""],
                [_text(a.get("policy")) or "none" if isinstance(a, dict) else ""],
                [", ".join(map(str, a.get("overrides") or [])) if isinstance(a, dict) else ""],
            ]
            for label, a in arms.items()
        ]
        return [
            Table(
                "The arms compared",
                ["Arm", "What it is", "File", "Policy", "Overrides"],
                rows,
                numeric=False,
                widths=["24%", "36%", "16%", "12%", "12%"],
            )
        ]
    if kind == "deal":
        terms = info.get("terms") if isinstance(info.get("terms"), dict) else {}
        issues = info.get("issues") if isinstance(info.get("issues"), dict) else {}
        rows = []
        for issue, value in terms.items():
            ends = issues.get(issue, {}) if isinstance(issues.get(issue), dict) else {}
            scale = f"0 = {ends.get('low', '?')}; 1 = {ends.get('high', '?')}" if ends else ""
            shown = "the line of contact that week" if value == "line" else num(value)
            rows.append([[str(issue)], [shown], [scale]])
        note = " ".join(
            s
            for s in (
                _text(info.get("description")),
                f"Sources: {_text(info.get('sources'))}." if info.get("sources") else "",
                "Issues the deal does not name stay at their status quo.",
            )
            if s
        )
        return [
            Table(
                f"The deal: {info.get('deal', '?')}",
                ["Issue", "Term", "Scale"],
                rows,
                note=note,
                numeric=False,
            )
        ]
    if kind == "sweep":
        rows = [
            [[str(v).split("=")[0]], [str(v).partition("=")[2]]] for v in info.get("vary") or []
        ]
        return [
            Table("The grid (PATH=START:STOP:COUNT)", ["Parameter", "Values"], rows, numeric=False)
        ]
    if kind == "sensitivity":
        inputs = info.get("inputs") if isinstance(info.get("inputs"), dict) else {}
        rows = [[[str(k)], [_text(v)]] for k, v in inputs.items()]
        return [
            Table(
                f"The uncertain inputs ({info.get('method', '?')}, {info.get('points', '?')} "
                f"design points x {info.get('replicates', '?')} replicates)",
                ["Input", "Distribution"],
                rows,
                numeric=False,
            )
        ]
    if kind == "discover":
        rows = [
            [[k.replace("_", " ")], [_text(info.get(k))]]
            for k in (
                "outcome",
                "results",
                "runs",
                "hits",
                "alpha",
                "min_mass",
                "min_coverage",
                "paste",
            )
            if k in info
        ]
        return [Table("What was searched", ["", ""], rows, numeric=False)]
    # run: the policy applied, and the policies the scenario defines
    policies = doc.get("policies") if isinstance(doc.get("policies"), dict) else {}
    applied = info.get("policy")
    rows = [
        [
            [str(name) + (" (applied)" if name == applied else "")],
            [_text(p.get("description")) if isinstance(p, dict) else ""],
        ]
        for name, p in policies.items()
    ]
    if not rows:
        return []
    return [
        Table(
            "Policies the scenario defines",
            ["Policy", "What it does"],
            rows,
            widths=["30%", "70%"],
            note="This run applied "
            + (f"the policy '{applied}'." if applied else "no policy (the baseline).")
            + " `ceasefire compare` runs them all against the baseline.",
            numeric=False,
        )
    ]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, default=str)
    return " ".join(str(value).split())


# --------------------------------------------------------------------------- the scenario
def scenario_lines(folder: Folder) -> list[str]:
    """The scenario in a sentence or two: name and description, policy, overrides."""
    info = folder.run_info if folder.run_info else folder.info
    doc = folder.scenario_doc
    if folder.kind == "compare":
        arms = info.get("arms") if isinstance(info.get("arms"), dict) else {}
        ref = arms.get(info.get("reference"), {})
        info = ref if isinstance(ref, dict) else {}
    name = info.get("scenario") or doc.get("name") or info.get("label") or info.get("source")
    lines = []
    description = _text(doc.get("description"))
    source = info.get("source")
    first = f"Scenario “{name or 'unknown'}”"
    if source:
        first += f" ({source})"
    lines.append(first + (f": {description}" if description else "."))
    policy = info.get("policy")
    if policy:
        policies = doc.get("policies") if isinstance(doc.get("policies"), dict) else {}
        entry = policies.get(policy)
        what = _text(entry.get("description")) if isinstance(entry, dict) else ""
        lines.append(f"Policy “{policy}” applied" + (f": {what}" if what else "."))
    elif folder.kind != "compare":
        lines.append("No policy applied (the scenario as written).")
    if folder.kind == "deal":
        terms = info.get("terms") if isinstance(info.get("terms"), dict) else {}
        described = ", ".join(
            f"{k} = {'the line of contact' if v == 'line' else num(v)}" for k, v in terms.items()
        )
        weeks = ", ".join(str(w) for w in info.get("weeks") or [])
        lines.append(
            f"The deal “{info.get('deal', '?')}”: {described or 'no terms'}"
            + (f", tabled in week {weeks}." if weeks else ".")
        )
    overrides = info.get("overrides") or []
    if overrides:
        lines.append("Overrides (--set): " + ", ".join(map(str, overrides)) + ".")
    horizon = info.get("horizon_weeks") or doc.get("horizon")
    runs = folder.info.get("runs")
    bits = []
    if _finite(runs):
        bits.append(f"{int(runs):,} runs" + (" per arm" if folder.kind == "compare" else ""))
    if _finite(horizon):
        bits.append(f"a horizon of {int(horizon)} weeks")
    if folder.info.get("seed") is not None:
        bits.append(f"seed {folder.info.get('seed')}")
    if bits:
        lines.append("Run with " + ", ".join(bits) + ".")
    return lines


def assumptions(folder: Folder, report: Report) -> None:
    """Fill in the assumptions: the header comments of the scenario file, each commented
    field with its source, and the rows of ``seeds/README.md`` that the tags name."""
    report.assumptions_note = folder.texts_note
    if not folder.texts:
        return
    items = sorted(folder.texts.items(), key=lambda kv: kv[0] != folder.source)
    tags: set[str] = set()
    for name, text in items:
        if name == (folder.source or items[0][0]):
            report.header_notes = header_comments(text)
        fields = commented_fields(text)
        tags |= {t for f in fields for t in f.tags}
        rows = [[[f.path or "(item)"], [f.value], [f.comment]] for f in fields]
        if rows:
            report.assumptions.append(
                Table(
                    f"{name}: each commented field and its source",
                    ["Field", "Value", "Source or reason (the file's comment)"],
                    rows,
                    numeric=False,
                    widths=["34%", "18%", "48%"],
                )
            )
    bases = [Path.cwd()]
    recorded = (folder.run_info or folder.info).get("working_directory")
    if isinstance(recorded, str):
        bases.insert(0, Path(recorded))
    readme = find_seeds_readme(list(folder.texts), bases)
    if readme is None:
        return
    from ..errors import ScenarioError
    from ..scenario import read_text  # a regular file of at most 1 MB: never a FIFO wait

    try:
        text = read_text(readme)
    except ScenarioError:
        return
    report.seeds_readme_path = _shown_path(readme, bases)
    found = source_rows(text, tags)
    rows = [[[f"[{tag}]"], ["; ".join(found[tag])]] for tag in sorted(found)]
    if rows:
        report.assumptions.append(
            Table(
                "The sources the tags name (from seeds/README.md)",
                ["Tag", "Source, figure used, parameter, status"],
                rows,
                numeric=False,
                widths=["16%", "84%"],
            )
        )


def _shown_path(path: Path, bases: list[Path]) -> str:
    """``path`` relative to the folder the command ran in (never the author's absolute
    path: the page is mailed); the last two parts when it lies elsewhere."""
    for base in bases:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return "/".join(path.parts[-2:])


# --------------------------------------------------------------------------- warnings
def warnings(folder: Folder) -> list[str]:
    out: list[str] = []
    for name, data in folder.json_files.items():
        listed = data.get("warnings")
        if isinstance(listed, list):
            out += [f"{_text(w)} ({name})" for w in listed]
        elif isinstance(listed, str) and listed:
            out.append(f"{listed} ({name})")
    out += folder.problems
    runs = folder.info.get("runs")
    if folder.kind in ("run", "compare", "deal", "sweep") and _finite(runs) and runs < FEW_RUNS:
        half = 0.98 / math.sqrt(runs) * 100
        each = {"compare": " per arm", "deal": " per week", "sweep": " per grid point"}
        out.append(
            f"Only {int(runs):,} runs{each.get(folder.kind, '')}: a share's 95% interval is up to ±{half:.0f} percentage points wide. "
            "Use --runs 1000 or more to brief from."
        )
    if not folder.figures and not folder.info.get("figures_omitted"):
        out.append("The folder has no figures (made with --no-plots?).")
    if folder.kind == "sensitivity" and folder.table is not None:
        wide, total = 0, 0
        for a in ("S1", "ST", "mu_star"):
            if a in folder.table and f"{a}_conf" in folder.table:
                value = folder.table[a].to_numpy(dtype=float)
                conf = folder.table[f"{a}_conf"].to_numpy(dtype=float)
                ok = np.isfinite(value) & np.isfinite(conf)
                total += int(ok.sum())
                wide += int((conf[ok] >= np.maximum(np.abs(value[ok]), 0.05)).sum())
        if wide:
            out.append(
                f"{wide} of {total} sensitivity indices have a 95% interval as wide as the "
                "index itself: their ranking is not reliable. Use more --samples or "
                "--replicates."
            )
    if folder.kind == "sensitivity" and folder.table is not None and "ST" in folder.table:
        sums = folder.table.assign(ST=folder.table["ST"].clip(lower=0)).groupby("outcome")["ST"]
        noisy = [str(k) for k, v in sums.sum().items() if v > 2.0]
        if noisy:
            out.append(
                f"For {', '.join(noisy)} the total indices sum above 2: the outcome's variance "
                "is mostly noise between a design point's replicates (or interactions this "
                "design cannot resolve), so every input looks influential. Use more "
                "--replicates."
            )
    if folder.kind == "deal" and folder.table is not None and "p_all_accept" in folder.table:
        never = [
            int(w)
            for w, p in zip(folder.table["week"], folder.table["p_all_accept"], strict=False)
            if _finite(p) and p == 0
        ]
        if never:
            weeks = ", ".join(map(str, never))
            out.append(f"In week {weeks} no run accepted the deal: whether it holds is unknown.")
    if folder.kind == "calibrate":
        # a held-out fact the kept worlds find improbable is a finding about the model
        for fact in folder.info.get("facts_table") or []:
            if isinstance(fact, Mapping) and fact.get("flagged"):
                share = fact.get("posterior")
                shown = f"{float(share):.0%}" if _finite(share) else "none"
                out.append(
                    f"Held-out fact {_text(fact.get('name'))} ({_text(fact.get('date'))}) holds "
                    f"in {shown} of the worlds consistent with the facts used: the model finds "
                    "what happened improbable (docs/record.md, 'Calibration: the method and its assumptions')."
                )
    if folder.kind == "discover":
        hits = folder.info.get("hits")
        if _finite(hits) and hits < 30:
            out.append(f"Only {int(hits)} runs meet the outcome: the box rests on few cases.")
    if not folder.texts:
        out.append(f"The scenario's assumptions are not shown: {folder.texts_note}.")
    if not (folder.run_info or folder.info).get("command"):
        out.append(
            "The command line was not recorded (a folder made from Python, or by an older "
            "version): the command under 'Reproduce' is rebuilt from the manifest."
        )
    return out


# --------------------------------------------------------------------------- reproduce
def rebuilt_command(folder: Folder) -> str:
    """An equivalent command line, from what the manifest records."""
    import shlex

    info, kind = folder.info, folder.kind
    args: list[str] = ["ceasefire", kind]
    if kind == "compare":
        arms = info.get("arms") if isinstance(info.get("arms"), dict) else {}
        sources = list(dict.fromkeys(a.get("source") for a in arms.values() if isinstance(a, dict)))
        policies = [
            a.get("policy") for a in arms.values() if isinstance(a, dict) and a.get("policy")
        ]
        args += [str(s) for s in sources if s]
        if len(sources) == 1 and policies:
            args += ["--policies", ",".join(policies)]
        overrides = next(iter(arms.values()), {}).get("overrides") if arms else []
    elif kind == "discover":
        args += [str(info.get("results", "RESULTS")), "--outcome", str(info.get("outcome", ""))]
        for k in ("alpha", "min_mass", "min_coverage"):
            if k in info:
                args += [f"--{k.replace('_', '-')}", str(info[k])]
        if info.get("paste"):
            args.append("--paste")
        return shlex.join(args)
    else:
        args.append(str(info.get("source", "SCENARIO")))
        overrides = info.get("overrides") or []
        if info.get("policy"):
            args += ["--policy", str(info["policy"])]
    if kind == "deal":
        if info.get("deal") == "custom":
            terms = info.get("terms") or {}
            args += ["--terms", ",".join(f"{k}={v}" for k, v in terms.items())]
        else:
            args += ["--deal", str(info.get("deal"))]
        args += ["--weeks", ",".join(str(w) for w in info.get("weeks") or [])]
    if kind == "sweep":
        for v in info.get("vary") or []:
            args += ["--vary", str(v)]
    if kind == "sensitivity":
        args += [
            "--method",
            str(info.get("method", "sobol")),
            "--replicates",
            str(info.get("replicates", 4)),
        ]
    if kind in ("run", "compare", "deal", "sweep") and _finite(info.get("runs")):
        args += ["--runs", str(int(info["runs"]))]
    if info.get("seed") is not None:
        args += ["--seed", str(info["seed"])]
    for o in overrides or []:
        args += ["--set", str(o)]
    return shlex.join(args)


def reproduce(folder: Folder, report: Report) -> None:
    info = folder.info
    recorded = info.get("command")
    if isinstance(recorded, str) and recorded:
        report.command = recorded
        where = info.get("working_directory")
        # the folder's name only: the page is mailed, the author's absolute path is not
        report.command_note = "The command that made this folder" + (
            f", run in the project folder ({Path(where).name or where})."
            if isinstance(where, str)
            else "."
        )
    else:
        report.command = rebuilt_command(folder)
        report.command_note = (
            "The command line was not recorded; this equivalent one is rebuilt from the "
            "manifest (run it from the folder the scenario path is relative to)."
        )
    pairs = [
        ("Seed", info.get("seed")),
        ("Scenario SHA-256", info.get("scenario_sha256")),
        ("Bootstrap resamples", info.get("bootstrap_resamples")),
        ("Created", info.get("created")),
    ]
    timings = info.get("timings") if isinstance(info.get("timings"), dict) else {}
    wall = timings.get("wall_seconds", info.get("wall_seconds"))
    if _finite(wall):
        pairs.append(("Wall time", f"{float(wall):.1f} s"))
    report.reproduce = [(k, _text(v)) for k, v in pairs if v is not None and v != ""]
    versions = info.get("versions") if isinstance(info.get("versions"), dict) else {}
    report.versions = [(str(k), _text(v)) for k, v in versions.items()]


# --------------------------------------------------------------------------- figures
READING_ORDER = {
    "run": ("summary", "ceasefire_by_week", "outcomes", "terms", "control_fan", "blockers"),
    "compare": ("summary", "ceasefire_by_week", "differences", "outcomes", "terms"),
    "sweep": ("summary", "sweep"),
    "sensitivity": ("summary", "sensitivity"),
    "discover": ("summary", "box", "peeling"),
    "deal": ("summary", "deal"),
}
"""The order a briefing reads each kind's figures in (by file stem; a page of a split
figure, ``differences-2``, follows its first page; figures not named here come last, in
name order)."""


def reading_order(kind: str, path: Path) -> tuple[int, str, int, str]:
    """The sort key of a figure file in its report."""
    order = READING_ORDER.get(kind, ())
    stem, _, page = path.stem.rpartition("-")
    if not (stem and page.isdigit()):
        stem, page = path.stem, "1"
    rank = order.index(stem) if stem in order else len(order)
    return (rank, stem, int(page), path.as_posix())


def figures(folder: Folder) -> list[Figure]:
    out = []
    for path in sorted(folder.figures, key=lambda p: reading_order(folder.kind, p)):
        try:
            data = folder.image(path)  # read and checked once, by sim.report.folder
        except OSError:
            continue
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            continue  # not a PNG: nothing a browser would show
        stem = reading_order(folder.kind, path)[1]
        caption = (
            CAPTIONS.get((folder.kind, path.name))
            or CAPTIONS.get((folder.kind, f"{stem}.png"))
            or humanize(path.stem) + "."
        )
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        out.append(Figure(str(path.relative_to(folder.path)), caption, uri))
    return out


# --------------------------------------------------------------------------- all together
def build(folder: Folder, name: str | None = None) -> Report:
    """Every section of the report on ``folder`` (``name``: the folder's final name, when
    it is being written under a temporary one)."""
    kind = folder.kind
    info = folder.info
    label = info.get("label") or info.get("scenario") or (folder.run_info or {}).get("label")
    if not label and folder.scenario_doc.get("name"):
        label = str(folder.scenario_doc["name"]) + (
            f"+{info['policy']}" if info.get("policy") else ""
        )
    if kind == "compare":
        label = info.get("reference") or label
    if kind == "deal":
        label = f"{info.get('deal', '?')} on {info.get('label', '?')}"
    title = TITLES.get(kind, f"Results ({kind})") + (f": {label}" if label else "")
    question = QUESTIONS.get(kind, "")
    vary = [str(v).split("=")[0] for v in info.get("vary") or []] if kind == "sweep" else []
    if vary:
        verb = "changes" if len(vary) == 1 else "change"
        question = f"How do the outcomes change as {' and '.join(vary)} {verb}?"
    if kind == "discover" and info.get("outcome"):
        question = (
            f"In which part of the space of assumptions does “{info['outcome']}” become likely?"
        )
    report = Report(
        title=title,
        folder=name or folder.path.name,
        kind=kind,
        created=_text(info.get("created")),
        question=question,
    )
    report.scenario = scenario_lines(folder)
    if kind == "run" and folder.summary is not None:
        report.headline = run_headline(folder.summary, registry_labels())
    elif kind in HEADLINE_TABLES:
        report.headline = HEADLINE_TABLES[kind](folder)
    report.figures = figures(folder)
    report.compared = compared(folder)
    assumptions(folder, report)
    report.bottom_line = truth.bottom_line(folder)
    report.limitations = truth.folder_limitations(folder)
    report.checked_rows = (
        truth.checked_rows(horizon_of(folder)) if kind in ("run", "compare") else []
    )
    report.warnings = warnings(folder)
    reproduce(folder, report)
    for table in (*report.headline, *report.compared, *report.assumptions):
        _drop_empty_columns(table)
    return report
