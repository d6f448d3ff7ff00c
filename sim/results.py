"""The results folder: tables, summary, manifest and plots, written atomically.

Everything is written into a hidden temporary folder beside the target
(``.<name>.partial-<pid>``) and renamed into place when complete, so a results folder
either exists whole or not at all.  Before any work the target is checked (it must not
exist, its parent must be writable) and reserved (``.<name>.lock`` holding the pid), so a
second job to the same folder is refused at once, not after computing.  A job killed
outright (``kill -9``) cannot clean up: its temporary folder and lock are removed by the
next job that writes in the same parent folder, once their pid is no longer alive.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import OutputError, ResultsError, ScenarioError
from .folder_files import open_regular, read_json
from .outcomes import summarize
from .parameters import describe, flat_parameters

if TYPE_CHECKING:  # sim.ensemble imports this module to save its results
    from .ensemble import EnsembleResult

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
    safe = "".join(ch if ch.isalnum() or ch in "-_+=." else "_" for ch in label)
    return Path(root) / f"{safe.strip('.')[:120]}-{stamp}"


def run_label(label: str, overrides: Iterable[str] = ()) -> str:
    """The name of a run for its folder: the scenario's label (name, plus the policy) and
    each ``--set`` override, e.g. ``baseline+us_aid_cut+US.aid=0``, so a folder never says
    ``baseline`` for a run that changed it."""
    parts = [label]
    for override in overrides:
        path, _, value = str(override).partition("=")
        parts.append(f"{path.strip().removeprefix('actors.')}={value.strip()}")
    return "+".join(parts)


def check_out_dir(out: Path, option: str = "--out") -> None:
    """Refuse, before any work, a folder that exists or a parent we cannot write in.

    The parent (the nearest one that exists) is tested by creating and removing a
    folder in it: permission bits say nothing of read-only or virtual file systems such
    as ``/proc``.

    Raises
    ------
    ScenarioError
        Naming ``option`` and the folder.
    """
    if out.exists() or out.is_symlink():
        raise ScenarioError(option, str(out), "results folder already exists")
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ScenarioError(option, str(out), f"cannot write in {parent}")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".ceasefire-probe-", dir=parent))
    except OSError:
        raise ScenarioError(option, str(out), f"cannot write in {parent}") from None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (pid reuse errs on alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


_DEBRIS = (".*.partial-*", ".*.lock")
"""Names a job leaves in a results folder's parent while it runs (pid at the end)."""


def clean_stale_debris(parent: Path) -> list[Path]:
    """Remove temporary folders and locks of jobs that died (their pid no longer alive).

    Returns
    -------
    list of Path
        What was removed.
    """
    removed = []
    for pattern in _DEBRIS:
        for path in parent.glob(pattern) if parent.is_dir() else ():
            pid = _owner_pid(path)
            if pid is None or pid_alive(pid):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _owner_pid(path: Path) -> int | None:
    if path.name.endswith(".lock"):
        try:
            text = path.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None
    tail = path.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


@contextlib.contextmanager
def reserved(out: Path, option: str = "--out") -> Iterator[None]:
    """Check ``out`` (:func:`check_out_dir`) and hold it for this job until the block ends.

    Stale debris of dead jobs in the parent folder is cleaned first.

    Raises
    ------
    ScenarioError
        When the folder exists, cannot be written, or another live job holds it.
    """
    check_out_dir(out, option)
    clean_stale_debris(out.parent)
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = out.parent / f".{out.name}.lock"
    try:
        with open(lock, "x") as handle:
            handle.write(f"{os.getpid()}\n")
    except FileExistsError:
        pid = _owner_pid(lock)
        raise ScenarioError(
            option, str(out), f"another job (pid {pid}) is writing this results folder"
        ) from None
    except OSError as err:
        raise ScenarioError(
            option, str(out), f"cannot write in {out.parent}: {err.strerror}"
        ) from None
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_dir(out: Path) -> Iterator[Path]:
    """Yield a temporary folder that is renamed to ``out`` on success, removed on failure.

    Raises
    ------
    OutputError
        When writing fails (a full disk, a folder that appeared meanwhile): one line,
        nothing left behind.
    """
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        yield tmp
        _write_report(tmp, out)
        if out.exists():
            raise OutputError(f"{out}: results folder appeared while this job ran")
        os.rename(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{out}: cannot write results: {err.strerror or err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_report(tmp: Path, out: Path) -> None:
    """``report.html`` (:mod:`sim.report`), written last, before the folder is renamed, so
    that no results folder lacks it.  A report that cannot be built (a bug, never bad
    results) is replaced by a page saying so: the results themselves are kept."""
    from .report import REPORT, write_report

    if (tmp / REPORT).exists():
        return  # written already, by a writer that times it (write_results)
    if not any((tmp / name).is_file() for name in ("manifest.json", "deal.json")):
        return  # not a results folder (nothing to report on)
    try:
        write_report(tmp, out)
    except OSError:
        raise
    except Exception as err:  # noqa: BLE001 - the results matter more than their page
        import html
        import warnings

        message = f"{type(err).__name__}: {err}"
        warnings.warn(f"{out}: report.html could not be built ({message})", stacklevel=2)
        (tmp / REPORT).write_text(
            "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>report</title>"
            f"<p>The report could not be built ({html.escape(message)}). Rebuild it with "
            f"<code>ceasefire report {html.escape(str(out))}</code>.</p></html>\n",
            encoding="utf-8",
        )


def versions() -> dict[str, str]:
    """Versions of the package, its main dependencies and Python."""
    found = {"python": platform.python_version()}
    for name in ("ceasefire", *DEPENDENCIES):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def manifest(result: EnsembleResult, provenance: Mapping | None = None) -> dict:
    """What produced a run: scenario text and hash, resolved parameters, seed, versions;
    ``provenance``: the command that made it (:class:`sim.jobs.Job`), if one did."""
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
        # the date of week 0, when the scenario gives one (`start:`; figures show dates)
        "start": _iso(getattr(scenario.spec, "start", None)),
        "runs": len(result.runs),
        "seed": result.seed,
        "resolved_parameters": {k: describe(v) for k, v in flat_parameters(scenario.spec).items()},
        "versions": versions(),
        "timings": result.timings,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **(provenance or {}),  # the command line, when a command made it
    }


def _iso(value: object) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)


def write_results(
    result: EnsembleResult,
    out: Path,
    plots: bool = True,
    files: Mapping[str, object] | None = None,
    on_step: Callable[[str], None] | None = None,
    provenance: Mapping | None = None,
) -> dict:
    """Write a run's results folder atomically; returns the summary.

    Files: ``runs.parquet``, ``trajectories.npz``, ``offers.parquet`` (the offers and
    answers of the kept replicates, :func:`sim.offers.offers_table`), ``summary.json``,
    ``manifest.json``, ``report.html`` and, unless ``plots`` is false, ``plots/*.png``,
    drawn from the results in memory (in forked processes while the tables are written,
    :mod:`sim.drawing`).  ``files``: more JSON documents by file name (``given.json``).
    ``on_step`` is told each stage as it begins (``"figures: 2 of 6"``, ...), for a
    progress display.

    The manifest's ``timings`` gain ``write_seconds`` (the tables), ``figures_seconds``,
    ``report_seconds`` and ``total_seconds`` (the simulation's ``wall_seconds`` plus all
    the writing), which ``result.timings`` holds too.
    """
    began = time.perf_counter()
    step = on_step or (lambda _text: None)
    timings = result.timings
    summary = summarize(result.runs, result.issues, result.scenario.spec.horizon)
    info = manifest(result, provenance)
    info["timings"] = timings  # the same dict: the times below reach the caller too
    with atomic_dir(out) as tmp:

        def tables() -> None:
            step("writing the tables")
            result.runs.to_parquet(tmp / "runs.parquet", index=False)
            save_npz(tmp / "trajectories.npz", result.trajectories)
            offers(result).to_parquet(tmp / "offers.parquet", index=False)
            _write_json(tmp / "summary.json", summary)
            for name, document in (files or {}).items():
                _write_json(tmp / name, document)
            timings["write_seconds"] = time.perf_counter() - began

        if plots:
            drawn = time.perf_counter()
            workers = timings.get("workers")
            _save_figures(
                result.runs,
                result.trajectories,
                info,
                tmp / "plots",
                workers,
                meanwhile=tables,
                on_step=on_step,
            )
            timings["figures_seconds"] = time.perf_counter() - drawn
        else:
            tables()
        _write_json(tmp / "manifest.json", info)  # the report reads it
        step("writing report.html")
        reported = time.perf_counter()
        _write_report(tmp, out)
        timings["report_seconds"] = time.perf_counter() - reported
        timings["total_seconds"] = timings.get("wall_seconds", 0.0) + (time.perf_counter() - began)
        _write_json(tmp / "manifest.json", info)  # again, with the report's time
    return summary


def _save_figures(
    runs: pd.DataFrame,
    trajectories: Mapping[str, np.ndarray],
    info: Mapping,
    folder: Path,
    workers: int | None,
    suffix: str = ".png",
    meanwhile: Callable[[], object] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> list[Path]:
    """Draw a run's figures and save them (:func:`sim.drawing.save_drawn`, ``meanwhile``
    beside); returns the files in the order of :func:`sim.plots.run.run_figures`."""
    from .drawing import drawing_processes, save_drawn
    from .plots.run import plot_run, run_figures  # imports matplotlib before any fork

    names = run_figures(trajectories)
    # most expensive first: each worker takes the next figure when it is free
    order = sorted(names, key=lambda name: name != "terms")

    def draw(name: str):
        return plot_run(runs, trajectories, info, [name])[name]

    files = save_drawn(draw, order, folder, suffix, drawing_processes(workers), meanwhile, on_step)
    return sorted(files, key=lambda path: names.index(path.stem))


NPZ_LEVEL = 1
"""zlib level of ``trajectories.npz``: level 1 compresses the baseline's 50 MB of kept
trajectories in half the time of ``numpy.savez_compressed``'s level 6 (0.55 s against
1.1 s), into a file 9% larger (12.5 MB against 11.5 MB)."""


def save_npz(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """``numpy.savez_compressed`` at :data:`NPZ_LEVEL` (``numpy.load`` reads it alike)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=NPZ_LEVEL) as npz:
        for name, array in arrays.items():
            with npz.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def offers(result: EnsembleResult) -> pd.DataFrame:
    """The offers and answers of a run's kept replicates, labelled (``offers.parquet``)."""
    from .offers import offers_table

    spec = result.scenario.spec
    vetoes = [k for k, a in spec.actors.items() if a.veto]
    return offers_table(result.trajectories, list(spec.actors), vetoes, list(spec.issues))


def plot_results(folder: str | Path, suffix: str = ".png") -> list[Path]:
    """(Re)draw every plot of a results folder into ``folder/plots``; returns the files.

    ``suffix`` chooses the format: ``.png`` (the default), ``.svg`` or ``.pdf``.  The
    figures are drawn as :func:`write_results` draws them, by as many processes as the
    run had workers.
    """
    folder = Path(folder)
    runs, trajectories, info = read_results(folder)
    timings = info.get("timings") if isinstance(info.get("timings"), dict) else {}
    workers = timings.get("workers")  # a manifest is input: anything but a count is ignored
    workers = workers if isinstance(workers, int) and not isinstance(workers, bool) else None
    return _save_figures(runs, trajectories, info, folder / "plots", workers, suffix)


RUN_COLUMNS = ("replicate", "ceasefire", "ceasefire_week", "held", "blocker", "final_control")
"""Columns every run's ``runs.parquet`` has (plus ``terms_<issue>`` for each issue)."""

NUMERIC_RUN_COLUMNS = ("replicate", "ceasefire", "ceasefire_week", "held", "final_control")
"""Those of :data:`RUN_COLUMNS` that hold numbers (or booleans), as do ``terms_<issue>``."""


def read_results(
    folder: str | Path, trajectories: bool = True
) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict]:
    """Read a results folder written by ``run``: (runs table, trajectories, manifest).

    ``trajectories=False`` leaves ``trajectories.npz`` unread (an empty dict is returned):
    for readers of the runs table only, such as ``compare DIR DIR``.  Every file is read
    through :mod:`sim.folder_files` (regular files inside the folder, bounded size).

    Raises
    ------
    ResultsError
        Naming the file and what is wrong: a missing or unreadable file, a folder of
        another kind (compare, sweep, ...), a manifest or table lacking what plots need,
        a FIFO, device, link out of the folder or oversize file.
    """
    folder = Path(folder)
    for name in ("runs.parquet", "manifest.json"):
        if not (folder / name).exists():
            raise ResultsError(str(folder), name, "not a results folder (file missing)")
    info = _read_manifest(folder)
    runs = _read_runs(folder, [f"terms_{issue}" for issue in info["issues"]])
    weekly: dict[str, np.ndarray] = {}
    path = folder / "trajectories.npz"
    if trajectories and path.exists():
        try:
            with (
                open_regular(folder, path.name) as handle,
                np.load(handle, allow_pickle=False) as npz,
            ):
                weekly = {k: npz[k] for k in npz.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
            raise ResultsError(str(path), "", f"cannot read ({type(err).__name__})") from None
    return runs, weekly, info


def _read_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    try:
        info = read_json(folder, "manifest.json")
    except OSError as err:
        raise ResultsError(str(path), "", f"cannot read ({type(err).__name__})") from None
    if not isinstance(info, dict):
        raise ResultsError(str(path), "", "not a manifest (expected a JSON object)")
    kind = info.get("kind", "run")
    if kind != "run":
        raise ResultsError(
            str(path),
            "kind",
            f"this is a {kind!s:.40} folder; plot, discover and compare read folders of `run`",
        )
    horizon = info.get("horizon_weeks")
    if not isinstance(horizon, int) or isinstance(horizon, bool) or horizon < 1:
        raise ResultsError(str(path), "horizon_weeks", "missing or not a whole number of weeks")
    for key in ("issues", "actors"):
        if not isinstance(info.get(key, {}), dict):
            raise ResultsError(str(path), key, "expected a mapping")
    if not info.get("issues"):
        raise ResultsError(str(path), "issues", "missing or empty")
    if not isinstance(info.get("label", ""), str):
        raise ResultsError(str(path), "label", "expected text")
    return info


def _read_runs(folder: Path, terms: list[str]) -> pd.DataFrame:
    path = folder / "runs.parquet"
    try:
        with open_regular(folder, path.name) as handle:
            runs = pd.read_parquet(handle)
    except ResultsError:
        raise
    except Exception as err:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise ResultsError(
            str(path), "", f"cannot read as Parquet ({type(err).__name__})"
        ) from None
    missing = [c for c in (*RUN_COLUMNS, *terms) if c not in runs.columns]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise ResultsError(str(path), "", f"not a runs table of `run`: missing columns {shown}")
    if runs.empty:
        raise ResultsError(str(path), "", "holds no runs (an empty table)")
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    for column in (*NUMERIC_RUN_COLUMNS, *terms):
        if not (is_numeric_dtype(runs[column]) or is_bool_dtype(runs[column])):
            raise ResultsError(
                str(path), column, f"expected numbers, found {runs[column].dtype} values"
            )
    return runs


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
