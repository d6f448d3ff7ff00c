"""PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), for scenario discovery.

Given input values ``X`` (runs x inputs) and a yes/no outcome ``y``, PRIM looks for a box
(a range on each input) in which the outcome is much more frequent than overall:

1. **Peeling.**  Start from the box that holds every run.  At each step, try removing a
   slice of the runs in the box, a share ``alpha`` from the bottom or the top of each
   input's range; keep the slice whose removal leaves the highest share of ``y`` in the box.
   Repeat until the box holds less than ``min_mass`` of all runs.  Each step is one point
   of the *peeling trajectory*: smaller boxes are denser but cover fewer of the cases.
2. **Pasting** (optional).  Grow the chosen box again, a slice ``alpha`` at a time, on the
   face where adding runs raises the share of ``y`` most, while it does.

After choosing a box, :func:`prune` drops inputs whose limits barely raise the density,
:func:`drop_slack_limits` drops single limits that do not restrict, and :func:`quasi_p`
gives each restricted input's quasi-p-value (as EMA Workbench does).

A box is summarised by
- **coverage**: the share of all runs with the outcome that fall in the box;
- **density**: the share of runs in the box that have the outcome;
- **mass**: the share of all runs that fall in the box.

We use our own implementation because the ``prim`` package on PyPI (1.0.0) is GPL-3
(this project is MIT), pulls in ``mplcursors`` and still has pandas ``.ix`` calls in its
plotting code; EMA Workbench needs Python 3.12.  The algorithm is short.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Peeling:
    """A peeling trajectory: boxes from the whole space inwards.

    Attributes
    ----------
    inputs : list of str
        Input names, in the order of the bounds' columns.
    lower, upper : ndarray
        Box bounds, shape (steps, inputs); step 0 is the whole data range.
    coverage, density, mass : ndarray
        Per step, see the module docstring.
    restricted : ndarray of int
        Per step, how many inputs are restricted (narrower than the data range).
    """

    inputs: list[str]
    lower: np.ndarray
    upper: np.ndarray
    coverage: np.ndarray
    density: np.ndarray
    mass: np.ndarray
    restricted: np.ndarray

    def table(self) -> pd.DataFrame:
        """The trajectory as a table: step, coverage, density, mass, restricted inputs."""
        return pd.DataFrame(
            {
                "step": np.arange(len(self.coverage)),
                "coverage": self.coverage,
                "density": self.density,
                "mass": self.mass,
                "restricted": self.restricted,
            }
        )

    def choose(self, min_coverage: float = 0.5) -> int:
        """The densest box with at least ``min_coverage`` (ties: the larger box)."""
        ok = np.flatnonzero(self.coverage >= min_coverage - 1e-12)
        if not len(ok):
            return 0
        best = self.density[ok].max()
        return int(ok[np.flatnonzero(self.density[ok] >= best - 1e-12)[0]])

    def box(self, step: int) -> pd.DataFrame:
        """Bounds of one box: one row per input, whether it is restricted."""
        lo0, hi0 = self.lower[0], self.upper[0]
        lo, hi = self.lower[step], self.upper[step]
        return pd.DataFrame(
            {
                "input": self.inputs,
                "lower": lo,
                "upper": hi,
                "data_min": lo0,
                "data_max": hi0,
                "restricted": (lo > lo0) | (hi < hi0),
            }
        )


def _inside(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return np.all((x >= lower) & (x <= upper), axis=1)


def _stats(y: np.ndarray, inside: np.ndarray) -> tuple[float, float, float]:
    n_in = int(inside.sum())
    hits = float(y[inside].sum())
    coverage = hits / y.sum() if y.sum() else float("nan")
    density = hits / n_in if n_in else float("nan")
    return coverage, density, n_in / len(y)


def peel(
    x: np.ndarray | pd.DataFrame,
    y: np.ndarray,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    paste: bool = False,
    inputs: list[str] | None = None,
) -> Peeling:
    """Run PRIM's peeling (and optionally pasting) and return the trajectory.

    Parameters
    ----------
    x : array or DataFrame, shape (runs, inputs)
        Input values of each run.
    y : array of bool, shape (runs,)
        Whether the outcome of interest happened in each run.
    alpha : float
        Share of the box's runs removed by one peel (Friedman & Fisher suggest 0.05-0.1).
    min_mass : float
        Stop when the box would hold less than this share of all runs.
    paste : bool
        Add a pasted box (grown back from the densest peeled box) at the end of the
        trajectory, when pasting improves the density.
    inputs : list of str, optional
        Input names (the DataFrame's columns by default).

    Returns
    -------
    Peeling
    """
    if isinstance(x, pd.DataFrame):
        inputs = inputs or list(x.columns)
        x = x.to_numpy(dtype=float)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = x.shape
    inputs = inputs or [f"x{j}" for j in range(d)]
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    lower, upper = x.min(axis=0), x.max(axis=0)
    inside = np.ones(n, dtype=bool)
    lows, highs, stats = [lower.copy()], [upper.copy()], [_stats(y, inside)]
    while True:
        best: tuple[float, int, str, float] | None = None
        xi, yi = x[inside], y[inside]
        remove = max(1, int(np.floor(alpha * len(xi))))
        if len(xi) <= remove + 1 or (len(xi) - remove) / n < min_mass:
            break
        for j in range(d):
            column = xi[:, j]
            order = np.sort(column)
            # peel the bottom: keep values >= the (remove)-th smallest distinct cut
            cut_low = order[remove]
            cut_high = order[-remove - 1]
            for side, keep in (("low", column >= cut_low), ("high", column <= cut_high)):
                kept = int(keep.sum())
                if kept == len(column) or kept / n < min_mass or kept == 0:
                    continue  # ties: nothing (or everything) would go
                mean = float(yi[keep].mean())
                # prefer the peel that removes fewer runs when means tie (patience)
                score = (mean, kept)
                if best is None or score > (best[0], best[3]):
                    best = (mean, j, side, kept)
        if best is None:
            break
        _, j, side, _ = best
        if side == "low":
            lower = lower.copy()
            lower[j] = np.sort(xi[:, j])[remove]
        else:
            upper = upper.copy()
            upper[j] = np.sort(xi[:, j])[-remove - 1]
        inside = _inside(x, lower, upper)
        lows.append(lower)
        highs.append(upper)
        stats.append(_stats(y, inside))
    trajectory = _trajectory(inputs, lows, highs, stats)
    if paste:
        step = trajectory.choose(0.0)
        lo, hi = _paste(x, y, trajectory.lower[step], trajectory.upper[step], alpha)
        moved = not np.array_equal(lo, trajectory.lower[step]) or not np.array_equal(
            hi, trajectory.upper[step]
        )
        if moved:
            lows.append(lo)
            highs.append(hi)
            stats.append(_stats(y, _inside(x, lo, hi)))
            trajectory = _trajectory(inputs, lows, highs, stats)
    return trajectory


def _trajectory(inputs, lows, highs, stats) -> Peeling:
    lower, upper = np.array(lows), np.array(highs)
    coverage, density, mass = (np.array(s) for s in zip(*stats, strict=True))
    restricted = ((lower > lower[0]) | (upper < upper[0])).sum(axis=1)
    return Peeling(inputs, lower, upper, coverage, density, mass, restricted)


def _paste(
    x: np.ndarray, y: np.ndarray, lower: np.ndarray, upper: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Grow a box a slice at a time while that raises its density (Friedman & Fisher §5)."""
    lower, upper = lower.copy(), upper.copy()
    while True:
        inside = _inside(x, lower, upper)
        density = y[inside].mean() if inside.any() else 0.0
        add = max(1, int(np.floor(alpha * inside.sum())))
        best = None
        for j in range(x.shape[1]):
            others = np.ones(len(x), dtype=bool)
            for k in range(x.shape[1]):
                if k != j:
                    others &= (x[:, k] >= lower[k]) & (x[:, k] <= upper[k])
            below = np.sort(x[others & (x[:, j] < lower[j]), j])[::-1]
            above = np.sort(x[others & (x[:, j] > upper[j]), j])
            for side, values in (("low", below), ("high", above)):
                if not len(values):
                    continue
                edge = values[min(add, len(values)) - 1]
                lo, hi = lower.copy(), upper.copy()
                if side == "low":
                    lo[j] = edge
                else:
                    hi[j] = edge
                new = _inside(x, lo, hi)
                mean = y[new].mean()
                if mean > density + 1e-12 and (best is None or mean > best[0]):
                    best = (mean, lo, hi)
        if best is None:
            return lower, upper
        _, lower, upper = best


def prune(
    x: np.ndarray | pd.DataFrame,
    y: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    tolerance: float = 0.01,
) -> tuple[np.ndarray, np.ndarray]:
    """Drop a box's superfluous limits: an input goes back to its full range when that
    lowers the box's density by at most ``tolerance`` (peeling makes small, spurious cuts
    on inputs that do not matter; fewer limits make a box easier to read)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    lo, hi = lower.copy(), upper.copy()
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    target = y[_inside(x, lo, hi)].mean()
    while True:
        best = None
        for j in np.flatnonzero((lo > full_lo) | (hi < full_hi)):
            a, b = lo.copy(), hi.copy()
            a[j], b[j] = full_lo[j], full_hi[j]
            density = y[_inside(x, a, b)].mean()
            if density >= target - tolerance and (best is None or density > best[0]):
                best = (density, a, b)
        if best is None:
            return lo, hi
        _, lo, hi = best


def drop_slack_limits(
    x: np.ndarray | pd.DataFrame,
    lower: np.ndarray,
    upper: np.ndarray,
    share: float = 0.01,
) -> tuple[np.ndarray, np.ndarray]:
    """Drop the limits that do not restrict: each limit (a lower or an upper bound on one
    input) goes back to the data's bound when it cuts off at most ``share`` of the input's
    data range, or at most ``share`` of the runs the box would hold without it (no run at
    all, in particular).

    :func:`prune` drops whole inputs by their effect on density; this drops single sides,
    such as a lower limit of 0.8066 on data from 0.8001 that excludes no run the box's
    other limits let in (peeling and pasting leave such limits behind, and they read as
    restrictions that are not there).  One limit at a time, the slackest first, until
    every remaining limit restricts.
    """
    x = np.asarray(x, dtype=float)
    lo, hi = np.asarray(lower, float).copy(), np.asarray(upper, float).copy()
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    span = np.where(full_hi > full_lo, full_hi - full_lo, 1.0)
    while True:
        inside = _inside(x, lo, hi)
        slack = []
        for j in np.flatnonzero((lo > full_lo) | (hi < full_hi)):
            for side in ("lower", "upper"):
                a, b = lo.copy(), hi.copy()
                if side == "lower" and lo[j] > full_lo[j]:
                    cut = (lo[j] - full_lo[j]) / span[j]
                    a[j] = full_lo[j]
                elif side == "upper" and hi[j] < full_hi[j]:
                    cut = (full_hi[j] - hi[j]) / span[j]
                    b[j] = full_hi[j]
                else:
                    continue
                relaxed = _inside(x, a, b).sum()
                excluded = (relaxed - inside.sum()) / relaxed if relaxed else 0.0
                if cut <= share or excluded <= share:
                    slack.append((excluded, cut, j, side))
        if not slack:
            return lo, hi
        _, _, j, side = min(slack)
        if side == "lower":
            lo[j] = full_lo[j]
        else:
            hi[j] = full_hi[j]


def quasi_p(
    x: np.ndarray | pd.DataFrame, y: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """Quasi-p-values of a box's restricted inputs, as EMA Workbench reports them
    (Bryant & Lempert 2010; Kwakkel & Jaxa-Rozen 2016; ``ema_workbench.analysis.prim``).

    For input ``j``, take the box without its limits on ``j``: it holds ``T_j`` runs, of
    which ``H_j`` have the outcome.  The quasi-p-value is the one-sided binomial test of
    the box's own ``H`` hits in ``T`` runs against the rate ``H_j / T_j``
    (``scipy.stats.binomtest(H, T, H_j / T_j, alternative="greater")``): how likely a
    density at least this high would be if the restriction on ``j`` did nothing.  Small
    values (below 0.05, say) mark restrictions that matter; a large one, a restriction
    that could be dropped.  It is "quasi" because the box was chosen on the same data.

    Returns
    -------
    ndarray
        One value per input; NaN for an input the box does not restrict.
    """
    from scipy.stats import binomtest

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    inside = _inside(x, lower, upper)
    hits, total = int(y[inside].sum()), int(inside.sum())
    out = np.full(x.shape[1], np.nan)
    if total == 0:
        return out
    for j in np.flatnonzero((lower > full_lo) | (upper < full_hi)):
        a, b = np.asarray(lower, float).copy(), np.asarray(upper, float).copy()
        a[j], b[j] = full_lo[j], full_hi[j]
        relaxed = _inside(x, a, b)
        rate = y[relaxed].sum() / relaxed.sum()
        out[j] = binomtest(hits, total, min(max(rate, 0.0), 1.0), alternative="greater").pvalue
    return out
