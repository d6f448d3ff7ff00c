"""Large runs: memory is bounded by a chunk, not by the number of chunks already done."""

from __future__ import annotations

import gc
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, run_ensemble
from sim.model import NegotiationModel

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def peak_bytes(scenario, runs: int) -> int:
    tracemalloc.start()
    try:
        run_ensemble(scenario, runs=runs, workers=1, chunk_size=100, trajectory_replicates=0)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_no_finished_model_outlives_its_chunk(mini_path):
    """Mesa < 3.4.2 kept every finished model alive; each chunk's model must be freed."""
    scenario = load_scenario(mini_path, overrides=["horizon=10"])
    alive: list[int] = []
    gc.collect()
    # models other tests left alive (caches, fixtures) are not this run's
    before = {id(o) for o in gc.get_objects() if isinstance(o, NegotiationModel)}

    def count_models(_done: int) -> None:
        gc.collect()
        alive.append(
            sum(isinstance(o, NegotiationModel) and id(o) not in before for o in gc.get_objects())
        )

    run_ensemble(
        scenario,
        runs=600,
        workers=1,
        chunk_size=100,
        trajectory_replicates=0,
        on_progress=count_models,
    )
    assert alive == [0] * 6


def test_peak_memory_grows_only_by_the_outcome_records(mini_path):
    scenario = load_scenario(mini_path, overrides=["horizon=10"])
    peak_bytes(scenario, 200)  # one-time costs (compilation, caches) out of the measurement
    few, many = peak_bytes(scenario, 2400), peak_bytes(scenario, 12400)
    table = run_ensemble(scenario, runs=100, workers=1, trajectory_replicates=0).runs
    row_bytes = table.memory_usage(deep=True).sum() / len(table)
    # ten thousand more replicates may add their outcome records, held in up to three
    # copies while the table is assembled (chunk arrays, joined arrays, the frame), with a
    # factor 2 of headroom for per-array overhead; a chunk's model is several times that
    assert (many - few) / 10_000 < row_bytes * 3 * 2


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
