"""Many replicates, in chunks, on local processes or a Dask cluster.

A chunk is a :class:`~sim.model.NegotiationModel` stepping replicates ``start .. stop - 1``
together.  Because every replicate draws from its own streams (:mod:`sim.streams`), the
results are bit-identical whatever the chunk size, the number of workers or the backend.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import quiet  # noqa: F401 - before .model (Mesa): see sim/quiet.py
from .checkpoint import job_key, resume_chunks, save_chunk, saved_chunk_size
from .dask_backend import DaskExecutor, dask_executor
from .display import html_table, interval, number, share, shorten
from .labels import titled
from .model import NegotiationModel
from .options import check_chunking, check_options
from .outcomes import record_columns, summarize, to_frame
from .scenario import Scenario, load_scenario

TRAJECTORY_REPLICATES = 1000
"""Replicates (by index, from 0) whose weekly trajectories are kept; the rest keep only
their outcome record.  1,000 trajectories are plenty for fan charts and bound memory."""

MAX_CHUNK = 2000
"""Largest default chunk: bigger blocks stop gaining speed and cost memory."""


@dataclass
class EnsembleResult:
    """The outcome of many replicates of one scenario (one arm)."""

    scenario: Scenario = field(repr=False)
    runs: pd.DataFrame = field(repr=False)
    trajectories: dict[str, np.ndarray] = field(repr=False)
    seed: int
    timings: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def issues(self) -> list[str]:
        return list(self.scenario.spec.issues)

    # ------------------------------------------------------------------ for notebooks
    def summary(self) -> pd.DataFrame:
        """The headline figures as a table, the same kind as every result's ``.summary()``:
        one row per figure (:func:`sim.outcomes.summary_frame`: ``outcome``, ``label``,
        ``value``, ``lo``, ``hi``); :meth:`summary_json` is the dict of ``summary.json``."""
        from .outcomes import summary_frame

        return summary_frame(self.summary_json())

    def summary_json(self) -> dict:
        """The headline figures as ``summary.json`` holds them (:func:`sim.outcomes.summarize`):
        ``runs``, ``horizon_weeks``, each headline outcome with ``_lo``/``_hi`` (95%
        interval), terms and final control quantiles, blockers."""
        return summarize(self.runs, self.issues, self.scenario.spec.horizon)

    def info(self) -> dict:
        """What the plots need of a run (the fields of its ``manifest.json``)."""
        scenario = self.scenario
        return {
            "label": scenario.label,
            "overrides": list(scenario.overrides),
            "horizon_weeks": scenario.spec.horizon,
            "start": scenario.spec.start,
            "issues": {k: v.model_dump() for k, v in scenario.spec.issues.items()},
            "actors": {k: a.name or k for k, a in scenario.spec.actors.items()},
        }

    def plot(self) -> dict:
        """Every figure of the run, by name (those ``ceasefire run`` saves in ``plots/``):
        a dict of :class:`matplotlib.figure.Figure`."""
        from .plots.run import plot_run

        return plot_run(self.runs, self.trajectories, self.info())

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the results folder ``ceasefire run`` writes (runs.parquet, summary.json,
        manifest.json, plots, report.html) to ``folder``, which must not exist."""
        from .results import reserved, write_results

        out = Path(folder)
        with reserved(out, "folder"):
            write_results(self, out, plots=plots)
        return out

    def _title(self) -> str:
        scenario = self.scenario
        named = titled(scenario.label, scenario.overrides)
        return f"{shorten(named, 100)}: {len(self.runs):,} runs, seed {self.seed}"

    def __repr__(self) -> str:
        from .outcomes import headline

        figures = headline(self.runs, self.scenario.spec.horizon)
        horizon = self.scenario.spec.horizon
        cells = [
            f"P(ceasefire by week {horizon}) {share(figures['p_ceasefire'])} "
            f"{interval(figures['p_ceasefire_lo'], figures['p_ceasefire_hi'])}",
            f"P(holding at end) {share(figures['p_held'])}",
        ]
        return f"EnsembleResult({self._title()}; " + "; ".join(cells) + ")"

    def _repr_html_(self) -> str:
        from .outcomes import summary_frame

        frame = summary_frame(self.summary_json())
        rows = []
        for _, row in frame.iterrows():
            key = str(row["outcome"])
            if key == "runs":
                rows.append((row["label"], f"{int(row['value']):,}", ""))
                continue
            # every share as a percentage: the endings and breakers were raw fractions
            fmt = share if key.startswith(("p_", "blocker_", "outcome_", "breaker_")) else number
            rows.append((row["label"], fmt(row["value"]), interval(row["lo"], row["hi"], fmt)))
        return html_table(
            self._title(),
            ("Outcome", "Value", "Interval"),
            rows,
            "Intervals: 95% for the headline outcomes; 5%-95% quantiles for terms and "
            "final control. .summary(), .plot(), .save(folder) for more.",
        )


@dataclass
class ChunkResult:
    start: int
    columns: dict[str, np.ndarray]
    trajectories: dict[str, np.ndarray]
    seconds: float


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def default_chunk_size(runs: int, workers: int) -> int:
    """About four chunks per worker (for balance), at most :data:`MAX_CHUNK` replicates."""
    return max(1, min(MAX_CHUNK, math.ceil(runs / (4 * max(workers, 1)))))


def chunks(runs: int, chunk_size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each chunk."""
    return [(s, min(s + chunk_size, runs)) for s in range(0, runs, chunk_size)]


def chunk_columns(scenario: Scenario) -> list[str]:
    """The columns every chunk of ``scenario`` has: a saved chunk lacking one is refused."""
    return ["replicate", *record_columns(), *(f"terms_{issue}" for issue in scenario.spec.issues)]


def run_chunk(
    scenario: Scenario,
    seed: int,
    start: int,
    stop: int,
    trajectory_replicates: int,
    model_class: Callable[..., NegotiationModel] = NegotiationModel,
) -> ChunkResult:
    """Run replicates ``start .. stop - 1`` to the horizon (picklable, for any executor)."""
    began = time.perf_counter()
    model = model_class(
        scenario,
        replicates=stop - start,
        first_replicate=start,
        seed=seed,
        trajectory_replicates=trajectory_replicates,
    )
    model.run_model()
    return ChunkResult(start, model.outcomes(), model.trajectory, time.perf_counter() - began)


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (it stops the workers); SIGTERM
    and SIGHUP end a worker at once (a forked worker would otherwise inherit the command's
    handlers, which defer to a clean-up that only the parent runs)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


@contextmanager
def executor_for(workers: int, scheduler: str | None) -> Iterator[Executor | None]:
    """A local process pool, a Dask cluster's executor, or ``None`` to run in-process.

    On any exception (Ctrl-C included) the chunks not yet started are cancelled and the
    worker processes are ended (:func:`stop_workers`): none outlives the command.
    """
    if scheduler:
        with dask_executor(scheduler) as dask:
            yield dask
        return
    if workers <= 1:
        yield None
        return
    # fork, named explicitly: importing Mesa sets the global start method to spawn, and
    # spawn or forkserver workers re-import numpy, pandas, scipy, mesa and numba (~3.5 s
    # each here) where a forked one starts in ~0.3 s with everything loaded. The workers
    # only compute and return arrays, the case fork handles well. Elsewhere (macOS,
    # Windows) the platform's own method is used.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_ignore_interrupts
    )
    _POOLS.append(pool)
    try:
        yield pool
    except BaseException:
        # an interrupt or an error: the chunks in hand are not saved anyway, so the workers
        # are stopped now rather than waited for (a chunk may take minutes); waiting is what
        # left a second Ctrl-C hanging and a third leaving workers behind
        stop_workers(pool)
        raise
    finally:
        _POOLS.remove(pool)
    pool.shutdown(wait=True)


_POOLS: list[ProcessPoolExecutor] = []
"""The process pools open in this process (for :func:`kill_workers`)."""

STOP_SECONDS = 3.0
"""How long stopped workers get to exit on SIGTERM before they are killed."""


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel the chunks not started and end the pool's worker processes (SIGTERM, then
    SIGKILL after :data:`STOP_SECONDS`), so none outlives the command."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with suppress(Exception):
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        with suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)
    # the pool's manager thread normally sees its workers gone and ends; but a worker
    # killed while writing its result leaves half a message in the result pipe, and the
    # thread then waits for the rest for good (and the interpreter's exit waits for it):
    # such a pool is recorded, and the command line ends its process without that wait
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(STOP_SECONDS)
        if manager.is_alive():
            STUCK_POOLS.append(pool)


STUCK_POOLS: list[ProcessPoolExecutor] = []
"""Pools whose manager thread could not end after their workers were stopped."""


def kill_workers() -> None:
    """SIGKILL every worker of every open pool (the last resort of a stuck clean-up)."""
    for pool in list(_POOLS):
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with suppress(Exception):
                process.kill()


def _results(pool: Executor, futures: list[Future]) -> Iterator[ChunkResult]:
    """Chunks as they complete; a Dask pool also watches its cluster meanwhile."""
    if isinstance(pool, DaskExecutor):
        yield from pool.results(futures)
        return
    for future in as_completed(futures):
        yield future.result()


def run_ensemble(
    scenario: Scenario | str | Path,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    trajectory_replicates: int = TRAJECTORY_REPLICATES,
    on_progress: Callable[[int], None] | None = None,
    checkpoint: str | Path | None = None,
    model_class: Callable[..., NegotiationModel] = NegotiationModel,
) -> EnsembleResult:
    """Run ``runs`` replicates of a scenario.

    Parameters
    ----------
    scenario : Scenario, or path
        A loaded scenario, or a scenario file (loaded with :func:`sim.load_scenario`).
    runs, seed : int, optional
        Default to the scenario's ``runs`` and ``seed``.
    workers : int, optional
        Local processes (default: all cores); ignored with ``scheduler``.
    chunk_size : int, optional
        Replicates per chunk (default: :func:`default_chunk_size`).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``) to run the chunks on; waits on
        it are bounded (see :mod:`sim.dask_backend`).
    trajectory_replicates : int
        Keep weekly trajectories of replicates with index below this.
    on_progress : callable, optional
        Called with the number of replicates each finished chunk adds.
    checkpoint : path, optional
        Folder where each finished chunk is saved as it completes; chunks already there
        (from an interrupted run of the same job) are loaded instead of run again.
    model_class : callable
        What steps a chunk: :class:`~sim.model.NegotiationModel`, or a picklable subclass
        (or partial of one) that also records more columns (:mod:`sim.record.observe`).

    Returns
    -------
    EnsembleResult

    Examples
    --------
    >>> import sim
    >>> result = sim.run("scenarios/baseline.yaml", runs=500)  # doctest: +SKIP
    >>> result.summary_json()["p_ceasefire"]  # doctest: +SKIP
    """
    checked = check_options(
        runs=runs,
        seed=seed,
        workers=workers,
        chunk_size=chunk_size,
        trajectory_replicates=trajectory_replicates,
        scheduler=scheduler,
    )
    runs, seed, workers, chunk_size = (
        checked[k] for k in ("runs", "seed", "workers", "chunk_size")
    )
    trajectory_replicates = checked["trajectory_replicates"]
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    runs = scenario.spec.runs if runs is None else runs
    seed = scenario.spec.seed if seed is None else seed
    workers = workers or default_workers()
    folder = Path(checkpoint) if checkpoint is not None else None
    chunk_size = chunk_size or saved_chunk_size(folder) or default_chunk_size(runs, workers)
    check_chunking(runs, chunk_size)
    bounds = chunks(runs, chunk_size)
    began = time.perf_counter()
    results: list[ChunkResult] = []
    if folder is not None:
        key = job_key(scenario, runs, seed, chunk_size, trajectory_replicates)
        saved = resume_chunks(
            folder, key, chunk_size, bounds, chunk_columns(scenario), scenario.spec.horizon
        )
        for start, columns, trajectories in saved:
            results.append(ChunkResult(start, columns, trajectories, seconds=0.0))
            if on_progress:
                on_progress(len(columns["replicate"]))
        done = {c.start for c in results}
        bounds = [b for b in bounds if b[0] not in done]

    def finished(chunk: ChunkResult) -> None:
        if folder is not None:
            stop = chunk.start + len(chunk.columns["replicate"])
            save_chunk(folder, chunk.start, stop, chunk.columns, chunk.trajectories)
        results.append(chunk)
        if on_progress:
            on_progress(len(chunk.columns["replicate"]))

    parallel = scheduler is not None or (workers > 1 and len(bounds) > 1)
    # never more processes than chunks to run: the others would start only to idle
    with executor_for(min(workers, len(bounds)) if parallel else 1, scheduler) as pool:
        if pool is None:
            for start, stop in bounds:
                finished(run_chunk(scenario, seed, start, stop, trajectory_replicates, model_class))
        else:
            futures: list[Future] = [
                pool.submit(run_chunk, scenario, seed, a, b, trajectory_replicates, model_class)
                for a, b in bounds
            ]
            try:
                for chunk in _results(pool, futures):
                    finished(chunk)
            except BaseException:
                for future in futures:
                    with suppress(Exception):  # a lost cluster cannot cancel
                        future.cancel()
                raise
    results.sort(key=lambda c: c.start)
    columns = {
        name: np.concatenate([c.columns[name] for c in results]) for name in results[0].columns
    }
    trajectories = {
        name: np.concatenate([c.trajectories[name] for c in results])
        for name in results[0].trajectories
    }
    return EnsembleResult(
        scenario=scenario,
        runs=to_frame(columns),
        trajectories=trajectories,
        seed=seed,
        timings={
            "wall_seconds": time.perf_counter() - began,
            "chunk_seconds": float(sum(c.seconds for c in results)),
            "chunks": len(results),
            "chunk_size": chunk_size,
            "workers": 0 if scheduler else min(workers, len(bounds)) if parallel else 1,
        },
    )
