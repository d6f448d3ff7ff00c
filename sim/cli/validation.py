"""The ``reproduce`` command: the validation table against published models."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app, console, err_console, examples


def tally(rows: list) -> str:
    """The final count, departures apart from passes: a row that holds only as a documented
    departure (docs/validation.md, where each is argued) is not counted as a pass."""
    departures = sum(row.passed and bool(row.departure) for row in rows)
    passes = sum(row.passed for row in rows) - departures
    failed = len(rows) - passes - departures
    return (
        f"{len(rows)} row{'' if len(rows) == 1 else 's'}: {passes} pass, {departures} "
        f"documented departure{'' if departures == 1 else 's'}, {failed} fail"
    )


@app.command(
    epilog=examples(
        "ceasefire reproduce   (every row of docs/validation.md; a few minutes)",
        "ceasefire reproduce --quick   (fewer replicates, as the test suite)",
    )
)
def reproduce(
    quick: Annotated[
        bool,
        typer.Option("--quick", help="Fewer replicates and draws (the fast test suite's sizes)."),
    ] = False,
) -> None:
    """Reproduce published results (docs/validation.md): pass, departure or fail per row.

    A departure is a row that holds only as documented in docs/validation.md; it is counted apart from the passes. Exit code 0 when no row fails, 1 otherwise.
    """
    from rich.markup import escape
    from rich.table import Table

    from ..validation.checks import run_all

    sections = {
        "1": "Expected-utility model",
        "2": "Fearon bargaining",
        "3": "Comparative statics",
        "4": "Base rates",
        "5": "Nash bargaining solution",
    }
    table = Table(
        title=f"ceasefire reproduce{' --quick' if quick else ''}: docs/validation.md",
        show_header=True,
        header_style="bold",
        show_lines=False,
    )
    for name, justify in (
        ("#", "right"),
        ("Reference", "left"),
        ("Claim", "left"),
        ("Ours", "left"),
        ("Theirs / expected", "left"),
        ("Result", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")

    numbered: list[tuple[str, str]] = []

    def add(section: str, row) -> None:
        numbered.append((section, row.key))
        label = f"{section}.{sum(1 for s, _ in numbered if s == section)}"
        if not row.passed:
            result = "[bold red]FAIL[/]"
        elif row.departure:
            result = "[yellow]departure[/]"
        else:
            result = "[green]pass[/]"
        table.add_row(
            label, *(escape(c) for c in (row.reference, row.claim, row.ours, row.theirs)), result
        )

    with err_console.status("running the validation checks ..."):
        rows = run_all(quick=quick, on_row=add)
    console.print(table)
    for (section, _), row in zip(numbered, rows, strict=True):
        if row.departure:
            console.print(
                f"[yellow]departure[/] {sections.get(section, f'Section {section}')} / "
                f"{row.key}: {escape(row.departure)}",
                highlight=False,
                soft_wrap=True,
            )
    failed = sum(not row.passed for row in rows)
    colour = "red" if failed else "green"
    console.print(f"[{colour}]{tally(rows)}[/]", highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(1)
