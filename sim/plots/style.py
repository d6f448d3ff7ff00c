"""One look for every figure: colour-blind-safe colours, readable type, titled axes.

Every plot function of :mod:`sim.plots` draws into a new figure (or the ``ax`` / ``fig`` it is
given) and returns the :class:`matplotlib.figure.Figure`; saving is a separate step,
:func:`save_figure`, which writes PNG, SVG or PDF by the path's suffix. Figures are sized for
a slide: 16:9 and at most :data:`MAX_WIDTH` inches wide (1,600 px at the saved dpi).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..labels import titled
from ..scenario.fields import LABELS

# No backend is chosen here (a notebook keeps its inline backend): the command line selects
# Agg (sim.cli.app.main), and headless matplotlib falls back to Agg by itself.

# Okabe & Ito (2008), the colour-blind-safe qualitative palette.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
}


# A slide is 16:9; at savefig.dpi = 150, 10.6 inches is 1,600 px.
SLIDE = (10.0, 5.625)
MAX_WIDTH = 10.6
MAX_PIXELS = (1600, 1000)
"""The largest PNG a figure is saved as (width, height): a slide. A figure drawn larger is
saved at a lower resolution; figures that would have to shrink much are split into pages
by their plot functions instead."""
FORMATS = (".png", ".svg", ".pdf")

STATE_COLORS = {
    "war": "#999999",  # grey: the war goes on
    "ceasefire": PALETTE[2],  # bluish green
    "war_resumed": PALETTE[1],  # orange: a ceasefire that broke
    "russian_victory": PALETTE[5],  # vermillion
    "ukrainian_victory": PALETTE[0],  # blue
}
"""One colour per state of a replicate (:data:`sim.outcomes.STATES`), the same in every
figure: declared here once, used through :func:`outcome_color`."""

OUTCOME_STATES = {
    "p_russian_victory": "russian_victory",
    "p_ukrainian_victory": "ukrainian_victory",
    "p_collapse": "war_resumed",
}
"""The headline outcomes that are the share of one ending, by key: they wear its colour.
(The chances of a ceasefire by a week are several lines of one state, so they take
:data:`BESIDE_STATES`.)"""

BESIDE_STATES = ("#CC79A7", "#999933", "#882255", "#56B4E9", "#000000")
"""Colours for outcomes drawn beside the states (the chances of a ceasefire by week 26, 52,
the horizon, holding): none of them is a state's colour, so no colour means two things in
one figure."""


def outcome_color(key: str) -> str | None:
    """The colour of the state a headline outcome (``p_russian_victory``) or a state
    (``russian_victory``) measures, or None when it measures no single state."""
    state = OUTCOME_STATES.get(key, key)
    return STATE_COLORS.get(state)


def figure(width: float = SLIDE[0], height: float = SLIDE[1], **kwargs):
    """A new figure and axes in the house style (at most :data:`MAX_WIDTH` wide)."""
    with plt.rc_context(RC):
        return plt.subplots(figsize=(min(width, MAX_WIDTH), height), **kwargs)


def on_axes(ax=None, width: float = SLIDE[0], height: float = SLIDE[1]):
    """``(fig, ax)``: the given axes and its figure, or a new figure in the house style."""
    if ax is not None:
        return ax.figure, ax
    return figure(width, height)


def panels(fig=None, width: float = SLIDE[0], height: float = SLIDE[1], **kwargs):
    """``(fig, axes)``: a grid of axes (``nrows``, ``ncols``, ...) on the given figure, or on a
    new figure in the house style. ``axes`` is always a 2-D array."""
    kwargs.setdefault("squeeze", False)
    if fig is None:
        return figure(width, height, **kwargs)
    layout = kwargs.pop("layout", None)
    if layout:
        fig.set_layout_engine(layout)
    with plt.rc_context(RC):
        return fig, fig.subplots(**kwargs)


def save_figure(fig: Figure, path: str | Path, close: bool = True) -> Path:
    """Save a figure in the format its suffix names (``.png``, ``.svg`` or ``.pdf``) and,
    unless ``close`` is false, close it; returns the path."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{path}: unknown figure format (use {', '.join(FORMATS)})")
    with plt.rc_context(RC):
        if path.suffix.lower() == ".png":
            path.write_bytes(_fitting_png(fig))
        else:
            fig.savefig(path)
    if close:
        plt.close(fig)
    return path


def _fitting_png(fig: Figure) -> bytes:
    """The figure as PNG bytes of at most :data:`MAX_PIXELS`: the tight box is laid out
    again at the lowered dpi and can come out a little larger, so measure and shrink again
    (at most three times)."""
    import io
    import struct

    dpi = _fitting_dpi(fig)
    for _ in range(3):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        data = buffer.getvalue()
        width, height = struct.unpack(">II", data[16:24])  # the PNG's IHDR chunk
        scale = min((MAX_PIXELS[0] - 2) / width, (MAX_PIXELS[1] - 2) / height)
        if scale >= 1.0:
            break
        dpi *= scale
    return data


def _fitting_dpi(fig: Figure) -> float:
    """The saved dpi, lowered if needed so the PNG (tight box and its padding) is at most
    :data:`MAX_PIXELS`."""
    dpi = float(RC["savefig.dpi"])
    fig.draw_without_rendering()  # lays the figure out (constrained layout) first
    renderer = getattr(fig.canvas, "get_renderer", None) or fig._get_renderer
    box = fig.get_tightbbox(renderer())
    pad = 2 * float(plt.rcParams["savefig.pad_inches"])
    width, height = box.width + pad, box.height + pad
    # a pixel of margin against rounding in the tight box
    return min(dpi, (MAX_PIXELS[0] - 2) / width, (MAX_PIXELS[1] - 2) / height)


def save_figures(figures: Mapping[str, Figure], folder: str | Path, suffix: str = ".png"):
    """Save named figures as ``folder/<name><suffix>`` (and close them); returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [save_figure(fig, folder / f"{name}{suffix}") for name, fig in figures.items()]


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


# Line styles to tell series apart without colour (printouts, colour-vision deficiency).
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), "-")

# Sequential colour map for heat maps: perceptually uniform and colour-blind safe.
SEQUENTIAL = "cividis"


def linestyle(i: int):
    """The ``i``-th line style (cycles with the palette so colour + dash stay unique)."""
    return LINESTYLES[(i // len(PALETTE) + i) % len(LINESTYLES)]


def percent_axis(ax, axis: str = "y") -> None:
    """Show a probability axis (values in [0, 1]) as percentages."""
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=0))


# Colours for many series on white (arms of a comparison): Okabe-Ito without its yellow
# (too faint as a line on white) and black (kept for the reference), then Paul Tol's olive
# and wine, which stay distinct under the common colour-vision deficiencies.
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933", "#882255")
REFERENCE = "#000000"


def series_color(i: int) -> str:
    """Colour of the ``i``-th non-reference series."""
    return SERIES[i % len(SERIES)]


# Colour maps of heat maps, chosen so that the same colour means the same thing in every
# panel: bright (yellow) is always "better for a ceasefire" (more likely, earlier, holding);
# a quantity that is neither better nor worse for a ceasefire gets a map of its own.
BETTER = "cividis"  # dark = worse for a ceasefire, bright = better
BETTER_REVERSED = "cividis_r"  # for quantities where lower is better (weeks to a ceasefire)
NEUTRAL = "Purples"  # not a ceasefire measure (e.g. Russia's control)


def outcome_order(key: str) -> float:
    """Sort key putting outcomes in reading order: the chances of a ceasefire by week
    (``p_by_26``, ``p_by_52``, then ``p_ceasefire`` by the horizon), holding at the horizon
    (``p_held``), then everything else in its given order (a stable sort keeps it)."""
    found = re.fullmatch(r"p_by_(\d+)", key)
    if found:
        return float(found.group(1))
    return {"p_ceasefire": 1e6, "p_held": 1e6 + 1}.get(key, 1e6 + 2)


# Acronyms and names kept as written when a key is title-cased.
_UPPER = {"nato": "NATO", "us": "US", "uk": "UK", "eu": "EU", "un": "UN"}


def title_case(key: str) -> str:
    """``"nato"`` -> ``"NATO"``, ``"war_cost"`` -> ``"War cost"``: a key as a title."""
    words = str(key).replace("_", " ").split()
    if not words:
        return str(key)
    out = [_UPPER.get(w.lower(), w) for w in words]
    if out[0] == words[0]:
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def escape(text: str) -> str:
    """Text shown as written (a ``$`` in a name starts no mathtext)."""
    return str(text).replace("$", r"\$")


def wrap(text: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def run_title(label: str, overrides: Iterable[str] = ()) -> str:
    """The name of a run in a title: ``baseline+us_aid_cut (overrides: actors.US.aid=0)``."""
    return escape(titled(label, overrides))


def start_of(info: Mapping) -> date | None:
    """The scenario's ``start:`` (the date of week 0) as a manifest records it, or None."""
    value = info.get("start") if isinstance(info, Mapping) else None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def issue_axis(ax, low: str, high: str, axis: str = "x", width: int = 30) -> None:
    """Label a [0, 1] issue axis with what its ends mean, at the ends themselves."""
    if axis == "x":
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "", "0.5", "", "1"])
        opts = {"xycoords": ax.get_xaxis_transform(), "textcoords": "offset points"}
        opts.update(va="top", fontsize=8.5, color="#333333")
        ax.annotate(wrap(f"0 = {low}", width), (0, 0), xytext=(0, -18), ha="left", **opts)
        ax.annotate(wrap(f"1 = {high}", width), (1, 0), xytext=(0, -18), ha="right", **opts)
    else:
        ax.set_ylabel(f"0 = {wrap(low, width)}\n1 = {wrap(high, width)}", fontsize=8.5)


FIELDS: dict[str, tuple[str, str]] = dict(LABELS)
"""Each scenario field's readable name and unit, as the schema declares them
(:data:`sim.scenario.fields.LABELS`; docs/scenarios.md)."""


def param_label(path: str, unit: bool = True) -> str:
    """A readable axis label for a dotted parameter path, with its unit when known:
    ``actors.US.aid`` -> ``US aid (US$100 bn a year)``,
    ``actors.Russia.position.nato`` -> ``Russia's position on NATO (0-1)``."""
    parts = str(path).split(".")
    name, what = parts[-1], None
    if parts[0] == "actors" and len(parts) >= 3:
        actor, field = parts[1], parts[2]
        if field in ("position", "salience") and len(parts) >= 4:
            issue = _UPPER.get(parts[3].lower(), parts[3].replace("_", " "))
            name, what = field, f"{actor}'s {field} on {issue}"
        else:
            name = field
            what = f"{actor} {FIELDS.get(field, (field.replace('_', ' '), ''))[0]}"
    elif parts[0] == "issues" and len(parts) == 3:
        issue = _UPPER.get(parts[1].lower(), parts[1].replace("_", " "))
        what = f"{issue} {FIELDS.get(name, (name.replace('_', ' '),))[0]}"
    elif parts[0] == "events" and len(parts) >= 3:
        name = parts[-1]
        what = f"{parts[1].replace('_', ' ')}: {FIELDS.get(name, (name.replace('_', ' '),))[0]}"
    elif parts[0] == "durability" and len(parts) >= 3 and parts[1] == "tripwire":
        issue = _UPPER.get(parts[2].lower(), parts[2].replace("_", " "))
        name, what = "tripwire", f"tripwire of the {issue} terms"
    elif name in FIELDS:
        what = FIELDS[name][0]
    if what is None:
        what = re.sub(r"[._]", " ", str(path))
    what = what[:1].upper() + what[1:]
    found = FIELDS.get(name)
    return escape(f"{what} ({found[1]})" if unit and found and found[1] else what)


def date_axis(ax, start: str | date | None, horizon: float | None = None) -> None:
    """Dates along the top of an axis whose x is weeks, on a calendar starting ``start``
    (ISO date of week 0; nothing when ``None``): the first day of each quarter (each year
    beyond five years), at the week it falls in (``ceil(days / 7)``, as sim.dates counts)."""
    if not start:
        return
    import datetime as dt
    import math

    first = dt.date.fromisoformat(str(start))
    last_week = horizon if horizon is not None else ax.get_xlim()[1]
    end = first + dt.timedelta(days=7 * float(last_week))
    step = 3 if (end - first).days <= 5 * 366 else 12
    ticks, labels = [], []
    year, month = first.year, 1
    while dt.date(year, month, 1) <= end:
        day = dt.date(year, month, 1)
        if day >= first:
            ticks.append(math.ceil((day - first).days / 7))
            labels.append(day.strftime("%b %Y") if step == 12 or month == 1 else day.strftime("%b"))
        month += step
        if month > 12:
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    top = ax.secondary_xaxis("top")
    top.set_xticks(ticks, labels, fontsize=8)
    top.tick_params(length=3)
