"""The ``discover`` command: scenario discovery (PRIM) on a run's results folder.

The command parses its options, calls :func:`sim.analysis.discover.discover_folder` and
prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import printable_markup
from .app import (
    Format,
    FormatOpt,
    NoPlotsOpt,
    OutOpt,
    app,
    examples,
    job,
    print_csv,
    say_results,
    table_console,
)


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
    from ..analysis.discover import check_peeling, discover_folder

    check_peeling(alpha, min_mass, min_coverage)
    result, out = discover_folder(
        folder, outcome, alpha, min_mass, min_coverage, paste, job(out, None, no_plots)
    )
    box = result.table
    if format_ == Format.csv:
        print_csv(box)
        say_results(out, format_)
        return
    from rich.table import Table

    t = Table(
        title=f"PRIM box for '{printable_markup(outcome)}': coverage {box['coverage'].iloc[0]:.1%}, "
        f"density {box['density'].iloc[0]:.1%} (all runs: {result.base_rate:.1%}), "
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
