"""The ``run``, ``validate`` and ``plot`` commands: one scenario, one results folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import ScenarioError, printable, printable_markup
from ..options import RunOptions
from .app import (
    Format,
    FormatOpt,
    GivenOpt,
    ScenarioArg,
    SetOpt,
    UntilOpt,
    app,
    check_given,
    console,
    err_console,
    examples,
    job,
    print_csv,
    run_command,
    table_console,
)

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table


def summary_table(summary: dict, title: str) -> Table:
    """The headline figures as a rich table."""
    from rich.table import Table

    from ..outcomes import HEADLINE, ending_rows

    table = Table(title=printable_markup(title), show_header=True, header_style="bold")
    table.add_column("Outcome", overflow="fold")
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("95% interval", justify="right", no_wrap=True)

    table.add_row("Runs", f"{summary['runs']:,}", "")
    for outcome in HEADLINE:
        if outcome.key in summary:
            value, lo, hi = (summary[outcome.key + s] for s in ("", "_lo", "_hi"))
            table.add_row(
                outcome.title(summary["horizon_weeks"]),
                outcome.format(value),
                f"{outcome.format(lo)} - {outcome.format(hi)}",
            )
    for issue, q in summary["terms"].items():
        if q:
            table.add_row(
                f"Terms: {printable_markup(issue)} (median)",
                f"{q['q50']:.2f}",
                f"{q['q05']:.2f} - {q['q95']:.2f} (90%)",
            )
    fc = summary["final_control_quantiles"]
    table.add_row(
        "Russia's final control (median)",
        f"{fc['q50']:.3f}",
        f"{fc['q05']:.3f} - {fc['q95']:.3f} (90%)",
    )
    for actor, share in summary["blockers"].items():
        table.add_row(f"Last package blocked by {printable_markup(actor)}", f"{share:.1%}", "")
    for _key, label, value, lo, hi in ending_rows(summary):
        table.add_row(
            printable_markup(label), f"{value:.1%}", "" if lo is None else f"{lo:.1%} - {hi:.1%}"
        )
    return table


def summary_frame(summary: dict) -> pd.DataFrame:
    """The headline figures as a data frame (``--format csv``); see
    :func:`sim.outcomes.summary_frame`."""
    from ..outcomes import summary_frame as frame

    return frame(summary)


@app.command(
    epilog=examples(
        "ceasefire run scenarios/baseline.yaml --runs 2000 --policy us_aid_cut",
        "ceasefire run scenarios/baseline.yaml --runs 10000 --seed 7 --workers 2",
        "ceasefire run scenarios/baseline.yaml --set actors.Russia.resolve=0.8 --no-plots",
        "ceasefire run scenarios/baseline.yaml --runs 500 --format csv > summary.csv",
        "ceasefire run scenarios/baseline.yaml --given seeds/record-2025.yaml --runs 20000",
    )
)
@run_command()
def run(
    scenario: ScenarioArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Results folder (must not exist).")
    ] = None,
    set_: SetOpt = None,
    policy: Annotated[
        str | None, typer.Option("--policy", "-p", help="Apply a policy defined in the file.")
    ] = None,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip the plots.")] = False,
    format_: FormatOpt = Format.table,
    given: GivenOpt = None,
    until: UntilOpt = None,
    options: RunOptions | None = None,
) -> None:
    """Run a scenario many times and write a results folder.

    Prints the headline outcomes with their 95% intervals; the folder holds every replicate (runs.parquet), summary.json, manifest.json and the plots.
    """
    from ..ensemble import run_folder
    from ..scenario import load_scenario

    check_given(given, until)
    loaded = load_scenario(scenario, policy=policy, overrides=set_ or ())
    if given is not None:
        _run_given(loaded, given, until, options, out, no_plots, format_)
        return
    result, out = run_folder(loaded, options, job(out, None, no_plots))
    summary = result.summary_json()
    total = len(result.runs)
    done = f"Results: {printable(out)}  ({result.timings['total_seconds']:.1f} s)"
    if format_ == "csv":
        print_csv(summary_frame(summary))
        err_console.print(done, markup=False, highlight=False, soft_wrap=True)
        return
    named = loaded.label + (
        f" (overrides: {', '.join(loaded.overrides)})" if loaded.overrides else ""
    )
    title = f"{named}: {total:,} runs, seed {result.seed}"
    if loaded.spec.start:  # the calendar: which dates the weeks stand for
        from ..dates import date_of

        horizon = loaded.spec.horizon
        title += f"; week 0 = {loaded.spec.start}, week {horizon} = {date_of(horizon, loaded.spec.start)}"
    table_console().print(summary_table(summary, title))
    console.print(done, markup=False, highlight=False, soft_wrap=True)


def _run_given(loaded, given, until, options, out, no_plots, format_) -> None:
    """``run --given``: the run over the worlds consistent with the record."""
    from ..record.facts import check_until, load_record
    from ..record.given_folders import run_given_folder
    from .given import print_given

    record = load_record(given, loaded.spec)
    until = check_until(record, until)
    result, out = run_given_folder(loaded, record, until, options, job(out, None, no_plots))
    summary = result.result.summary_json()
    if format_ == "csv":
        print_csv(summary_frame(summary))
        err_console.print(printable(result.given.message()), markup=False, highlight=False)
        return
    title = f"{loaded.label} given {printable(given)}: {result.given.kept:,} of {result.given.runs:,} worlds"
    table_console().print(summary_table(summary, title))
    print_given(result.given)
    console.print(f"Results: {printable(out)}", markup=False, highlight=False, soft_wrap=True)


@app.command(
    epilog=examples(
        "ceasefire validate scenarios/baseline.yaml",
        "ceasefire validate scenarios/*.yaml   (one line per file: ok, or the error)",
    )
)
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="Scenario files to check.", show_default=False)
    ],
) -> None:
    """Check scenario files (and all their policies) without running them.

    Exit code 0 when every file is valid, 2 otherwise.
    """
    from ..scenario import load_scenario
    from ..scenarios import shipped

    bad = 0
    for file in map(shipped, files):  # a shipped scenario may be given by name
        try:
            loaded = load_scenario(file)
        except ScenarioError as err:
            for line in err.lines():  # escaped by ScenarioError; every problem, one a line
                typer.echo(f"error: {line}", err=True)
            bad += 1
            continue
        policies = ", ".join(loaded.spec.policies) or "none"
        # one line per file, whatever the width: never folded at 80 columns in a pipe
        typer.echo(
            printable(
                f"ok: {file} ({len(loaded.spec.actors)} actors, "
                f"{len(loaded.spec.issues)} issues; policies: {policies})"
            )
        )
    if bad:
        raise typer.Exit(2)


@app.command(epilog=examples("ceasefire plot results/baseline-20250101-120000/"))
def plot(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A results folder (of run, compare, deal, sweep, sensitivity or discover).",
            show_default=False,
        ),
    ],
) -> None:
    """(Re)draw the plots of a results folder of any kind (then `ceasefire report` it)."""
    from ..loaded import replot

    files = replot(folder)
    for file in files:
        console.print(f"wrote {printable(file)}", markup=False, highlight=False, soft_wrap=True)
