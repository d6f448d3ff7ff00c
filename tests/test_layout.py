"""The package layout: what an installed wheel needs is inside ``sim``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.validation import checks

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("packaged", "original"),
    [
        (checks.MINI, ROOT / "tests" / "data" / "mini.yaml"),
        (checks.BASELINE, ROOT / "scenarios" / "baseline.yaml"),
    ],
    ids=["mini", "baseline"],
)
def test_packaged_scenarios_are_copies_of_the_repository_ones(packaged, original):
    """`ceasefire reproduce` runs the copies in sim/validation/scenarios/ (package data);
    edit the original, then copy it there."""
    assert packaged.read_bytes() == original.read_bytes(), f"cp {original} {packaged}"


def test_validation_needs_nothing_outside_the_package():
    package = Path(checks.__file__).resolve().parent
    for path in (checks.DUEL, checks.MINI, checks.BASELINE):
        assert path.is_file() and path.resolve().is_relative_to(package), path


def _backend_after(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport matplotlib\nprint(matplotlib.get_backend())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1].lower()


def test_import_sim_leaves_the_chosen_backend_alone():
    """A notebook's inline backend survives `import sim` and the plot modules (the style
    used to call matplotlib.use("Agg") on import)."""
    code = (
        "import matplotlib\nmatplotlib.use('svg')\nimport sim, sim.plots, sim.plots.style, sim.cli"
    )
    assert _backend_after(code) == "svg"


def test_the_command_line_draws_with_agg():
    code = "from sim.cli import main\nmain(['validate', 'tests/data/mini.yaml'])"
    assert _backend_after(code) == "agg"
