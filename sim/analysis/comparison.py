"""Compare policies (or scenario files) on common random numbers.

Every arm runs the same replicate indices with the same seed, so replicate ``r`` of each arm
draws the same battlefield luck and the same values of the uncertain inputs the arms share
(:mod:`sim.streams`).  Differences between arms are then estimated *paired*, replicate by
replicate, which removes the shared luck from the difference and makes it much sharper
than two independent runs would: Newcombe's paired interval for shares, the paired t
interval for means, and a bootstrap that resamples replicate indices jointly for the
differences of medians (:mod:`sim.analysis.intervals`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..ensemble import EnsembleResult
from ..errors import ScenarioError
from ..outcomes import headline_outcome, headline_outcomes, median_ci
from ..scenario import Scenario
from ..snapshot import ScenarioSnapshot
from ..snapshot import as_snapshot as _as_snapshot
from ..spreadsheet import to_csv
from .intervals import (
    bootstrap_medians,
    mean_interval,
    paired_mean_difference,
    paired_proportion_difference,
    percentile_interval,
    wilson_interval,
)

N_RESAMPLES = 2000
"""Bootstrap resamples for the paired differences of medians (the only intervals that
are resampled): enough for stable 95% percentile limits."""

LEVEL = 0.95


_ESTIMATOR = {"proportion": "proportion", "week": "median", "value": "mean"}
"""How compare estimates each kind of headline outcome (:data:`sim.outcomes.KINDS`)."""


@dataclass(frozen=True)
class Metric:
    """An outcome compared across arms: a headline outcome or the terms on an issue."""

    key: str
    label: str
    kind: str  # "proportion" (share of runs), "median" or "mean" (over runs where it applies)
    unit: str


def metrics(issues: Sequence[str], horizon: int) -> list[Metric]:
    """The compared outcomes for arms with these issues and (shortest) horizon: the headline
    outcomes (:data:`sim.outcomes.HEADLINE`), then the median terms on each issue."""
    out = [
        Metric(o.key, o.title(horizon), _ESTIMATOR[o.kind], o.unit)
        for o in headline_outcomes(horizon)
    ]
    out += [
        Metric(f"terms_{i}", f"Median terms: {i}", "median", f"{i} scale (0-1)") for i in issues
    ]
    return out


def outcome_values(runs: pd.DataFrame, metric: Metric, horizon: int) -> np.ndarray:
    """Per-replicate values of a metric: 0/1 for proportions, NaN where a median skips."""
    outcome = headline_outcome(metric.key)
    if outcome is not None:
        return outcome.compute(runs, horizon)
    column = metric.key
    if column not in runs:
        return np.full(len(runs), np.nan)
    return runs[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


# --------------------------------------------------------------------------- statistics
def _nanmedian(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Median ignoring NaN, vectorised over rows (NaN where a row has no values).

    ``np.nanmedian`` loops in Python over rows for wide arrays; sorting once (NaN sorts
    last) and indexing the middle of each row's valid part is ~10x faster here.
    """
    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    s = np.sort(x, axis=-1)
    k = np.sum(~np.isnan(s), axis=-1)
    lo = np.clip((k - 1) // 2, 0, None)
    hi = np.clip(k // 2, 0, None)
    a = np.take_along_axis(s, lo[..., None], axis=-1)[..., 0]
    b = np.take_along_axis(s, np.minimum(hi, s.shape[-1] - 1)[..., None], axis=-1)[..., 0]
    return np.where(k > 0, (a + b) / 2, np.nan)


def estimate(
    values: np.ndarray, kind: str, seed: int = 0, n_resamples: int = N_RESAMPLES
) -> tuple[float, float, float]:
    """Point estimate and 95% interval of one arm's metric (closed forms, no resampling).

    Proportions: the share with the Wilson (1927) score interval.  Medians: the median of
    the non-null values with the distribution-free interval from binomial order statistics
    (:func:`sim.outcomes.median_ci`).  Means: the mean of the non-null values with
    Student's t interval.  ``seed`` and ``n_resamples`` are not used (kept for callers).
    """
    if kind == "proportion":
        n, k = len(values), int(np.sum(values))
        if not n:
            return (float("nan"),) * 3
        lo, hi = wilson_interval(k, n)
        return k / n, float(lo), float(hi)
    if kind == "mean":
        return mean_interval(values)
    return median_ci(values[~np.isnan(values)])


def difference(
    reference: np.ndarray,
    arm: np.ndarray,
    kind: str,
    seed: int = 0,
    n_resamples: int = N_RESAMPLES,
) -> tuple[float, float, float]:
    """``arm - reference`` with a paired 95% interval (the replicates are paired by CRN).

    Proportions: Newcombe's (1998) method 10 for paired proportions
    (:func:`sim.analysis.intervals.newcombe_paired`).  Means: the paired t interval on the
    per-replicate differences.  Medians: the difference of the two medians with a
    percentile interval from ``n_resamples`` bootstrap resamples of the replicate indices,
    the same indices for both arms (:func:`sim.analysis.intervals.bootstrap_medians`,
    seeded by ``seed``).  Two arms equal on every replicate: the difference is exactly 0
    with interval [0, 0].
    """
    if kind == "proportion":
        return paired_proportion_difference(reference, arm)
    if kind == "mean":
        return paired_mean_difference(reference, arm)
    draws = bootstrap_medians([reference, arm], n_resamples, seed)
    return _median_difference(reference, arm, draws[1] - draws[0])


def _median_difference(
    reference: np.ndarray, arm: np.ndarray, draws: np.ndarray
) -> tuple[float, float, float]:
    """Difference of medians and the percentile interval of its paired bootstrap draws."""
    r, a = reference[~np.isnan(reference)], arm[~np.isnan(arm)]
    if not len(r) or not len(a):
        return (float("nan"),) * 3
    d = float(np.median(a) - np.median(r))
    if np.array_equal(reference, arm, equal_nan=True):
        return d, 0.0, 0.0
    return (d, *percentile_interval(draws))


def compare_runs(
    runs: Mapping[str, pd.DataFrame],
    horizons: Mapping[str, int],
    issues: Sequence[str],
    reference: str | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """The comparison table of arms that ran on common random numbers.

    Parameters
    ----------
    runs : mapping of str to DataFrame
        Each arm's per-replicate table (as ``EnsembleResult.runs``), in display order.
    horizons : mapping of str to int
        Each arm's horizon in weeks.
    issues : sequence of str
        Issues whose terms are compared (missing ones give NaN).
    reference : str, optional
        The arm differences are taken from (default: the first).
    n_resamples : int
        Bootstrap resamples for the differences of medians (the only bootstrapped
        intervals; one set of resampled replicate indices serves every arm and median).
    seed : int
        Seed of the bootstrap (intervals are reproducible, bit for bit).

    Returns
    -------
    DataFrame
        One row per arm: ``arm``, ``reference``, ``runs`` and, for each metric ``m`` (see
        :func:`metrics`), ``m``, ``m_lo``, ``m_hi`` (95% interval) and ``m_diff``,
        ``m_diff_lo``, ``m_diff_hi`` (arm minus reference, paired 95% interval; NaN on the
        reference row).  The methods are those of :func:`estimate` and :func:`difference`.
    """
    labels = list(runs)
    reference = reference or labels[0]
    if reference not in runs:
        raise ScenarioError("--reference", reference, f"no such arm (arms: {', '.join(labels)})")
    sizes = {len(frame) for frame in runs.values()}
    if len(sizes) != 1:
        raise ValueError("arms must have the same number of replicates to be paired")
    for label, frame in runs.items():
        if not np.array_equal(frame["replicate"].to_numpy(), runs[reference]["replicate"]):
            raise ValueError(f"arm {label!r} does not share the reference's replicate indices")
    horizon = min(horizons.values())
    chosen = metrics(issues, horizon)
    values = {
        (label, m.key): outcome_values(runs[label], m, horizon) for label in labels for m in chosen
    }
    # every median of every arm under the same resampled replicate indices: paired draws
    medians = [(label, m.key) for m in chosen if m.kind == "median" for label in labels]
    draws = dict(
        zip(
            medians, bootstrap_medians([values[k] for k in medians], n_resamples, seed), strict=True
        )
    )
    rows = []
    for label in labels:
        row: dict = {"arm": label, "reference": label == reference, "runs": len(runs[label])}
        for m in chosen:
            v, ref = values[label, m.key], values[reference, m.key]
            est = estimate(v, m.kind)
            row.update({m.key: est[0], f"{m.key}_lo": est[1], f"{m.key}_hi": est[2]})
            if label == reference:
                diff = (float("nan"),) * 3
            elif m.kind == "median":
                paired = draws[label, m.key] - draws[reference, m.key]
                diff = _median_difference(ref, v, paired)
            else:
                diff = difference(ref, v, m.kind)
            put_difference(row, m.key, diff)
        rows.append(row)
    return comparison_table(rows, chosen, reference)


def put_difference(row: dict, key: str, diff: Sequence[float]) -> None:
    """Store an outcome's difference from the reference and its interval in a table row."""
    row.update({f"{key}_diff": diff[0], f"{key}_diff_lo": diff[1], f"{key}_diff_hi": diff[2]})


def comparison_table(rows: list[dict], chosen: Sequence[Metric], reference: str) -> pd.DataFrame:
    """The rows of a comparison as its table, with the metrics and the reference arm."""
    table = pd.DataFrame(rows)
    table.attrs["metrics"] = [m.__dict__ for m in chosen]
    table.attrs["reference"] = reference
    return table


# --------------------------------------------------------------------------- arms
def arm_scenarios(
    paths: Sequence[str | Path | ScenarioSnapshot | Scenario],
    policies: Sequence[str] | None = None,
    overrides: Iterable[str] = (),
) -> list[Scenario]:
    """The arms to compare, the reference first.

    One file: its baseline, then every policy it defines (or those in ``policies``).
    Several files: each file as it is (policies cannot be combined with several files).
    Each file is read once (:mod:`sim.snapshot`): all its arms come from the same text.
    A loaded :class:`~sim.scenario.Scenario` stands for its file with its own policy and
    overrides (rebuilt from the text it carries when ``overrides`` are added; one
    Scenario with a policy cannot be compared with its file's policies).
    """
    overrides = tuple(overrides)
    if not paths:
        raise ScenarioError("compare", "SCENARIO", "give at least one scenario file")
    if len(paths) > 1:
        if policies:
            raise ScenarioError(
                "--policies", "", "policies apply to one scenario file; give one file"
            )
        arms = [_arm(p, overrides) for p in paths]
    else:
        given = paths[0]
        if isinstance(given, Scenario) and given.policy is not None:
            raise ScenarioError(
                given.source,
                f"policies.{given.policy}",
                "this Scenario was loaded with a policy, so its file's policies cannot be "
                "compared with it: load the file without a policy (or pass its path)",
            )
        snapshot, _, overrides = _as_snapshot(given, None, overrides)
        base = snapshot.build(overrides=overrides)
        names = list(base.spec.policies) if policies is None else list(policies)
        for name in names:
            if name not in base.spec.policies:
                known = ", ".join(base.spec.policies) or "none"
                raise ScenarioError(
                    snapshot.source, f"policies.{name}", f"no such policy (defined: {known})"
                )
        if not names:
            raise ScenarioError(
                snapshot.source, "policies", "the file defines no policies: nothing to compare"
            )
        arms = [base, *(snapshot.build(name, overrides) for name in dict.fromkeys(names))]
    return arms


def _arm(scenario: str | Path | ScenarioSnapshot | Scenario, overrides: tuple[str, ...]):
    """One file as it is (with ``overrides``); a loaded Scenario as it is, or rebuilt from
    its text when ``overrides`` are added."""
    if isinstance(scenario, Scenario) and not overrides:
        return scenario
    policy = scenario.policy if isinstance(scenario, Scenario) else None
    snapshot, policy, overrides = _as_snapshot(scenario, policy, overrides)
    return snapshot.build(policy, overrides)


def arm_labels(arms: Sequence[Scenario]) -> list[str]:
    """Unique, readable labels (the file's stem is added where two labels clash)."""
    labels = [a.label for a in arms]
    if len(set(labels)) < len(labels):
        labels = [f"{Path(a.source).stem}:{a.label}" for a in arms]
    if len(set(labels)) < len(labels):
        labels = [f"{i}:{label}" for i, label in enumerate(labels)]
    return labels


def run_arms(
    arms: Sequence[Scenario],
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    checkpoint: Path | None = None,
    scheduler: str | None = None,
    model_class: Callable | None = None,
) -> dict[str, EnsembleResult]:
    """Run every arm with the same runs and seed (the reference's unless given): CRN.

    All arms' chunks go to one pool (or one Dask cluster) at once: the workers start once,
    no arm waits for the slowest chunk of the one before, and the chunks are as large as
    for a single run of all the arms' replicates, so a comparison costs about what a run
    of the same number of replicates does.  Each arm's results are those of
    :func:`sim.ensemble.run_ensemble` with the same chunks (the outcomes do not depend on
    the chunking in any case).

    With ``checkpoint``, each arm saves its finished chunks in a subfolder, and chunks
    already saved there (from an interrupted comparison) are not run again.
    ``model_class``: what steps a chunk (:func:`sim.ensemble.run_ensemble`; the record's
    probes, :mod:`sim.record.observe`).
    """
    from ..checkpoint import job_key, resume_chunks, save_chunk, saved_chunk_size
    from ..ensemble import (
        ChunkResult,
        _results,
        chunk_columns,
        chunks,
        default_chunk_size,
        default_workers,
        executor_for,
    )
    from ..outcomes import to_frame

    reference = arms[0]
    runs = reference.spec.runs if runs is None else runs
    seed = reference.spec.seed if seed is None else seed
    workers = workers or default_workers()
    began = time.perf_counter()
    labels = arm_labels(arms)
    folders = [
        None if checkpoint is None else Path(checkpoint) / f"arm-{i:03d}" for i in range(len(arms))
    ]
    # chunks sized as for one run of every arm's replicates, but at least one per worker
    # and arm, so that a small comparison still uses every worker
    fresh = min(default_chunk_size(runs * len(arms), workers), -(-runs // max(workers, 1)))
    sizes = [(saved_chunk_size(f) if f is not None else None) or max(1, fresh) for f in folders]
    done: list[list[ChunkResult]] = [[] for _ in arms]
    todo: list[tuple[int, int, int]] = []  # (arm, start, stop)
    for i, (arm, folder) in enumerate(zip(arms, folders, strict=True)):
        bounds = chunks(runs, sizes[i])
        if folder is not None:
            key = job_key(arm, runs, seed, sizes[i], 0)
            saved_chunks = resume_chunks(
                folder, key, sizes[i], bounds, chunk_columns(arm), arm.spec.horizon
            )
            for start, columns, trajectories in saved_chunks:
                done[i].append(ChunkResult(start, columns, trajectories, seconds=0.0))
                if on_progress:
                    on_progress(len(columns["replicate"]))
            saved = {c.start for c in done[i]}
            bounds = [b for b in bounds if b[0] not in saved]
        todo += [(i, a, b) for a, b in bounds]

    def finished(i: int, chunk: ChunkResult) -> None:
        n = len(chunk.columns["replicate"])
        if folders[i] is not None:
            save_chunk(folders[i], chunk.start, chunk.start + n, chunk.columns, chunk.trajectories)
        done[i].append(chunk)
        if on_progress:
            on_progress(n)

    # largest chunks first: the pool's last chunks are the short ones, so the workers
    # finish together (longest-processing-time-first scheduling)
    todo.sort(key=lambda t: t[1] - t[2])
    parallel = scheduler is not None or (workers > 1 and len(todo) > 1)
    workers = min(workers, max(len(todo), 1))  # never more processes than chunks to run
    with executor_for(workers if parallel else 1, scheduler) as pool:
        if pool is None:
            for i, a, b in todo:
                finished(*_arm_chunk(i, arms[i], seed, a, b, model_class))
        else:
            futures = [
                pool.submit(_arm_chunk, i, arms[i], seed, a, b, model_class) for i, a, b in todo
            ]
            try:
                for i, chunk in _results(pool, futures):
                    finished(i, chunk)
            except BaseException:
                for future in futures:
                    with suppress(Exception):  # a lost cluster cannot cancel
                        future.cancel()
                raise
    wall = time.perf_counter() - began
    out = {}
    for i, (label, arm) in enumerate(zip(labels, arms, strict=True)):
        results = sorted(done[i], key=lambda c: c.start)
        columns = {
            name: np.concatenate([c.columns[name] for c in results]) for name in results[0].columns
        }
        out[label] = EnsembleResult(
            scenario=arm,
            runs=to_frame(columns),
            trajectories={},
            seed=seed,
            timings={
                "wall_seconds": wall,  # the arms ran together
                "chunk_seconds": float(sum(c.seconds for c in results)),
                "chunks": len(results),
                "chunk_size": sizes[i],
                "workers": 0 if scheduler else workers if parallel else 1,
            },
        )
    return out


def _arm_chunk(
    arm: int, scenario: Scenario, seed: int, start: int, stop: int, model_class=None
) -> tuple:
    """One chunk of one arm, tagged with the arm (picklable, for any executor)."""
    from ..ensemble import run_chunk

    if model_class is None:
        return arm, run_chunk(scenario, seed, start, stop, 0)
    return arm, run_chunk(scenario, seed, start, stop, 0, model_class)


def compare_results(
    results: Mapping[str, EnsembleResult], n_resamples: int = N_RESAMPLES
) -> pd.DataFrame:
    """:func:`compare_runs` over ensemble results (the first is the reference)."""
    issues = list(dict.fromkeys(i for r in results.values() for i in r.issues))
    table = compare_runs(
        {k: r.runs for k, r in results.items()},
        {k: r.scenario.spec.horizon for k, r in results.items()},
        issues,
        n_resamples=n_resamples,
    )
    table.insert(1, "description", [_description(r.scenario) for r in results.values()])
    return table


def compare(
    scenarios: str | Path | Scenario | Sequence[str | Path | Scenario],
    policies: Sequence[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    overrides: Iterable[str] = (),
    n_resamples: int = N_RESAMPLES,
    scheduler: str | None = None,
) -> ComparisonResult:
    """Compare a file's policies, or several files, on common random numbers.

    Parameters
    ----------
    scenarios : path, Scenario, or a sequence of them
        One file (its baseline against its policies) or several (the first is the
        reference).  A loaded Scenario counts as its file (loaded without a policy) with
        its overrides: its policies are built from the text it carries.
    policies : sequence of str, optional
        With one file, the policies to compare (default: all it defines).
    runs, seed : int, optional
        Replicates and seed for every arm (default: the reference file's).
    workers : int, optional
        Local processes.
    overrides : iterable of str
        ``PATH=VALUE`` overrides applied to every arm.
    n_resamples : int
        Bootstrap resamples per interval.

    Returns
    -------
    ComparisonResult
        ``.table``: the table of :func:`compare_runs`, with a ``description`` column;
        ``.results``: each arm's :class:`~sim.ensemble.EnsembleResult`.

    Examples
    --------
    >>> import sim
    >>> result = sim.compare("scenarios/baseline.yaml", runs=500)  # doctest: +SKIP
    >>> result.table[["arm", "p_ceasefire", "p_ceasefire_diff_lo", "p_ceasefire_diff_hi"]]  # doctest: +SKIP
    """
    from ..options import check_options

    checked = check_options(
        policies=policies,
        runs=runs,
        seed=seed,
        workers=workers,
        overrides=overrides,
        n_resamples=n_resamples,
        scheduler=scheduler,
    )
    policies, runs, seed, workers = (checked[k] for k in ("policies", "runs", "seed", "workers"))
    one = isinstance(scenarios, str | Path | Scenario)
    paths = [scenarios] if one else list(scenarios)
    arms = arm_scenarios(paths, policies, checked["overrides"] or ())
    results = run_arms(arms, runs, seed, workers, scheduler=scheduler)
    table = compare_results(results, n_resamples)
    n, seed_used = len(next(iter(results.values())).runs), next(iter(results.values())).seed
    title = f"{arms[0].name}: {len(arms)} arms, {n:,} runs each, seed {seed_used}"
    return ComparisonResult(table, results, title)


@dataclass(repr=False)
class ComparisonResult:
    """Arms compared on common random numbers (:func:`compare`).

    Attributes
    ----------
    table : DataFrame
        One row per arm (:func:`compare_runs`): each outcome with its 95% interval and its
        paired difference from the reference; ``attrs``: ``metrics``, ``reference``.
    results : dict of str to EnsembleResult
        Each arm's runs, by label (the reference first).
    title : str
    """

    table: pd.DataFrame
    results: dict[str, EnsembleResult]
    title: str

    @property
    def reference(self) -> str:
        return self.table.attrs["reference"]

    def summary(self) -> pd.DataFrame:
        """Each arm's headline outcomes and their differences from the reference (the
        table without the interval columns)."""
        keep = [c for c in self.table.columns if not c.endswith(("_lo", "_hi"))]
        return self.table[keep].copy()

    def plot(self) -> dict:
        """The comparison's figures, by name (those ``ceasefire compare`` saves)."""
        from ..plots.compare import plot_comparison

        return plot_comparison(self.table, self.results)

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``ceasefire compare`` writes (must not exist); returns it."""
        from .explored import save_folder

        return save_folder(
            folder, lambda tmp: write_comparison(self.table, self.results, tmp, self.title, plots)
        )

    def __repr__(self) -> str:
        from ..display import share, shorten

        cells = []
        for _, row in self.table.iterrows():
            if row["reference"]:
                cells.append(f"{shorten(row['arm'], 40)} {share(row['p_ceasefire'])}")
            else:
                d = row["p_ceasefire_diff"]
                cells.append(
                    f"{shorten(row['arm'], 40)} {share(row['p_ceasefire'])} ({d * 100:+.1f} pp)"
                )
        return (
            f"ComparisonResult({shorten(self.title, 120)}; P(ceasefire): "
            + "; ".join(cells[:6])
            + ("; ..." if len(cells) > 6 else "")
            + ")"
        )

    def _repr_html_(self) -> str:
        from ..display import html_table

        chosen = [m for m in self.table.attrs["metrics"] if not m["key"].startswith("terms_")]
        chosen = chosen[:4]
        header = ["Arm"]
        for m in chosen:
            header += [m["label"], "Δ [95% CI]"]
        rows = []
        for _, row in self.table.iterrows():
            name = f"{row['arm']} (ref.)" if row["reference"] else str(row["arm"])
            cells = [name]
            for m in chosen:
                cells += [cell(row, m), "" if row["reference"] else cell(row, m, diff=True)]
            rows.append(cells)
        return html_table(
            self.title,
            header,
            rows,
            "Brackets: 95% intervals; differences from the reference are paired (common "
            "random numbers), in percentage points for shares. .table holds every outcome.",
        )


def _description(scenario: Scenario) -> str:
    if scenario.policy:
        text = scenario.spec.policies[scenario.policy].description
    else:
        text = scenario.spec.description
    return " ".join(text.split())


# --------------------------------------------------------------------------- output
def _pct(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:.1%}"


def _pp(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x * 100:+.1f}"


def _num(x: float, signed: bool = False, digits: int = 2) -> str:
    if not np.isfinite(x):
        return "-"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def cell(row: Mapping, metric: Mapping, diff: bool = False) -> str:
    """One table cell: value [95% interval], or the difference [paired 95% interval]."""
    k = metric["key"] + ("_diff" if diff else "")
    value, lo, hi = row[k], row[f"{k}_lo"], row[f"{k}_hi"]
    if not np.isfinite(value):
        return "-"
    if metric["kind"] == "proportion":
        fmt = _pp if diff else _pct
        unit = " pp" if diff else ""
        return f"{fmt(value)}{unit} [{fmt(lo)}, {fmt(hi)}]"
    digits = (
        (1 if diff else 0) if metric["unit"] == "weeks" else 3 if metric["kind"] == "mean" else 2
    )
    return f"{_num(value, diff, digits)} [{_num(lo, diff, digits)}, {_num(hi, diff, digits)}]"


def markdown(table: pd.DataFrame, title: str) -> str:
    """The comparison as a Markdown document (values, then differences)."""
    chosen = table.attrs["metrics"]
    ref = table.attrs["reference"]
    lines = [
        f"# {title}",
        "",
        f"Reference arm: **{ref}**. {int(table['runs'].iloc[0]):,} "
        "runs per arm on common random numbers. Brackets: 95% intervals (shares: Wilson; "
        "medians: binomial order statistics; means: t); differences are arm minus "
        "reference, with paired intervals (shares: Newcombe's method 10 for paired "
        "proportions; medians: bootstrap of the replicates; means: paired t). "
        "pp = percentage points.",
        "",
    ]
    for diff in (False, True):
        lines.append("## Differences from the reference" if diff else "## Outcomes by arm")
        lines.append("")
        head = ["Arm", *(m["label"] for m in chosen)]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for _, row in table.iterrows():
            if diff and row["reference"]:
                continue
            cells = [cell(row, m, diff) for m in chosen]
            lines.append(f"| {row['arm']} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append("## Arms")
    lines.append("")
    for _, row in table.iterrows():
        lines.append(f"- **{row['arm']}**: {row.get('description', '') or '(no description)'}")
    return "\n".join(lines) + "\n"


def write_comparison(
    table: pd.DataFrame,
    results: Mapping[str, EnsembleResult],
    out: Path,
    title: str,
    plots: bool = True,
) -> None:
    """Write a comparison folder (into ``out``, which the caller makes atomic)."""
    from ..report import invocation
    from ..results import versions

    to_csv(table, out / "comparison.csv")
    (out / "comparison.md").write_text(markdown(table, title))
    arms = out / "arms"
    arms.mkdir()
    files = {}
    for i, (label, result) in enumerate(results.items()):
        safe = "".join(ch if ch.isalnum() or ch in "-_+" else "_" for ch in label)
        name = f"{i:02d}-{safe}.parquet"
        result.runs.to_parquet(arms / name, index=False)
        files[label] = f"arms/{name}"
    first = next(iter(results.values()))
    info = {
        "kind": "compare",
        "reference": table.attrs["reference"],
        "runs": len(first.runs),
        "seed": first.seed,
        "arms": {
            label: {
                "file": files[label],
                "source": r.scenario.source,
                "policy": r.scenario.policy,
                "overrides": list(r.scenario.overrides),
                "scenario_sha256": r.scenario.text_hash,
                "scenario_texts": r.scenario.texts,
                "horizon_weeks": r.scenario.spec.horizon,
                "issues": {k: v.model_dump() for k, v in r.scenario.spec.issues.items()},
                "wall_seconds": r.timings.get("wall_seconds"),
            }
            for label, r in results.items()
        },
        "metrics": table.attrs["metrics"],
        "intervals": {
            "level": LEVEL,
            "proportion": "Wilson score; difference: Newcombe (1998) method 10, paired",
            "median": "binomial order statistics; difference: paired bootstrap percentile",
            "mean": "Student t; difference: paired t",
        },
        "bootstrap_resamples": N_RESAMPLES,
        **invocation.record(),  # the command line
        "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (out / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    if plots:
        from ..plots.compare import plot_comparison
        from ..plots.style import save_figures

        save_figures(plot_comparison(table, results), out / "plots")
