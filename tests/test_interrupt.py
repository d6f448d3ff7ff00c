"""Interruption: Ctrl-C or SIGTERM stops a run promptly and leaves no results folder."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

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
    assert process.returncode == 130
    assert "interrupted; no results folder was written" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
