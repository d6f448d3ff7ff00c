"""The results folder: tables, summary, manifest and plots, written atomically.

Everything is written into a hidden temporary folder beside the target and renamed into
place when complete, so a results folder either exists whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from .ensemble import EnsembleResult
from .errors import ScenarioError
from .outcomes import summarize
from .parameters import describe, flat_parameters

# every numerical dependency (numba and llvmlite compile the bargaining kernel)
DEPENDENCIES = (
    "mesa",
    "numpy",
    "numba",
    "llvmlite",
    "pandas",
    "pyarrow",
    "scipy",
    "pydantic",
    "matplotlib",
    "SALib",
)


def default_out_dir(label: str, root: str | Path = "results") -> Path:
    """``results/<label>-<YYYYmmdd-HHMMSS>`` (label made file-name safe)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_+" else "_" for ch in label)
    return Path(root) / f"{safe}-{stamp}"


def check_out_dir(out: Path, option: str = "--out") -> None:
    """Refuse, before any work, a folder that exists or a parent we cannot write."""
    if out.exists():
        raise ScenarioError(option, str(out), "results folder already exists")
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ScenarioError(option, str(out), f"cannot write in {parent}")


@contextlib.contextmanager
def atomic_dir(out: Path) -> Iterator[Path]:
    """Yield a temporary folder that is renamed to ``out`` on success, removed on failure."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def versions() -> dict[str, str]:
    """Versions of the package, its main dependencies and Python."""
    found = {"python": platform.python_version()}
    for name in ("ceasefire", *DEPENDENCIES):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def manifest(result: EnsembleResult) -> dict:
    """What produced a run: scenario text and hash, resolved parameters, seed, versions."""
    scenario = result.scenario
    return {
        "scenario": scenario.name,
        "label": scenario.label,
        "source": scenario.source,
        "policy": scenario.policy,
        "overrides": list(scenario.overrides),
        "scenario_sha256": scenario.text_hash,
        "scenario_texts": scenario.texts,
        "issues": {k: v.model_dump() for k, v in scenario.spec.issues.items()},
        "actors": {k: a.name or k for k, a in scenario.spec.actors.items()},
        "horizon_weeks": scenario.spec.horizon,
        "runs": len(result.runs),
        "seed": result.seed,
        "resolved_parameters": {k: describe(v) for k, v in flat_parameters(scenario.spec).items()},
        "versions": versions(),
        "timings": result.timings,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_results(
    result: EnsembleResult,
    out: Path,
    plots: bool = True,
    draw: Callable[[Path], object] | None = None,
) -> dict:
    """Write a run's results folder atomically; returns the summary.

    Files: ``runs.parquet``, ``trajectories.npz``, ``summary.json``, ``manifest.json`` and,
    unless ``plots`` is false, ``plots/*.png``.
    """
    began = time.perf_counter()
    summary = summarize(result.runs, result.issues, result.scenario.spec.horizon)
    with atomic_dir(out) as tmp:
        result.runs.to_parquet(tmp / "runs.parquet", index=False)
        np.savez_compressed(tmp / "trajectories.npz", **result.trajectories)
        _write_json(tmp / "summary.json", summary)
        info = manifest(result)
        info["timings"]["write_seconds"] = time.perf_counter() - began
        _write_json(tmp / "manifest.json", info)
        if plots:
            if draw is None:
                from .plots import plot_results

                draw = plot_results
            draw(tmp)
    return summary


def read_results(folder: str | Path) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict]:
    """Read a results folder: (runs table, trajectories, manifest)."""
    folder = Path(folder)
    for name in ("runs.parquet", "manifest.json"):
        if not (folder / name).is_file():
            raise ScenarioError(str(folder), name, "not a results folder (file missing)")
    runs = pd.read_parquet(folder / "runs.parquet")
    info = json.loads((folder / "manifest.json").read_text())
    trajectories: dict[str, np.ndarray] = {}
    if (folder / "trajectories.npz").is_file():
        with np.load(folder / "trajectories.npz") as npz:
            trajectories = {k: npz[k] for k in npz.files}
    return runs, trajectories, info


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
