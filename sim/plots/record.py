"""Figures of the record commands: the inputs' posterior against their prior
(``ceasefire calibrate``) and the forecasts' reliability (``ceasefire backtest``).

Each function draws into a new figure (or the ``fig`` it is given) and returns it; the
caller saves it (:func:`sim.plots.style.save_figure`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import RC, REFERENCE, color, escape, panels, param_label, wrap

MAX_PANELS = 9
"""Inputs shown in the posterior figure: those whose mean moved most, in prior sds."""


def plot_posterior(
    runs: pd.DataFrame,
    kept: np.ndarray,
    inputs: pd.DataFrame,
    title: str = "",
    fig=None,
) -> Figure:
    """Prior (grey) and posterior (blue) histograms of the inputs that moved most.

    Parameters
    ----------
    runs : DataFrame
        Every prior replicate, with a column per input path.
    kept : array of bool
        The replicates that pass the record.
    inputs : DataFrame
        ``path`` and ``shift_sd`` per input (:func:`sim.record.calibrate.input_table`).
    """
    ranked = inputs.assign(size=inputs["shift_sd"].abs().fillna(-1.0))
    ranked = ranked.sort_values("size", ascending=False).head(MAX_PANELS)
    n = max(len(ranked), 1)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    with plt.rc_context(RC):
        fig, axes = panels(fig, 10.6, min(2.3 * rows + 1.2, 6.6), nrows=rows, ncols=cols)
        flat = axes.ravel()
        k = int(np.count_nonzero(kept))
        for ax, row in zip(flat, ranked.itertuples(), strict=False):
            x = runs[row.path].to_numpy(dtype=float)
            bins = np.histogram_bin_edges(x, bins=30)
            ax.hist(x, bins=bins, density=True, color="#BBBBBB", label="prior")
            if k:
                ax.hist(
                    x[kept],
                    bins=bins,
                    density=True,
                    histtype="step",
                    lw=2,
                    color=color(0),
                    label=f"posterior ({k:,} kept)",
                )
            shift = "" if not np.isfinite(row.shift_sd) else f"  shift {row.shift_sd:+.2f} sd"
            ax.set_title(wrap(param_label(row.path, unit=False), 34) + shift, fontsize=10)
            ax.set_yticks([])
            ax.grid(False)
        for ax in flat[len(ranked) :]:
            ax.set_visible(False)
        if len(ranked):
            flat[0].legend(loc="upper right", fontsize=8)
        else:
            flat[0].text(0.5, 0.5, "No uncertain inputs", ha="center", transform=flat[0].transAxes)
        note = "" if k else "  (no world passes the record: prior only)"
        fig.suptitle(escape(title) + note, fontsize=12, fontweight="bold")
        fig.tight_layout()
    return fig


def plot_reliability(questions: pd.DataFrame, bins: int = 5, fig=None) -> Figure:
    """Forecast probability against the observed frequency, in ``bins`` equal bins, the
    model's forecasts and each reference's; the diagonal is perfect reliability.

    Parameters
    ----------
    questions : DataFrame
        ``p`` and ``outcome`` per question, and ``ref:NAME`` columns for references.
    """
    edges = np.linspace(0.0, 1.0, bins + 1)
    series = [("p", "model")] + [
        (c, c.removeprefix("ref:")) for c in questions.columns if c.startswith("ref:")
    ]
    with plt.rc_context(RC):
        fig, axes = panels(fig, 7.5, 6.0)
        ax = axes[0, 0]
        ax.plot([0, 1], [0, 1], ls="--", color=REFERENCE, lw=1, label="perfect reliability")
        for i, (column, label) in enumerate(series):
            p = questions[column].to_numpy(dtype=float)
            y = questions["outcome"].to_numpy(dtype=float)
            ok = np.isfinite(p)
            p, y = p[ok], y[ok]
            which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
            xs, ys, ns = [], [], []
            for b in range(bins):
                inside = which == b
                if inside.any():
                    xs.append(p[inside].mean())
                    ys.append(y[inside].mean())
                    ns.append(int(inside.sum()))
            ax.plot(xs, ys, marker="os^Dv"[i % 5], color=color(i), label=f"{escape(label)}")
            for x_, y_, n_ in zip(xs, ys, ns, strict=True):
                ax.annotate(
                    str(n_), (x_, y_), textcoords="offset points", xytext=(4, 4), fontsize=8
                )
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("Forecast probability (bin mean)")
        ax.set_ylabel("Observed frequency")
        ax.set_title(f"Reliability of {len(questions)} forecasts (numbers: questions per bin)")
        ax.legend(loc="upper left")
    return fig
