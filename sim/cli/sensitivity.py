"""The ``sensitivity`` command: Sobol indices or Morris effects of every uncertain input.

The command parses its options, calls :func:`sim.analysis.sensitivity.sensitivity_folder`
and prints.
"""

from __future__ import annotations

from typing import Annotated

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
    err_console,
    examples,
    job,
    print_csv,
    run_command,
    say_results,
    table_console,
)


@app.command(
    epilog=examples(
        "ceasefire sensitivity scenarios/baseline.yaml   (Sobol indices, 512 base samples)",
        "ceasefire sensitivity scenarios/baseline.yaml --method morris --samples 20",
        "ceasefire sensitivity scenarios/baseline.yaml --format csv > sensitivity.csv",
    )
)
@run_command("runs")
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
    out: OutOpt = None,
    set_: SetOpt = None,
    policy: PolicyOpt = None,
    no_plots: NoPlotsOpt = False,
    resume: ResumeOpt = None,
    format_: FormatOpt = Format.table,
    options: RunOptions | None = None,
) -> None:
    """Global sensitivity of the headline outcomes to every uncertain input (SALib)."""
    import numpy as np

    from ..analysis.sensitivity import sensitivity_folder
    from ..options import check_options

    check_options(True, samples=samples, replicates=replicates)
    result, out = sensitivity_folder(
        scenario,
        method,
        samples,
        replicates,
        policy,
        set_ or (),
        options,
        job(out, resume, no_plots),
    )
    table = result.table
    if format_ == Format.csv:
        print_csv(table)
        say_results(out, format_)
        return
    from rich.table import Table

    sobol = method == "sobol"
    t = Table(
        title=f"Sensitivity ({method}, {result.points:,} points x {replicates} "
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
    for line in result.warnings:
        err_console.print(f"warning: {line}", markup=False, highlight=False, soft_wrap=True)
    say_results(out)
