"""Interrupted long jobs keep their finished chunks; --resume completes them identically."""

from __future__ import annotations

import pandas as pd
import pytest

import sim.cli as cli
from sim import load_scenario, run_ensemble
from sim.cli import main


def test_interrupted_ensemble_resumes_to_the_same_table(mini_path, tmp_path):
    scenario = load_scenario(mini_path)
    straight = run_ensemble(scenario, runs=300, workers=1, chunk_size=50)
    seen = []

    def interrupt_after_three_chunks(n: int) -> None:
        seen.append(n)
        if len(seen) == 3:
            raise KeyboardInterrupt

    checkpoint = tmp_path / "ck"
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(
            scenario,
            runs=300,
            workers=1,
            chunk_size=50,
            checkpoint=checkpoint,
            on_progress=interrupt_after_three_chunks,
        )
    assert len(list(checkpoint.glob("chunk-*.npz"))) == 3
    resumed = run_ensemble(scenario, runs=300, workers=2, checkpoint=checkpoint)
    assert resumed.timings["chunk_size"] == 50  # the checkpoint's, whatever the workers
    pd.testing.assert_frame_equal(resumed.runs, straight.runs)


def test_checkpoint_of_another_job_is_refused(mini_path, tmp_path):
    checkpoint = tmp_path / "ck"
    run_ensemble(load_scenario(mini_path), runs=40, workers=1, chunk_size=20, checkpoint=checkpoint)
    other = load_scenario(mini_path, policy="us_aid_cut")
    with pytest.raises(cli.ScenarioError, match="checkpoint belongs to another job"):
        run_ensemble(other, runs=40, workers=1, checkpoint=checkpoint)


@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_interrupted_command_resumes_to_identical_results(
    mini_path, tmp_path, monkeypatch, capsys, command
):
    extra = {
        "compare": ["--policies", "nothing,us_aid_cut"],
        "sweep": ["--vary", "actors.US.aid=0:0.4:3"],
    }[command]
    args = [command, str(mini_path), *extra, "--runs", "60", "--workers", "1", "--no-plots"]
    straight = tmp_path / "straight"
    assert main([*args, "--out", str(straight)]) == 0

    import sim.ensemble as ensemble

    real = ensemble.run_chunk
    calls = []

    def flaky(*a, **k):
        calls.append(1)
        if len(calls) == 2:  # the second chunk of the job: interrupted mid-way
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(ensemble, "run_chunk", flaky)
    out = tmp_path / "resumed"
    assert main([*args, "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert f"--resume {out}" in err and not out.exists()
    monkeypatch.setattr(ensemble, "run_chunk", real)
    assert main([*args, "--resume", str(out)]) == 0
    assert not (tmp_path / f".{out.name}.checkpoint").exists()
    table = {"compare": "comparison.csv", "sweep": "sweep.csv"}[command]
    pd.testing.assert_frame_equal(pd.read_csv(out / table), pd.read_csv(straight / table))


def test_resume_without_a_checkpoint_is_bad_input(mini_path, tmp_path, capsys):
    code = main(["compare", str(mini_path), "--resume", str(tmp_path / "nothing-here")])
    assert code == 2
    assert "--resume" in capsys.readouterr().err
