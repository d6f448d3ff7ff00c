"""Figures of ``compare``: cumulative incidence per arm, forest plot of the paired
differences, terms by arm.

Each function draws one figure (into the ``ax`` or ``fig`` it is given, or a new one) and
returns it; :func:`plot_comparison` returns them all by file name, and the caller saves them
(:func:`sim.plots.style.save_figures`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..labels import overrides_note
from ..outcomes import cumulative_incidence
from .style import (
    BESIDE_STATES,
    RC,
    REFERENCE,
    escape,
    issue_axis,
    linestyle,
    on_axes,
    outcome_color,
    outcome_order,
    panels,
    percent_axis,
    series_color,
    title_case,
)
from .summary import comparison_summary

if TYPE_CHECKING:
    from ..analysis.compare import ComparisonResult
    from ..ensemble import EnsembleResult

MARKERS = "osD^vP"


def plot_comparison(comparison: ComparisonResult) -> dict[str, Figure]:
    """Cumulative incidence, forest plot of differences and terms, for a comparison (its
    ``.table``, ``.results``, ``.metrics`` and ``.reference``), by file name (without
    suffix)."""
    table, results = comparison.table, comparison.results
    overrides = _overrides(results)
    with plt.rc_context(RC):
        figures = {
            "summary": comparison_summary(comparison),
            "ceasefire_by_week": incidence_curves(curves(results), len(table), overrides),
        }
        for n, page in enumerate(forest_pages(comparison), start=1):
            name = "differences" if n == 1 else f"differences-{n}"
            figures[name] = forest(comparison, overrides=overrides, groups=page)
        figures["terms"] = terms_by_arm(results)
        return figures


PAGE_HEIGHT = 6.4
"""The tallest page of a multi-panel figure, in inches (960 px at the saved dpi: a slide)."""


def _row_height(n_arms: int, most: int) -> float:
    return min(max(2.6, 0.2 * n_arms * most + 1.6), PAGE_HEIGHT - 0.9)


def forest_pages(comparison: ComparisonResult) -> list[list[tuple]]:
    """The panels of the differences figure cut into pages that each fit a slide: two
    panels a row, as many rows as fit :data:`PAGE_HEIGHT`; the two panels of shares (the
    chance of a ceasefire and how it ends) stay together on the first page."""
    groups = _groups(list(comparison.metrics))
    arms = int((~comparison.table["reference"].astype(bool)).sum())
    most = max((len(g[2]) for g in groups), default=1)
    rows = max(1, int((PAGE_HEIGHT - 0.9) // _row_height(arms, most)))
    size = 2 * rows if len(groups) > 1 else 1
    return [groups[i : i + size] for i in range(0, len(groups), size)] or [[]]


def _overrides(results: Mapping) -> tuple[str, ...]:
    """The ``--set`` overrides every arm shares (they apply to all arms)."""
    first = next(iter(results.values()), None)
    return tuple(getattr(getattr(first, "scenario", None), "overrides", ()) or ())


def _with(overrides, text: str = "") -> str:
    return escape(overrides_note(overrides)) or text


def incidence_curves(arms: Mapping[str, np.ndarray], n_arms: int, overrides=(), ax=None) -> Figure:
    """P(first ceasefire by week) of every arm on one axis; the reference in black. The
    legend sits beside the axes, where it covers no curve."""
    fig, ax = on_axes(ax, width=7.2)
    horizon = 0
    for i, (label, curve) in enumerate(arms.items()):
        weeks = np.arange(len(curve))
        horizon = max(horizon, len(curve) - 1)
        ax.step(
            weeks,
            curve,
            where="post",
            lw=3 if i == 0 else 1.8,
            color=REFERENCE if i == 0 else series_color(i - 1),
            ls="-" if i == 0 else linestyle(i),
            label=escape(f"{label} (reference)" if i == 0 else label),
        )
    ax.set(
        xlim=(0, horizon),
        ylim=(0, 1),
        xlabel="Week",
        ylabel="P(first ceasefire by week)",
        title="When does a ceasefire come, arm by arm?"
        + ("\n" if overrides else "")
        + _with(overrides).strip(),
    )
    percent_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9, ncol=1)
    return fig


ENDING_KEYS = ("p_russian_victory", "p_ukrainian_victory", "p_collapse")
"""Headline shares about how the war ends, drawn in their own panel."""


def _groups(chosen: list[Mapping]) -> list[tuple[str, str, list[Mapping], float]]:
    """The panels of the forest plot: (title, x label, metrics, scale), one unit each."""
    proportions = sorted(
        (m for m in chosen if m["kind"] == "proportion"), key=lambda m: outcome_order(m["key"])
    )
    # how the war ends (victories, collapses) apart from whether and when a ceasefire comes
    endings = [m for m in proportions if m["key"] in ENDING_KEYS]
    shares = [m for m in proportions if m not in endings]
    terms = [m for m in chosen if m["key"].startswith("terms_")]
    rest = [m for m in chosen if m not in proportions and m not in terms]
    groups = []
    if shares:
        groups.append(("Chance of a ceasefire", "Difference (percentage points)", shares, 100.0))
    if endings:
        groups.append(("How it ends", "Difference (percentage points)", endings, 100.0))
    for m in rest:
        if m["key"] == "final_control":
            unit, scale = "percentage points of the territory in dispute", 100.0
        else:
            unit, scale = m["unit"], 1.0
        groups.append((re.sub(r",? ?0-1\)", ")", m["label"]), f"Difference ({unit})", [m], scale))
    if terms:
        groups.append(
            ("Median agreed terms", "Difference (points on the issue's 0-1 scale)", terms, 1.0)
        )
    return groups


def _metric_name(m: Mapping) -> str:
    if m["key"].startswith("terms_"):
        return title_case(m["key"].removeprefix("terms_"))
    name = m["label"]
    if name.startswith("P(") and name.endswith(")"):
        name = name[2:-1].removeprefix("ceasefire ")  # "by week 26", "holding at the horizon"
    return name


def forest(
    comparison: ComparisonResult, overrides=(), fig=None, groups: list | None = None
) -> Figure:
    """Differences from the reference with paired 95% intervals: one panel per unit
    (chances of a ceasefire in percentage points, weeks, control, terms), one row per arm;
    within a panel one colour and marker per outcome. A filled marker means the interval
    excludes 0, a hollow one that it includes 0.

    ``groups``: the panels to draw (a page of :func:`forest_pages`); all of them by
    default."""
    table = comparison.table
    groups = groups if groups is not None else _groups(list(comparison.metrics))
    others = table[~table["reference"].astype(bool)]
    arms = others["arm"].tolist()
    ncols = 2 if len(groups) > 1 else 1
    nrows = -(-len(groups) // ncols)
    most = max(len(g[2]) for g in groups)
    row_height = _row_height(len(arms), most)
    fig, axes = panels(
        fig, height=row_height * nrows + 0.9, nrows=nrows, ncols=ncols, layout="constrained"
    )
    y0 = np.arange(len(arms))[::-1].astype(float)
    cells = list(axes.flat)
    # the two panels of shares sit side by side: the endings wear their states' colours
    # and continue the ceasefire panel's markers, whose colours are no state's, so no
    # colour means two things next to each other
    shown = {title: len(metrics) for title, _, metrics, _ in groups}
    for slot, (title, xlabel, metrics, scale) in enumerate(groups):
        ax = cells[slot]
        k = len(metrics)
        first = shown.get("Chance of a ceasefire", 0) if title == "How it ends" else 0
        step = 0.8 / max(k, 1)
        ax.axvline(0, color="0.3", lw=1)
        span = 0.0
        handles = []
        for i, m in enumerate(metrics):
            # an ending wears its state's colour (as in outcomes.png); the rest colours that
            # are no state's
            c = outcome_color(m["key"]) or BESIDE_STATES[(first + i) % len(BESIDE_STATES)]
            marker = MARKERS[(first + i) % len(MARKERS)]
            y = y0 + (k - 1) / 2 * step - i * step
            d, lo, hi = (
                others[f"{m['key']}_diff{s}"].to_numpy(dtype=float) * scale
                for s in ("", "_lo", "_hi")
            )
            for j in range(len(arms)):
                if not np.isfinite(d[j]):
                    continue
                clear = lo[j] > 0 or hi[j] < 0  # the interval excludes 0
                ax.plot([lo[j], hi[j]], [y[j], y[j]], color=c, lw=2)
                ax.plot(d[j], y[j], marker, color=c, mfc=c if clear else "white", mew=1.6, ms=7)
            span = max(span, float(np.nanmax(np.abs(np.r_[lo, hi, 0.0]))))
            handles.append(Line2D([], [], color=c, marker=marker, lw=2, label=_metric_name(m)))
        # a minimum width keeps tiny (or zero) differences readable, not a smear of ticks
        half = 1.0 if scale == 100.0 or "weeks" in xlabel else 0.01
        width = max(span * 1.1, half)
        ax.set_xlim(-width, width)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+g}" if v else "0"))
        first_col = slot % ncols == 0
        ax.set_yticks(y0, [escape(a) for a in arms] if first_col else [])
        ax.set_ylim(-0.6, len(arms) - 0.4)
        ax.set_xlabel(xlabel, fontsize=10)
        ax.set_title(title, fontsize=11)
        ax.grid(axis="y", alpha=0)
        if k > 1:
            # one column: two columns of neighbouring panels ran into each other
            ax.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.2),
                ncol=1,
                fontsize=8.5,
            )
    for ax in cells[len(groups) :]:
        ax.axis("off")
    fig.suptitle(
        f"Difference from {escape(comparison.reference)}{_with(overrides)}\n"
        "bars: paired 95% intervals; filled marker = the interval excludes 0, "
        "hollow = it includes 0",
        fontsize=12,
        fontweight="bold",
    )
    return fig


def terms_by_arm(results: Mapping, fig=None) -> Figure:
    """Agreed terms per issue, arm by arm (box plots over runs that reached a ceasefire),
    a grid of two columns titled with the issues, their axis ends labelled."""
    issues = list(dict.fromkeys(i for r in results.values() for i in r.issues))
    first = next(iter(results.values()))
    labels = list(results)
    ncols = 2 if len(issues) > 1 else 1
    nrows = -(-len(issues) // ncols)
    fig, axes = panels(
        fig,
        height=min(max(2.6, 0.32 * len(labels) + 1.7) * nrows + 0.6, PAGE_HEIGHT),
        nrows=nrows,
        ncols=ncols,
        layout="constrained",
    )
    y = np.arange(len(labels))[::-1]
    cells = list(axes.flat)
    for k, (ax, issue) in enumerate(zip(cells, issues, strict=False)):
        data = [
            results[a].runs[f"terms_{issue}"].dropna().to_numpy(dtype=float)
            if f"terms_{issue}" in results[a].runs
            else np.array([])
            for a in labels
        ]
        for j, values in enumerate(data):
            if len(values) == 0:
                ax.text(0.5, y[j], "no ceasefire", ha="center", va="center", fontsize=8)
                continue
            box = ax.boxplot(
                values,
                positions=[y[j]],
                orientation="horizontal",
                widths=0.6,
                patch_artist=True,
                showfliers=False,
                medianprops={"color": "black", "lw": 1.8},
            )
            box["boxes"][0].set(facecolor="0.6" if j == 0 else series_color(j - 1), alpha=0.8)
        ax.set_yticks(y, [escape(a) for a in labels] if k % ncols == 0 else [])
        ax.set_ylim(-0.6, len(labels) - 0.4)
        spec = first.scenario.spec.issues.get(issue)
        # narrow wrap: the two ends' labels of a half-width panel must not meet
        issue_axis(ax, spec.low if spec else "0", spec.high if spec else "1", width=20)
        ax.set_xlim(-0.02, 1.02)
        ax.set_title(escape(title_case(issue)), fontsize=12)
        ax.grid(axis="y", alpha=0)
    for ax in cells[len(issues) :]:
        ax.axis("off")
    fig.suptitle(
        "Agreed terms by arm" + _with(_overrides(results)) + "\n"
        "runs with a ceasefire; box = middle 50%, whiskers = 1.5 IQR, line = median",
        fontsize=12,
        fontweight="bold",
    )
    return fig


def curves(results: Mapping[str, EnsembleResult]) -> dict[str, np.ndarray]:
    """Each arm's cumulative incidence of a first ceasefire, weeks 0..horizon."""
    return {
        label: cumulative_incidence(r.runs["ceasefire_week"], len(r.runs), r.scenario.spec.horizon)
        for label, r in results.items()
    }
