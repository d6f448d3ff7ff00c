"""The ``ceasefire`` command line: the Typer app, the options the commands share (every run
option through :func:`run_command`, the job through :func:`job`), and :func:`main`, which
maps errors to exit codes.  The commands live one per module (``run.py``, ``compare.py``,
``sweep.py``, ...) and are registered by ``sim/cli/__init__.py``.

Exit codes: 0 success, 2 bad input (one line on stderr naming file, field and problem; no
traceback; nothing written; a checkpoint that does not match the job is bad input too),
1 anything else (a lost Dask cluster, a full disk: one line, then a ``--resume`` hint where
finished chunks were kept), 128 + the signal when interrupted (130 Ctrl-C, 143 SIGTERM,
129 SIGHUP; see ``cli/signals.py``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import JobError, ScenarioError, printable, printable_markup
from ..options import (  # noqa: F401 - the caps, for the commands' help
    MAX_SEED,
    MAX_WORKERS,
    MAX_WORKERS_PER_CPU,
    OPTIONS,
    RUN_FIELDS,
    max_workers,
)
from ..report import invocation
from . import signals

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

# Start-up: importing the command line imports typer only (rich when something is first
# printed through it); every command imports the numerical stack (pandas, numpy, scipy,
# numba, Mesa, matplotlib) inside its function, so `ceasefire --help` and `ceasefire
# validate` start in about half a second (benchmarks/startup.py measures it;
# tests/test_cli_conventions.py checks what `import sim.cli` loads).

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate negotiations toward a Russia-Ukraine ceasefire from scenario files.",
    epilog="Examples:\n\n"
    "  ceasefire run scenarios/baseline.yaml --runs 2000 --policy us_aid_cut\n"
    "  ceasefire validate scenarios/*.yaml\n"
    "  ceasefire COMMAND --help   (options and examples of one command)",
)


class _LazyConsole:
    """A rich ``Console`` made on first use: importing rich costs a noticeable part of the
    start-up, and ``--version``, ``validate`` and one-line errors print without it."""

    def __init__(self, **options: object) -> None:
        self._options = options
        self._console: Console | None = None

    def real(self) -> Console:
        """The console itself (for rich objects that take a console, such as Progress)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> object:
        return getattr(self.real(), name)


console: Console = _LazyConsole()  # type: ignore[assignment]
err_console: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]


def examples(*lines: str) -> str:
    """A command's ``Examples:`` section (its epilog in ``--help``), one command a line."""
    return "Examples:\n\n" + "\n".join(f"  {line}" for line in lines)


def package_version() -> str:
    """The installed package's version (its metadata, as pip sees it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ceasefire")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from .. import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ceasefire {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Simulate negotiations toward a Russia-Ukraine ceasefire from scenario files."""


def _flags_without_type() -> None:
    # Typer (0.2x) shows every option's type in --help, `<bool>` for flags such as
    # --no-plots or --help too; a flag takes no value, so it gets no type column
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "flag_aware", False):
        return

    def display_type_rich(self, ctx):  # Typer's signature
        return None if getattr(self, "is_flag", False) else shown(self, ctx)

    display_type_rich.flag_aware = True
    TyperOption.display_type_rich = display_type_rich


_flags_without_type()


class Format(StrEnum):
    """How a command prints its table on stdout."""

    table = "table"
    csv = "csv"


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="table (for reading) or csv (the table as CSV on stdout, for other programs; "
        "other messages go to stderr).",
    ),
]


def print_csv(frame: pd.DataFrame) -> None:
    """A table as CSV on stdout (full precision, one header row)."""
    from ..spreadsheet import to_csv

    # cells that a spreadsheet would run as formulas are neutralised (sim/spreadsheet.py)
    typer.echo(to_csv(frame), nl=False)


def table_console() -> Console:
    """The console tables are printed on: the terminal at its own width; in a pipe or a file
    (where rich assumes 80 columns) a wide one, so rows are never cut or folded."""
    if console.is_terminal:
        return console
    from rich.console import Console

    return Console(width=240)


def _scenario_path(value: Path | None) -> Path | None:
    """A scenario file, or the name of a shipped one (``baseline``): ``sim/scenarios``."""
    if value is None:
        return None
    from ..scenarios import shipped

    return shipped(value)


ScenarioArg = Annotated[
    Path,
    typer.Argument(
        help="Scenario YAML file, or the name of a shipped one (baseline, us_disengages).",
        show_default=False,
        callback=_scenario_path,
    ),
]


def _declared(name: str, kind: type) -> object:
    """The command-line option of a run option, as :data:`sim.options.OPTIONS` declares it
    (flag, one-letter flag, help, environment variable): declared once, there."""
    o = OPTIONS[name]
    flags = [o.flag, *([o.short] if o.short else [])]
    return Annotated[kind | None, typer.Option(*flags, help=o.help, envvar=o.envvar)]


_CLI_TYPES = {"count": int, "seed": int, "address": str}
"""The command line's type of each kind of run option (:class:`sim.options.Option`)."""

RUN_OPTIONS: dict[str, object] = {n: _declared(n, _CLI_TYPES[OPTIONS[n].kind]) for n in RUN_FIELDS}
"""Every run option a command takes (:data:`sim.options.RUN_FIELDS`, ``checkpoint`` and
``on_progress`` it makes itself: ``--resume``, the progress bar), derived from its
declaration: a new field of ``RunOptions`` declared in ``OPTIONS`` appears here, and on
every command of :func:`run_command`, with nothing else to change."""

RunsOpt = RUN_OPTIONS["runs"]
SeedOpt = RUN_OPTIONS["seed"]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Override a field, e.g. actors.Russia.resolve=0.5. Repeatable.",
    ),
]
WorkersOpt = RUN_OPTIONS["workers"]
ChunkOpt = RUN_OPTIONS["chunk_size"]
SchedulerOpt = RUN_OPTIONS["scheduler"]


def run_command(*without: str) -> Callable[[Callable], Callable]:
    """Give a command every run option of :data:`RUN_OPTIONS` (but those named in
    ``without``) and hand them to it as one checked ``options: RunOptions`` argument.

    A run option shared by every command is then a field of ``RunOptions``, its declaration
    in :data:`sim.options.OPTIONS` and its entry here; no command changes.  The options are
    checked before the command's body, each bad value named by its flag.
    """

    def decorate(command: Callable) -> Callable:
        import functools
        import inspect

        names = [n for n in RUN_OPTIONS if n not in without]
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "options"]
        added = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=a)
            for n, a in RUN_OPTIONS.items()
            if n in names
        ]

        @functools.wraps(command)
        def run(**kwargs: object) -> object:
            from ..options import RunOptions  # checked once, a bad value named by its flag

            options = RunOptions.from_cli(**{n: kwargs.pop(n) for n in names})
            return command(**kwargs, options=options)

        run.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
        return run

    return decorate


GivenOpt = Annotated[
    Path | None,
    typer.Option(
        "--given",
        metavar="RECORD",
        help="Over the worlds consistent with this record of dated facts (docs/record.md); "
        "outcome clocks from its last fact.",
        show_default=False,
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="DATE",
        help="Use the record's facts dated on or before DATE (YYYY-MM-DD); hold out the later.",
        show_default=False,
    ),
]


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


def job(out: Path | None = None, resume: Path | None = None, no_plots: bool = False):
    """The command's :class:`~sim.jobs.Job`: its folder, the command line it records
    (provenance), the progress bar and where the ``--resume`` hint goes."""
    from ..jobs import Job

    def hint(line: str) -> None:
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)

    return Job(
        out=out,
        resume=resume,
        plots=not no_plots,
        provenance=invocation.record(),
        progress=progress_bar,
        hint=hint,
    )


def say_results(out: Path, format_: str = "table", seconds: float | None = None) -> None:
    """Print where the results are (the path escaped: it may come from a scenario name);
    on stderr when stdout carries CSV."""
    where = err_console if format_ == Format.csv else console
    took = f"  ({seconds:.1f} s)" if seconds is not None else ""
    where.print(f"Results: {printable(out)}{took}", markup=False, highlight=False, soft_wrap=True)


def check_given(given: Path | None, until: str | None) -> None:
    """Refuse ``--until`` without ``--given``."""
    if until is not None and given is None:
        raise ScenarioError("--until", until, "needs --given RECORD")


INTERRUPTED = 130  # the shell's code for a process ended by SIGINT (128 + 2)


@contextmanager
def progress_bar(total: int, label: str):
    """A replicate counter on stderr; yields the callback that advances it (its ``step``
    shows the stage after the simulation: ``figures: 2 of 6``, ...)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from ..compiling import compile_kernels, compile_notice

    notice = compile_notice()  # before a first run's silent ~15 s of numba compiling
    if notice:
        err_console.print(notice, markup=False, highlight=False)
        compile_kernels()  # once, here, before the workers are forked
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replicates"),
        TimeElapsedColumn(),
        console=err_console.real(),
        transient=True,
    ) as bar:
        task = bar.add_task(printable_markup(label), total=total)

        def advance(n: int) -> None:
            bar.advance(task, n)

        # the stages after the simulation (figures, report) name themselves on the bar
        advance.step = lambda text: bar.update(
            task, description=printable_markup(f"{label}: {text}")
        )
        yield advance


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and map errors to exit codes."""
    _files_only()
    invocation.start(argv)  # recorded in the manifests (sim/report/invocation.py)
    _no_pydantic_plugins()
    try:
        with signals.handled():  # Ctrl-C, SIGTERM, SIGHUP: one clean stop (cli/signals.py)
            code = _guard(lambda: app(args=argv, standalone_mode=False))
    finally:
        invocation.end()
    ensemble = sys.modules.get("sim.ensemble")
    if argv is None and ensemble is not None and ensemble.STUCK_POOLS:
        # everything is cleaned up and said; only a stopped pool's thread would hold the
        # exit (see sim.ensemble.stop_workers), so the process ends without waiting for it
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _files_only() -> None:
    # the commands write figures to files: matplotlib's Agg backend, no display needed (on
    # servers and in CI too), unless MPLBACKEND says otherwise or matplotlib is already set
    # up (main called from a notebook)
    if "matplotlib" not in sys.modules:
        os.environ.setdefault("MPLBACKEND", "Agg")


def _no_pydantic_plugins() -> None:
    # pydantic looks for plugins (a scan of the entry points of every installed package)
    # when it builds its first model; the command line uses none, and skipping the scan
    # saves about a sixth of `validate`'s start-up. Typer does the same for its own
    # parameters. A PYDANTIC_DISABLE_PLUGINS set in the environment is respected.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def _guard(call: Callable[[], object]) -> int:
    def say(message: str) -> None:
        typer.echo(f"error: {printable(message)}", err=True)  # one line, never folded

    try:
        returned = call()
    except ScenarioError as err:
        for line in err.lines():  # every problem of a file, one line each
            say(line)
        return 2
    except JobError as err:
        say(str(err))
        if err.hint:
            typer.echo(printable(err.hint), err=True)
        return 1
    except typer.Exit as done:
        returned = done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        say("interrupted; no results folder was written")
        return signals.exit_code(INTERRUPTED)
    except Exception as err:  # noqa: BLE001 - last resort: one line, never a traceback
        if hasattr(err, "format_message") and hasattr(err, "exit_code"):  # usage errors
            if err.format_message():  # empty when help was shown for a bare command
                say(err.format_message())
            return err.exit_code
        say(f"{type(err).__name__}: {err}")
        return 1
    if returned == INTERRUPTED:  # typer turns Ctrl-C into this exit code
        say("interrupted; no results folder was written")
        return signals.exit_code(INTERRUPTED)  # 128 + the signal that stopped it
    return returned if isinstance(returned, int) else 0
