"""What a report says first: the bottom line of a results folder in a sentence or two, with
its interval, and the known limitations that bear on its numbers.

The limitations are the rows of the validation table (``docs/validation.md``, section 4)
that compare the model's headline numbers with published base rates.  A report checks the
folder's own numbers against each row's band: a number outside it becomes a warning that
links to the row's explanation, which the page carries in full (a mailed page has no
``docs/`` folder beside it).  The bands are the ones ``ceasefire reproduce`` asserts,
imported from :mod:`sim.validation.checks` (declared once).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .. import outcomes

MIN_ENDINGS = 20
"""A share of endings (victories, collapses) is checked only over at least this many runs
that ended: below it a single run moves the share by more than five points."""


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _pct(value: float) -> str:
    return f"{value:.1%}" if _finite(value) else "-"


# --------------------------------------------------------------------------- the bands
@dataclass(frozen=True)
class Band:
    """A validation row that bounds a headline number.

    Attributes
    ----------
    row : str
        The row's key in :data:`sim.validation.checks.CHECKS`.
    section : str
        Its number in ``docs/validation.md``.
    what : str
        The number it bounds, in words.
    claim : str
        What the band says, for the warning line.
    lo, hi : float
        The band (inclusive).
    value : callable
        ``value(numbers)``: the number the band bounds, from a mapping with the keys of
        ``summary.json`` (or of one row of a comparison table), or None when it cannot
        be computed (too few endings, a key missing).
    applies : callable
        ``applies(horizon)``: whether the band is meant for this horizon in weeks.
    why : str
        The explanation the warning links to.
    """

    row: str
    section: str
    what: str
    claim: str
    lo: float
    hi: float
    value: Callable[[Mapping], float | None]
    applies: Callable[[int | None], bool]
    why: str

    @property
    def anchor(self) -> str:
        return f"limitation-{self.row}"


def _key(name: str) -> Callable[[Mapping], float | None]:
    def value(numbers: Mapping) -> float | None:
        v = numbers.get(name)
        return float(v) if _finite(v) else None

    return value


def _share_of_endings(numbers: Mapping) -> float | None:
    # victories as the conflict-termination data count them: in the field, or by the other
    # side's capitulation (a ceasefire that still stands, so also counted in p_ceasefire)
    keys = ("p_russian_victory", "p_ukrainian_victory", "p_ceasefire")
    if not all(_finite(numbers.get(k)) for k in keys) or not _finite(numbers.get("runs")):
        return None
    in_field = numbers[keys[0]] + numbers[keys[1]]
    prevails = ("p_russia_prevails", "p_ukraine_prevails")
    won = (
        numbers[prevails[0]] + numbers[prevails[1]]
        if all(_finite(numbers.get(k)) for k in prevails)
        else in_field
    )
    ended = in_field + numbers["p_ceasefire"]
    if ended * numbers["runs"] < MIN_ENDINGS:
        return None
    return float(won / ended)


def _collapsed_ceasefires(numbers: Mapping) -> float | None:
    p, c, n = numbers.get("p_ceasefire"), numbers.get("p_collapse"), numbers.get("runs")
    if not (_finite(p) and _finite(c) and _finite(n)) or p * n < MIN_ENDINGS:
        return None
    return float(c / p)


def _two_years(horizon: int | None) -> bool:
    # the base rates behind 4.1 are argued for a two-year window (the baseline's horizon)
    return horizon is not None and 96 <= horizon <= 112


def bands() -> tuple[Band, ...]:
    """The validation rows that bound a headline number, with the bands that
    ``ceasefire reproduce`` asserts."""
    from ..validation import checks  # the bands are declared there, once

    lo, hi = checks.CEASEFIRE_BAND
    return (
        Band(
            "base_ceasefire_share",
            "4.1",
            "P(first ceasefire within two years)",
            f"a share in the band {lo:.2f}–{hi:.2f} argued from "
            "the record of interstate wars (Pillar 1983; Kreutz 2010; Fortna 2009)",
            lo,
            hi,
            _key("p_ceasefire"),
            _two_years,
            "The share of worlds that reach a ceasefire within two years lies outside the "
            "band argued from the record of interstate wars; the baseline lies inside it "
            "(docs/validation.md, section 4.1), so this scenario's assumptions move it there.",
        ),
        Band(
            "base_victories",
            "4.2",
            "The share of endings that are victories",
            f"victories end at most {checks.VICTORY_CEILING:.2f} of wars that end "
            "(Kreutz 2010: 23 victories against at least 41 peace agreements, 2000–2005)",
            0.0,
            checks.VICTORY_CEILING,
            _share_of_endings,
            lambda horizon: True,
            "More of the worlds that end, end in a victory (in the field or by the other "
            "side's capitulation) than the record of recent wars suggests: armies wear down to "
            "a fixed breaking point, so the longer the war the surer a decision (Bennett & "
            "Stam 1996 find wars not duration dependent), and a side that foresees its army "
            "breaking signs the other's terms. Kreutz's counts are "
            "secondary and cover civil wars too, so the ceiling is rough (docs/validation.md, "
            "section 4.2).",
        ),
        Band(
            "base_collapse_share",
            "4.3",
            "The share of ceasefires that collapsed",
            f"fewer than {checks.COLLAPSE_CEILING:.0%} of ceasefires collapse (Fortna 2004: "
            "'almost half' over decades of follow-up)",
            0.0,
            checks.COLLAPSE_CEILING,
            _collapsed_ceasefires,
            lambda horizon: True,
            "More ceasefires collapse within the horizon than Fortna found over decades; "
            "the durability of a deal is understated, or the scenario's world is harsher "
            "than the record (docs/validation.md, section 4.3).",
        ),
    )


@dataclass(frozen=True)
class Limitation:
    """A band one of the folder's numbers falls outside: the warning line and its
    explanation (``anchor``: the id of the explanation on the page)."""

    anchor: str
    text: str
    section: str
    why: str


def limitations(numbers: Mapping, horizon: int | None, where: str = "") -> list[Limitation]:
    """The validation bands ``numbers`` (keys of ``summary.json``) fall outside.

    Parameters
    ----------
    numbers : mapping
        ``summary.json``, or one arm's row of a comparison (with ``runs``).
    horizon : int or None
        The horizon in weeks.
    where : str
        Whose numbers they are (an arm), put before the warning, or empty.
    """
    out = []
    for band in bands():
        if not band.applies(horizon):
            continue
        value = band.value(numbers)
        if value is None or band.lo <= value <= band.hi:
            continue
        side = "above" if value > band.hi else "below"
        text = (
            f"{where + ': ' if where else ''}{band.what}, {_pct(value)}, is {side} the "
            "validation band "
            f"(row {band.section}: {band.claim})."
        )
        out.append(Limitation(band.anchor, text, band.section, band.why))
    return out


def checked_rows(horizon: int | None) -> list[str]:
    """The validation rows a report checks its numbers against, for this horizon."""
    return [f"{b.section} ({b.row})" for b in bands() if b.applies(horizon)]


# --------------------------------------------------------------------------- dates
def start_date(doc: Mapping, info: Mapping) -> date | None:
    """The scenario's ``start:`` date (week 0), from the manifest or the scenario text."""
    for value in (info.get("start"), doc.get("start")):
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                continue
    return None


def week_date(start: date | None, week: float) -> str:
    """``week`` as a date (``2025-07-22``), or ``week 21`` when the scenario has no start."""
    if start is None or not _finite(week):
        return f"week {week:g}" if _finite(week) else "-"
    return (start + timedelta(weeks=float(week))).isoformat()


# --------------------------------------------------------------------------- bottom lines
def run_line(summary: Mapping, start: date | None = None) -> str:
    """The bottom line of a run, from its ``summary.json``."""
    horizon = summary.get("horizon_weeks")
    p, lo, hi = (summary.get(f"p_ceasefire{s}") for s in ("", "_lo", "_hi"))
    if not _finite(p):
        return "The folder holds no headline numbers (summary.json is missing)."
    until = week_date(start, horizon) if start else f"week {horizon}"
    line = (
        f"A first ceasefire comes by {until} in {_pct(p)} of the simulated worlds "
        f"(95% interval {_pct(lo)}–{_pct(hi)})"
    )
    week = summary.get("median_week")
    if _finite(week) and p > 0:
        wlo, whi = summary.get("median_week_lo"), summary.get("median_week_hi")
        when = week_date(start, week)
        span = (
            f"{week_date(start, wlo)} to {week_date(start, whi)}"
            if _finite(wlo) and _finite(whi)
            else ""
        )
        line += f", typically by {when}" + (f" ({span})" if span else "")
    line += "."
    held = summary.get("p_held")
    if _finite(held):
        hlo, hhi = summary.get("p_held_lo"), summary.get("p_held_hi")
        line += f" A ceasefire holds at the horizon in {_pct(held)} ({_pct(hlo)}–{_pct(hhi)})"
        won = [
            (outcomes.STATES[s], summary.get(f"p_{s}"))
            for s in outcomes.VICTORIES
            if _finite(summary.get(f"p_{s}")) and summary[f"p_{s}"] >= 0.005
        ]
        line += "; " + ", ".join(f"{name} {_pct(v)}" for name, v in won) if won else ""
        line += "."
    shown = [
        (side, f"p_{side.lower()}_prevails")
        for side in ("Russia", "Ukraine")
        if _finite(summary.get(f"p_{side.lower()}_prevails"))
        and summary[f"p_{side.lower()}_prevails"] >= 0.005
    ]
    if shown:
        line += " Counting a ceasefire that is one side's capitulation as the other's victory: "
        line += "; ".join(
            f"{side} prevails in {_pct(summary[key])} ({_pct(summary.get(f'{key}_lo'))}"
            f"–{_pct(summary.get(f'{key}_hi'))})"
            for side, key in shown
        )
        line += "."
    return line


def compare_line(rows: list[Mapping], horizon: int | None, key: str = "p_ceasefire") -> str:
    """The bottom line of a comparison: each arm's difference from the reference in the
    chance of a ceasefire, largest first, with its paired interval."""
    reference = next((r for r in rows if r.get("reference")), None)
    others = [r for r in rows if not r.get("reference") and _finite(r.get(f"{key}_diff"))]
    label = outcomes.headline_outcome(key)
    name = label.title(horizon if horizon is not None else "H") if label else key
    if reference is None or not others:
        return "The comparison holds no differences from a reference."
    others.sort(key=lambda r: -abs(float(r[f"{key}_diff"])))
    parts = []
    for r in others[:3]:
        d, dlo, dhi = (float(r.get(f"{key}_diff{s}", math.nan)) for s in ("", "_lo", "_hi"))
        clear = _finite(dlo) and _finite(dhi) and (dlo > 0 or dhi < 0)
        parts.append(
            f"{r['arm']} {d * 100:+.1f} points ({dlo * 100:+.1f} to {dhi * 100:+.1f}"
            + ("" if clear else ", not distinguishable from no change")
            + ")"
        )
    more = f" and {len(others) - 3} more arms" if len(others) > 3 else ""
    clear_n = sum(
        1
        for r in others
        if _finite(r.get(f"{key}_diff_lo"))
        and (r[f"{key}_diff_lo"] > 0 or r.get(f"{key}_diff_hi", 0) < 0)
    )
    return (
        f"Against the reference {reference['arm']} ({name} {_pct(reference.get(key))}, "
        f"{_pct(reference.get(f'{key}_lo'))}–{_pct(reference.get(f'{key}_hi'))}), the "
        f"largest changes are: {'; '.join(parts)}{more}. In {clear_n} of {len(others)} "
        "arms the paired 95% interval of the difference excludes 0."
    )


def deal_line(rows: list[Mapping], vetoes: list[str]) -> str:
    """The bottom line of a tabled deal: the week it is likeliest to be accepted."""
    rows = [r for r in rows if _finite(r.get("p_all_accept"))]
    if not rows:
        return "The folder holds no acceptance table."
    best = max(rows, key=lambda r: r["p_all_accept"])
    line = (
        f"Tabled in week {int(best['week'])}, the deal is accepted by every veto player in "
        f"{_pct(best['p_all_accept'])} of the worlds (95% interval "
        f"{_pct(best.get('p_all_accept_lo'))}–{_pct(best.get('p_all_accept_hi'))})"
    )
    blockers = [(v, best.get(f"blocker_{v}")) for v in vetoes if _finite(best.get(f"blocker_{v}"))]
    if blockers:
        v, share = max(blockers, key=lambda b: b[1])
        if share > 0:
            line += f"; {v} blocks it most often ({_pct(share)})"
    if len(rows) > 1:
        worst = min(rows, key=lambda r: r["p_all_accept"])
        line += f". In week {int(worst['week'])} it is {_pct(worst['p_all_accept'])}"
    return line + "."


def sweep_line(rows: list[Mapping], vary: list[str], key: str = "p_ceasefire") -> str:
    """The bottom line of a sweep: the lowest and highest chance of a ceasefire on the
    grid, with their intervals and where they are."""
    rows = [r for r in rows if _finite(r.get(key))]
    if not rows or not vary:
        return "The folder holds no grid."

    def at(r: Mapping) -> str:
        return ", ".join(f"{p} = {float(r[p]):.3g}" for p in vary if _finite(r.get(p)))

    low, high = min(rows, key=lambda r: r[key]), max(rows, key=lambda r: r[key])
    line = (
        f"Over the grid, P(ceasefire) ranges from {_pct(low[key])} "
        f"({_pct(low.get(f'{key}_lo'))}–{_pct(low.get(f'{key}_hi'))}) at {at(low)} to "
        f"{_pct(high[key])} ({_pct(high.get(f'{key}_lo'))}–{_pct(high.get(f'{key}_hi'))}) "
        f"at {at(high)}"
    )
    lo_hi, hi_lo = low.get(f"{key}_hi"), high.get(f"{key}_lo")
    if _finite(lo_hi) and _finite(hi_lo) and lo_hi >= hi_lo:
        line += "; the two intervals overlap, so the grid shows no clear change"
    return line + "."


def sensitivity_line(rows: list[Mapping], horizon: int | None) -> str:
    """The bottom line of a sensitivity analysis: the most influential inputs of the
    first outcome, with their 95% half-widths, and whether the ranking is clear."""
    index = next((a for a in ("ST", "mu_star") if rows and a in rows[0]), None)
    if index is None:
        return "The folder holds no sensitivity indices."
    # the first outcome, in the table's order, whose indices are not all zero (an outcome
    # that did not vary has nothing to attribute)
    still = []
    mine: list = []
    first = None
    for outcome in dict.fromkeys(r.get("outcome") for r in rows):
        ranked = sorted(
            (r for r in rows if r.get("outcome") == outcome and _finite(r.get(index))),
            key=lambda r: -float(r[index]),
        )
        if ranked and abs(float(ranked[0][index])) > 1e-12:
            first, mine = outcome, ranked
            break
        still.append(str(outcome))
    if not mine:
        return "No outcome varied across the design: there is nothing to attribute."
    label = outcomes.headline_outcome(str(first))
    name = label.title(horizon if horizon is not None else "H") if label else str(first)

    def shown(r: Mapping) -> str:
        conf = r.get(f"{index}_conf")
        return f"{r['input']} ({index} {float(r[index]):.2f}" + (
            f" ± {float(conf):.2f})" if _finite(conf) else ")"
        )

    line = f"For {name}, the most influential input is {shown(mine[0])}"
    if still:
        line = f"({', '.join(still)} did not vary.) " + line
    if len(mine) > 1:
        line += f", then {shown(mine[1])}"
        a, b = mine[0], mine[1]
        ca, cb = a.get(f"{index}_conf"), b.get(f"{index}_conf")
        if _finite(ca) and _finite(cb) and a[index] - ca <= b[index] + cb:
            line += "; their intervals overlap, so the order of the two is not established"
    return line + "."


def discover_line(box: list[Mapping], outcome: str) -> str:
    """The bottom line of a scenario discovery: the box, its coverage and density."""
    if not box:
        return "The folder holds no box."
    first = box[0]
    restricted = [r for r in box if r.get("restricted") in (True, "True", 1)]
    strong = [r for r in restricted if not _finite(r.get("quasi_p")) or r["quasi_p"] < 0.05]
    limits = "; ".join(
        f"{r['input']} in {float(r['lower']):.3g}–{float(r['upper']):.3g}" for r in strong[:3]
    )
    weak = len(restricted) - len(strong)
    line = (
        f"'{outcome}' is likeliest where {limits or 'no input is restricted significantly'}: "
        f"that box holds {_pct(first.get('coverage'))} of the runs with the outcome, and "
        f"{_pct(first.get('density'))} of the runs in it have it"
    )
    if weak:
        line += (
            f" ({weak} more restricted input{'s' if weak > 1 else ''} with quasi-p ≥ 0.05 left out)"
        )
    return line + "."


# --------------------------------------------------------------------------- a folder
def _rows(folder) -> list[dict]:
    table = getattr(folder, "table", None)
    if table is None:
        return []
    rows = table.to_dict("records")
    for row in rows:
        for k, v in row.items():  # numpy scalars and the CSV's "True" as plain values
            if hasattr(v, "item"):
                row[k] = v.item()
            if k in ("reference", "restricted") and isinstance(v, str):
                row[k] = v.strip().lower() == "true"
    return rows


def _horizon(folder) -> int | None:
    for info in (folder.info, folder.run_info or {}, folder.summary or {}):
        if _finite(info.get("horizon_weeks")):
            return int(info["horizon_weeks"])
    arms = folder.info.get("arms")
    if isinstance(arms, dict):
        weeks = [a.get("horizon_weeks") for a in arms.values() if isinstance(a, dict)]
        if weeks and all(_finite(w) for w in weeks):
            return int(min(weeks))
    horizon = folder.scenario_doc.get("horizon")
    return int(horizon) if _finite(horizon) else None


# The bottom line and the limitations of each kind of folder (:class:`sim.report.folder.Folder`),
# named by its entry of :mod:`sim.report.kinds`.
def run_bottom_line(folder) -> str:
    """A run's first sentence or two: what its results say, with their interval."""
    if folder.summary is None:
        return "The folder holds no headline numbers (summary.json is missing)."
    return run_line(folder.summary, start_date(folder.scenario_doc, folder.info))


def compare_bottom_line(folder) -> str:
    return compare_line(_rows(folder), _horizon(folder))


def deal_bottom_line(folder) -> str:
    vetoes = folder.info.get("vetoes") if isinstance(folder.info.get("vetoes"), list) else []
    return deal_line(_rows(folder), [str(v) for v in vetoes])


def sweep_bottom_line(folder) -> str:
    vary = [str(v).split("=")[0] for v in folder.info.get("vary") or []]
    return sweep_line(_rows(folder), vary)


def sensitivity_bottom_line(folder) -> str:
    return sensitivity_line(_rows(folder), _horizon(folder))


def discover_bottom_line(folder) -> str:
    return discover_line(_rows(folder), str(folder.info.get("outcome", "?")))


def run_limitations(folder) -> list[Limitation]:
    """The validation bands a run's summary falls outside."""
    if folder.summary is None:
        return []
    return limitations(folder.summary, _horizon(folder))


def compare_limitations(folder) -> list[Limitation]:
    """The validation bands the arms of a comparison fall outside, one per band naming
    the arms outside it."""
    rows = _rows(folder)
    found: dict[str, list[tuple[str, Limitation]]] = {}
    for row in rows:
        for item in limitations(row, _horizon(folder)):
            side = "above" if " is above " in item.text else "below"
            found.setdefault(f"{item.anchor} {side}", []).append((str(row.get("arm", "?")), item))
    out = []
    for items in found.values():  # one warning per band, naming the arms outside it
        first = items[0][1]
        arms = ", ".join(arm for arm, _ in items)
        said = (
            first.text if first.text.startswith("P(") else first.text[:1].lower() + first.text[1:]
        )
        text = f"In {len(items)} of {len(rows)} arms ({arms}): {said}"
        if len(items) > 1:
            text = text.replace(", is ", " (the first of them), is ", 1)
        out.append(Limitation(first.anchor, text, first.section, first.why))
    return out
