"""The ``reproduce`` command: the validation table against published models."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .app import app, console, err_console


@app.command()
def reproduce(
    quick: Annotated[
        bool,
        typer.Option("--quick", help="Fewer replicates and draws (the fast test suite's sizes)."),
    ] = False,
) -> None:
    """Reproduce published results (docs/validation.md): pass or fail per row.

    Exit code 0 when every row passes, 1 otherwise.
    """
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
        result = "[green]pass[/]" if row.passed else "[bold red]FAIL[/]"
        if row.departure:
            result += " [yellow](departure)[/]"
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
    passed = sum(row.passed for row in rows)
    departures = sum(row.passed and bool(row.departure) for row in rows)
    colour = "green" if passed == len(rows) else "red"
    console.print(
        f"[{colour}]{passed}/{len(rows)} rows pass[/] ({passed - departures} pass, "
        f"{departures} pass as documented departures, {len(rows) - passed} fail)",
        highlight=False,
        soft_wrap=True,
    )
    if passed != len(rows):
        raise typer.Exit(1)
