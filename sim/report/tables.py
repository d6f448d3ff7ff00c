"""The headline tables of the analysis folders, one function per kind: the arms of a
comparison, the weeks of a deal, the points of a sweep, the inputs of a sensitivity
analysis, the box of a discovery, and the record's tables (calibrate, backtest).

Each takes a :class:`~sim.report.folder.Folder` and returns its tables; the kind's entry
in :mod:`sim.report.kinds` names which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import outcomes
from .page import (
    PER_TABLE,
    Table,
    cell,
    chunks,
    finite,
    horizon_of,
    humanize,
    is_share,
    label_of,
    num,
    pct,
)
from .record import backtest_tables, calibrate_tables

if TYPE_CHECKING:
    from .folder import Folder


def _metrics(folder: Folder, columns: list[str]) -> list[dict]:
    declared = folder.info.get("metrics")
    if isinstance(declared, list) and all(isinstance(m, dict) and "key" in m for m in declared):
        return [m for m in declared if m["key"] in columns]
    keys = [c for c in columns if f"{c}_lo" in columns and f"{c}_hi" in columns]
    return [{"key": k, "label": humanize(k), "kind": ""} for k in keys]


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
        or (not m.get("kind") and is_share(m["key"], table[m["key"]].tolist()))
        for m in metrics
    }
    runs = int(table["runs"].iloc[0]) if "runs" in table else None
    out = []
    terms = [m for m in metrics if m["key"].startswith("terms_")]
    rest = [m for m in metrics if m not in terms]
    groups = [g for g in (*chunks(rest, PER_TABLE), *chunks(terms, PER_TABLE + 1)) if g]
    for n, group in enumerate(groups, start=1):
        part = f" ({n} of {len(groups)})" if len(groups) > 1 else ""
        rows = [
            [[arms[i]], *(cell(r, m["key"], share[m["key"]]) for m in group)]
            for i, (_, r) in enumerate(table.iterrows())
        ]
        out.append(
            Table(
                f"Outcomes by arm{part}",
                ["Arm", *(m["label"] for m in group)],
                rows,
                note=(f"{runs:,} runs per arm. " if runs else "")
                + "Brackets: 95% intervals (shares: Wilson; medians: binomial order "
                "statistics; means: Student's t).",
            )
        )
    for n, group in enumerate(groups, start=1):
        group = [m for m in group if f"{m['key']}_diff" in table]
        if not group:
            continue
        part = f" ({n} of {len(groups)})" if len(groups) > 1 else ""
        rows = [
            [[arms[i]], *(cell(r, m["key"], share[m["key"]], diff=True) for m in group)]
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
        cells = [[str(int(r["week"])) if finite(r["week"]) else "-"]]
        cells += [cell(r, f"p_accept_{v}", True) for v in vetoes]
        cells.append(cell(r, "p_all_accept", True))
        cells += [[pct(r.get(f"blocker_{v}"))] for v in vetoes]
        cells.append(cell(r, "p_held", True) if finite(r.get("p_held")) else ["no ceasefire"])
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
    note = (f"{int(runs):,} runs per grid point. " if finite(runs) else "") + (
        "Brackets: 95% intervals."
    )
    groups = chunks(shown, PER_TABLE)
    out = []
    for n, group in enumerate(groups, start=1):
        rows = []
        for _, r in table.iterrows():
            cells = [[num(r[p], 4)] for p in vary]
            for c in group:
                outcome = outcomes.headline_outcome(c)
                share = outcome.kind == "proportion" if outcome else is_share(c, [r[c]])
                cells.append(cell(r, c, share))
            rows.append(cells)
        part = f" ({n} of {len(groups)})" if len(groups) > 1 else ""
        head = [*vary, *(label_of(c, horizon, {}) for c in group)]
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
                line.append([num(r[a]), f"± {num(conf, 2)}"] if finite(conf) else [num(r[a])])
            cells.append(line)
        label = label_of(str(name), horizon_of(folder), {})
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


def calibrate_headline(folder: Folder) -> list[Table]:
    """The calibration's tables (:func:`sim.report.record.calibrate_tables`)."""
    return _as_tables(calibrate_tables(folder))


def backtest_headline(folder: Folder) -> list[Table]:
    """The backtest's tables (:func:`sim.report.record.backtest_tables`)."""
    return _as_tables(backtest_tables(folder))


def _as_tables(made: list[dict]) -> list[Table]:
    return [Table(t["caption"], t["head"], t["rows"], note=t.get("note", "")) for t in made]


def _weak(quasi_p: object) -> bool:
    return finite(quasi_p) and float(quasi_p) >= 0.05
