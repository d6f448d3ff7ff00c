"""The scenarios ship with the package: ``ceasefire run baseline`` works from a wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenarios import HERE, names, shipped

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_copies_equal_the_repository_scenarios():
    assert names() == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    for name in names():
        assert (HERE / f"{name}.yaml").read_text() == (
            ROOT / "scenarios" / f"{name}.yaml"
        ).read_text()


def test_a_bare_name_is_a_shipped_scenario_and_a_path_stays_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no scenarios/ folder here
    assert shipped("baseline") == HERE / "baseline.yaml"
    assert shipped("us_disengages.yaml") == HERE / "us_disengages.yaml"
    assert shipped("scenarios/baseline.yaml") == Path("scenarios/baseline.yaml")
    assert shipped("nothing") == Path("nothing")
    (tmp_path / "baseline").write_text("a file of that name wins")
    assert shipped("baseline") == Path("baseline")


def test_commands_take_a_shipped_scenario_by_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "baseline", "us_disengages"]) == 0
    out = tmp_path / "r"
    assert main(["run", "baseline", "-n", "10", "-w", "1", "--no-plots", "-o", str(out)]) == 0
    assert (out / "summary.json").is_file()


@pytest.mark.slow
def test_the_wheel_holds_the_scenarios(tmp_path):
    """A wheel built from the tree holds sim/scenarios/*.yaml (so a non-editable install
    has the baseline)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("ceasefire-*.whl"))
    held = set(zipfile.ZipFile(wheel).namelist())
    for name in names():
        assert f"sim/scenarios/{name}.yaml" in held
