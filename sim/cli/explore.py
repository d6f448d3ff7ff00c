"""The ``explore`` command: one simulated world, week by week, in a local web app."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import ScenarioError
from .app import ScenarioArg, SetOpt, app, console, examples


@app.command(
    epilog=examples(
        "ceasefire explore baseline",
        "ceasefire explore scenarios/baseline.yaml --policy us_aid_cut --replicate 7",
        "ceasefire explore baseline --set actors.Russia.resolve=0.8 --port 8800",
    )
)
def explore(
    scenario: ScenarioArg,
    policy: Annotated[
        str | None, typer.Option("--policy", "-p", help="Apply a policy defined in the file.")
    ] = None,
    set_: SetOpt = None,
    replicate: Annotated[
        int, typer.Option("--replicate", "-r", help="The replicate to start with.")
    ] = 0,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8765,
) -> None:
    """Explore one replicate week by week in the browser (Solara, on 127.0.0.1 only).

    Pick a replicate and a policy, step a week or a round or play to the end, and see the front, each side's beliefs, the stated positions, the package tabled and each answer, and the outcome. The world is the same, draw for draw, as that replicate of `ceasefire run` with the file's seed.
    """
    import importlib.util
    import os
    import subprocess
    import sys
    from pathlib import Path

    from ..explore.world import ENV
    from ..scenario import load_scenario

    load_scenario(scenario, policy=policy, overrides=set_ or ())  # bad input: exit 2 now
    if replicate < 0:
        raise ScenarioError("--replicate", "", f"must be at least 0, got {replicate}")
    if not 1 <= port <= 65535:
        raise ScenarioError("--port", "", f"must be between 1 and 65535, got {port}")
    if (
        importlib.util.find_spec("solara") is None
        or importlib.util.find_spec("solara_assets") is None
    ):
        raise ScenarioError("explore", "", "needs Solara: pip install 'ceasefire[explore]'")
    env = {
        **os.environ,
        ENV["scenario"]: str(Path(scenario).resolve()),
        ENV["policy"]: policy or "",
        ENV["set"]: "\n".join(set_ or ()),
        ENV["replicate"]: str(replicate),
    }
    app_file = Path(__file__).resolve().parent.parent / "explore" / "app.py"
    command = [sys.executable, "-m", "solara", "run", str(app_file), "--host", "127.0.0.1",
               "--port", str(port), "--production", "--no-open"]  # fmt: skip
    console.print(f"Explorer: http://127.0.0.1:{port}/  (Ctrl-C stops it)", markup=False)
    try:
        subprocess.run(command, env=env, check=False)
    except KeyboardInterrupt:
        pass
