"""Figures of a results folder: ceasefire timing, terms, the front, who blocked.

Each function draws one figure (into the ``ax`` or ``fig`` it is given, or a new one) and
returns it; :func:`plot_run` returns them all by file name, and
:func:`sim.results.plot_results` saves them (:func:`sim.plots.style.save_figures`).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..outcomes import cumulative_incidence, wilson
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
    title_case,
    wrap,
)


def plot_run(
    runs: pd.DataFrame, trajectories: Mapping[str, np.ndarray], info: Mapping
) -> dict[str, Figure]:
    """Every figure of a run, by file name (without suffix).

    The arguments are a results folder as :func:`sim.results.read_results` returns it
    (:func:`sim.results.plot_results` reads the folder, calls this and saves the figures).
    The titles name the run: its label (scenario and policy) and any ``--set`` overrides.
    """
    title = run_title(info.get("label", "scenario"), info.get("overrides") or ())
    with plt.rc_context(RC):
        figures = {
            "ceasefire_by_week": ceasefire_curve(
                runs, info["horizon_weeks"], title, calendar=info.get("start")
            ),
            "terms": terms_histograms(runs, info["issues"], title),
            "blockers": blockers_bar(runs, title),
        }
        control = trajectories.get("control")
        if control is not None and len(control):
            issue = _battlefield_issue(info)
            figures["control_fan"] = control_fan(
                control, title, info["issues"].get(issue), calendar=info.get("start")
            )
        status = trajectories.get("status")
        if status is not None and len(status):
            figures["outcomes"] = outcome_areas(status, title)
    return figures


def _battlefield_issue(info: Mapping) -> str:
    issue = (info.get("resolved_parameters") or {}).get("battlefield.issue")
    if isinstance(issue, str) and issue in info["issues"]:
        return issue
    return "territory" if "territory" in info["issues"] else next(iter(info["issues"]))


def ceasefire_curve(
    runs: pd.DataFrame, horizon: int, title: str, ax=None, calendar: str | None = None
) -> Figure:
    """Cumulative probability of a (first) ceasefire by week, with a 95% Wilson band (and
    the dates along the top when the scenario has a calendar: ``calendar``, its start)."""
    n = len(runs)
    curve = cumulative_incidence(runs["ceasefire_week"], n, horizon)
    band = np.array([wilson(round(p * n), n) for p in curve])
    weeks = np.arange(horizon + 1)
    fig, ax = on_axes(ax)
    ax.fill_between(weeks, band[:, 0], band[:, 1], color=color(0), alpha=0.25, label="95% interval")
    ax.step(weeks, curve, where="post", color=color(0), lw=2, label="P(ceasefire by week)")
    held = runs["held"].mean()
    ax.axhline(held, color=color(1), ls="--", lw=1.5, label=f"ceasefire holding at end: {held:.0%}")
    ax.set(
        xlim=(0, horizon),
        ylim=(0, 1),
        xlabel="Week",
        ylabel="Share of runs",
        title=f"When does a ceasefire come?\n{title}, {n:,} runs",
    )
    percent_axis(ax)
    date_axis(ax, calendar, horizon)
    ax.legend(loc="upper left")
    return fig


def terms_histograms(runs: pd.DataFrame, issues: Mapping, title: str, fig=None) -> Figure:
    """Distribution of each issue's agreed terms among runs that reached a ceasefire: a grid
    of two columns, each panel titled with the issue and its axis ends labelled."""
    names = list(issues)
    ncols = 2 if len(names) > 1 else 1
    nrows = -(-len(names) // ncols)
    fig, axes = panels(
        fig, height=max(3.2, 2.9 * nrows + 0.4), nrows=nrows, ncols=ncols, layout="constrained"
    )
    bins = np.linspace(0, 1, 21)
    agreed = int(runs["ceasefire"].sum())
    for i, (ax, issue) in enumerate(zip(axes.flat, names, strict=False)):
        values = runs[f"terms_{issue}"].dropna()
        if len(values):
            weights = np.full(len(values), 1.0 / max(agreed, 1))
            ax.hist(values, bins=bins, weights=weights, color=color(i), alpha=0.85, ec="white")
        else:
            ax.text(0.5, 0.5, "no ceasefire", ha="center", va="center", transform=ax.transAxes)
        spec = issues[issue]
        ax.set_title(escape(title_case(issue)), fontsize=12)
        ax.set_ylim(0, 1.05)
        percent_axis(ax)
        ax.set_ylabel("Share of ceasefires" if i % ncols == 0 else None)
        issue_axis(ax, spec.get("low", "0"), spec.get("high", "1"))
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle(
        f"Terms of the ceasefire: {title}\n{agreed:,} of {len(runs):,} runs reached one",
        fontsize=13,
        fontweight="bold",
    )
    return fig


def control_fan(
    control: np.ndarray,
    title: str,
    issue: Mapping | None = None,
    ax=None,
    calendar: str | None = None,
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
    date_axis(ax, calendar, weeks[-1])
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
