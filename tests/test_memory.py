"""Large runs: memory is bounded by a chunk, not by the number of chunks already done."""

from __future__ import annotations

import tracemalloc

from sim import load_scenario, run_ensemble


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
