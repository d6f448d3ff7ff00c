"""Figures of a results folder: ceasefire timing, terms, the front, who blocked.

Each function draws one figure (into the ``ax`` or ``fig`` it is given, or a new one) and
returns it; :func:`plot_run` returns them all by file name, and
:func:`sim.results.write_results` saves them (:func:`sim.plots.pool.save_drawn`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .outcomes import outcome_areas
from .style import (
    RC,
    REFERENCE,
    color,
    date_axis,
    escape,
    issue_axis,
    on_axes,
    panels,
    percent_axis,
    run_title,
    start_of,
    title_case,
    wrap,
)
from .summary import draw_incidence, run_summary

RUN_FIGURES = ("summary", "ceasefire_by_week", "terms", "blockers", "control_fan", "outcomes")
"""The figures of a run, by file name (``control_fan`` and ``outcomes`` need the kept
trajectories: a run without them has the first four)."""


def run_figures(trajectories: Mapping[str, np.ndarray]) -> list[str]:
    """The names of the figures :func:`plot_run` draws for a run with these trajectories."""
    needs = {"control_fan": "control", "outcomes": "status"}

    def kept(key: str) -> bool:
        weekly = trajectories.get(key)
        return weekly is not None and len(weekly) > 0

    return [name for name in RUN_FIGURES if name not in needs or kept(needs[name])]


def plot_run(
    runs: pd.DataFrame,
    trajectories: Mapping[str, np.ndarray],
    info: Mapping,
    names: Iterable[str] | None = None,
) -> dict[str, Figure]:
    """Every figure of a run (or those in ``names``, of :func:`run_figures`), by file name
    (without suffix).

    The arguments are a run as :func:`sim.results.read_results` returns it (a manifest
    serves as ``info``); :func:`sim.results.write_results` draws them from memory and
    saves them, one process per figure where that pays (:mod:`sim.plots.pool`).
    The titles name the run: its label (scenario and policy) and any ``--set`` overrides.
    """
    title = run_title(info.get("label", "scenario"), info.get("overrides") or ())
    start = start_of(info)
    control = trajectories.get("control")
    issue = _battlefield_issue(info)
    front = {}
    if control is not None and len(control):  # the battlefield issue's status quo
        front = {issue: float(np.median(control[:, 0]))}
    draw = {
        "summary": lambda: run_summary(runs, info),
        "ceasefire_by_week": lambda: ceasefire_curve(
            runs, info["horizon_weeks"], title, start=start
        ),
        "terms": lambda: terms_histograms(runs, info["issues"], title, front=front),
        "blockers": lambda: blockers_bar(runs, title),
        "control_fan": lambda: control_fan(control, title, info["issues"].get(issue), week0=start),
        "outcomes": lambda: outcome_areas(trajectories["status"], title, start=start),
    }
    wanted = run_figures(trajectories) if names is None else list(names)
    with plt.rc_context(RC):
        return {name: draw[name]() for name in wanted}


def _battlefield_issue(info: Mapping) -> str:
    issue = (info.get("resolved_parameters") or {}).get("battlefield.issue")
    if isinstance(issue, str) and issue in info["issues"]:
        return issue
    return "territory" if "territory" in info["issues"] else next(iter(info["issues"]))


def ceasefire_curve(
    runs: pd.DataFrame, horizon: int, title: str, ax=None, start: date | None = None
) -> Figure:
    """Cumulative probability of a (first) ceasefire by week, with a 95% Wilson band (a
    step, like the curve: no wedge between weeks), and the share holding at the horizon
    marked at the horizon (a point, not a line across the weeks: it is no ceiling)."""
    n = len(runs)
    fig, ax = on_axes(ax)
    draw_incidence(ax, runs, horizon)
    ax.set(
        xlim=(0, horizon),
        ylim=(0, 1),
        xlabel="Week",
        ylabel="Share of runs",
        title=f"When does a ceasefire come?\n{title}, {n:,} runs",
    )
    percent_axis(ax)
    date_axis(ax, start, horizon)
    ax.legend(loc="best")  # where the curve is not: it rises early in some worlds, late in others
    return fig


NARROW = 0.2
"""An issue whose agreed terms all lie within this width of its 0-1 scale gets a zoomed
axis (the full scale would put them all in one or two bins)."""


def terms_histograms(
    runs: pd.DataFrame,
    issues: Mapping,
    title: str,
    fig=None,
    front: Mapping[str, float] | None = None,
) -> Figure:
    """Distribution of each issue's agreed terms among runs that reached a ceasefire: a grid
    of two columns, each panel titled with the issue and its axis ends labelled.

    An issue whose terms are all one value is stated in words, not drawn as a single 100%
    bar; one whose terms span a narrow range is drawn on a zoomed axis (the range named in
    the axis label). Each issue's ``status_quo`` is marked; for the battlefield issue,
    ``front`` (by issue) gives the front line at week 0 instead. An issue with ``area_km2``
    gets a second axis in km².
    """
    names = list(issues)
    ncols = 2 if len(names) > 1 else 1
    nrows = -(-len(names) // ncols)
    fig, axes = panels(
        fig, height=max(3.2, 2.9 * nrows + 0.4), nrows=nrows, ncols=ncols, layout="constrained"
    )
    agreed = int(runs["ceasefire"].sum())
    front = dict(front or {})
    for i, (ax, issue) in enumerate(zip(axes.flat, names, strict=False)):
        values = runs[f"terms_{issue}"].dropna().to_numpy(dtype=float)
        spec = issues[issue]
        quo = front.get(issue, spec.get("status_quo"))
        what = "front at week 0" if issue in front else "status quo"
        ax.set_title(escape(title_case(issue)), fontsize=12)
        ax.set_ylabel("Share of ceasefires" if i % ncols == 0 else None)
        width = 22 if ncols > 1 else 40
        if len(values) == 0 or _mode_share(values) >= ONE_VALUE:
            _one_value(ax, values, spec, agreed, width)
            continue
        lo, hi = float(values.min()), float(values.max())
        zoom = hi - lo < NARROW
        if zoom:
            pad = max(0.01, 0.1 * (hi - lo))
            left, right = max(0.0, lo - pad), min(1.0, hi + pad)
            bins = np.linspace(left, right, 21)
        else:
            left, right, bins = 0.0, 1.0, np.linspace(0, 1, 21)
        weights = np.full(len(values), 1.0 / max(agreed, 1))
        ax.hist(values, bins=bins, weights=weights, color=color(i), alpha=0.85, ec="white")
        top = ax.get_ylim()[1]
        ax.set_ylim(0, min(1.05, top * 1.25))
        percent_axis(ax)
        if zoom:
            ax.set_xlim(left, right)
            ax.set_xlabel(
                wrap(
                    f"zoomed: {left:.2f}-{right:.2f} of the 0-1 scale "
                    f"(0 = {spec.get('low', '0')}; 1 = {spec.get('high', '1')})",
                    2 * width,
                ),
                fontsize=8.5,
            )
        else:
            issue_axis(ax, spec.get("low", "0"), spec.get("high", "1"), width=width)
        if quo is not None and left <= float(quo) <= right:
            ax.axvline(float(quo), color=REFERENCE, ls="--", lw=1.3)
            ax.annotate(
                f"{what}: {float(quo):.2f}",
                (float(quo), 1.0),
                xycoords=ax.get_xaxis_transform(),
                xytext=(3, -3),
                textcoords="offset points",
                va="top",
                fontsize=8.5,
            )
        area = spec.get("area_km2")
        if area:
            _km2_axis(ax, float(area))
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle(
        f"Terms of the ceasefire: {title}\n{agreed:,} of {len(runs):,} runs reached one",
        fontsize=13,
        fontweight="bold",
    )
    return fig


ONE_VALUE = 0.95
"""An issue on which at least this share of ceasefires agreed one value is stated in words
(a single tall bar says less, and a zoomed axis would magnify the few others)."""


def _mode_share(values: np.ndarray) -> float:
    _, counts = np.unique(np.round(values, 6), return_counts=True)
    return float(counts.max() / len(values))


def _one_value(ax, values: np.ndarray, spec: Mapping, agreed: int, width: int) -> None:
    """A panel that says in words what (almost) every ceasefire agreed on an issue."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if len(values) == 0:
        text = "no ceasefire"
    else:
        kinds, counts = np.unique(np.round(values, 6), return_counts=True)
        v, same = float(kinds[counts.argmax()]), int(counts.max())
        meaning = spec.get("low") if v == 0 else spec.get("high") if v == 1 else None
        who = f"All {agreed:,} ceasefires" if same == len(values) else f"{same:,} of {agreed:,}"
        text = f"{who}: {v:.2f}" + (f" ({meaning})" if meaning else "")
        rest = values[np.abs(values - v) > 1e-6]
        if len(rest):
            text += f"\nthe other {len(rest):,}: {rest.min():.2f}-{rest.max():.2f}"
        text += f"\n\non the scale 0 = {spec.get('low', '0')}; 1 = {spec.get('high', '1')}"
    lines = "\n".join(wrap(line, 2 * width) for line in text.split("\n"))
    ax.text(0.5, 0.5, lines, ha="center", va="center", transform=ax.transAxes)


def _km2_axis(ax, area: float) -> None:
    """A second x axis (top) in km² of the issue's area."""
    top = ax.secondary_xaxis("top", functions=(lambda v: v * area, lambda k: k / area))
    top.set_xlabel(f"km² (of the {area:,.0f} km² in dispute)", fontsize=8.5)
    top.xaxis.set_major_locator(MaxNLocator(5))
    top.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    top.tick_params(labelsize=8.5)


def control_fan(
    control: np.ndarray,
    title: str,
    issue: Mapping | None = None,
    ax=None,
    week0: date | None = None,
) -> Figure:
    """Russia's territorial control by week as the change from week 0, in percentage
    points of the territory in dispute: median with 50% and 90% bands.

    The axis spans at least 10 points either side of the start so a drift of a few points
    looks like what it is; the right-hand axis gives the share itself.
    """
    weeks = np.arange(control.shape[1])
    start = float(np.median(control[:, 0]))
    change = (control - start) * 100.0
    q = np.quantile(change, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    fig, ax = on_axes(ax)
    ax.fill_between(weeks, q[0], q[4], color=color(5), alpha=0.18, label="90% of runs")
    ax.fill_between(weeks, q[1], q[3], color=color(5), alpha=0.35, label="50% of runs")
    ax.plot(weeks, q[2], color=color(5), lw=2, label="median")
    ax.axhline(0, color=REFERENCE, lw=1, ls="--", label=f"week 0: Russia controls {start:.0%}")
    lo, hi = float(q[0].min()), float(q[4].max())
    span = max(10.0, 1.2 * max(abs(lo), abs(hi)))
    ax.set_ylim(max(-span, -start * 100), min(span, (1 - start) * 100))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:+g}" if v else "0")
    low = (issue or {}).get("low", "Ukraine's 1991 borders")
    high = (issue or {}).get("high", "Russia's maximal claim")
    ax.set(
        xlim=(0, weeks[-1]),
        xlabel="Week",
        ylabel="Change in Russia's control since week 0\n(percentage points)",
        title=f"The front: {title}\n{control.shape[0]:,} runs shown",
    )
    right = ax.secondary_yaxis(
        "right", functions=(lambda d: start * 100 + d, lambda s: s - start * 100)
    )
    right.set_ylabel("Share of the territory in dispute\nthat Russia controls")
    right.yaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    right.yaxis.set_major_formatter(lambda v, _: f"{v:g}%")
    ax.text(
        0.0,
        -0.14,
        wrap(
            escape(
                "Control: the share of the territory in dispute that Russia holds, on the "
                f"territory issue's scale (0% = {low}; 100% = {high})."
            ),
            120,
        ),
        transform=ax.transAxes,
        fontsize=8.5,
        color="#333333",
        va="top",
    )
    date_axis(ax, week0, weeks[-1])
    ax.legend(loc="upper left", fontsize=9)
    return fig


def blockers_bar(runs: pd.DataFrame, title: str, fig=None) -> Figure:
    """Who blocked the talks.

    Top: how each run's last package fared, every run in exactly one category, so the
    shares sum to 100% of the runs: a ceasefire agreed, blocked by each veto player, or no
    package settled either way. Bottom: every package rejected along the way, by the veto
    player that blocked it (shares of all rejected packages, from ``blocks_<actor>``).
    Actors are named by their keys, as in the printed summary table.
    """
    n = max(len(runs), 1)
    blocks = {c.removeprefix("blocks_"): runs[c].sum() for c in runs if c.startswith("blocks_")}
    last = runs["blocker"].astype(object)
    actors = list(blocks) or sorted(str(k) for k in last.dropna().unique())
    for extra in sorted(str(k) for k in last.dropna().unique()):
        if extra not in actors:
            actors.append(extra)
    shade = {a: color(3 + i) for i, a in enumerate(actors)}  # one colour per party
    agreed = last.isna() & runs["ceasefire"].astype(bool)
    neither = last.isna() & ~runs["ceasefire"].astype(bool)
    rows = [("Ceasefire agreed\n(last package accepted)", float(agreed.sum()) / n, color(2))]
    rows += [(f"Blocked by {a}", float((last == a).sum()) / n, shade[a]) for a in actors]
    if neither.any():
        rows.append(
            ("No package settled\n(none tabled or decided)", float(neither.sum()) / n, "0.6")
        )
    total = int(sum(blocks.values()))
    nrows = 2 if total else 1
    fig, axes = panels(
        fig,
        height=2.0 + 0.55 * (len(rows) + (len(actors) if total else 0)),
        nrows=nrows,
        ncols=1,
        layout="constrained",
    )
    _share_bars(axes[0, 0], rows)
    axes[0, 0].set(
        xlabel=f"Share of all {len(runs):,} runs (sums to 100%)",
        title="How each run's last package fared",
    )
    if total:
        shares = [(f"Rejected by {a}", blocks[a] / total, shade[a]) for a in actors]
        _share_bars(axes[1, 0], shares)
        axes[1, 0].set(
            xlabel=f"Share of all {total:,} rejected packages ({total / n:.1f} a run on "
            "average; sums to 100%)",
            title="Every rejected package along the way",
        )
    fig.suptitle(f"Who blocked the talks? {title}", fontsize=13, fontweight="bold")
    return fig


def _share_bars(ax, rows: list[tuple[str, float, str]]) -> None:
    """Horizontal bars of shares in [0, 1], labelled with their percentages, top down."""
    names, shares, colours = (list(x)[::-1] for x in zip(*rows, strict=True))
    ax.barh(range(len(names)), shares, color=colours)
    ax.set_yticks(range(len(names)), [escape(n) for n in names])
    for y, v in enumerate(shares):
        ax.text(v, y, f" {v:.1%}", va="center")
    ax.set_xlim(0, 1.12)  # room for the labels
    ax.set_xticks(np.linspace(0.0, 1.0, 6))
    percent_axis(ax, "x")
    ax.grid(axis="y", alpha=0)
