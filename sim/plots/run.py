"""Figures of a results folder: ceasefire timing, terms, the front, who blocked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..outcomes import cumulative_incidence, wilson
from .style import RC, color, figure, save


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
    """Who rejected the last proposal, as a share of all runs."""
    shares = runs["blocker"].dropna().value_counts() / max(len(runs), 1)
    fig, ax = figure(7, 3.6)
    if len(shares):
        names = [labels.get(k, k) for k in shares.index]
        ax.barh(names[::-1], shares.to_numpy()[::-1], color=color(3))
        for y, v in enumerate(shares.to_numpy()[::-1]):
            ax.text(v, y, f" {v:.0%}", va="center")
        ax.set_xlim(0, min(1, shares.max() * 1.25 + 0.05))
    else:
        ax.text(
            0.5,
            0.5,
            "every last proposal was accepted",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    ax.set(xlabel="Share of runs", title=f"Who rejected the last proposal? ({title})")
    save(fig, path)
    return path
