"""Compare policies (or scenario files) on common random numbers: :func:`compare`.

Every arm runs the same replicate indices with the same seed, so replicate ``r`` of each arm
draws the same battlefield luck and the same values of the uncertain inputs the arms share
(:mod:`sim.streams`); the arms run together on the one scheduler
(:func:`sim.ensemble.run_arms`) and the table of paired differences is
:func:`sim.analysis.paired.compare_runs`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..ensemble import Arm, EnsembleResult, run_arms
from ..errors import ScenarioError
from ..jobs import Job, WritesFolder
from ..options import RunOptions
from ..scenario import Scenario
from ..snapshot import ScenarioSnapshot
from ..snapshot import as_snapshot as _as_snapshot
from ..spreadsheet import to_csv
from .paired import LEVEL, N_RESAMPLES, cell, compare_runs, described


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


def run_compared(
    arms: Sequence[Scenario],
    options: RunOptions | None = None,
    model_class: Callable | None = None,
) -> dict[str, EnsembleResult]:
    """Run every arm on common random numbers (the one scheduler,
    :func:`sim.ensemble.run_arms`): each arm's result by its label (:func:`arm_labels`).

    With ``options.checkpoint``, each arm keeps its finished chunks in a subfolder
    (``arm-000``, ``arm-001``, ...).  ``model_class``: what steps a chunk (the record's
    probes, :mod:`sim.record.observe`).
    """
    jobs = [Arm(a, checkpoint=f"arm-{i:03d}", model_class=model_class) for i, a in enumerate(arms)]
    results = run_arms(jobs, options)
    return dict(zip(arm_labels(arms), results, strict=True))


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


def comparison_of(
    results: Mapping[str, EnsembleResult], title: str, n_resamples: int = N_RESAMPLES
) -> ComparisonResult:
    """The :class:`ComparisonResult` of arms that ran on common random numbers (the first
    is the reference): the table of :func:`compare_results` and what it compares."""
    issues = list(dict.fromkeys(i for r in results.values() for i in r.issues))
    horizon = min(r.scenario.spec.horizon for r in results.values())
    return ComparisonResult(
        compare_results(results, n_resamples),
        dict(results),
        title,
        described(issues, horizon),
        next(iter(results)),
        horizon=horizon,
    )


def compare(
    scenarios: str | Path | Scenario | Sequence[str | Path | Scenario],
    policies: Sequence[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    overrides: Iterable[str] = (),
    n_resamples: int = N_RESAMPLES,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    checkpoint: str | Path | None = None,
    on_progress: Callable[[int], None] | None = None,
    options: RunOptions | None = None,
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
    runs, seed, workers, scheduler, chunk_size, checkpoint, on_progress
        The fields of :class:`~sim.options.RunOptions` (or give ``options``), for every
        arm: replicates and seed default to the reference file's; with ``checkpoint``,
        each arm keeps its finished chunks in a subfolder of it.
    overrides : iterable of str
        ``PATH=VALUE`` overrides applied to every arm.
    n_resamples : int
        Bootstrap resamples for the paired differences of medians.
    options : RunOptions, optional

    Returns
    -------
    ComparisonResult
        ``.table``: the table of :func:`~sim.analysis.paired.compare_runs`, with a
        ``description`` column; ``.results``: each arm's :class:`~sim.ensemble.EnsembleResult`.

    Examples
    --------
    >>> import sim
    >>> result = sim.compare("scenarios/baseline.yaml", runs=500)  # doctest: +SKIP
    >>> result.table[["arm", "p_ceasefire", "p_ceasefire_diff_lo", "p_ceasefire_diff_hi"]]  # doctest: +SKIP
    """
    from ..options import check_options

    options = RunOptions.merged(
        options,
        runs=runs,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        checkpoint=checkpoint,
        on_progress=on_progress,
    )
    checked = check_options(policies=policies, overrides=overrides, n_resamples=n_resamples)
    one = isinstance(scenarios, str | Path | Scenario)
    paths = [scenarios] if one else list(scenarios)
    arms = arm_scenarios(paths, checked["policies"], checked["overrides"] or ())
    return compare_arms(arms, options, n_resamples)


def compare_arms(
    arms: Sequence[Scenario],
    options: RunOptions | None = None,
    n_resamples: int = N_RESAMPLES,
    model_class: Callable | None = None,
) -> ComparisonResult:
    """:func:`compare` of arms already built (:func:`arm_scenarios`): run, then tabled."""
    results = run_compared(arms, options, model_class)
    first = next(iter(results.values()))
    title = f"{arms[0].name}: {len(arms)} arms, {len(first.runs):,} runs each, seed {first.seed}"
    return comparison_of(results, title, n_resamples)


@dataclass(repr=False)
class ComparisonResult(WritesFolder):
    """Arms compared on common random numbers (:func:`compare`).

    Like EMA Workbench's ``PrimBox`` or a statsmodels results object, it holds the table
    and what the table means as attributes, and draws and saves itself.

    Attributes
    ----------
    table : DataFrame
        One row per arm (:func:`compare_runs`): each outcome with its 95% interval and its
        paired difference from the reference.
    results : dict of str to EnsembleResult
        Each arm's runs, by label (the reference first; empty for folders compared as
        they are, :func:`sim.analysis.folders.compare_folders`).
    title : str
    metrics : list of dict
        The compared outcomes in table order (:func:`sim.analysis.paired.described`):
        ``key``, ``label``, ``kind`` (the estimator: proportion, median or mean), ``unit``.
    reference : str
        The arm the differences are taken from.
    paired : bool
        Differences paired on common random numbers (False: separate runs compared).
    horizon : int, optional
        The (shortest) horizon the outcomes are measured at.
    """

    table: pd.DataFrame
    results: dict[str, EnsembleResult]
    title: str
    metrics: list[dict] = field(default_factory=list)
    reference: str = ""
    paired: bool = True
    horizon: int | None = None

    def summary(self) -> pd.DataFrame:
        """Each arm's headline outcomes and their differences from the reference (the
        table without the interval columns)."""
        keep = [c for c in self.table.columns if not c.endswith(("_lo", "_hi"))]
        return self.table[keep].copy()

    def plot(self) -> dict:
        """The comparison's figures, by name (those ``ceasefire compare`` saves)."""
        from ..plots.compare import plot_comparison

        return plot_comparison(self)

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``ceasefire compare`` writes (must not exist); returns it."""
        from .explored import save_folder

        return save_folder(folder, lambda tmp: self.write_into(tmp, plots))

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The folder's files, into ``tmp`` (:class:`sim.jobs.WritesFolder`)."""
        write_comparison(self, tmp, plots, provenance)

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

        chosen = [m for m in self.metrics if not m["key"].startswith("terms_")]
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


def compare_folder(
    scenarios: Sequence[str | Path | Scenario],
    policies: Sequence[str] | None = None,
    overrides: Iterable[str] = (),
    options: RunOptions | None = None,
    job: Job | None = None,
) -> tuple[ComparisonResult, Path]:
    """``ceasefire compare``: the arms built and checked, then the job (:mod:`sim.jobs`):
    its folder claimed, the arms run (resumable), the comparison folder written.

    Returns
    -------
    (ComparisonResult, Path)
        The comparison and the folder it was written to.
    """
    from ..checkpoint import job_identity
    from ..jobs import check_total, run_job
    from ..results import run_label

    options, job = options or RunOptions(), job or Job()
    overrides = tuple(overrides)
    arms = arm_scenarios(scenarios, policies, overrides)
    n = options.runs or arms[0].spec.runs
    check_total(n * len(arms), "--runs", f"{n:,} runs x {len(arms)} arms")
    identity = job_identity(
        "compare",
        arms,
        arms[0].spec.seed if options.seed is None else options.seed,
        {"runs": n, "arms": arm_labels(arms), "overrides": list(overrides)},
    )
    return run_job(
        job,
        f"compare-{run_label(arms[0].name, overrides)}",
        n * len(arms),
        f"{len(arms)} arms",
        lambda o: compare_arms(arms, o),
        options,
        identity,
    )


def _description(scenario: Scenario) -> str:
    if scenario.policy:
        text = scenario.spec.policies[scenario.policy].description
    else:
        text = scenario.spec.description
    return " ".join(text.split())


def markdown(comparison: ComparisonResult) -> str:
    """The comparison as a Markdown document (values, then differences)."""
    table, chosen, ref = comparison.table, comparison.metrics, comparison.reference
    lines = [
        f"# {comparison.title}",
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
    comparison: ComparisonResult,
    out: Path,
    plots: bool = True,
    provenance: Mapping | None = None,
) -> None:
    """Write a comparison folder (into ``out``, which the caller makes atomic);
    ``provenance``: the command that made it (:class:`sim.jobs.Job`), if one did."""
    from ..results import versions

    table, results = comparison.table, comparison.results
    to_csv(table, out / "comparison.csv")
    (out / "comparison.md").write_text(markdown(comparison))
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
        "reference": comparison.reference,
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
        "metrics": comparison.metrics,
        "intervals": {
            "level": LEVEL,
            "proportion": "Wilson score; difference: Newcombe (1998) method 10, paired",
            "median": "binomial order statistics; difference: paired bootstrap percentile",
            "mean": "Student t; difference: paired t",
        },
        "bootstrap_resamples": N_RESAMPLES,
        **(provenance or {}),  # the command line
        "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (out / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    if plots:
        from ..plots.compare import plot_comparison
        from ..plots.style import save_figures

        save_figures(plot_comparison(comparison), out / "plots")
