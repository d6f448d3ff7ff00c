"""Commands that compare policies and explore assumptions: compare, sweep, sensitivity,
discover.

Each writes one folder atomically (``results/<command>-<name>-<stamp>/`` by default) and
checks its input before any run, so bad input costs nothing and leaves nothing behind.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import JobError, ScenarioError, printable, printable_markup
from .app import (
    Format,
    FormatOpt,
    GivenOpt,
    RunsOpt,
    ScenarioArg,
    SchedulerOpt,
    SeedOpt,
    SetOpt,
    UntilOpt,
    WorkersOpt,
    app,
    check_given,
    check_options,
    check_total,
    console,
    err_console,
    examples,
    print_csv,
    progress_bar,
    table_console,
)

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from ..outcomes import Outcome

ResumeOpt = Annotated[
    Path | None,
    typer.Option(
        "--resume", help="Complete an interrupted job: the results folder it was writing."
    ),
]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (must not exist).")]
PolicyOpt = Annotated[
    str | None, typer.Option("--policy", "-p", help="Apply a policy defined in the file.")
]
NoPlotsOpt = Annotated[bool, typer.Option("--no-plots", help="Skip the plots.")]


def _run_of(folder: Path, default: str = "") -> tuple[str, list[str]]:
    """The run a results folder holds: its label and ``--set`` overrides (manifest)."""
    from ..folder_files import read_json

    try:
        info = read_json(folder, "manifest.json")  # a regular file inside it, bounded
    except (OSError, ScenarioError):
        info = {}
    info = info if isinstance(info, dict) else {}
    label = str(info.get("label") or default or Path(folder).name)
    overrides = info.get("overrides") if isinstance(info.get("overrides"), list) else []
    return label, [str(o) for o in overrides]


def _out(
    out: Path | None, label: str, resume: Path | None = None, root: Path | str = "results"
) -> Path:
    from ..results import check_out_dir, default_out_dir

    if resume is not None:
        if not checkpoint_for(resume).is_dir():
            raise ScenarioError("--resume", str(resume), "no interrupted job to resume there")
        out = resume
    out = out or default_out_dir(label, root)
    check_out_dir(out, "--resume" if resume is not None else "--out")
    return out


def say_results(out: Path, format_: str = "table") -> None:
    """Print where the results are (the path escaped: it may come from a scenario name);
    on stderr when stdout carries CSV."""
    where = err_console if format_ == Format.csv else console
    where.print(f"Results: {printable(out)}", markup=False, highlight=False, soft_wrap=True)


def checkpoint_for(out: Path) -> Path:
    """Where a job writing ``out`` keeps its finished chunks until it completes."""
    return out.parent / f".{out.name}.checkpoint"


@contextmanager
def resumable(out: Path, identity: dict, resume: Path | None = None) -> Iterator[Path]:
    """Reserve ``out`` and yield the job's checkpoint folder, claimed for ``identity``.

    Another job's checkpoint is refused before any work (and left as it is).  The
    checkpoint is dropped on success; when the job is interrupted or fails (a lost
    cluster, a full disk) its finished chunks are kept and the ``--resume`` hint given.
    """
    from ..checkpoint import claim_checkpoint, has_chunks
    from ..results import reserved

    checkpoint = checkpoint_for(out)
    with reserved(out, "--resume" if resume is not None else "--out"):
        claim_checkpoint(checkpoint, identity)
        try:
            yield checkpoint
        except (KeyboardInterrupt, JobError) as err:
            if not has_chunks(checkpoint):
                shutil.rmtree(checkpoint, ignore_errors=True)  # nothing worth keeping
                raise
            hint = f"finished chunks are kept: complete the job with --resume {printable(out)}"
            if isinstance(err, JobError):
                err.hint = hint  # printed after the error line
            else:
                err_console.print(hint, markup=False, highlight=False, soft_wrap=True)
            raise
        shutil.rmtree(checkpoint, ignore_errors=True)


# --------------------------------------------------------------------------- compare
DIFF_HEADING = "Δ [95% CI]"
MAX_OUTCOMES_PER_TABLE = 3


def comparison_tables(table, width: int = 200) -> list[Table]:
    """The comparison as rich tables (headline outcomes, then terms): each outcome's value
    and its difference from the reference with its 95% interval (paired on common random
    numbers, or unpaired between results folders: ``table.attrs["paired"]``).

    As many outcomes share a table as fit in ``width`` columns (at most three), so the
    numbers are never cut; a long arm name wraps within its column, never truncated.
    """
    from rich.table import Table

    from ..analysis.comparison import cell
    from ..outcomes import HEADLINE

    chosen = table.attrs["metrics"]
    paired = table.attrs.get("paired", True)
    short = {o.key: o.short for o in HEADLINE}  # headings in the narrow tables; "": left out
    headline = [m for m in chosen if short.get(m["key"])]
    terms = [m for m in chosen if m["key"].startswith("terms_")]

    def heading(m: dict) -> str:
        return short.get(m["key"]) or m["label"].replace("Median terms: ", "")

    def names(row) -> str:
        return f"{row['arm']} (ref.)" if row["reference"] else str(row["arm"])

    def needed(m: dict) -> int:  # the columns an outcome's pair of cells takes, padding too
        values = [cell(row, m).split(" [")[0] for _, row in table.iterrows()]
        diffs = [cell(row, m, diff=True) for _, row in table.iterrows() if not row["reference"]]
        return (
            max(len(heading(m)), *map(len, values))
            + max(len(DIFF_HEADING), *map(len, diffs or [""]))
            + 6
        )

    arm_width = min(24, max(len("Arm"), *(len(names(r)) for _, r in table.iterrows()))) + 4

    def packed(group: list[dict]) -> list[list[dict]]:
        out: list[list[dict]] = []
        for m in group:
            if (
                out
                and len(out[-1]) < MAX_OUTCOMES_PER_TABLE
                and arm_width + sum(map(needed, out[-1])) + needed(m) <= width
            ):
                out[-1].append(m)
            else:
                out.append([m])
        return out

    how = "paired" if paired else "unpaired"
    title = f"Ceasefire by arm: value and difference from the reference ({how} 95% CI)"
    groups = [(title, g) for g in packed(headline)]
    terms_title = "Median terms (0-1) by arm: value and difference from the reference"
    groups += [(terms_title, g) for g in packed(terms)]
    out = []
    for title, group in groups:
        t = Table(title=title, header_style="bold")
        t.add_column("Arm", overflow="fold", min_width=min(arm_width - 4, 12))
        for m in group:
            t.add_column(printable_markup(heading(m)), justify="right", no_wrap=True)
            t.add_column(DIFF_HEADING, justify="right", no_wrap=True)
        for _, row in table.iterrows():
            cells = []
            for m in group:
                value = cell(row, m).split(" [")[0]
                cells += [value, "" if row["reference"] else cell(row, m, diff=True)]
            t.add_row(printable_markup(names(row)), *cells)
        out.append(t)
    return out


def print_comparison(table, title: str) -> None:
    """The comparison tables under their title, on the console tables go to."""
    shown = table_console()
    shown.print(f"[bold]{printable_markup(title)}[/bold]", soft_wrap=True)
    for t in comparison_tables(table, shown.width):
        shown.print(t)


def _compare_folders(
    folders: list[Path],
    format_: str,
    given: dict[str, object],
    out: Path | None = None,
    no_plots: bool = False,
) -> None:
    """``compare DIR DIR ...``: results folders of ``run``, compared without running; the
    comparison is written to a folder like any other (``--out``)."""
    from ..analysis.folders import check_results_folder, compare_folders
    from ..loaded import write_folder_comparison
    from ..results import atomic_dir, reserved

    for option, value in given.items():
        if value not in (None, False, [], ()):
            raise ScenarioError(
                option, "", "does not apply when comparing results folders (nothing is run)"
            )
    for folder in folders:
        check_results_folder(folder)
    if len(folders) < 2:
        raise ScenarioError(str(folders[0]), "", "give two or more results folders to compare")
    out = _out(out, f"compare-{folders[0].name}")
    table = compare_folders(folders)
    sizes = ", ".join(f"{n:,}" for n in table["runs"])
    title = (
        f"{len(folders)} results folders (runs: {sizes}); the first is the reference; "
        "differences unpaired (separate runs)"
    )
    with reserved(out), atomic_dir(out) as tmp:
        write_folder_comparison(table, folders, tmp, title, plots=not no_plots)
    if format_ == Format.csv:
        print_csv(table)
        say_results(out, format_)
        return
    print_comparison(table, title)
    for _, row in table.iterrows():
        console.print(
            f"{printable(row['arm'])}: {printable(row['description'])}, seed {row['seed']} "
            f"({printable(row['folder'])})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    say_results(out, format_)


@app.command(
    epilog=examples(
        "ceasefire compare scenarios/baseline.yaml --given seeds/record-2025.yaml",
        "ceasefire compare scenarios/baseline.yaml --runs 2000   (baseline vs every policy)",
        "ceasefire compare scenarios/baseline.yaml --policies us_aid_cut,nato_ruled_out",
        "ceasefire compare scenarios/baseline.yaml scenarios/other.yaml   (two files)",
        "ceasefire compare results/baseline-A/ results/baseline-B/   (two finished runs)",
        "ceasefire compare scenarios/baseline.yaml --format csv > comparison.csv",
    )
)
def compare(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            help="One scenario file (baseline vs its policies), several (the first is the "
            "reference), or two or more results folders of `run` (compared as they are).",
            show_default=False,
            metavar="FILE_OR_FOLDER",
        ),
    ],
    policies: Annotated[
        str | None,
        typer.Option("--policies", help="Comma-separated policies to compare (default: all)."),
    ] = None,
    runs: RunsOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    set_: SetOpt = None,
    no_plots: NoPlotsOpt = False,
    resume: ResumeOpt = None,
    format_: FormatOpt = Format.table,
    record: GivenOpt = None,
    until: UntilOpt = None,
) -> None:
    """Compare policies (or scenario files) on common random numbers.

    Differences from the reference are paired, replicate by replicate. Given two or more results folders of `run` instead, compare them as they are, without running anything: differences are unpaired (the folders hold separate runs), and the comparison is written to a folder as any other (--out).
    """
    from ..scenarios import shipped

    scenarios = [shipped(p) for p in scenarios]  # a shipped scenario may be given by name
    if any(path.is_dir() for path in scenarios):
        given = {
            "--policies": policies,
            "--runs": runs,
            "--seed": seed,
            "--workers": workers,
            "--set": set_,
            "--resume": resume,
            "--given": record,
            "--until": until,
        }
        _compare_folders(scenarios, format_, given, out, no_plots)
        return
    from ..analysis.comparison import (
        arm_labels,
        arm_scenarios,
        compare_results,
        run_arms,
        write_comparison,
    )
    from ..checkpoint import job_identity
    from ..results import atomic_dir, run_label

    check_options(seed, runs=runs, workers=workers, scheduler=scheduler)
    check_given(record, until)
    names = None
    if policies is not None:
        names = [p.strip() for p in policies.split(",") if p.strip()]
        if not names:
            raise ScenarioError("--policies", "", "give policy names separated by commas")
    if record is not None:
        for option, value in (("--resume", resume), ("--scheduler", scheduler)):
            if value is not None:
                raise ScenarioError(option, "", "cannot be combined with --given")
        _compare_given(scenarios, record, until, names, runs, seed, workers, set_, out, no_plots)
        return
    arms = arm_scenarios(scenarios, names, set_ or ())
    n = runs or arms[0].spec.runs
    check_total(n * len(arms), "--runs", f"{n:,} runs x {len(arms)} arms")
    out = _out(out, f"compare-{run_label(arms[0].name, set_ or ())}", resume)
    identity = job_identity(
        "compare",
        arms,
        arms[0].spec.seed if seed is None else seed,
        {"runs": n, "arms": arm_labels(arms), "overrides": list(set_ or ())},
    )
    with resumable(out, identity, resume) as checkpoint:
        with progress_bar(n * len(arms), f"{len(arms)} arms") as advance:
            results = run_arms(arms, runs, seed, workers, advance, checkpoint, scheduler)
        table = compare_results(results)
        seed_used = next(iter(results.values())).seed
        title = f"{arms[0].name}: {len(arms)} arms, {n:,} runs each, seed {seed_used}"
        with atomic_dir(out) as tmp:
            write_comparison(table, results, tmp, title, plots=not no_plots)
    if format_ == Format.csv:
        print_csv(table)
    else:
        print_comparison(table, title)
    say_results(out, format_)


def _compare_given(scenarios, given, until, names, runs, seed, workers, set_, out, no_plots):
    """``compare --given``: policies from the week after the record's last fact used."""
    from ..record.given import compare_given
    from ..results import run_label
    from .given import given_clock_table, print_given

    if len(scenarios) != 1:
        raise ScenarioError("--given", str(given), "compares one file's policies; give one file")
    from ..record.facts import check_until, load_record
    from ..scenario import load_scenario

    base = load_scenario(scenarios[0], overrides=set_ or ())
    check_until(load_record(given, base.spec), until)  # before anything runs or is reserved
    out = _out(out, f"compare-{run_label(base.name + '-given', set_ or ())}")
    n = runs or base.spec.runs
    arms = len(names) + 1 if names is not None else len(base.spec.policies) + 1
    check_total(n * arms, "--runs", f"{n:,} runs x {arms} arms")
    from ..results import reserved

    with reserved(out):
        with progress_bar(n * arms, f"{arms} arms given {given.name}") as advance:
            result = compare_given(
                scenarios[0],
                given,
                until,
                names,
                runs,
                seed,
                workers,
                set_ or (),
                on_progress=advance,
            )
        result.save_into(out, plots=not no_plots)
    print_comparison(result.comparison.table, result.comparison.title)
    table_console().print(given_clock_table(result.clocks))
    print_given(result.given)
    for name, why in result.skipped.items():
        err_console.print(f"skipped policy {printable(name)}: {why}", markup=False, highlight=False)
    say_results(out)


# --------------------------------------------------------------------------- sweep
@app.command(
    epilog=examples(
        "ceasefire sweep scenarios/baseline.yaml --vary actors.US.aid=0:0.4:5",
        "ceasefire sweep scenarios/baseline.yaml --vary actors.US.aid=0:0.4:3 "
        "--vary actors.Russia.resolve=0.7:1:3 --runs 500",
        "ceasefire sweep scenarios/baseline.yaml --vary actors.US.aid=0:0.4:5 --format csv",
    )
)
def sweep(
    scenario: ScenarioArg,
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            metavar="PATH=START:STOP:COUNT",
            help="A parameter and its grid (COUNT values from START to STOP), e.g. actors.US.aid=0:0.4:5; once or twice.",
            show_default=False,
        ),
    ],
    runs: RunsOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    set_: SetOpt = None,
    policy: PolicyOpt = None,
    no_plots: NoPlotsOpt = False,
    resume: ResumeOpt = None,
    format_: FormatOpt = Format.table,
) -> None:
    """Run a scenario over a grid of one or two parameters (common random numbers)."""
    import numpy as np

    from ..analysis.explore import check_vary, parse_vary
    from ..analysis.explore import sweep as run_sweep
    from ..analysis.explored import write_sweep
    from ..checkpoint import job_identity
    from ..results import atomic_dir, run_label
    from ..snapshot import read_snapshot

    check_options(seed, runs=runs, workers=workers, scheduler=scheduler)
    grid = [parse_vary(v) for v in vary]
    snapshot = read_snapshot(scenario)  # the one read of the file: every point runs this text
    check_vary(snapshot, grid, policy, set_ or ())
    base = snapshot.build(policy, set_ or ())
    n = runs or base.spec.runs
    cells = int(np.prod([len(v) for _, v in grid]))
    check_total(n * cells, "--runs", f"{n:,} runs x {cells:,} grid points")
    out = _out(out, f"sweep-{run_label(base.label, base.overrides)}", resume)
    identity = job_identity(
        "sweep",
        [base],
        base.spec.seed if seed is None else seed,
        {"runs": n, "vary": list(vary), "policy": policy, "overrides": list(set_ or ())},
    )
    with resumable(out, identity, resume) as checkpoint:
        with progress_bar(n * cells, f"{cells} grid points") as advance:
            result = run_sweep(
                snapshot,
                grid,
                runs,
                seed,
                workers,
                policy,
                set_ or (),
                on_progress=advance,
                keep_runs=True,
                checkpoint=checkpoint,
                scheduler=scheduler,
            )
        result.vary = list(vary)
        table = result.table
        with atomic_dir(out) as tmp:
            write_sweep(result, tmp, plots=not no_plots)
    if format_ == Format.csv:
        print_csv(table)
        say_results(out, format_)
        return
    from rich.table import Table

    from ..outcomes import HEADLINE

    t = Table(
        title=printable_markup(f"Sweep of {', '.join(table.attrs['vary'])} ({n:,} runs per point)"),
        header_style="bold",
    )
    for p in table.attrs["vary"]:
        t.add_column(printable_markup(p), justify="right", overflow="fold")
    shown = [o for o in HEADLINE if o.short and o.key in table]
    for o in shown:
        t.add_column(o.short, justify="right", overflow="fold")
    for _, row in table.iterrows():
        t.add_row(
            *(f"{row[p]:.4g}" for p in table.attrs["vary"]),
            *(_sweep_cell(o, row) for o in shown),
        )
    table_console().print(t)
    say_results(out)


def _sweep_cell(outcome: Outcome, row: pd.Series) -> str:
    """A proportion with its interval; a week or a value alone."""
    value = outcome.format(row[outcome.key])
    if outcome.kind != "proportion" or value == "-":
        return value
    lo, hi = (outcome.format(row[f"{outcome.key}_{s}"]) for s in ("lo", "hi"))
    return f"{value} [{lo}, {hi}]"


# --------------------------------------------------------------------------- sensitivity
@app.command(
    epilog=examples(
        "ceasefire sensitivity scenarios/baseline.yaml   (Sobol indices, 64 base samples)",
        "ceasefire sensitivity scenarios/baseline.yaml --method morris --samples 20",
        "ceasefire sensitivity scenarios/baseline.yaml --format csv > sensitivity.csv",
    )
)
def sensitivity(
    scenario: ScenarioArg,
    method: Annotated[
        str, typer.Option("--method", help="sobol (variance shares) or morris (screening).")
    ] = "sobol",
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            help="Sobol base sample N (power of 2; default 512) or "
            "Morris trajectories (default 10).",
        ),
    ] = None,
    replicates: Annotated[
        int, typer.Option("--replicates", help="Replicates averaged per design point.")
    ] = 4,
    seed: SeedOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    set_: SetOpt = None,
    policy: PolicyOpt = None,
    no_plots: NoPlotsOpt = False,
    resume: ResumeOpt = None,
    format_: FormatOpt = Format.table,
) -> None:
    """Global sensitivity of the headline outcomes to every uncertain input (SALib)."""
    import numpy as np

    from ..analysis.explore import check_samples, design_points
    from ..analysis.explore import sensitivity as run_sensitivity
    from ..analysis.explored import write_sensitivity
    from ..checkpoint import job_identity
    from ..parameters import flat_parameters, uncertain
    from ..results import atomic_dir, run_label
    from ..scenario import load_scenario

    check_options(
        seed, samples=samples, replicates=replicates, workers=workers, scheduler=scheduler
    )
    check_samples(method, samples)
    base = load_scenario(scenario, policy, set_ or ())
    inputs = uncertain(flat_parameters(base.spec))
    if not inputs:
        raise ScenarioError(
            str(scenario),
            "",
            "has no uncertain inputs (no field is a distribution): nothing to analyse",
        )
    total = design_points(len(inputs), method, samples) * replicates
    check_total(total, "--samples", f"{total:,} (design points x --replicates)")
    out = _out(out, f"sensitivity-{run_label(base.label, base.overrides)}", resume)
    identity = job_identity(
        "sensitivity",
        [base],
        base.spec.seed if seed is None else seed,
        {
            "method": method,
            "samples": samples,
            "replicates": replicates,
            "policy": policy,
            "overrides": list(set_ or ()),
        },
    )
    with resumable(out, identity, resume) as checkpoint:
        with progress_bar(total, f"{method}, {len(inputs)} inputs") as advance:
            result = run_sensitivity(
                base,
                method,
                samples,
                replicates,
                seed,
                workers,
                on_progress=advance,
                checkpoint=checkpoint,
                scheduler=scheduler,
            )
        table = result.table
        with atomic_dir(out) as tmp:
            write_sensitivity(result, tmp, plots=not no_plots)
    if format_ == Format.csv:
        print_csv(table)
        say_results(out, format_)
        return
    from rich.table import Table

    sobol = method == "sobol"
    t = Table(
        title=f"Sensitivity ({method}, {table.attrs['points']:,} points x {replicates} "
        "runs; top 5 inputs per outcome)",
        header_style="bold",
    )
    cols = (
        (("S1", "S1_conf"), ("ST", "ST_conf"))
        if sobol
        else (("mu_star", "mu_star_conf"), ("sigma", None))
    )
    t.add_column("Outcome", overflow="fold")
    t.add_column("Input", overflow="fold")
    for name, _ in cols:
        t.add_column(name, justify="right", no_wrap=True)
    for outcome, rows in table.groupby("outcome", sort=False):
        for _, row in rows.head(5).iterrows():
            t.add_row(
                outcome,
                printable_markup(row["input"]),
                *(
                    "-"
                    if not np.isfinite(row[a])
                    else f"{row[a]:.3g}" + (f" ± {row[b]:.2g}" if b else "")
                    for a, b in cols
                ),
            )
    table_console().print(t)
    for line in table.attrs["warnings"]:
        err_console.print(f"warning: {line}", markup=False, highlight=False, soft_wrap=True)
    say_results(out)


# --------------------------------------------------------------------------- discover
@app.command(
    epilog=examples(
        "ceasefire discover results/baseline-20250101-120000/ --outcome 'ceasefire_week <= 52'",
        "ceasefire discover results/baseline-20250101-120000/ "
        "--outcome 'held == 1 and final_control < 0.85' --min-coverage 0.7",
    )
)
def discover(
    folder: Annotated[
        Path, typer.Argument(help="A results folder (from run).", show_default=False)
    ],
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="e.g. 'ceasefire_week <= 52', 'held == 1 and final_control < 0.85' "
            "or 'blocker == Russia'.",
            show_default=False,
        ),
    ],
    alpha: Annotated[float, typer.Option("--alpha", help="Share peeled per step.")] = 0.05,
    min_mass: Annotated[
        float, typer.Option("--min-mass", help="Smallest box (share of runs).")
    ] = 0.05,
    min_coverage: Annotated[
        float,
        typer.Option(
            "--min-coverage",
            help="Report the densest box covering at least this share of the outcome's runs.",
        ),
    ] = 0.5,
    paste: Annotated[bool, typer.Option("--paste", help="Paste after peeling.")] = False,
    out: OutOpt = None,
    no_plots: NoPlotsOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Scenario discovery (PRIM): which input ranges make an outcome likely."""
    from ..analysis.explore import check_peeling
    from ..analysis.explore import discover as run_discover
    from ..analysis.explored import write_discovery
    from ..results import atomic_dir, reserved, run_label

    check_peeling(alpha, min_mass, min_coverage)
    result = run_discover(folder, outcome, alpha, min_mass, min_coverage, paste)
    box = result.table
    out = _out(
        out, f"discover-{run_label(*_run_of(folder, box.attrs['label']))}", root=Path(folder).parent
    )
    with reserved(out), atomic_dir(out) as tmp:
        write_discovery(result, tmp, plots=not no_plots)
    if format_ == Format.csv:
        print_csv(box)
        say_results(out, format_)
        return
    from rich.table import Table

    a = box.attrs
    t = Table(
        title=f"PRIM box for '{printable_markup(outcome)}': coverage {box['coverage'].iloc[0]:.1%}, "
        f"density {box['density'].iloc[0]:.1%} (all runs: {a['base_rate']:.1%}), "
        f"mass {box['mass'].iloc[0]:.1%}",
        header_style="bold",
    )
    for name in ("Input", "Box from", "to", "Range in runs", "quasi-p"):
        if name == "Input":
            t.add_column(name, overflow="fold")
        else:
            t.add_column(name, justify="right", no_wrap=True)
    for _, row in box[box["restricted"]].iterrows():
        t.add_row(
            printable_markup(row["input"]),
            f"{row['lower']:.4g}",
            f"{row['upper']:.4g}",
            f"{row['data_min']:.4g} - {row['data_max']:.4g}",
            f"{row['quasi_p']:.2g}",
        )
    if not box["restricted"].any():
        t.add_row("(no input restricted)", "", "", "", "")
    table_console().print(t)
    say_results(out)
