"""The ``schema`` command: the JSON Schema of the scenario format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ScenarioError, printable
from .app import app, console, examples


@app.command(
    epilog=examples(
        "ceasefire schema > scenario.schema.json",
        "ceasefire schema --out .vscode/scenario.schema.json",
    )
)
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write it to this file (else stdout).")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editors: completion and checks).

    Numeric fields are typed with their bounds; a field that takes a distribution accepts a number or one of uniform, triangular, normal, choice. Checks across fields are made by `ceasefire validate`.
    """
    import json

    from ..scenario.jsonschema import scenario_schema

    text = json.dumps(scenario_schema(), indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as err:
        raise ScenarioError("--out", str(out), f"cannot write: {err.strerror or err}") from None
    console.print(f"wrote {printable(out)}", markup=False, highlight=False, soft_wrap=True)
