"""Figures of the analysis commands: compare, sweep, sensitivity, discover.

Every figure goes through :mod:`sim.style` (Okabe-Ito colours, titled axes with units).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .style import (
    RC,
    REFERENCE,
    SEQUENTIAL,
    color,
    figure,
    linestyle,
    percent_axis,
    save,
    series_color,
)

# --------------------------------------------------------------------------- compare


def plot_comparison(table: pd.DataFrame, results: Mapping, folder: Path) -> list[Path]:
    """Cumulative incidence, forest plot of differences and terms, for a comparison."""
    from .comparison import curves

    with plt.rc_context(RC):
        return [
            incidence_curves(curves(results), len(table), folder / "ceasefire_by_week.png"),
            forest(table, folder / "differences.png"),
            terms_by_arm(results, folder / "terms.png"),
        ]


def incidence_curves(arms: Mapping[str, np.ndarray], n_arms: int, path: Path) -> Path:
    """P(first ceasefire by week) of every arm on one axis; the reference in black."""
    fig, ax = figure(9, 5.2)
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
            label=f"{label} (reference)" if i == 0 else label,
        )
    ax.set(
        xlim=(0, horizon),
        ylim=(0, 1),
        xlabel="Week",
        ylabel="P(first ceasefire by week)",
        title="When does a ceasefire come, arm by arm?",
    )
    percent_axis(ax)
    ax.legend(loc="upper left", fontsize=9, ncol=1 if n_arms <= 5 else 2)
    save(fig, path)
    return path


def forest(table: pd.DataFrame, path: Path) -> Path:
    """Differences from the reference with paired 95% intervals, one panel per outcome."""
    chosen = table.attrs["metrics"]
    others = table[~table["reference"]]
    ncols = 3
    nrows = -(-len(chosen) // ncols)
    height = max(2.2, 0.45 * len(others) + 1.4)
    fig, axes = figure(5.0 * ncols, height * nrows, nrows=nrows, ncols=ncols, squeeze=False)
    y = np.arange(len(others))[::-1]
    for ax, m in zip(axes.flat, chosen, strict=False):
        d = others[f"{m['key']}_diff"].to_numpy(dtype=float)
        lo = others[f"{m['key']}_diff_lo"].to_numpy(dtype=float)
        hi = others[f"{m['key']}_diff_hi"].to_numpy(dtype=float)
        scale = 100.0 if m["kind"] == "proportion" else 1.0
        ax.axvline(0, color="0.3", lw=1)
        for j in range(len(others)):
            if not np.isfinite(d[j]):
                continue
            clear = lo[j] > 0 or hi[j] < 0  # interval excludes 0
            c = color(5) if clear else color(0)
            ax.plot([lo[j] * scale, hi[j] * scale], [y[j], y[j]], color=c, lw=2.2)
            ax.plot(d[j] * scale, y[j], "o" if clear else "s", color=c, ms=6)
        # a minimum width keeps tiny (or zero) differences readable, not a smear of ticks
        half = {"proportion": 1.0, "median": 1.0 if m["key"] == "median_week" else 0.01}
        span = np.nanmax(np.abs(np.r_[lo, hi, 0.0] * scale))
        width = max(span * 1.1, half[m["kind"]])
        ax.set_xlim(-width, width)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+g}" if v else "0"))
        ax.set_yticks(y, others["arm"].tolist() if ax.get_subplotspec().is_first_col() else [])
        ax.set_ylim(-0.7, len(others) - 0.3)
        unit = "percentage points" if m["kind"] == "proportion" else m["unit"]
        ax.set_xlabel(f"Difference ({unit})")
        ax.set_title(m["label"], fontsize=11)
        ax.grid(axis="y", alpha=0)
    for ax in list(axes.flat)[len(chosen) :]:
        ax.axis("off")
    fig.suptitle(
        f"Difference from {table.attrs['reference']} (95% paired intervals; "
        "orange circle = interval excludes 0)",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    save(fig, path)
    return path


def terms_by_arm(results: Mapping, path: Path) -> Path:
    """Agreed terms per issue, arm by arm (box plots over runs that reached a ceasefire)."""
    issues = list(dict.fromkeys(i for r in results.values() for i in r.issues))
    first = next(iter(results.values()))
    labels = list(results)
    fig, axes = figure(
        3.8 * len(issues), max(2.6, 0.42 * len(labels) + 1.6), ncols=len(issues), squeeze=False
    )
    y = np.arange(len(labels))[::-1]
    for k, (ax, issue) in enumerate(zip(axes[0], issues, strict=True)):
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
        ax.set_yticks(y, labels if k == 0 else [])
        ax.set_xlim(-0.02, 1.02)
        spec = first.scenario.spec.issues.get(issue)
        ends = f"0 = {spec.low}\n1 = {spec.high}" if spec else "terms (0-1)"
        ax.set_xlabel(ends, fontsize=9)
        ax.set_title(issue, fontsize=11)
        ax.grid(axis="y", alpha=0)
    fig.suptitle(
        "Agreed terms by arm (runs with a ceasefire; box = middle 50%, whiskers = 1.5 IQR)",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    save(fig, path)
    return path


# --------------------------------------------------------------------------- sweep
_SWEEP_SHARES = (
    ("p_ceasefire", "ceasefire by the horizon"),
    ("p_by_52", "ceasefire by week 52"),
    ("p_by_26", "ceasefire by week 26"),
    ("p_held", "ceasefire holding at the horizon"),
)


def plot_sweep(table: pd.DataFrame, path: Path) -> Path:
    """Headline outcomes across a sweep: lines with 95% bands (one parameter) or heat
    maps (two parameters)."""
    with plt.rc_context(RC):
        if len(table.attrs["vary"]) == 1:
            return _sweep_lines(table, path)
        return _sweep_heatmaps(table, path)


def _sweep_lines(table: pd.DataFrame, path: Path) -> Path:
    param = table.attrs["vary"][0]
    x = table[param].to_numpy(dtype=float)
    fig, axes = figure(15, 4.6, ncols=3)
    ax = axes[0]
    for i, (key, label) in enumerate(k for k in _SWEEP_SHARES if k[0] in table):
        ax.fill_between(x, table[f"{key}_lo"], table[f"{key}_hi"], color=color(i), alpha=0.18)
        ax.plot(x, table[key], color=color(i), ls=linestyle(i), marker="o", ms=4, lw=2, label=label)
    ax.set(ylim=(0, 1), xlabel=param, ylabel="Probability", title="Ceasefire")
    percent_axis(ax)
    ax.legend(loc="best", fontsize=9)
    for ax, key, label, unit, c in (
        (axes[1], "median_week", "Median week of first ceasefire", "Week", 1),
        (axes[2], "final_control", "Russia's final control (mean)", "Control (0-1)", 5),
    ):
        ax.fill_between(
            x,
            table[f"{key}_lo"],
            table[f"{key}_hi"],
            color=color(c),
            alpha=0.2,
            label="95% interval",
        )
        ax.plot(x, table[key], color=color(c), marker="o", ms=4, lw=2, label="estimate")
        ax.set(xlabel=param, ylabel=unit, title=label)
        ax.legend(loc="best", fontsize=9)
    fig.suptitle(
        f"Sweep of {param} ({table.attrs['scenario']}, {table.attrs['runs']:,} runs per point, "
        "95% intervals)",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    save(fig, path)
    return path


def _sweep_heatmaps(table: pd.DataFrame, path: Path) -> Path:
    p1, p2 = table.attrs["vary"]
    xs, ys = np.unique(table[p2]), np.unique(table[p1])
    panels = [
        ("p_ceasefire", "P(ceasefire by the horizon)", True),
        ("p_held", "P(ceasefire holding at the horizon)", True),
        ("median_week", "Median week of first ceasefire", False),
        ("final_control", "Russia's final control (mean, 0-1)", False),
    ]
    fig, axes = figure(13, 10, nrows=2, ncols=2, squeeze=False)
    for ax, (key, title, share) in zip(axes.flat, panels, strict=True):
        grid = (
            table.pivot_table(index=p1, columns=p2, values=key, dropna=False)
            .reindex(index=ys, columns=xs)
            .to_numpy(dtype=float)
        )
        im = ax.imshow(
            grid,
            origin="lower",
            aspect="auto",
            cmap=SEQUENTIAL,
            vmin=0 if share else None,
            vmax=1 if share else None,
        )
        ax.set_xticks(range(len(xs)), [f"{v:.3g}" for v in xs], rotation=45 if len(xs) > 6 else 0)
        ax.set_yticks(range(len(ys)), [f"{v:.3g}" for v in ys])
        ax.set(xlabel=p2, ylabel=p1, title=title)
        ax.grid(False)
        bar = fig.colorbar(im, ax=ax, shrink=0.85)
        if share:
            bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        if grid.size <= 150:  # values printed in the cells while they stay legible
            lo, hi = np.nanmin(grid), np.nanmax(grid)
            for (r, c), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    dark = (v - lo) / (hi - lo + 1e-12) < 0.55 if not share else v < 0.55
                    text = f"{v:.0%}" if share else f"{v:.3g}"
                    ax.text(
                        c,
                        r,
                        text,
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if dark else "black",
                    )
    fig.suptitle(
        f"Sweep of {p1} x {p2} ({table.attrs['scenario']}, {table.attrs['runs']:,} runs per cell)",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    save(fig, path)
    return path


# --------------------------------------------------------------------------- sensitivity
def plot_sensitivity(table: pd.DataFrame, path: Path, top: int = 12) -> Path:
    """Bar chart of the indices per outcome, largest first, with 95% intervals."""
    from .analysis import SENSITIVITY_OUTCOMES

    sobol = table.attrs["method"] == "sobol"
    outcomes = [o for o in SENSITIVITY_OUTCOMES if o in set(table["outcome"])]
    n_inputs = min(top, table["input"].nunique())
    with plt.rc_context(RC):
        fig, axes = figure(14, max(4.0, 0.42 * n_inputs + 1.8) * 2, nrows=2, ncols=2, squeeze=False)
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            rows = table[table["outcome"] == outcome].head(top)
            y = np.arange(len(rows))[::-1]
            if rows[["ST" if sobol else "mu_star"]].isna().all().all():
                ax.text(
                    0.5,
                    0.5,
                    "outcome constant:\nno variance to share out",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
            elif sobol:
                h = 0.38
                ax.barh(
                    y + h / 2,
                    rows["ST"].clip(lower=0),
                    h,
                    xerr=rows["ST_conf"],
                    color=color(0),
                    label="total (ST)",
                    capsize=2,
                )
                ax.barh(
                    y - h / 2,
                    rows["S1"].clip(lower=0),
                    h,
                    xerr=rows["S1_conf"],
                    color=color(1),
                    label="first order (S1)",
                    capsize=2,
                )
                ax.set_xlim(0, max(1.05, float((rows["ST"] + rows["ST_conf"]).max()) * 1.05))
                ax.set_xlabel("Share of the outcome's variance")
            else:
                ax.barh(
                    y,
                    rows["mu_star"],
                    xerr=rows["mu_star_conf"],
                    color=color(0),
                    label="mu* (mean |effect|)",
                    capsize=2,
                )
                ax.set_xlabel("Mean |change| across each input's full range")
            ax.set_yticks(y, [_short(n) for n in rows["input"]])
            ax.set_title(SENSITIVITY_OUTCOMES[outcome], fontsize=11)
            ax.grid(axis="y", alpha=0)
            ax.legend(loc="lower right", fontsize=9)
        for ax in list(axes.flat)[len(outcomes) :]:
            ax.axis("off")
        what = "Sobol indices" if sobol else "Morris elementary effects"
        fig.suptitle(
            f"Which uncertain inputs matter? {what} ({table.attrs['scenario']}, "
            f"{table.attrs['points']:,} points x {table.attrs['replicates']} runs; 95% intervals)",
            fontsize=13,
            fontweight="bold",
        )
        fig.tight_layout()
        save(fig, path)
    return path


def _short(path: str) -> str:
    return path.removeprefix("actors.")


# --------------------------------------------------------------------------- discover
def plot_discovery(box: pd.DataFrame, folder: Path) -> list[Path]:
    """The peeling trajectory (coverage vs density) and the chosen box's ranges."""
    trajectory = box.attrs["trajectory"]
    step = box.attrs["step"]
    outcome = box.attrs["outcome"]
    with plt.rc_context(RC):
        fig, ax = figure(8.5, 5.6)
        restricted = trajectory["restricted"].to_numpy()
        for i, k in enumerate(np.unique(restricted)):
            sel = restricted == k
            ax.scatter(
                trajectory["coverage"][sel],
                trajectory["density"][sel],
                s=28,
                color=color(i),
                marker="os^Dv<>p"[i % 8],
                label=f"{k} input{'s' if k != 1 else ''} restricted",
            )
        ax.plot(trajectory["coverage"], trajectory["density"], color="0.6", lw=0.8, zorder=0)
        ax.scatter(
            [box["coverage"].iloc[0]],
            [box["density"].iloc[0]],
            s=220,
            marker="*",
            color="black",
            zorder=5,
            label=f"reported box (step {step}, spurious limits dropped)",
        )
        ax.axhline(
            box.attrs["base_rate"],
            color="0.3",
            ls="--",
            lw=1,
            label=f"share of all runs: {box.attrs['base_rate']:.0%}",
        )
        ax.set(
            xlim=(0, 1.02),
            ylim=(0, 1.02),
            xlabel="Coverage (share of the outcome's runs in the box)",
            ylabel="Density (share of the box's runs with the outcome)",
            title=f"PRIM peeling trajectory: {outcome}",
        )
        percent_axis(ax, "x")
        percent_axis(ax, "y")
        ax.legend(loc="lower left", fontsize=9)
        first = folder / "peeling.png"
        save(fig, first)

        rows = box[box["restricted"]]
        fig, ax = figure(8.5, max(2.4, 0.6 * len(rows) + 1.6))
        if len(rows):
            y = np.arange(len(rows))[::-1]
            span = (rows["data_max"] - rows["data_min"]).replace(0, 1)
            lo = (rows["lower"] - rows["data_min"]) / span
            hi = (rows["upper"] - rows["data_min"]) / span
            ax.barh(y, [1] * len(rows), color="0.9", height=0.6, label="range in the runs")
            ax.barh(y, hi - lo, left=lo, color=color(0), height=0.6, label="the box")
            for j, (_, r) in enumerate(rows.iterrows()):
                ax.text(
                    1.02, y[j], f"{r['lower']:.3g} to {r['upper']:.3g}", va="center", fontsize=9
                )
            ax.set_yticks(y, [_short(n) for n in rows["input"]])
            ax.set_xlim(0, 1.35)
            ax.set_xticks([0, 0.5, 1], ["min", "middle", "max"])
            ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.32), ncol=2, fontsize=9)
        else:
            ax.text(
                0.5, 0.5, "no input restricted", ha="center", va="center", transform=ax.transAxes
            )
        ax.set_xlabel("Position within the input's range in the runs")
        ax.grid(axis="y", alpha=0)
        ax.set_title(
            f"Where '{outcome}' is likely: coverage {box['coverage'].iloc[0]:.0%}, "
            f"density {box['density'].iloc[0]:.0%}",
            fontsize=12,
        )
        second = folder / "box.png"
        save(fig, second)
    return [first, second]


# --------------------------------------------------------------------------- deal


def plot_deal(result, path: Path) -> Path:
    """A tabled deal at a glance: per week, each veto player's P(accept) and P(all accept)
    as grouped bars with 95% intervals (top), and P(holds to the horizon | all accept)
    (bottom)."""
    from .deals import describe_terms

    table = result.table
    weeks = [int(w) for w in table["week"]]
    x = np.arange(len(weeks))
    series = [(f"p_accept_{a}", f"{a} accepts") for a in result.vetoes]
    series.append(("p_all_accept", "All accept (a ceasefire is signed)"))
    n = len(series)
    width = 0.8 / n
    with plt.rc_context(RC):
        fig, (top, bottom) = figure(
            max(7.5, 1.6 * len(weeks) + 3.5),
            7.2,
            nrows=2,
            sharex=True,
            gridspec_kw={"height_ratios": [3, 1.6], "hspace": 0.12},
        )
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
        label = result.scenario.label.replace("$", r"\$")  # no mathtext from a name
        fig.suptitle(
            f"Deal '{result.deal}' tabled: who accepts?\n"
            f"{describe_terms(result.terms)} (issues not named stay at their status quo)",
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
        save(fig, path)
    return path


def _share(p: float) -> str:
    """A probability as a rounded percentage that never rounds a rare event to 0% or 100%."""
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 <= p < 1:
        return ">99%"
    return f"{p:.0%}"
