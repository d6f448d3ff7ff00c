"""Compare results folders of ``ceasefire run`` without running anything again.

The folders come from separate runs, so their replicates share no random numbers: each
difference is estimated *unpaired*.  Shares use Newcombe's hybrid score interval (from the
two Wilson intervals), medians an independent percentile bootstrap (vectorised), means
Welch's interval (:mod:`sim.statistics`).  The per-folder estimates are those of ``compare``
(:func:`sim.analysis.paired.estimate`), and the table has the same columns as
:func:`sim.analysis.paired.compare_runs`, so it prints and saves the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ResultsError
from ..results import read_results
from ..statistics import (
    unpaired_mean_difference,
    unpaired_median_difference,
    unpaired_proportion_difference,
)
from .compare import ComparisonResult
from .paired import (
    N_RESAMPLES,
    described,
    estimate,
    metrics,
    outcome_values,
    put_difference,
)

RESULTS_FILES = ("runs.parquet", "manifest.json")
"""What makes a folder a results folder of ``run``."""


def is_results_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder holding ``runs.parquet`` and ``manifest.json``."""
    path = Path(path)
    return path.is_dir() and all((path / name).is_file() for name in RESULTS_FILES)


def check_results_folder(path: str | Path) -> None:
    """Refuse, in one line, a path that is not a results folder of ``run``."""
    path = Path(path)
    if not path.exists():
        raise ResultsError(str(path), "", "no such file or folder")
    if not path.is_dir():
        raise ResultsError(
            str(path),
            "",
            "not a results folder (compare takes scenario files or results folders, not both)",
        )
    odd = [n for n in RESULTS_FILES if (path / n).exists() and not (path / n).is_file()]
    if odd:
        raise ResultsError(
            str(path / odd[0]), "", "not a regular file (a FIFO, device or folder): not read"
        )
    missing = [name for name in RESULTS_FILES if not (path / name).is_file()]
    if missing:
        raise ResultsError(
            str(path),
            "",
            f"not a results folder of `ceasefire run` (no {' or '.join(missing)})",
        )


def folder_labels(folders: Sequence[str | Path]) -> list[str]:
    """Short, unique labels: each folder's name, with as many of its parents as it takes to
    tell two different folders apart; the same folder given twice is numbered."""
    paths = [Path(f).resolve() for f in folders]
    distinct = list(dict.fromkeys(paths))
    depth = 1
    longest = max(len(p.parts) for p in distinct)
    while depth < longest:
        tails = ["/".join(p.parts[-depth:]) for p in distinct]
        if len(set(tails)) == len(tails):
            break
        depth += 1
    name = {p: "/".join(p.parts[-depth:]).lstrip("/") or str(p) for p in distinct}
    labels = [name[p] for p in paths]
    repeated = {label for label in labels if labels.count(label) > 1}
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label in repeated:
            seen[label] = seen.get(label, 0) + 1
            labels[i] = f"{label} ({seen[label]})"
    return labels


def _unpaired(
    reference: np.ndarray, arm: np.ndarray, kind: str, seed: int, n_resamples: int
) -> tuple[float, float, float]:
    """``arm - reference`` with an unpaired 95% interval (see the module's docstring)."""
    if kind == "proportion":
        return unpaired_proportion_difference(reference, arm)
    if kind == "mean":
        return unpaired_mean_difference(reference, arm)
    return unpaired_median_difference(reference, arm, n_resamples, seed)


def compare_folders(
    folders: Sequence[str | Path], n_resamples: int = N_RESAMPLES, seed: int = 0
) -> ComparisonResult:
    """Compare results folders of ``run`` (the first is the reference), unpaired.

    Parameters
    ----------
    folders : sequence of paths
        Two or more results folders (each with ``runs.parquet`` and ``manifest.json``).
    n_resamples : int
        Bootstrap resamples per interval.
    seed : int
        Seed of the bootstrap (intervals are reproducible).

    Returns
    -------
    ComparisonResult
        ``.table``: one row per folder, with the columns of
        :func:`sim.analysis.paired.compare_runs` (``arm`` is the folder's label) plus
        ``folder``, ``description`` and ``seed``; ``.paired`` is False; ``.results`` is
        empty (the folders' runs are read again when the comparison is written).

    Raises
    ------
    ResultsError
        For a path that is not a results folder, one that cannot be read (an empty table,
        text where numbers belong, ...), or folders that are not comparable
        (:func:`check_comparable`: another horizon, other issues or outcome columns).
    """
    for folder in folders:
        check_results_folder(folder)
    labels = folder_labels(folders)
    read = {
        label: read_results(f, trajectories=False) for label, f in zip(labels, folders, strict=True)
    }
    runs = {label: r[0] for label, r in read.items()}
    infos = {label: r[2] for label, r in read.items()}
    check_comparable(folders, list(runs.values()), list(infos.values()))
    horizon = int(infos[labels[0]]["horizon_weeks"])
    issues = list(infos[labels[0]]["issues"])
    chosen = metrics(issues, horizon)
    reference = labels[0]
    ref_values = {m.key: outcome_values(runs[reference], m, horizon) for m in chosen}
    rows = []
    for label, folder in zip(labels, folders, strict=True):
        info = infos[label]
        row: dict = {
            "arm": label,
            "description": _describe(info),
            "folder": str(folder),
            "reference": label == reference,
            "runs": len(runs[label]),
            "seed": info.get("seed"),
        }
        for j, m in enumerate(chosen):
            values = outcome_values(runs[label], m, horizon)
            est = estimate(values, m.estimator)
            row.update({m.key: est[0], f"{m.key}_lo": est[1], f"{m.key}_hi": est[2]})
            if label == reference:
                diff = (float("nan"),) * 3
            else:
                diff = _unpaired(ref_values[m.key], values, m.estimator, seed + j, n_resamples)
            put_difference(row, m.key, diff)
        rows.append(row)
    table = pd.DataFrame(rows)
    sizes = ", ".join(f"{n:,}" for n in table["runs"])
    title = (
        f"{len(folders)} results folders (runs: {sizes}); the first is the reference; "
        "differences unpaired (separate runs)"
    )
    return ComparisonResult(
        table, {}, title, described(issues, horizon), reference, paired=False, horizon=horizon
    )


def outcome_columns(runs: pd.DataFrame) -> set[str]:
    """The columns of a runs table that hold outcomes (not sampled inputs or costs)."""
    from ..outcomes import record_columns

    return {c for c in runs.columns if c in record_columns() or c.startswith("terms_")}


def check_comparable(
    folders: Sequence[str | Path], runs: Sequence[pd.DataFrame], infos: Sequence[dict]
) -> None:
    """Refuse, in one line naming the folder, folders whose outcomes are not the same
    quantities as the first one's: another horizon (a week-52 share is not a week-104
    share), other issues, other outcome columns.  Another scenario or policy is what
    ``compare`` is for, and is allowed.

    Raises
    ------
    ResultsError
    """
    first, ref_info, ref_runs = str(folders[0]), infos[0], runs[0]
    for folder, table, info in zip(folders[1:], runs[1:], infos[1:], strict=True):
        if info["horizon_weeks"] != ref_info["horizon_weeks"]:
            raise ResultsError(
                str(folder),
                "horizon_weeks",
                f"{info['horizon_weeks']} weeks, but {first} ran {ref_info['horizon_weeks']}: "
                "outcomes by the horizon are not comparable",
            )
        if list(info["issues"]) != list(ref_info["issues"]):
            raise ResultsError(
                str(folder),
                "issues",
                f"{', '.join(map(str, info['issues']))} where {first} has "
                f"{', '.join(map(str, ref_info['issues']))}: not comparable",
            )
        ours, theirs = outcome_columns(table), outcome_columns(ref_runs)
        if ours != theirs:
            odd = sorted(ours ^ theirs)
            raise ResultsError(
                str(folder) + "/runs.parquet",
                "",
                f"outcome columns differ from {first}'s ({', '.join(odd[:5])}): not comparable",
            )


def _describe(info: dict) -> str:
    """The run a folder holds, in a few words: scenario label, policy, overrides."""
    parts = [str(info.get("label") or info.get("scenario") or "?")]
    if info.get("overrides"):
        parts.append("--set " + " ".join(map(str, info["overrides"])))
    return " ".join(parts)
