"""Figures of ``sweep``: headline outcomes across a grid (lines or heat maps).

:func:`plot_sweep` draws one figure (into the ``fig`` it is given, or a new one) and returns
it; the caller saves it (:func:`sim.plots.style.save_figure`). Axes are labelled with the
parameter's name and unit (:func:`sim.plots.style.param_label`), not its dotted path, and the
scenario's own value of a swept parameter is marked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..outcomes import HEADLINE, Outcome
from .style import (
    BESIDE_STATES,
    BETTER,
    BETTER_REVERSED,
    NEUTRAL,
    RC,
    REFERENCE,
    escape,
    linestyle,
    outcome_color,
    outcome_order,
    panels,
    param_label,
    percent_axis,
)

if TYPE_CHECKING:
    from ..analysis.explored import SweepResult

Baseline = float | tuple[float, float, float]
"""The scenario's value of a swept parameter: a number, or (5%, median, 95%) of its
distribution."""


def _outcomes(table: pd.DataFrame) -> list[Outcome]:
    """The headline outcomes the table holds: chances by week (26, 52, ..., the horizon,
    then holding at the horizon), then the others in the registry's order."""
    return sorted((o for o in HEADLINE if o.key in table), key=lambda o: outcome_order(o.key))


def _title(outcome: Outcome, sweep: SweepResult) -> str:
    return outcome.title(sweep.horizon or "the horizon")


def plot_sweep(
    sweep: SweepResult,
    fig=None,
    label: str | None = None,
    baseline: Mapping[str, Baseline] | None = None,
) -> Figure:
    """Headline outcomes across a sweep (its ``.table``, ``.paths``, ``.runs_per_point``
    and ``.horizon``): lines with 95% bands (one parameter) or heat maps (two parameters).

    ``label`` names the run in the title (default: the table's scenario; pass the policy
    and overrides, e.g. ``baseline+us_aid_cut (overrides: ...)``); ``baseline`` gives the
    scenario's own value of each swept parameter, marked on the figure.
    """
    scenario = getattr(sweep, "scenario", None)
    label = escape(label or (scenario.name if scenario is not None else "scenario"))
    with plt.rc_context(RC):
        if len(sweep.paths) == 1:
            return _sweep_lines(sweep, fig, label, baseline or {})
        return _sweep_heatmaps(sweep, fig, label, baseline or {})


def _mark_baseline(ax, value: Baseline | None, horizontal: bool = False) -> bool:
    """A line at the scenario's value (a band over the middle 90% if it is uncertain)."""
    if value is None:
        return False
    line, span = (ax.axhline, ax.axhspan) if horizontal else (ax.axvline, ax.axvspan)
    if isinstance(value, tuple):
        lo, mid, hi = value
        span(lo, hi, color=REFERENCE, alpha=0.07, lw=0)
        line(mid, color=REFERENCE, ls="--", lw=1.3)
    else:
        line(float(value), color=REFERENCE, ls="--", lw=1.3)
    return True


def _baseline_text(value: Baseline) -> str:
    if isinstance(value, tuple):
        return (
            f"scenario's value: median {value[1]:.3g}\n(shaded: middle 90% of its "
            f"distribution, {value[0]:.3g}-{value[2]:.3g})"
        )
    return f"scenario's value: {float(value):.3g}"


def _sweep_lines(sweep: SweepResult, fig, label: str, baseline: Mapping) -> Figure:
    table = sweep.table
    param = sweep.paths[0]
    xlabel = param_label(param)
    x = table[param].to_numpy(dtype=float)
    shares = [o for o in _outcomes(table) if o.kind == "proportion"]
    # a share that is 0 at every point is named in the key, not drawn: a flat line on the
    # axis says nothing and crowds the key
    zero = [o for o in shares if _always_zero(table, o.key)]
    shares = [o for o in shares if o not in zero]
    others = [o for o in _outcomes(table) if o.kind != "proportion"]
    fig, axes = panels(fig, height=4.6, ncols=1 + len(others), layout="constrained")
    axes = axes[0]
    ax = axes[0]
    for i, o in enumerate(shares):
        key = o.key
        c = outcome_color(key) or BESIDE_STATES[i % len(BESIDE_STATES)]
        ax.fill_between(x, table[f"{key}_lo"], table[f"{key}_hi"], color=c, alpha=0.18)
        ax.plot(
            x,
            table[key],
            color=c,
            ls=linestyle(i),
            marker="o",
            ms=4,
            lw=2,
            label=_title(o, sweep),
        )
    ax.set(ylim=(0, 1), xlabel=xlabel, ylabel="Share of runs", title="Chance of a ceasefire")
    percent_axis(ax)
    for ax, o in zip(axes[1:], others, strict=True):
        key = o.key
        lo, hi, mid = (table[k].to_numpy(dtype=float) for k in (f"{key}_lo", f"{key}_hi", key))
        if o.kind == "week":
            # a median week moves in steps of the talks' rhythm: points with their
            # intervals, not a line and band that read a step as a trend
            ax.errorbar(x, mid, yerr=[mid - lo, hi - mid], fmt="o", color=OTHER, capsize=4, lw=1.5)
        else:
            ax.fill_between(x, lo, hi, color=OTHER, alpha=0.2)
            ax.plot(x, mid, color=OTHER, marker="o", ms=4, lw=2)
        if key == "final_control":  # an honest scale: at least 10 points of territory
            centre = float(np.nanmean(mid))
            half = max(0.05, 0.6 * float(np.nanmax(hi) - np.nanmin(lo)))
            ax.set_ylim(max(0.0, centre - half), min(1.0, centre + half))
        ax.set(xlabel=xlabel, ylabel=o.unit.capitalize(), title=_title(o, sweep))
    marked = False
    for ax in axes:
        marked = _mark_baseline(ax, baseline.get(param)) or marked
        ax.title.set_fontsize(11)
    handles, names = axes[0].get_legend_handles_labels()
    if marked:
        handles.append(plt.Line2D([], [], color=REFERENCE, ls="--", lw=1.3))
        names.append(_baseline_text(baseline[param]))
    if zero:
        handles.append(plt.Line2D([], [], color="white"))
        names.append("0 at every point (not drawn):\n" + ";\n".join(_title(o, sweep) for o in zero))
    fig.legend(handles, names, loc="outside lower center", ncol=3, fontsize=9)
    fig.suptitle(
        f"Sweep of {xlabel}\n{label}, {sweep.runs_per_point:,} runs per point; bands: 95% intervals",
        fontsize=12,
        fontweight="bold",
    )
    return fig


OTHER = "#444444"
"""The colour of an outcome that is no state's share (a week, Russia's control): grey, so
that it never wears the colour of a state."""


def _always_zero(table: pd.DataFrame, key: str) -> bool:
    return bool(np.all(np.nan_to_num(table[key].to_numpy(dtype=float)) == 0))


def _colour_map(outcome: Outcome) -> tuple[str, str]:
    """The colour map of a heat map and its colourbar's note: bright always means better
    for a ceasefire (more likely, sooner, holding); Russia's control has its own map."""
    if outcome.kind == "proportion":
        return BETTER, "brighter = more likely"
    if outcome.kind == "week":
        return BETTER_REVERSED, "brighter = sooner"
    return NEUTRAL, "darker = more (not a ceasefire measure)"


def _sweep_heatmaps(sweep: SweepResult, fig, label: str, baseline: Mapping) -> Figure:
    table = sweep.table
    p1, p2 = sweep.paths
    xs, ys = np.unique(table[p2]), np.unique(table[p1])
    found = _outcomes(table)
    ncols = 2 if len(found) <= 4 else 3
    nrows = -(-len(found) // ncols)
    fig, axes = panels(
        fig, height=3.3 * nrows + 1.0, nrows=nrows, ncols=ncols, layout="constrained"
    )
    for ax in list(axes.flat)[len(found) :]:
        ax.axis("off")
    marked: set[str] = set()
    for ax, o in zip(axes.flat, found, strict=False):
        share = o.kind == "proportion"
        cmap, note = _colour_map(o)
        grid = (
            table.pivot_table(index=p1, columns=p2, values=o.key, dropna=False)
            .reindex(index=ys, columns=xs)
            .to_numpy(dtype=float)
        )
        im = ax.imshow(
            grid,
            origin="lower",
            aspect="auto",
            cmap=cmap,
            vmin=0 if share else None,
            vmax=1 if share else None,
        )
        ax.set_xticks(range(len(xs)), [f"{v:.3g}" for v in xs], rotation=45 if len(xs) > 6 else 0)
        ax.set_yticks(range(len(ys)), [f"{v:.3g}" for v in ys])
        ax.set(xlabel=param_label(p2), ylabel=param_label(p1))
        ax.xaxis.label.set_fontsize(9)
        ax.yaxis.label.set_fontsize(9)
        ax.set_title(_title(o, sweep), fontsize=10.5)
        ax.grid(False)
        if _mark_cell(ax, xs, baseline.get(p2), vertical=True):
            marked.add(p2)
        if _mark_cell(ax, ys, baseline.get(p1), vertical=False):
            marked.add(p1)
        bar = fig.colorbar(im, ax=ax, shrink=0.9)
        unit = "share of runs" if share else o.unit
        bar.set_label(f"{unit}: {note}", fontsize=8)
        bar.ax.tick_params(labelsize=8)
        if share:
            bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        if grid.size <= 150:  # values printed in the cells while they stay legible
            norm, rgba = im.norm, colormaps[cmap]
            for (r, c), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    red, green, blue, _ = rgba(norm(v))
                    dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
                    text = f"{v:.0%}" if share else f"{v:.3g}"
                    ax.text(
                        c,
                        r,
                        text,
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="white" if dark else "black",
                    )
    marks = [p for p in (p1, p2) if p in marked]
    note = (
        "; triangles on the edges: the scenario's value of "
        + " and ".join(param_label(p, unit=False) for p in marks)
        if marks
        else ""
    )
    fig.suptitle(
        f"Sweep of {param_label(p1, unit=False)} x {param_label(p2, unit=False)}\n"
        f"{label}, {sweep.runs_per_point:,} runs per cell{note}",
        fontsize=12,
        fontweight="bold",
    )
    return fig


def _mark_cell(ax, values: np.ndarray, value: Baseline | None, vertical: bool) -> bool:
    """A triangle on a heat map's edge at the scenario's value (on the axis of grid cells),
    outside the cells so it hides no printed value; false when the value is off the grid."""
    if value is None or len(values) == 0:
        return False
    target = value[1] if isinstance(value, tuple) else float(value)
    if not values[0] <= target <= values[-1]:
        return False
    position = float(np.interp(target, values, np.arange(len(values))))
    if vertical:  # the x axis: a triangle pointing down from above the top edge
        xy, transform, marker = (position, 1.0), ax.get_xaxis_transform(), "v"
    else:  # the y axis: a triangle pointing right, left of the left edge
        xy, transform, marker = (0.0, position), ax.get_yaxis_transform(), ">"
    ax.plot(*xy, marker=marker, ms=9, color=REFERENCE, transform=transform, clip_on=False)
    return True
