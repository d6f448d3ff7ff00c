"""Hostile results folders (issue 22, faults 2, 4 and 5).

``report``, ``compare DIR DIR``, ``plot`` and ``discover`` read only regular files inside
the folder, of bounded size (JSON of bounded depth): a file from elsewhere on the disk
never reaches ``report.html``; FIFOs, devices, links out and oversize files are refused in
one line (exit 2) or, for a figure, skipped with a warning in the page.  ``compare DIR DIR``
refuses folders that are not comparable.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

MINI = Path(__file__).parent / "data" / "mini.yaml"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # enough of a PNG for the report to inline


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    """Small run folders: the mini scenario, its us_aid_cut policy, a 30-week horizon."""
    root = tmp_path_factory.mktemp("folders")
    runs = {
        "base": [],
        "policy": ["--policy", "us_aid_cut"],
        "short": ["--set", "horizon=30"],
    }
    out = {}
    for name, extra in runs.items():
        out[name] = root / name
        args = ["run", str(MINI), "-n", "30", "-w", "1", "--no-plots", "-o", str(out[name])]
        assert main([*args, *extra]) == 0
    return out


@pytest.fixture
def folder(made, tmp_path) -> Path:
    """A fresh copy of the base run folder, to tamper with."""
    copy = tmp_path / "res"
    shutil.copytree(made["base"], copy)
    return copy


def _one_line(capsys, *needles: str) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "Traceback" not in lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _manifest(folder: Path, **changes) -> None:
    info = json.loads((folder / "manifest.json").read_text())
    for key, value in changes.items():
        if value is None:
            info.pop(key, None)
        else:
            info[key] = value
    (folder / "manifest.json").write_text(json.dumps(info))


def _report(folder: Path, capsys) -> str:
    assert main(["report", str(folder)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return (folder / "report.html").read_text()


# --------------------------------------------------------------------------- fault 2
@pytest.mark.parametrize("how", ["absolute", "dotdot"])
def test_a_manifest_source_elsewhere_does_not_reach_the_report(folder, tmp_path, capsys, how):
    secret = tmp_path / "private" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("name: TOPSECRET-7f3a\n")
    if how == "absolute":
        _manifest(folder, scenario_texts=None, scenario_sha256=None, source=str(secret))
    else:
        relative = os.path.relpath(secret, "/")
        _manifest(
            folder,
            scenario_texts=None,
            scenario_sha256=None,
            source=f"../../../../../../../../{relative}",
            working_directory="/",
        )
    page = _report(folder, capsys)
    assert "TOPSECRET-7f3a" not in page
    assert "was not read" in page


def test_a_figure_linked_from_outside_is_not_inlined(folder, tmp_path, capsys):
    outside = tmp_path / "holiday.png"
    outside.write_bytes(PNG + b"PRIVATE-PHOTO")
    (folder / "plots").mkdir(exist_ok=True)
    (folder / "plots" / "x.png").symlink_to(outside)
    (folder / "plots" / "own.png").write_bytes(PNG)
    page = _report(folder, capsys)
    assert base64.b64encode(outside.read_bytes()).decode() not in page
    assert base64.b64encode(PNG).decode() in page  # the folder's own figure is shown
    assert "figure plots/x.png skipped: leads outside the results folder" in page


@pytest.mark.parametrize("size", [40 * 1024**2, 3 * 1024**3])
def test_a_huge_figure_is_skipped_with_a_warning_not_read(folder, capsys, size):
    (folder / "plots").mkdir(exist_ok=True)
    huge = folder / "plots" / "huge.png"
    with open(huge, "wb") as handle:  # sparse: no disk or memory spent on it
        handle.write(PNG)
        handle.truncate(size)
    began = time.monotonic()
    page = _report(folder, capsys)
    assert time.monotonic() - began < 20
    assert "figure plots/huge.png skipped: too large to read" in page


def test_a_figure_that_is_not_a_png_is_skipped(folder, capsys):
    (folder / "plots").mkdir(exist_ok=True)
    (folder / "plots" / "fake.png").write_text("<script>alert(1)</script>")
    page = _report(folder, capsys)
    assert "figure plots/fake.png skipped: not a PNG image" in page


# --------------------------------------------------------------------------- fault 5
def _report_subprocess(folder: Path) -> subprocess.CompletedProcess:
    # in a process of its own: were the FIFO opened blocking, the test would hang
    return subprocess.run(
        [sys.executable, "-m", "sim", "report", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", ["manifest.json", "summary.json"])
def test_a_fifo_in_the_folder_is_refused_not_waited_for(folder, name):
    (folder / name).unlink()
    os.mkfifo(folder / name)
    began = time.monotonic()
    done = _report_subprocess(folder)
    assert time.monotonic() - began < 30
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a regular file" in lines[0] and name in lines[0], lines


def test_a_device_as_manifest_is_refused(folder, capsys):
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").symlink_to("/dev/zero")
    assert main(["report", str(folder)]) == 2
    _one_line(capsys, "manifest.json", "leads outside the results folder")


def test_deeply_nested_json_is_refused_in_one_line(folder, capsys):
    (folder / "summary.json").write_text("[" * 100_000 + "]" * 100_000)
    assert main(["report", str(folder)]) == 2
    _one_line(capsys, "summary.json", "nested more than 64 levels deep")
    (folder / "summary.json").write_text(json.dumps({"a": [[[[[[[[[[[1]]]]]]]]]]]}))
    nested = {"a": 1}
    for _ in range(70):
        nested = {"a": nested}
    (folder / "summary.json").write_text(json.dumps(nested))
    assert main(["report", str(folder)]) == 2
    _one_line(capsys, "summary.json", "nested more than 64 levels deep")


def test_plot_and_compare_refuse_a_fifo_runs_table(folder, made, capsys):
    (folder / "runs.parquet").unlink()
    os.mkfifo(folder / "runs.parquet")
    assert main(["compare", str(made["base"]), str(folder)]) == 2
    _one_line(capsys, "runs.parquet", "not a regular file")
    assert main(["plot", str(folder)]) == 2
    _one_line(capsys, "runs.parquet", "not a regular file")


def test_report_of_a_file_says_it_is_a_file(tmp_path, capsys):
    file = tmp_path / "notes.txt"
    file.write_text("hello")
    assert main(["report", str(file)]) == 2
    _one_line(capsys, "not a results folder (a file, not a folder)")
    assert main(["report", str(tmp_path / "nope")]) == 2
    _one_line(capsys, "not a results folder (no such folder)")


# --------------------------------------------------------------------------- fault 4
def test_compare_folders_of_other_horizons_is_refused(made, capsys):
    assert main(["compare", str(made["base"]), str(made["short"])]) == 2
    _one_line(capsys, str(made["short"]), "horizon_weeks", "30 weeks", "ran 52")


def test_compare_folders_with_other_issues_is_refused(made, folder, capsys):
    info = json.loads((folder / "manifest.json").read_text())
    info["issues"] = {"territory": info["issues"]["territory"], "nato": info["issues"]["nato"]}
    (folder / "manifest.json").write_text(json.dumps(info))
    assert main(["compare", str(made["base"]), str(folder)]) == 2
    _one_line(capsys, "issues", "not comparable")


def test_compare_folders_with_other_outcome_columns_is_refused(made, folder, capsys):
    runs = pd.read_parquet(folder / "runs.parquet").drop(columns=["collapses"])
    runs.to_parquet(folder / "runs.parquet")
    assert main(["compare", str(made["base"]), str(folder)]) == 2
    _one_line(capsys, "outcome columns differ", "collapses")


def test_compare_folders_refuses_an_empty_table(made, folder, capsys):
    runs = pd.read_parquet(folder / "runs.parquet")
    runs.iloc[:0].to_parquet(folder / "runs.parquet")
    assert main(["compare", str(made["base"]), str(folder)]) == 2
    _one_line(capsys, "runs.parquet", "holds no runs")


def test_compare_folders_refuses_text_where_numbers_belong(made, folder, capsys):
    runs = pd.read_parquet(folder / "runs.parquet")
    runs["final_control"] = runs["final_control"].astype(str)
    runs.loc[0, "final_control"] = "17x"
    runs.to_parquet(folder / "runs.parquet")
    assert main(["compare", str(made["base"]), str(folder)]) == 2
    _one_line(capsys, "runs.parquet", "final_control", "expected numbers")


def test_compare_folders_of_another_policy_is_allowed_and_named(made, capsys):
    assert main(["compare", str(made["base"]), str(made["policy"]), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "us_aid_cut" in out
