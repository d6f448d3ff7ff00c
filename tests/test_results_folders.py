"""Results folders: refused up front when they cannot be written, never half-written, and
no debris left (or left unpointed-to) by a full disk or a killed job."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

MINI = Path(__file__).parent / "data" / "mini.yaml"


def _one_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "Traceback" not in lines[0]
    return lines[0]


@pytest.fixture
def no_computing(monkeypatch):
    """Fail the test if any replicate is run."""
    import sim.ensemble as ensemble

    def refuse(*args, **kwargs):
        raise AssertionError("computing started")

    monkeypatch.setattr(ensemble, "run_chunk", refuse)


def _run(mini_path, out, *extra: str) -> list[str]:
    return ["run", str(mini_path), "--runs", "40", "-w", "1", "--no-plots", "-o", str(out), *extra]


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


# --------------------------------------------------------------------------- up front
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_out_under_proc_is_refused_before_computing(mini_path, capsys, no_computing, command):
    extra = ["--vary", "actors.US.aid=0:0.4:3"] if command == "sweep" else []
    args = [command, str(mini_path), *extra, "--runs", "40", "-w", "1", "-o", "/proc/x"]
    assert main(args) == 2
    assert "--out: /proc/x: cannot write in /proc" in _one_line(capsys)


def test_second_job_to_the_same_out_is_refused_before_computing(
    mini_path, tmp_path, capsys, no_computing
):
    out = tmp_path / "res"
    (tmp_path / ".res.lock").write_text(f"{os.getpid()}\n")  # a live job holds it
    assert main(_run(mini_path, out)) == 2
    assert f"another job (pid {os.getpid()}) is writing this results folder" in _one_line(capsys)
    assert (tmp_path / ".res.lock").exists() and not out.exists()


def test_two_jobs_to_the_same_out_one_is_refused_at_once(mini_path, tmp_path, capsys):
    out = tmp_path / "res"
    import sim.ensemble as ensemble

    real = ensemble.run_chunk
    second: list[int] = []

    def start_a_second_job(*args, **kwargs):
        if not second:  # while the first job computes, a second one to the same --out
            second.append(main(_run(mini_path, out)))
        return real(*args, **kwargs)

    ensemble.run_chunk = start_a_second_job
    try:
        assert main(_run(mini_path, out)) == 0
    finally:
        ensemble.run_chunk = real
    assert second == [2]
    assert "another job" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


# --------------------------------------------------------------------------- debris
def test_stale_partial_folders_of_dead_jobs_are_cleaned(mini_path, tmp_path, capsys):
    dead, alive = _dead_pid(), os.getpid()
    stale = tmp_path / f".old.partial-{dead}"
    (stale / "plots").mkdir(parents=True)
    (tmp_path / ".old.lock").write_text(f"{dead}\n")
    live = tmp_path / f".other.partial-{alive}"
    live.mkdir()
    assert main(_run(mini_path, tmp_path / "res")) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "res"]


def test_full_disk_exits_with_one_line_and_leaves_nothing(mini_path, tmp_path, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    out = tmp_path / "res"
    assert main(_run(mini_path, out)) == 1
    assert f"{out}: cannot write results: No space left on device" in _one_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_full_disk_mid_sweep_points_to_the_checkpoint(mini_path, tmp_path, capsys, monkeypatch):
    import numpy as np

    args = ["sweep", str(mini_path), "--vary", "actors.US.aid=0:0.4:3", "--runs", "40"]
    args += ["-w", "1", "--no-plots"]
    straight = tmp_path / "straight"
    assert main([*args, "-o", str(straight)]) == 0
    real, saves = np.savez, []

    def fills_up(*a, **k):
        saves.append(1)
        if len(saves) > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*a, **k)

    monkeypatch.setattr(np, "savez", fills_up)
    out = tmp_path / "res"
    assert main([*args, "-o", str(out)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("error: ") and "No space left on device" in lines[0]
    assert lines[1] == f"finished chunks are kept: complete the job with --resume {out}"
    assert not list(tmp_path.glob(".*.partial*")) and not out.exists()
    assert not list(tmp_path.rglob(".chunk-*.partial"))
    monkeypatch.setattr(np, "savez", real)
    assert main([*args, "--resume", str(out)]) == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "sweep.csv"), pd.read_csv(straight / "sweep.csv")
    )


# --------------------------------------------------------------------------- reading back
@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("plot") / "run"
    assert main(["run", str(MINI), "--runs", "30", "-w", "1", "--no-plots", "-o", str(out)]) == 0
    return out


@pytest.fixture
def copy_of_run(run_folder, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    return copy


def _plot_refused(folder, capsys, *needles: str) -> None:
    assert main(["plot", str(folder)]) == 2
    line = _one_line(capsys)
    for needle in needles:
        assert needle in line, line


def test_plot_draws_a_sweep_folder_too(mini_path, tmp_path, capsys):
    """`plot` takes every kind of results folder (issue 20), a sweep's among them."""
    out = tmp_path / "sw"
    args = ["sweep", str(mini_path), "--vary", "actors.US.aid=0:0.4:2", "--runs", "20"]
    assert main([*args, "-w", "1", "--no-plots", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["plot", str(out)]) == 0
    assert (out / "plots" / "sweep.png").is_file()


def test_plot_refuses_a_foreign_parquet(copy_of_run, capsys):
    pd.DataFrame({"a": [1, 2]}).to_parquet(copy_of_run / "runs.parquet")
    _plot_refused(copy_of_run, capsys, "runs.parquet", "missing columns replicate")


def test_plot_refuses_a_parquet_that_is_not_one(copy_of_run, capsys):
    (copy_of_run / "runs.parquet").write_bytes(b"PAR1 not really")
    _plot_refused(copy_of_run, capsys, "runs.parquet", "cannot read as Parquet")


@pytest.mark.parametrize(
    "manifest, needle",
    [
        ("[1, 2]", "expected a JSON object"),
        ('{"horizon_weeks": "52", "issues": {"a": {}}}', "horizon_weeks"),
        ('{"horizon_weeks": 52, "issues": ["territory"]}', "issues: expected a mapping"),
        ('{"horizon_weeks": 52}', "issues: missing"),
        ('{"horizon_weeks": 52, "issues": {"x": {}}}', "missing columns terms_x"),
        ('{"kind": "compare"}', "comparison.csv"),  # read as a compare folder: no table
        ("{trunc", "cannot read as JSON"),
    ],
)
def test_plot_refuses_an_odd_manifest(copy_of_run, capsys, manifest, needle):
    (copy_of_run / "manifest.json").write_text(manifest)
    _plot_refused(copy_of_run, capsys, needle)


def test_plot_refuses_corrupt_trajectories(copy_of_run, capsys):
    (copy_of_run / "trajectories.npz").write_bytes(b"PK\x03\x04 truncated")
    _plot_refused(copy_of_run, capsys, "trajectories.npz", "cannot read")
