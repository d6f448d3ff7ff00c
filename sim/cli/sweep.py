"""The ``sweep`` command: a scenario over a grid of one or two parameters.

The command parses its options, calls :func:`sim.analysis.sweep.sweep_folder` and prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import printable_markup
from ..options import RunOptions
from .app import (
    Format,
    FormatOpt,
    NoPlotsOpt,
    OutOpt,
    PolicyOpt,
    ResumeOpt,
    ScenarioArg,
    SetOpt,
    app,
    examples,
    job,
    print_csv,
    run_command,
    say_results,
    table_console,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..outcomes import Outcome


@app.command(
    epilog=examples(
        "ceasefire sweep scenarios/baseline.yaml --vary actors.US.aid=0:0.4:5",
        "ceasefire sweep scenarios/baseline.yaml --vary actors.US.aid=0:0.4:3 "
        "--vary actors.Russia.resolve=0.7:1:3 --runs 500",
        "ceasefire sweep scenarios/baseline.yaml --vary actors.US.aid=0:0.4:5 --format csv",
    )
)
@run_command()
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
    out: OutOpt = None,
    set_: SetOpt = None,
    policy: PolicyOpt = None,
    no_plots: NoPlotsOpt = False,
    resume: ResumeOpt = None,
    format_: FormatOpt = Format.table,
    options: RunOptions | None = None,
) -> None:
    """Run a scenario over a grid of one or two parameters (common random numbers)."""
    from ..analysis.sweep import sweep_folder

    result, out = sweep_folder(
        scenario, vary, policy, set_ or (), options, job(out, resume, no_plots)
    )
    table = result.table
    n = result.runs_per_point
    if format_ == Format.csv:
        print_csv(table)
        say_results(out, format_)
        return
    from rich.table import Table

    from ..outcomes import HEADLINE

    t = Table(
        title=printable_markup(f"Sweep of {', '.join(result.paths)} ({n:,} runs per point)"),
        header_style="bold",
    )
    for p in result.paths:
        t.add_column(printable_markup(p), justify="right", overflow="fold")
    shown = [o for o in HEADLINE if o.short and o.key in table]
    for o in shown:
        t.add_column(o.short, justify="right", overflow="fold")
    for _, row in table.iterrows():
        t.add_row(
            *(f"{row[p]:.4g}" for p in result.paths),
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
