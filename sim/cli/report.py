"""The ``report`` command: rebuild a results folder's ``report.html`` from its files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import printable
from .app import app, console


@app.command()
def report(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A results folder (of run, compare, deal, sweep, sensitivity or discover).",
            show_default=False,
        ),
    ],
) -> None:
    """(Re)build a results folder's report.html: one self-contained page to brief from."""
    from ..report import write_report

    path = write_report(folder)
    console.print(f"wrote {printable(path)}", markup=False, highlight=False, soft_wrap=True)
