"""Large runs: memory is bounded by a chunk, not by the number of chunks already done."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, run_ensemble

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def peak_bytes(scenario, runs: int) -> int:
    tracemalloc.start()
    try:
        run_ensemble(scenario, runs=runs, workers=1, chunk_size=100, trajectory_replicates=0)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_chunks_done(mini_path):
    scenario = load_scenario(mini_path, overrides=["horizon=10"])
    few, many = peak_bytes(scenario, 400), peak_bytes(scenario, 2400)
    # six times the chunks: only the outcome records (~20 columns of 8 bytes, held in up
    # to three copies while the table is assembled) may add to the peak, not the models
    # of the chunks already run (Mesa < 3.4.2 kept every finished model alive)
    per_replicate_record = 20 * 8 * 3 * 2  # with a factor 2 of headroom
    assert many - few < 2000 * per_replicate_record


@pytest.mark.slow
def test_hundred_thousand_baseline_replicates_fit_in_two_gib(tmp_path):
    """The ensemble issue's bound, measured on the real baseline through the command line."""
    out = tmp_path / "big"
    code = subprocess.run(
        [sys.executable, "-c", MEASURE, str(BASELINE), str(out)], capture_output=True, text=True
    )
    assert code.returncode == 0, code.stderr
    peak_mib = float(code.stdout.strip().splitlines()[-1])
    assert peak_mib < 2048
    assert len(pd.read_parquet(out / "runs.parquet")) == 100_000


# runs the command in a child and prints the largest resident size of it and its workers
MEASURE = """
import resource, sys
from sim.cli import main
code = main(["run", sys.argv[1], "--runs", "100000", "--no-plots", "--out", sys.argv[2]])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print((own + workers) / 1024)  # KiB -> MiB: the parent plus its largest worker
sys.exit(code)
"""
