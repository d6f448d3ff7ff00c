"""The figure of a tabled deal (``ceasefire deal``): who accepts, week by week.

:func:`plot_deal` draws one figure (on the ``fig`` it is given, or a new one) and returns it;
the caller saves it (:func:`sim.plots.style.save_figure`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .style import RC, REFERENCE, color, escape, panels, percent_axis, titled


def plot_deal(result, terms: str, fig=None) -> Figure:
    """A tabled deal at a glance: per week, each veto player's P(accept) and P(all accept)
    as grouped bars with 95% intervals (top), and P(holds to the horizon | all accept)
    (bottom)."""
    table = result.table
    weeks = [int(w) for w in table["week"]]
    x = np.arange(len(weeks))
    series = [(f"p_accept_{a}", f"{a} accepts") for a in result.vetoes]
    series.append(("p_all_accept", "All accept (a ceasefire is signed)"))
    n = len(series)
    width = 0.8 / n
    with plt.rc_context(RC):
        fig, axes = panels(
            fig,
            max(7.5, 1.6 * len(weeks) + 3.5),
            6.4,
            nrows=2,
            sharex=True,
            gridspec_kw={"height_ratios": [3, 1.6], "hspace": 0.12},
        )
        top, bottom = axes[:, 0]
        for i, (key, label) in enumerate(series):
            p = table[key].to_numpy(float)
            lo, hi = table[f"{key}_lo"].to_numpy(float), table[f"{key}_hi"].to_numpy(float)
            last = i == n - 1
            bars = top.bar(
                x + (i - (n - 1) / 2) * width,
                p,
                width * 0.92,
                yerr=np.clip([p - lo, hi - p], 0, None),  # Wilson ends at 0, 1: rounding
                capsize=3,
                color=REFERENCE if last else color(i),
                alpha=0.85,
                hatch="//" if last else None,
                edgecolor="white" if last else None,
                error_kw={"elinewidth": 1, "ecolor": "#444444"},
                label=label,
            )
            for bar, value, whisker in zip(bars, p, hi, strict=True):
                top.annotate(
                    _share(value),
                    (bar.get_x() + bar.get_width() / 2, whisker),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="#333333",
                )
        top.set(ylim=(0, 1.1), ylabel="P(accept) (%)")
        percent_axis(top)
        top.set_yticks(np.linspace(0, 1, 6))
        top.legend(loc="lower center", bbox_to_anchor=(0.5, 1.01), ncol=n, fontsize=9)
        held = table["p_held"].to_numpy(float)
        lo, hi = table["p_held_lo"].to_numpy(float), table["p_held_hi"].to_numpy(float)
        signed = np.round(table["p_all_accept"].to_numpy(float) * table["runs"]).astype(int)
        ok = np.isfinite(held)
        bottom.errorbar(
            x[ok],
            held[ok],
            yerr=np.clip([held[ok] - lo[ok], hi[ok] - held[ok]], 0, None),
            fmt="D",
            ms=7,
            capsize=4,
            color=color(2),
            ecolor="#444444",
        )
        for xi, h, k in zip(x, held, signed, strict=True):
            none = not np.isfinite(h)
            bottom.annotate(
                "no ceasefire\nsigned" if none else f"{_share(h)} of {k:,} signed",
                (xi, 0.5 if none else h),
                xytext=(0 if none else 9, 0),
                textcoords="offset points",
                ha="center" if none else "left",
                va="center",
                fontsize=8,
                color="#333333",
            )
        horizon = result.scenario.spec.horizon
        bottom.set(ylim=(0, 1.05), ylabel=f"Holds to\nweek {horizon} (%)")
        percent_axis(bottom)
        bottom.set_yticks([0, 0.5, 1])
        bottom.set_title(
            "P(the ceasefire holds to the horizon | all accept)", fontsize=10, loc="left"
        )
        bottom.set_xticks(x, [f"week {w}" for w in weeks])
        bottom.set_xlim(-0.6, len(weeks) - 0.4)
        bottom.set_xlabel("Week the deal is tabled")
        runs = int(table["runs"].iloc[0])
        shown = [o for o in result.scenario.overrides if not o.startswith(("tabled=", "deals."))]
        label = escape(titled(result.scenario.label, shown))  # no mathtext from a name
        fig.suptitle(
            f"Deal '{result.deal}' tabled: who accepts?\n"
            f"{terms} (issues not named stay at their status quo)",
            fontsize=12,
            fontweight="bold",
            y=0.99,
        )
        fig.subplots_adjust(top=0.84)
        fig.text(
            0.01,
            -0.01,
            f"{label}: {runs:,} replicates per week, seed {result.seed}; "
            "bars and whiskers: estimate and 95% Wilson interval",
            fontsize=8,
            color="#555555",
        )
    return fig


def _share(p: float) -> str:
    """A probability as a rounded percentage that never rounds a rare event to 0% or 100%."""
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 <= p < 1:
        return ">99%"
    return f"{p:.0%}"
