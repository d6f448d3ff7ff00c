"""The ``ceasefire`` command line.

Exit codes: 0 success, 2 bad input (one line on stderr naming file, field and problem; no
traceback; nothing written; a checkpoint that does not match the job is bad input too),
1 anything else (a lost Dask cluster, a full disk: one line, then a ``--resume`` hint where
finished chunks were kept), 130 interrupted.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import JobError, ScenarioError, printable, printable_markup

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate negotiations toward a Russia-Ukraine ceasefire from scenario files.",
)
console = Console()
err_console = Console(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
RunsOpt = Annotated[
    int | None, typer.Option("--runs", "-n", help="Replicates (default: the file's runs).")
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", "-s", help="Run seed (default: the file's seed).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a field: PATH=VALUE, e.g. actors.Russia.resolve=0.5. Repeatable."
    ),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", "-w", help="Local processes (default: all cores).")
]
ChunkOpt = Annotated[
    int | None, typer.Option("--chunk-size", help="Replicates per chunk (default: automatic).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        envvar="CEASEFIRE_SCHEDULER",
        help="Dask scheduler address, e.g. tcp://host:8786.",
    ),
]


INTERRUPTED = 130  # the shell's code for a process ended by SIGINT


@contextmanager
def progress_bar(total: int, label: str):
    """A replicate counter on stderr; yields the callback that advances it."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replicates"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(printable_markup(label), total=total)
        yield lambda n: bar.advance(task, n)


MAX_SEED = 2**63 - 1  # as the schema's `seed:`

MAX_WORKERS_PER_CPU = 4
MAX_WORKERS = 256
"""``--workers`` is capped at :data:`MAX_WORKERS_PER_CPU` per CPU and at most this many:
each worker is a forked process holding a copy of the model, and more processes than
cores only add memory and start-up time."""


def max_workers() -> int:
    """The largest ``--workers`` accepted on this machine (see :data:`MAX_WORKERS`)."""
    return max(1, min(MAX_WORKERS, MAX_WORKERS_PER_CPU * (os.cpu_count() or 1)))


def check_options(seed: int | None = None, **counts: int | None) -> None:
    """Refuse, before any work, counts below 1 (``runs=`` for ``--runs``, ...), counts above
    their caps (runs, workers) and a seed out of range."""
    from .scenario import MAX_RUNS

    caps = {"runs": MAX_RUNS, "workers": max_workers()}
    for name, value in counts.items():
        option = "--" + name.replace("_", "-")
        if value is not None and value < 1:
            raise ScenarioError(option, "", f"must be at least 1, got {value}")
        if value is not None and name in caps and value > caps[name]:
            raise ScenarioError(option, "", f"must be at most {caps[name]:,}, got {value:,}")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ScenarioError("--seed", "", f"must be between 0 and {MAX_SEED}, got {seed}")


def check_total(total: int, option: str, what: str) -> None:
    """Refuse a command whose replicates add up past :data:`sim.scenario.MAX_RUNS`."""
    from .scenario import MAX_RUNS

    if total > MAX_RUNS:
        raise ScenarioError(
            option, "", f"{what} is more than {MAX_RUNS:,} replicates in one command"
        )


def summary_table(summary: dict, title: str) -> Table:
    """The headline figures as a rich table."""
    table = Table(title=printable_markup(title), show_header=True, header_style="bold")
    table.add_column("Outcome")
    table.add_column("Value", justify="right")
    table.add_column("95% interval", justify="right")

    def pct(key: str, label: str) -> None:
        if key in summary:
            lo, hi = summary[f"{key}_ci"]
            table.add_row(label, f"{summary[key]:.1%}", f"{lo:.1%} - {hi:.1%}")

    table.add_row("Runs", f"{summary['runs']:,}", "")
    pct("p_ceasefire_by_week_26", "Ceasefire by week 26")
    pct("p_ceasefire_by_week_52", "Ceasefire by week 52")
    pct("p_ceasefire", f"Ceasefire by week {summary['horizon_weeks']}")
    pct("p_held", "Ceasefire holding at the horizon")
    week = summary["median_ceasefire_week"]
    table.add_row("Median week of first ceasefire", "-" if week is None else f"{week:g}", "")
    for issue, q in summary["terms"].items():
        if q:
            table.add_row(
                f"Terms: {printable_markup(issue)} (median)",
                f"{q['q50']:.2f}",
                f"{q['q05']:.2f} - {q['q95']:.2f} (90%)",
            )
    fc = summary["final_control"]
    table.add_row(
        "Russia's final control (median)",
        f"{fc['q50']:.3f}",
        f"{fc['q05']:.3f} - {fc['q95']:.3f} (90%)",
    )
    for actor, share in summary["blockers"].items():
        table.add_row(f"Last package blocked by {printable_markup(actor)}", f"{share:.1%}", "")
    return table


@app.command()
def run(
    scenario: ScenarioArg,
    runs: RunsOpt = None,
    seed: SeedOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Results folder (must not exist).")
    ] = None,
    set_: SetOpt = None,
    policy: Annotated[
        str | None, typer.Option("--policy", "-p", help="Apply a policy defined in the file.")
    ] = None,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip the plots.")] = False,
    workers: WorkersOpt = None,
    chunk_size: ChunkOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Run a scenario many times and write a results folder."""
    from .ensemble import run_ensemble
    from .results import default_out_dir, reserved, write_results
    from .scenario import load_scenario

    check_options(seed, runs=runs, workers=workers, chunk_size=chunk_size)
    loaded = load_scenario(scenario, policy=policy, overrides=set_ or ())
    out = out or default_out_dir(loaded.label)
    total = runs or loaded.spec.runs
    with reserved(out), progress_bar(total, loaded.label) as advance:
        result = run_ensemble(
            loaded,
            runs=runs,
            seed=seed,
            workers=workers,
            chunk_size=chunk_size,
            scheduler=scheduler,
            on_progress=advance,
        )
        summary = write_results(result, out, plots=not no_plots)
    console.print(summary_table(summary, f"{loaded.label}: {total:,} runs, seed {result.seed}"))
    console.print(
        f"Results: {printable(out)}  ({result.timings['wall_seconds']:.1f} s)",
        markup=False,
        highlight=False,
    )


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="Scenario files to check.", show_default=False)
    ],
) -> None:
    """Check scenario files (and all their policies) without running them."""
    from .scenario import load_scenario

    bad = 0
    for file in files:
        try:
            loaded = load_scenario(file)
        except ScenarioError as err:
            line = f"error: {err}"  # escaped by ScenarioError
            err_console.print(line, markup=False, highlight=False, soft_wrap=True)
            bad += 1
            continue
        policies = ", ".join(loaded.spec.policies) or "none"
        console.print(
            printable(
                f"ok: {file} ({len(loaded.spec.actors)} actors, "
                f"{len(loaded.spec.issues)} issues; policies: {policies})"
            ),
            markup=False,
            highlight=False,
        )
    if bad:
        raise typer.Exit(2)


@app.command()
def plot(
    folder: Annotated[Path, typer.Argument(help="A results folder.", show_default=False)],
) -> None:
    """(Re)draw the plots of a results folder."""
    from .plots import plot_results

    files = plot_results(folder)
    for file in files:
        console.print(f"wrote {printable(file)}", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and map errors to exit codes."""
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _guard(lambda: app(args=argv, standalone_mode=False))
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM takes the same clean path as Ctrl-C: workers stopped, nothing half-written
    raise KeyboardInterrupt


def _guard(call: Callable[[], object]) -> int:
    def say(message: str) -> None:
        line = f"error: {printable(message)}"
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)

    try:
        returned = call()
    except ScenarioError as err:
        say(str(err))
        return 2
    except JobError as err:
        say(str(err))
        if err.hint:
            err_console.print(err.hint, markup=False, highlight=False, soft_wrap=True)
        return 1
    except typer.Exit as done:
        returned = done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        returned = INTERRUPTED
    except Exception as err:  # noqa: BLE001 - last resort: one line, never a traceback
        if hasattr(err, "format_message") and hasattr(err, "exit_code"):  # usage errors
            if err.format_message():  # empty when help was shown for a bare command
                say(err.format_message())
            return err.exit_code
        say(f"{type(err).__name__}: {err}")
        return 1
    if returned == INTERRUPTED:  # typer turns Ctrl-C into this exit code
        say("interrupted; no results folder was written")
    return returned if isinstance(returned, int) else 0


# Commands kept in their own modules register themselves on `app` when imported.
from . import cli_analysis, cli_deal, cli_validation  # noqa: E402,F401
