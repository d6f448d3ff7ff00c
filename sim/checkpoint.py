"""Checkpoints: finished chunks saved as a long job goes, so ``--resume`` can complete it.

A command's checkpoint is a folder holding ``job.json`` (the command, the scenario's
SHA-256, the seed, the options and the code version: see :func:`job_identity`) and one
subfolder per ensemble (an arm, a grid point).  Each ensemble's folder holds ``key.json``
(a digest of everything its chunks depend on, code version included) and one
``chunk-<start>-<stop>.npz`` per finished chunk, each written atomically.  Because a
replicate's results depend only on (seed, index), chunks loaded from a checkpoint are the
very chunks an uninterrupted run computes: a resumed job ends bit-identical to one that
ran straight through.

Anything that does not match (another command, file, seed, option or code version, a
missing ``job.json`` or ``key.json``, a file that cannot be read) is refused with a
:class:`~sim.errors.CheckpointError` naming the file, and the checkpoint is left as it is.

The key vouches for the job, not for the chunks beside it, so every chunk is verified
too before it is used (:func:`resume_chunks`): each ensemble folder keeps an index,
``chunks.sha256``, with one line per chunk written, the SHA-256 of the job key and the
chunk's bytes together.  A chunk is used only if its digest is the one recorded (so a
chunk copied from another job's checkpoint, edited or truncated is refused), its bounds
are one of the job's chunks, its replicates are exactly those bounds, it has every
outcome column (the same columns as the other chunks) and its values are within their
bounds.  The line is appended before the chunk is renamed into place: a job killed in
between leaves a recorded digest without a file (that chunk is simply run again), never a
file without a digest.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zipfile
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import CheckpointError, OutputError
from .scenario import Scenario

_COLUMN, _TRAJECTORY = "column:", "trajectory:"
JOB_FILE, KEY_FILE, INDEX_FILE = "job.json", "key.json", "chunks.sha256"
_CHUNKS = "chunk-*.npz"


@functools.cache
def code_version() -> str:
    """The package version and a digest of the simulator's source (``sim/**/*.py``).

    Any edit to the code, released or not, changes it: chunks computed by other code are
    never mixed into a result.
    """
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    try:
        version = metadata.version("ceasefire")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        version = "unknown"
    return f"{version}+{digest.hexdigest()[:16]}"


def job_identity(
    command: str, scenarios: Sequence[Scenario], seed: int, options: Mapping[str, object]
) -> dict:
    """What a command's checkpoint belongs to (written to, and checked against, ``job.json``).

    Parameters
    ----------
    command : str
        ``"compare"``, ``"sweep"``, ``"sensitivity"``, ...
    scenarios : sequence of Scenario
        The scenarios the job runs (their file texts are hashed together).
    seed : int
        The run seed actually used.
    options : mapping
        Every option the results depend on (runs, arms, grid, policy, overrides, ...),
        JSON-serialisable.
    """
    digest = hashlib.sha256()
    for text_hash in dict.fromkeys(s.text_hash for s in scenarios):
        digest.update(text_hash.encode() + b"\0")
    identity = {
        "command": command,
        "scenario_sha256": digest.hexdigest(),
        "seed": int(seed),
        "options": dict(options),
        "code_version": code_version(),
    }
    return json.loads(json.dumps(identity, default=str))  # as it reads back from the file


def claim_checkpoint(folder: Path, identity: Mapping) -> None:
    """Create a command's checkpoint folder, or check that an existing one is this job's.

    Raises
    ------
    CheckpointError
        When the folder holds another job's checkpoint (other command, file, seed, options
        or code), has no ``job.json``, or cannot be read.  Nothing in it is changed.
    """
    jobfile = folder / JOB_FILE
    if folder.exists():
        if not jobfile.is_file():
            raise CheckpointError(
                str(jobfile), "", "missing: not a checkpoint this job can trust; delete the folder"
            )
        saved = _read_json(jobfile)
        if saved != dict(identity):
            raise CheckpointError(str(jobfile), "", _mismatch(saved, identity))
        return
    folder.mkdir(parents=True)
    _write_atomically(jobfile, json.dumps(dict(identity), indent=2, sort_keys=True) + "\n")


def _mismatch(saved: Mapping, identity: Mapping) -> str:
    if saved.get("command") != identity["command"]:
        return (
            f"checkpoint of a {saved.get('command')!r} job, not of this "
            f"{identity['command']!r}: resume it with its own command, or delete it"
        )
    differ = [k for k in identity if k != "options" and saved.get(k) != identity[k]]
    options = saved.get("options") if isinstance(saved.get("options"), dict) else {}
    differ += [
        f"option {k}"
        for k in sorted(set(options) | set(identity["options"]))
        if options.get(k) != identity["options"].get(k)
    ]
    if saved.get("seed") != identity["seed"]:
        differ[differ.index("seed")] = f"seed ({saved.get('seed')} there, {identity['seed']} now)"
    return (
        f"checkpoint of another job ({', '.join(differ)} differ): resume with the same "
        "code, file and options, or delete it"
    )


def has_chunks(folder: Path) -> bool:
    """Whether a checkpoint folder holds any finished chunk (in any of its ensembles)."""
    return folder.is_dir() and any(folder.rglob(_CHUNKS))


def job_key(
    scenario: Scenario,
    runs: int,
    seed: int,
    chunk_size: int,
    keep: int,
    inputs: Mapping[str, np.ndarray] | None = None,
) -> str:
    """A digest of everything a chunk's content depends on (the code version included);
    ``inputs``: an arm's fixed per-replicate inputs (a sensitivity design), hashed too."""

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
            "code_version": code_version(),
            **({"inputs": _digest(inputs)} if inputs else {}),
        },
        sort_keys=True,
        default=plain,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _digest(inputs: Mapping[str, np.ndarray]) -> dict[str, str]:
    return {
        path: hashlib.sha256(np.ascontiguousarray(values, dtype=float).tobytes()).hexdigest()
        for path, values in sorted(inputs.items())
    }


def open_checkpoint(folder: Path, key: str, chunk_size: int) -> dict[tuple[int, int], Path]:
    """Create or reopen an ensemble's checkpoint folder; returns its finished chunks by bounds.

    Raises
    ------
    CheckpointError
        When the folder holds chunks of another job (other scenario, runs, seed, code, ...),
        chunks without a ``key.json`` to vouch for them, or an unreadable ``key.json``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    keyfile = folder / KEY_FILE
    if keyfile.exists():
        if _read_json(keyfile).get("key") != key:
            raise CheckpointError(
                str(folder),
                "",
                "checkpoint belongs to another job (scenario, policy, runs, seed, chunk "
                "size or code version differ): resume with the same arguments, or delete it",
            )
    elif any(folder.glob(_CHUNKS)):
        raise CheckpointError(
            str(keyfile),
            "",
            "missing, so the chunks beside it cannot be trusted: delete the folder",
        )
    else:
        _write_atomically(keyfile, json.dumps({"key": key, "chunk_size": chunk_size}) + "\n")
    for debris in folder.glob(".chunk-*.partial"):  # a chunk being written when killed
        debris.unlink(missing_ok=True)
    done = {}
    for path in folder.glob(_CHUNKS):
        try:
            start, stop = (int(x) for x in path.stem.split("-")[1:3])
        except ValueError:
            raise CheckpointError(str(path), "", "not a chunk file name of this tool's") from None
        done[(start, stop)] = path
    return done


def saved_chunk_size(folder: Path | None) -> int | None:
    """The chunk size a checkpoint was made with (a resumed job must keep it).

    Raises
    ------
    CheckpointError
        When ``key.json`` cannot be read or has no valid ``chunk_size``.
    """
    if folder is None or not (folder / KEY_FILE).is_file():
        return None
    size = _read_json(folder / KEY_FILE).get("chunk_size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise CheckpointError(
            str(folder / KEY_FILE),
            "chunk_size",
            f"missing or not a positive whole number: {size!r}",
        )
    return size


def save_chunk(folder: Path, start: int, stop: int, columns: dict, trajectories: dict) -> None:
    """Write one finished chunk atomically.

    Raises
    ------
    OutputError
        When it cannot be written (a full disk): the chunks saved before stay.
    """
    arrays = {f"{_COLUMN}{k}": _storable(v) for k, v in columns.items()}
    arrays.update({f"{_TRAJECTORY}{k}": v for k, v in trajectories.items()})
    final = folder / chunk_name(start, stop)
    partial = folder / f".{final.name}.partial"
    try:
        with open(partial, "wb") as handle:
            np.savez(handle, **arrays)
        digest = chunk_digest(_read_json(folder / KEY_FILE).get("key", ""), partial.read_bytes())
        with open(folder / INDEX_FILE, "a", encoding="ascii") as index:
            index.write(f"{digest}  {final.name}\n")
        os.replace(partial, final)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise OutputError(
            f"{folder}: cannot save a finished chunk: {err.strerror or err}"
        ) from None


def chunk_name(start: int, stop: int) -> str:
    """The file name of the chunk of replicates ``start .. stop - 1``."""
    return f"chunk-{start:010d}-{stop:010d}.npz"


def chunk_digest(key: str, content: bytes) -> str:
    """SHA-256 of a job key and a chunk's bytes: the chunk's line in ``chunks.sha256``."""
    return hashlib.sha256(key.encode() + b"\0" + content).hexdigest()


def _recorded_digests(folder: Path) -> dict[str, str]:
    """``chunks.sha256`` as {file name: digest}; a torn last line (a job killed while
    appending it) is no record."""
    path = folder / INDEX_FILE
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise CheckpointError(str(path), "", f"cannot read ({type(err).__name__})") from None
    recorded = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) == 64 and name:
            recorded[name] = digest
    return recorded


def resume_chunks(
    folder: Path,
    key: str,
    chunk_size: int,
    expected: Sequence[tuple[int, int]],
    required: Sequence[str],
    horizon: int,
) -> list[tuple[int, dict, dict]]:
    """The finished chunks of an ensemble's checkpoint, each verified, as
    ``(start, columns, trajectories)`` in order of ``start``.

    Parameters
    ----------
    folder : Path
        The ensemble's checkpoint folder (created when missing).
    key : str
        The job key (:func:`job_key`).
    chunk_size : int
    expected : sequence of (start, stop)
        The job's chunks.
    required : sequence of str
        Columns every chunk must have (the outcome columns and each issue's terms).
    horizon : int
        The scenario's horizon in weeks (bounds ``ceasefire_week``).

    Raises
    ------
    CheckpointError
        Naming the first chunk that is not one of the job's, whose digest is not the one
        recorded when it was written, or whose replicates, columns or values are not what
        the job makes.  Nothing in the checkpoint is changed.
    """
    found = open_checkpoint(folder, key, chunk_size)
    recorded = _recorded_digests(folder) if found else {}
    allowed = set(expected)
    out, columns_seen = [], None
    for (start, stop), path in sorted(found.items()):
        if (start, stop) not in allowed:
            raise CheckpointError(
                str(path),
                "",
                f"not a chunk of this job (replicates {start}-{stop - 1}; its chunks hold "
                f"{chunk_size:,} replicates each): delete the checkpoint",
            )
        try:
            content = path.read_bytes()
        except OSError as err:
            raise CheckpointError(str(path), "", f"cannot read ({type(err).__name__})") from None
        digest = recorded.get(path.name)
        if digest is None:
            raise CheckpointError(
                str(path),
                "",
                f"cannot read this chunk: it is not recorded in {INDEX_FILE} (not written by "
                "this job): delete the checkpoint",
            )
        if chunk_digest(key, content) != digest:
            raise CheckpointError(
                str(path),
                "",
                "cannot read this chunk: its content is not what was written (edited, "
                "truncated or copied from another checkpoint): delete the checkpoint",
            )
        columns, trajectories = load_chunk(path, stop - start)
        _check_chunk(path, columns, start, stop, required, horizon)
        if columns_seen is not None and set(columns) != columns_seen:
            raise CheckpointError(
                str(path), "", "its columns differ from the other chunks': delete the checkpoint"
            )
        columns_seen = set(columns)
        out.append((start, columns, trajectories))
    return out


def _check_chunk(
    path: Path, columns: dict, start: int, stop: int, required: Sequence[str], horizon: int
) -> None:
    """Replicates exactly ``start .. stop - 1``, every required column of that length, and
    the values within their bounds."""
    missing = [c for c in required if c not in columns]
    if missing:
        raise CheckpointError(str(path), "", f"not a chunk of this job: no {', '.join(missing)}")
    if not np.array_equal(columns["replicate"], np.arange(start, stop)):
        raise CheckpointError(
            str(path), "replicate", f"does not hold replicates {start}-{stop - 1}"
        )
    for name, values in columns.items():
        if len(values) != stop - start:
            raise CheckpointError(str(path), name, f"{len(values)} values, not {stop - start}")
    bounded = [c for c in columns if c == "final_control" or c.startswith("terms_")]
    for name in bounded:
        values = np.asarray(columns[name])
        if values.dtype.kind not in "fiub":
            raise CheckpointError(str(path), name, f"expected numbers, got {values.dtype}")
        shown = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        if np.isinf(values).any() or (shown.size and (shown.min() < 0 or shown.max() > 1)):
            raise CheckpointError(str(path), name, "values outside [0, 1]: delete the checkpoint")
    week = np.asarray(columns.get("ceasefire_week", np.zeros(0)))
    if week.size and (week.dtype.kind not in "iuf" or week.min() < -1 or week.max() > horizon):
        raise CheckpointError(
            str(path), "ceasefire_week", f"values outside -1 to {horizon}: delete the checkpoint"
        )


def load_chunk(path: Path, replicates: int | None = None) -> tuple[dict, dict]:
    """(columns, trajectories) of a saved chunk.

    Raises
    ------
    CheckpointError
        When the file cannot be read (truncated, not an npz) or does not hold a chunk of
        ``replicates`` replicates.
    """
    try:
        with np.load(path, allow_pickle=False) as npz:
            columns = {
                k[len(_COLUMN) :]: _restored(npz[k]) for k in npz.files if k.startswith(_COLUMN)
            }
            trajectories = {
                k[len(_TRAJECTORY) :]: npz[k] for k in npz.files if k.startswith(_TRAJECTORY)
            }
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as err:
        problem = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CheckpointError(str(path), "", f"cannot read this chunk ({problem})") from None
    if "replicate" not in columns:
        raise CheckpointError(str(path), "", "not a chunk: it has no replicate column")
    if replicates is not None and len(columns["replicate"]) != replicates:
        raise CheckpointError(
            str(path), "", f"holds {len(columns['replicate'])} replicates, not {replicates}"
        )
    return columns, trajectories


def _read_json(path: Path) -> dict:
    """A checkpoint's JSON file as a mapping, or a one-line error naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(str(path), "", f"cannot read ({type(err).__name__})") from None
    if not isinstance(data, dict):
        raise CheckpointError(str(path), "", "not a checkpoint file (expected a JSON object)")
    return data


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _storable(array: np.ndarray) -> np.ndarray:
    # object columns (actor names) become fixed-width text: no pickles in checkpoints
    return array.astype(str) if array.dtype == object else array


def _restored(array: np.ndarray) -> np.ndarray:
    return array.astype(object) if array.dtype.kind == "U" else array
