"""Checkpoints: finished chunks saved as a long job goes, so ``--resume`` can complete it.

A checkpoint is a folder holding ``key.json`` (what the chunks were computed for) and one
``chunk-<start>-<stop>.npz`` per finished chunk, each written atomically.  Because a
replicate's results depend only on (seed, index), chunks loaded from a checkpoint are the
very chunks an uninterrupted run computes: a resumed job ends bit-identical to one that
ran straight through.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from .errors import ScenarioError
from .scenario import Scenario

_COLUMN, _TRAJECTORY = "column:", "trajectory:"


def job_key(scenario: Scenario, runs: int, seed: int, chunk_size: int, keep: int) -> str:
    """A digest of everything a chunk's content depends on."""

    def plain(value: object) -> object:
        to_yaml = getattr(value, "to_yaml", None)
        return to_yaml() if callable(to_yaml) else repr(value)

    payload = json.dumps(
        {
            "spec": scenario.spec.model_dump(warnings=False),
            "runs": runs,
            "seed": seed,
            "chunk_size": chunk_size,
            "trajectory_replicates": keep,
        },
        sort_keys=True,
        default=plain,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def open_checkpoint(folder: Path, key: str, chunk_size: int) -> dict[tuple[int, int], Path]:
    """Create or reopen a checkpoint folder; returns its finished chunks by bounds.

    Raises
    ------
    ScenarioError
        When the folder holds chunks of another job (other scenario, runs, seed, ...).
    """
    folder.mkdir(parents=True, exist_ok=True)
    keyfile = folder / "key.json"
    if keyfile.exists():
        saved = json.loads(keyfile.read_text())
        if saved.get("key") != key:
            raise ScenarioError(
                str(folder),
                "",
                "checkpoint belongs to another job (scenario, policy, runs, "
                "seed or chunk size differ): resume with the same arguments, or delete it",
            )
    else:
        keyfile.write_text(json.dumps({"key": key, "chunk_size": chunk_size}) + "\n")
    done = {}
    for path in folder.glob("chunk-*.npz"):
        start, stop = (int(x) for x in path.stem.split("-")[1:3])
        done[(start, stop)] = path
    return done


def saved_chunk_size(folder: Path | None) -> int | None:
    """The chunk size a checkpoint was made with (a resumed job must keep it)."""
    if folder is None or not (folder / "key.json").is_file():
        return None
    return int(json.loads((folder / "key.json").read_text())["chunk_size"])


def save_chunk(folder: Path, start: int, stop: int, columns: dict, trajectories: dict) -> None:
    """Write one finished chunk atomically."""
    arrays = {f"{_COLUMN}{k}": _storable(v) for k, v in columns.items()}
    arrays.update({f"{_TRAJECTORY}{k}": v for k, v in trajectories.items()})
    final = folder / f"chunk-{start:010d}-{stop:010d}.npz"
    partial = folder / f".{final.name}.partial"
    with open(partial, "wb") as handle:
        np.savez(handle, **arrays)
    os.replace(partial, final)


def load_chunk(path: Path) -> tuple[dict, dict]:
    """(columns, trajectories) of a saved chunk."""
    with np.load(path, allow_pickle=False) as npz:
        columns = {k[len(_COLUMN) :]: _restored(npz[k]) for k in npz.files if k.startswith(_COLUMN)}
        trajectories = {
            k[len(_TRAJECTORY) :]: npz[k] for k in npz.files if k.startswith(_TRAJECTORY)
        }
    return columns, trajectories


def _storable(array: np.ndarray) -> np.ndarray:
    # object columns (actor names) become fixed-width text: no pickles in checkpoints
    return array.astype(str) if array.dtype == object else array


def _restored(array: np.ndarray) -> np.ndarray:
    return array.astype(object) if array.dtype.kind == "U" else array
