"""Figures of ``sensitivity``: the indices per outcome, largest first.

:func:`plot_sensitivity` draws one page (into the ``fig`` it is given, or a new one) and
returns it; :func:`sensitivity_figures` cuts the outcomes into slide-sized pages, by file
name; the caller saves them (:func:`sim.plots.style.save_figures`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .style import RC, color, escape, outcome_order, panels, param_label

if TYPE_CHECKING:
    from ..analysis.explored import SensitivityResult

PER_PAGE = 4
"""Outcomes on one page (two rows of two panels): a page fits a slide."""

TOP = 8
"""Inputs shown per outcome, largest first (the table holds them all)."""

NOISY_SUM = 2.0
"""A sum of total indices above this says the outcome's variance is mostly noise between a
design point's replicates (or interactions no design this small resolves): the panel is
marked, and more ``--replicates`` are the remedy."""


def outcomes_of(result: SensitivityResult) -> tuple[list[str], list[str]]:
    """The outcomes with indices to show, in reading order, and those left out because the
    outcome did not vary (no variance to share out)."""
    table = result.table
    sobol = result.method == "sobol"
    labels = result.labels or {o: o for o in table["outcome"].unique()}
    ordered = sorted((o for o in labels if o in set(table["outcome"])), key=outcome_order)
    index = "ST" if sobol else "mu_star"
    # no variance: indices that are all missing, or all zero (an outcome constant in every
    # design point but for rounding)
    constant = [
        o
        for o in ordered
        if (table.loc[table["outcome"] == o, index].fillna(0).abs() < 1e-12).all()
    ]
    return [o for o in ordered if o not in constant], constant


def sensitivity_figures(result: SensitivityResult, label: str | None = None) -> dict[str, Figure]:
    """Every page of the sensitivity figure, by file name (``sensitivity``,
    ``sensitivity-2``, ...): at most :data:`PER_PAGE` outcomes a page."""
    shown, constant = outcomes_of(result)
    pages = [shown[i : i + PER_PAGE] for i in range(0, len(shown), PER_PAGE)] or [[]]
    out = {}
    for n, page in enumerate(pages, start=1):
        name = "sensitivity" if n == 1 else f"sensitivity-{n}"
        note = constant if n == len(pages) else []
        out[name] = plot_sensitivity(result, label=label, outcomes=page, constant=note)
    return out


def plot_sensitivity(
    result: SensitivityResult,
    top: int = TOP,
    fig=None,
    label: str | None = None,
    outcomes: list[str] | None = None,
    constant: list[str] | None = None,
) -> Figure:
    """Bar chart of the indices per outcome, largest first, with 95% intervals, of a
    sensitivity analysis (its ``.table``, ``.method``, ``.labels``, ``.points`` and
    ``.replicates``).

    ``label`` names the run in the title (default: the table's scenario); ``outcomes``: the
    outcomes of this page (default: the first :data:`PER_PAGE` that vary); ``constant``:
    outcomes that did not vary, named under the panels instead of drawn empty. Sobol error
    bars are cut at 0 and 1, the range of an index; a panel whose total indices sum above
    :data:`NOISY_SUM` says so.
    """
    table = result.table
    sobol = result.method == "sobol"
    labels = result.labels or {o: o for o in table["outcome"].unique()}
    if outcomes is None:
        shown, left_out = outcomes_of(result)
        outcomes, constant = shown[:PER_PAGE], (constant if constant is not None else left_out)
    constant = constant or []
    n_inputs = min(top, table["input"].nunique())
    ncols = 2 if len(outcomes) > 1 else 1
    nrows = max(1, -(-len(outcomes) // 2))
    with plt.rc_context(RC):
        fig, axes = panels(
            fig,
            height=(0.25 * n_inputs + 0.9) * nrows + 1.3,
            nrows=nrows,
            ncols=ncols,
            layout="constrained",
        )
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            rows = table[table["outcome"] == outcome].head(top)
            y = np.arange(len(rows))[::-1]
            title = labels.get(outcome, outcome)
            if sobol:
                noisy = _sobol_bars(ax, rows, y, table[table["outcome"] == outcome])
                if noisy:
                    title += f"\nΣST = {noisy:.1f}: mostly noise between replicates"
            else:
                ax.barh(y, rows["mu_star"], xerr=rows["mu_star_conf"], color=color(0), capsize=2)
                ax.set_xlabel("Mean |change| across each input's full range", fontsize=9)
            ax.set_yticks(y, [_short(n) for n in rows["input"]], fontsize=8.5)
            ax.set_title(title, fontsize=11 if "\n" not in title else 10)
            ax.grid(axis="y", alpha=0)
        for ax in list(axes.flat)[len(outcomes) :]:
            ax.axis("off")
        if not outcomes:
            axes[0, 0].text(0.5, 0.5, "no outcome varied", ha="center", va="center")
        what = "Sobol indices" if sobol else "Morris elementary effects"
        fig.suptitle(
            f"Which uncertain inputs matter? {what}\n"
            f"{escape(label or result.scenario.label)}, {result.points:,} points x "
            f"{result.replicates} runs; 95% intervals",
            fontsize=12,
            fontweight="bold",
        )
        keys = (
            [
                Patch(color=color(0), label="total (ST)"),
                Patch(color=color(1), label="first order (S1)"),
            ]
            if sobol
            else [Patch(color=color(0), label="mu* (mean |effect|)")]
        )
        names = [labels.get(o, o) for o in constant]
        if names:  # named, not drawn as empty panels
            keys.append(Patch(color="white", label="did not vary: " + "; ".join(names)))
        if sobol:
            keys.append(Patch(color="white", label="ΣST > 2 in a title: raise --replicates"))
        # one key for every panel, below them: a legend inside a panel covered a bar
        fig.legend(handles=keys, loc="outside lower center", ncol=3, fontsize=8.5)
    return fig


def _sobol_bars(ax, rows: pd.DataFrame, y: np.ndarray, every: pd.DataFrame) -> float:
    """The ST and S1 bars of one outcome; returns the sum of its total indices when it is
    above :data:`NOISY_SUM` (the panel's title says so), else 0."""
    h = 0.38
    for offset, key, c in ((h / 2, "ST", color(0)), (-h / 2, "S1", color(1))):
        value = rows[key].to_numpy(dtype=float)
        conf = rows[f"{key}_conf"].to_numpy(dtype=float)
        shown = np.clip(value, 0, 1)
        # cut at the index's range [0, 1]: a bar past 1 claims more than all the variance
        err = np.vstack([np.minimum(conf, shown), np.minimum(conf, 1 - shown)])
        ax.barh(y + offset, shown, h, xerr=err, color=c, capsize=2)
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("Share of the outcome's variance (bars cut at 0 and 1)", fontsize=9)
    total = float(every["ST"].clip(lower=0).sum())
    return total if total > NOISY_SUM else 0.0


def _short(path: str) -> str:
    """An input's name for a tick label: ``actors.US.aid`` -> ``US aid``."""
    return param_label(path, unit=False)
