"""The ``story`` command: the history of one simulated world, in dated lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import printable
from .app import app, examples


@app.command(
    epilog=examples(
        "ceasefire story results/baseline-20250301-101500/ --replicate 7",
    )
)
def story(
    folder: Annotated[Path, typer.Argument(help="A results folder of `run`.", show_default=False)],
    replicate: Annotated[
        int, typer.Option("--replicate", "-r", help="The replicate (0 to 999 are kept).")
    ] = 0,
) -> None:
    """Tell the story of one replicate: every package tabled, each veto player's answer and surplus, the ceasefires signed and broken, how it ended."""
    from ..story import story as tell

    for line in tell(folder, replicate):
        typer.echo(printable(line))
