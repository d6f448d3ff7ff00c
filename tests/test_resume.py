"""Interrupted long jobs keep their finished chunks; --resume completes them identically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, run_ensemble
from sim.cli import main
from sim.errors import CheckpointError, ScenarioError


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
    with pytest.raises(ScenarioError, match="checkpoint belongs to another job"):
        run_ensemble(other, runs=40, workers=1, checkpoint=checkpoint)


RESUMABLE = {
    "compare": ["--policies", "nothing,us_aid_cut", "--runs", "60"],
    "compare files": ["--runs", "60"],
    "sweep": ["--vary", "actors.US.aid=0:0.4:3", "--runs", "60"],
    "sensitivity": ["--method", "morris", "--samples", "2", "--replicates", "2"],
}
"""Every command that keeps a checkpoint (issue 22: the straight and the resumed job are
bit-identical for each)."""


@pytest.mark.parametrize("command", list(RESUMABLE))
def test_interrupted_command_resumes_to_identical_results(
    mini_path, tmp_path, monkeypatch, capsys, command
):
    files = [str(mini_path)]
    if command == "compare files":  # two scenario files, the second a copy under a new name
        other = tmp_path / "other.yaml"
        other.write_text(mini_path.read_text().replace("name: mini", "name: other"))
        files.append(str(other))
    verb = command.split()[0]
    args = [verb, *files, *RESUMABLE[command], "--workers", "1", "--no-plots"]
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
    table = {"compare": "comparison.csv", "sweep": "sweep.csv", "sensitivity": "sensitivity.csv"}
    name = table[verb]
    pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(straight / name))
    if verb == "sensitivity":  # the design's outcomes too, bit for bit
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / "design.parquet"), pd.read_parquet(straight / "design.parquet")
        )


def test_resume_without_a_checkpoint_is_bad_input(mini_path, tmp_path, capsys):
    code = main(["compare", str(mini_path), "--resume", str(tmp_path / "nothing-here")])
    assert code == 2
    assert "--resume" in capsys.readouterr().err


# --------------------------------------------------------------------------- refusals
COMMANDS = {
    "compare": ["--policies", "nothing,us_aid_cut"],
    "sweep": ["--vary", "actors.US.aid=0:0.4:3"],
}


def _args(command: str, mini_path) -> list[str]:
    return [command, str(mini_path), *COMMANDS[command], "--runs", "60", "--workers", "1"]


def _interrupted(command, mini_path, out, monkeypatch, capsys) -> Path:
    """Run ``command`` to ``out``, interrupted at its second chunk; returns the checkpoint."""
    import sim.ensemble as ensemble

    real, calls = ensemble.run_chunk, []

    def flaky(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(ensemble, "run_chunk", flaky)
    assert main([*_args(command, mini_path), "--no-plots", "--out", str(out)]) == 130
    monkeypatch.setattr(ensemble, "run_chunk", real)
    capsys.readouterr()
    checkpoint = out.parent / f".{out.name}.checkpoint"
    assert list(checkpoint.rglob("chunk-*.npz"))
    return checkpoint


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _refused(capsys, *needles: str) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "Traceback" not in lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_resume_refuses_other_seed(mini_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    checkpoint = _interrupted("compare", mini_path, out, monkeypatch, capsys)
    before = _files(checkpoint)
    code = main([*_args("compare", mini_path), "--seed", "12", "--resume", str(out)])
    assert code == 2
    _refused(capsys, "job.json", "seed (11 there, 12 now)")
    assert _files(checkpoint) == before and not out.exists()


def test_resume_refuses_another_commands_checkpoint(mini_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    checkpoint = _interrupted("sweep", mini_path, out, monkeypatch, capsys)
    before = _files(checkpoint)
    assert main([*_args("compare", mini_path), "--resume", str(out)]) == 2
    _refused(capsys, "'sweep' job, not of this 'compare'")
    assert _files(checkpoint) == before  # the sweep's finished chunks are all still there
    assert main([*_args("sweep", mini_path), "--no-plots", "--resume", str(out)]) == 0


def test_resume_refuses_other_options(mini_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    checkpoint = _interrupted("sweep", mini_path, out, monkeypatch, capsys)
    before = _files(checkpoint)
    args = _args("sweep", mini_path)
    args[args.index("actors.US.aid=0:0.4:3")] = "actors.US.aid=0:0.4:4"
    assert main([*args, "--resume", str(out)]) == 2
    _refused(capsys, "option vary")
    assert _files(checkpoint) == before


def test_resume_refuses_other_code_version(mini_path, tmp_path, monkeypatch, capsys):
    import sim.checkpoint as checkpoint_module

    out = tmp_path / "res"
    checkpoint = _interrupted("compare", mini_path, out, monkeypatch, capsys)
    before = _files(checkpoint)
    monkeypatch.setattr(checkpoint_module, "code_version", lambda: "0.1.0+edited")
    assert main([*_args("compare", mini_path), "--resume", str(out)]) == 2
    _refused(capsys, "code_version")
    assert _files(checkpoint) == before


@pytest.mark.parametrize("missing", ["job.json", "arm-000/key.json"])
def test_resume_refuses_a_checkpoint_missing_its_key_file(
    mini_path, tmp_path, monkeypatch, capsys, missing
):
    out = tmp_path / "res"
    checkpoint = _interrupted("compare", mini_path, out, monkeypatch, capsys)
    (checkpoint / missing).unlink()
    before = _files(checkpoint)
    assert main([*_args("compare", mini_path), "--seed", "11", "--resume", str(out)]) == 2
    _refused(capsys, Path(missing).name, "missing")
    assert _files(checkpoint) == before


def test_ensemble_refuses_chunks_without_key_file(mini_path, tmp_path):
    checkpoint = tmp_path / "ck"
    scenario = load_scenario(mini_path)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(
            scenario,
            runs=40,
            workers=1,
            chunk_size=20,
            checkpoint=checkpoint,
            on_progress=_interrupt_on_second_chunk(),
        )
    (checkpoint / "key.json").unlink()
    with pytest.raises(CheckpointError, match="key.json: missing"):
        run_ensemble(scenario, runs=40, seed=12, workers=1, checkpoint=checkpoint)


def _interrupt_on_second_chunk():
    calls = []

    def progress(n: int) -> None:
        calls.append(n)
        if len(calls) == 2:
            raise KeyboardInterrupt

    return progress


# --------------------------------------------------------------------------- corrupt files
def test_truncated_chunk_is_named_in_one_line(mini_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    checkpoint = _interrupted("compare", mini_path, out, monkeypatch, capsys)
    chunk = next(checkpoint.rglob("chunk-*.npz"))
    chunk.write_bytes(chunk.read_bytes()[:100])
    assert main([*_args("compare", mini_path), "--resume", str(out)]) == 2
    _refused(capsys, chunk.name, "cannot read this chunk")
    assert chunk.exists()


def test_chunk_that_is_not_an_npz_is_named(mini_path, tmp_path):
    checkpoint = tmp_path / "ck"
    scenario = load_scenario(mini_path)
    run_ensemble(scenario, runs=40, workers=1, chunk_size=20, checkpoint=checkpoint)
    chunk = sorted(checkpoint.glob("chunk-*.npz"))[0]
    chunk.write_text("not a zip")
    with pytest.raises(CheckpointError, match=f"{chunk.name}: cannot read this chunk"):
        run_ensemble(scenario, runs=40, workers=1, checkpoint=checkpoint)


@pytest.mark.parametrize(
    "content, problem",
    [('{"key": "abc"}', "chunk_size: missing"), ("{trunc", "cannot read"), ("[1]", "JSON object")],
)
def test_bad_key_file_is_named(mini_path, tmp_path, content, problem):
    checkpoint = tmp_path / "ck"
    checkpoint.mkdir()
    (checkpoint / "key.json").write_text(content)
    with pytest.raises(CheckpointError, match=problem) as caught:
        run_ensemble(load_scenario(mini_path), runs=40, workers=1, checkpoint=checkpoint)
    assert "key.json" in str(caught.value)
