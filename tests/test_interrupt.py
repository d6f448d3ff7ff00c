"""Interruption: Ctrl-C (once, twice, three times), SIGTERM or SIGHUP stops a command
promptly, leaves no worker running, no lock file and no results folder, and exits with
128 + the signal and one line (issue 22, fault 5)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import psutil
import pytest


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_run_promptly_and_writes_nothing(mini_path, tmp_path, sig):
    out = tmp_path / "res"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(mini_path),
            "--runs",
            "200000",
            "--workers",
            "2",
            "--chunk-size",
            "500",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)  # imports, workers started, chunks under way
    assert process.poll() is None, process.communicate()
    sent = time.monotonic()
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - sent < 10
    assert process.returncode == 128 + sig
    assert "interrupted; no results folder was written" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


SEQUENCES = {
    "ctrl-c": [signal.SIGINT],
    "ctrl-c twice": [signal.SIGINT] * 2,
    "ctrl-c three times": [signal.SIGINT] * 3,
    "sigterm": [signal.SIGTERM],
    "sighup": [signal.SIGHUP],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SEQUENCES))
def test_every_signal_stops_compare_with_no_worker_and_no_lock_left(mini_path, tmp_path, name):
    sequence = SEQUENCES[name]
    out = tmp_path / "res"
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "compare", str(mini_path), "--runs", "100000"]
        + ["--workers", "2", "--no-plots", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # signals reach the command, as from `kill`, not the group
    )
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while len(workers) < 2 and time.monotonic() < deadline:  # wait for the pool to start
        time.sleep(0.5)
        workers = psutil.Process(process.pid).children(recursive=True)
    assert len(workers) >= 2, process.communicate()
    time.sleep(1.0)  # chunks under way
    sent = time.monotonic()
    for sig in sequence:
        process.send_signal(sig)
        time.sleep(0.3)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - the fault this test guards
        process.kill()
        raise
    assert time.monotonic() - sent < 10
    assert process.returncode == 128 + sequence[0], err
    lines = err.strip().splitlines()
    assert lines[-1] == "error: interrupted; no results folder was written", err
    assert "Traceback" not in err and len(lines) <= 2  # the error and the --resume hint
    _, alive = psutil.wait_procs(workers, timeout=5)
    assert alive == [], f"workers left running: {alive}"
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left in ([], [".res.checkpoint"]), left  # no lock, no partial, no results folder
