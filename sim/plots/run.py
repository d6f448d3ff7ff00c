"""Figures of a results folder: ceasefire timing, terms, the front, who blocked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..outcomes import cumulative_incidence, wilson
from .outcomes import outcome_areas
from .style import RC, color, figure, percent_axis, save


def plot_run(
    runs: pd.DataFrame, trajectories: Mapping[str, np.ndarray], info: Mapping, out: Path
) -> list[Path]:
    """Draw every plot of a run into ``out``; returns the files.

    The arguments are a results folder as :func:`sim.results.read_results` returns it
    (:func:`sim.results.plot_results` reads the folder and calls this).
    """
    out.mkdir(exist_ok=True)
    title = info.get("label", "scenario")
    with plt.rc_context(RC):
        files = [
            ceasefire_curve(runs, info["horizon_weeks"], title, out / "ceasefire_by_week.png"),
            terms_histograms(runs, info["issues"], title, out / "terms.png"),
            blockers_bar(runs, info.get("actors", {}), title, out / "blockers.png"),
        ]
        if trajectories.get("control") is not None and len(trajectories["control"]):
            files.append(control_fan(trajectories["control"], title, out / "control_fan.png"))
        if trajectories.get("status") is not None and len(trajectories["status"]):
            save(outcome_areas(trajectories["status"], title), out / "outcomes.png")
            files.append(out / "outcomes.png")
    return files


def ceasefire_curve(runs: pd.DataFrame, horizon: int, title: str, path: Path) -> Path:
    """Cumulative probability of a (first) ceasefire by week, with a 95% Wilson band."""
    n = len(runs)
    curve = cumulative_incidence(runs["ceasefire_week"], n, horizon)
    band = np.array([wilson(round(p * n), n) for p in curve])
    weeks = np.arange(horizon + 1)
    fig, ax = figure()
    ax.fill_between(weeks, band[:, 0], band[:, 1], color=color(0), alpha=0.25, label="95% interval")
    ax.step(weeks, curve, where="post", color=color(0), lw=2, label="P(ceasefire by week)")
    held = runs["held"].mean()
    ax.axhline(held, color=color(1), ls="--", lw=1.5, label=f"ceasefire holding at end: {held:.0%}")
    ax.set(
        xlim=(0, horizon),
        ylim=(0, 1),
        xlabel="Week",
        ylabel="Probability",
        title=f"When does a ceasefire come? ({title}, {n:,} runs)",
    )
    ax.legend(loc="upper left")
    save(fig, path)
    return path


def terms_histograms(runs: pd.DataFrame, issues: dict, title: str, path: Path) -> Path:
    """Distribution of each issue's agreed terms, among runs that reached a ceasefire."""
    names = list(issues)
    fig, axes = figure(4.2 * len(names), 3.8, ncols=len(names), squeeze=False, layout="constrained")
    bins = np.linspace(0, 1, 21)
    for i, (ax, issue) in enumerate(zip(axes[0], names, strict=True)):
        values = runs[f"terms_{issue}"].dropna()
        if len(values):
            ax.hist(values, bins=bins, color=color(i), alpha=0.85, edgecolor="white")
        else:
            ax.text(0.5, 0.5, "no ceasefire", ha="center", va="center", transform=ax.transAxes)
        ax.set(xlim=(0, 1), title=issue, ylabel="Runs" if i == 0 else None)
        ax.set_xlabel(f"0 = {issues[issue]['low']}\n1 = {issues[issue]['high']}", fontsize=9)
    fig.suptitle(
        f"Terms of the ceasefire ({title}; {int(runs['ceasefire'].sum()):,} runs with one)"
    )
    save(fig, path)
    return path


def control_fan(control: np.ndarray, title: str, path: Path) -> Path:
    """Russia's territorial control by week: median with 50% and 90% bands."""
    weeks = np.arange(control.shape[1])
    q = np.quantile(control, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    fig, ax = figure()
    ax.fill_between(weeks, q[0], q[4], color=color(5), alpha=0.18, label="90% of runs")
    ax.fill_between(weeks, q[1], q[3], color=color(5), alpha=0.35, label="50% of runs")
    ax.plot(weeks, q[2], color=color(5), lw=2, label="median")
    lo, hi = float(q[0].min()), float(q[4].max())
    pad = max(0.02, 0.15 * (hi - lo))
    ax.set(
        xlim=(0, weeks[-1]),
        ylim=(max(0, lo - pad), min(1, hi + pad)),
        xlabel="Week",
        ylabel="Russia's control\n(0 = 1991 borders, 1 = maximal claim)",
        title=f"The front ({title}, {control.shape[0]:,} runs shown)",
    )
    ax.legend(loc="best")
    save(fig, path)
    return path


def blockers_bar(runs: pd.DataFrame, labels: dict, title: str, path: Path) -> Path:
    """Who blocked: the last package of every run (left, shares summing to 100%) and every
    package rejected along the way (right, from the ``blocks_<actor>`` counts)."""
    n = max(len(runs), 1)
    blocks = {c.removeprefix("blocks_"): runs[c].sum() for c in runs if c.startswith("blocks_")}
    last = runs["blocker"].astype(object)
    actors = list(blocks) or sorted(str(k) for k in last.dropna().unique())
    shade = {a: color(3 + i) for i, a in enumerate(actors)}  # one colour per party
    rows = [("last package accepted", float(last.isna().sum()) / n, color(2))]
    rows += [
        (f"blocked by {labels.get(a, a)}", float((last == a).sum()) / n, shade[a]) for a in actors
    ]
    total = sum(blocks.values())
    panels = 2 if total else 1
    fig, axes = figure(7.0 * panels, 3.8, ncols=panels, squeeze=False)
    _share_bars(axes[0, 0], rows)
    axes[0, 0].set(xlabel="Share of runs", title="The last package of each run")
    if total:
        rows = [(labels.get(a, a), blocks[a] / total, shade[a]) for a in actors]
        _share_bars(axes[0, 1], rows)
        axes[0, 1].set(
            xlabel=f"Share of rejected packages ({total / n:.1f} a run on average)",
            title="Every rejected package",
        )
    fig.suptitle(f"Who blocked the talks? ({title})", fontweight="bold", y=1.04)
    fig.subplots_adjust(wspace=0.6)
    save(fig, path)
    return path


def _share_bars(ax, rows: list[tuple[str, float, str]]) -> None:
    """Horizontal bars of shares in [0, 1], labelled with their percentages, top down."""
    names, shares, colours = (list(x)[::-1] for x in zip(*rows, strict=True))
    ax.barh(names, shares, color=colours)
    for y, v in enumerate(shares):
        ax.text(v, y, f" {v:.1%}", va="center")
    ax.set_xlim(0, 1.2)  # room for the labels
    ax.set_xticks(np.linspace(0.0, 1.0, 6))
    percent_axis(ax, "x")
