"""Every chunk a checkpoint holds is verified before it is used (issue 22, fault 0).

The checkpoint's key vouches for the job; each chunk is checked on top of it: its digest
(recorded in ``chunks.sha256`` when it was written, bound to the job key), its bounds, its
replicates, its columns and its values.  Anything that does not match is refused in one
line naming the chunk (exit 2) and the checkpoint is left as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario, run_ensemble
from sim.checkpoint import INDEX_FILE, KEY_FILE, chunk_digest
from sim.cli import main
from sim.errors import CheckpointError

ARGS = ["--policies", "nothing,us_aid_cut", "--runs", "60", "--workers", "1", "--no-plots"]


def _interrupted(
    mini_path, out: Path, monkeypatch, capsys, seed: int | None = None, at: int = 3
) -> Path:
    """``compare`` to ``out``, interrupted at chunk ``at``; returns the checkpoint."""
    import sim.ensemble as ensemble

    real, calls = ensemble.run_chunk, []

    def flaky(*a, **k):
        calls.append(1)
        if len(calls) == at:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(ensemble, "run_chunk", flaky)
    seeded = [] if seed is None else ["--seed", str(seed)]
    assert main(["compare", str(mini_path), *ARGS, *seeded, "--out", str(out)]) == 130
    monkeypatch.setattr(ensemble, "run_chunk", real)
    capsys.readouterr()
    checkpoint = out.parent / f".{out.name}.checkpoint"
    assert len(list(checkpoint.rglob("chunk-*.npz"))) == at - 1
    return checkpoint


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _resume_refused(mini_path, out: Path, capsys, *needles: str) -> None:
    checkpoint = out.parent / f".{out.name}.checkpoint"
    before = _files(checkpoint)
    assert main(["compare", str(mini_path), *ARGS, "--resume", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "Traceback" not in lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert _files(checkpoint) == before  # left intact
    assert not out.exists()


def _chunks(checkpoint: Path) -> list[Path]:
    return sorted(checkpoint.rglob("chunk-*.npz"))


def _rewrite(chunk: Path, change) -> None:
    """Rewrite a chunk as a valid npz with ``change(arrays)`` applied."""
    with np.load(chunk, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    change(arrays)
    with open(chunk, "wb") as handle:
        np.savez(handle, **arrays)


def _vouch(chunk: Path) -> None:
    """Record a (tampered) chunk's digest in its index, as a forger with the key could."""
    import json

    key = json.loads((chunk.parent / KEY_FILE).read_text())["key"]
    with open(chunk.parent / INDEX_FILE, "a") as index:
        index.write(f"{chunk_digest(key, chunk.read_bytes())}  {chunk.name}\n")


def test_chunk_copied_from_a_run_with_another_seed_is_refused(
    mini_path, tmp_path, monkeypatch, capsys
):
    out, other = tmp_path / "res", tmp_path / "other"
    checkpoint = _interrupted(mini_path, out, monkeypatch, capsys)
    foreign = _interrupted(mini_path, other, monkeypatch, capsys, seed=5)
    victim = _chunks(checkpoint)[0]
    shutil.copyfile(foreign / victim.relative_to(checkpoint), victim)
    _resume_refused(mini_path, out, capsys, victim.name, "not what was written")


def test_chunk_edited_out_of_bounds_is_refused(mini_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    checkpoint = _interrupted(mini_path, out, monkeypatch, capsys)
    victim = _chunks(checkpoint)[0]

    def seven(arrays):
        arrays["column:final_control"] = np.full_like(arrays["column:final_control"], 7.0)

    _rewrite(victim, seven)
    _resume_refused(mini_path, out, capsys, victim.name, "not what was written")
    _vouch(victim)  # even with a digest that matches, the values are checked
    _resume_refused(mini_path, out, capsys, victim.name, "final_control", "outside [0, 1]")


def test_chunk_missing_a_column_is_refused(mini_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    checkpoint = _interrupted(mini_path, out, monkeypatch, capsys)
    victim = _chunks(checkpoint)[0]
    _rewrite(victim, lambda arrays: arrays.pop("column:final_control"))
    _vouch(victim)
    _resume_refused(mini_path, out, capsys, victim.name, "no final_control")


def test_extra_chunk_is_refused(mini_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    checkpoint = _interrupted(mini_path, out, monkeypatch, capsys)
    first = _chunks(checkpoint)[0]
    extra = first.with_name("chunk-0000000003-0000000007.npz")
    shutil.copyfile(first, extra)
    _resume_refused(mini_path, out, capsys, extra.name, "not a chunk of this job")


def test_chunks_swapped_by_name_are_refused(mini_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    checkpoint = _interrupted(mini_path, out, monkeypatch, capsys, at=5)
    arm = next(p for p in checkpoint.iterdir() if len(list(p.glob("chunk-*.npz"))) == 2)
    a, b = sorted(arm.glob("chunk-*.npz"))  # two chunks of one arm
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    _resume_refused(mini_path, out, capsys, a.name, "not what was written")
    _vouch(a)
    _vouch(b)
    _resume_refused(mini_path, out, capsys, a.name, "replicates")


def test_chunk_not_in_the_index_is_refused(mini_path, tmp_path):
    checkpoint = tmp_path / "ck"
    scenario = load_scenario(mini_path)
    run_ensemble(scenario, runs=40, workers=1, chunk_size=20, checkpoint=checkpoint)
    (checkpoint / INDEX_FILE).unlink()
    with pytest.raises(CheckpointError, match=r"chunk-0000000000-0000000020.npz: .*not recorded"):
        run_ensemble(scenario, runs=40, workers=1, checkpoint=checkpoint)


def test_verified_chunks_resume_bit_identically(mini_path, tmp_path):
    scenario = load_scenario(mini_path)
    straight = run_ensemble(scenario, runs=60, workers=1, chunk_size=20)
    checkpoint = tmp_path / "ck"
    run_ensemble(scenario, runs=60, workers=1, chunk_size=20, checkpoint=checkpoint)
    (checkpoint / _chunks(checkpoint)[1].name).unlink()  # one chunk to run again
    resumed = run_ensemble(scenario, runs=60, workers=1, checkpoint=checkpoint)
    assert resumed.runs.equals(straight.runs)
    lines = (checkpoint / INDEX_FILE).read_text().splitlines()
    assert len(lines) == 4 and all(len(line.split("  ")[0]) == 64 for line in lines)
