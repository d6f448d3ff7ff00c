"""The ensemble engine: results do not depend on how the work is split or where it runs."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import load_scenario, run_ensemble
from sim.ensemble import chunks, default_chunk_size

RUNS = 300


@pytest.fixture(scope="module")
def scenario(request):
    from conftest import MINI

    return load_scenario(MINI)


@pytest.fixture(scope="module")
def reference(scenario):
    return run_ensemble(scenario, runs=RUNS, workers=1, chunk_size=10_000)


def test_chunks_cover_every_replicate_once():
    bounds = chunks(1000, 137)
    assert bounds[0] == (0, 137) and bounds[-1] == (959, 1000)
    assert sum(b - a for a, b in bounds) == 1000
    assert default_chunk_size(10_000, 2) == 1250
    assert default_chunk_size(10, 8) == 1


def test_two_workers_and_odd_chunks_give_identical_table(scenario, reference):
    split = run_ensemble(scenario, runs=RUNS, workers=2, chunk_size=137)
    assert split.timings["chunks"] == 3
    pd.testing.assert_frame_equal(split.runs, reference.runs)
    for name, array in reference.trajectories.items():
        assert (split.trajectories[name] == array).all(), name


def test_one_replicate_at_a_time_gives_identical_table(scenario, reference):
    single = run_ensemble(scenario, runs=60, workers=1, chunk_size=1)
    pd.testing.assert_frame_equal(single.runs, reference.runs.iloc[:60])


def test_dask_local_cluster_gives_identical_table(scenario, reference):
    import distributed

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        processes=True,
    ) as cluster:
        on_dask = run_ensemble(
            scenario, runs=RUNS, chunk_size=100, scheduler=cluster.scheduler_address
        )
    assert on_dask.timings["workers"] == 0
    pd.testing.assert_frame_equal(on_dask.runs, reference.runs)


def test_trajectories_are_kept_for_the_first_replicates_only(scenario):
    result = run_ensemble(scenario, runs=50, workers=1, chunk_size=20, trajectory_replicates=30)
    assert result.trajectories["control"].shape == (30, 53)
    assert list(result.trajectories["replicate"]) == list(range(30))


def test_progress_counts_every_replicate(scenario):
    seen: list[int] = []
    run_ensemble(scenario, runs=45, workers=1, chunk_size=10, on_progress=seen.append)
    assert seen == [10, 10, 10, 10, 5]


def test_compare_on_a_dask_cluster_gives_the_local_table(mini_path, tmp_path):
    import distributed

    from sim.cli import main

    args = ["compare", str(mini_path), "--policies", "us_aid_cut", "--runs", "80", "--no-plots"]
    assert main([*args, "--workers", "1", "--out", str(tmp_path / "local")]) == 0
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = ["--scheduler", cluster.scheduler_address, "--out", str(tmp_path / "dask")]
        assert main([*args, *remote]) == 0
    for name in ("00-mini.parquet", "01-mini+us_aid_cut.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "dask" / "arms" / name),
            pd.read_parquet(tmp_path / "local" / "arms" / name),
        )
