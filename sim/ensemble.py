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
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from .jobs import Job
from .labels import titled
from .model import NegotiationModel
from .options import RunOptions, check_chunking, check_options
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

    def write(
        self,
        out: Path,
        plots: bool = True,
        provenance: Mapping | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> dict:
        """Write the folder into ``out`` (reserved by the caller), atomically; returns the
        summary (:func:`sim.results.write_results`; ``on_step`` is told each stage)."""
        from .results import write_results

        return write_results(self, out, plots=plots, provenance=provenance, on_step=on_step)

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
    inputs: Mapping[str, np.ndarray] | None = None,
) -> ChunkResult:
    """Run replicates ``start .. stop - 1`` to the horizon (picklable, for any executor);
    ``inputs``: fixed values of uncertain inputs for these replicates (:class:`Arm`)."""
    began = time.perf_counter()
    fixed = {} if inputs is None else {"inputs": inputs}
    model = model_class(
        scenario,
        replicates=stop - start,
        first_replicate=start,
        seed=seed,
        trajectory_replicates=trajectory_replicates,
        **fixed,
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


@dataclass(frozen=True)
class Arm:
    """One ensemble of a job: the scenario it runs and what it keeps.

    A command is one or more arms run by :func:`run_arms` on the same replicates and seed
    (common random numbers): ``run`` is one arm, ``compare`` one per policy, ``sweep`` one
    per grid point, ``deal`` one per week, ``sensitivity`` one holding its whole design.

    Attributes
    ----------
    scenario : Scenario
    trajectory_replicates : int
        Keep weekly trajectories of replicates with index below this (0: none kept).
    checkpoint : str, optional
        The arm's subfolder of the job's checkpoint folder (``None``: the folder itself).
    inputs : mapping of str to array, optional
        Fixed per-replicate values of uncertain inputs (by dotted path, one value per
        replicate ``0 .. runs - 1``) in place of their draws: a sensitivity design.
    model_class : callable, optional
        What steps a chunk (default :class:`~sim.model.NegotiationModel`; a picklable
        subclass or partial that records more, :mod:`sim.record.observe`).
    """

    scenario: Scenario
    trajectory_replicates: int = 0
    checkpoint: str | None = None
    inputs: Mapping[str, np.ndarray] | None = field(default=None, repr=False)
    model_class: Callable[..., NegotiationModel] | None = None


def run_arms(
    arms: Sequence[Arm | Scenario], options: RunOptions | None = None
) -> list[EnsembleResult]:
    """Run every arm on the same replicates and seed (common random numbers): the one
    scheduler of every command.

    All arms' chunks go to one pool (or one Dask cluster) at once: the workers start once,
    no arm waits for the slowest chunk of the one before, and the chunks are sized as for a
    single run of all the arms' replicates (at least one per worker and arm), so a job of
    many arms costs about what a run of the same number of replicates does.  Each arm's
    outcomes do not depend on the chunking (:mod:`sim.streams`).

    Parameters
    ----------
    arms : sequence of Arm or Scenario
        The arms (a Scenario is an :class:`Arm` keeping no trajectories).
    options : RunOptions, optional
        ``runs`` and ``seed`` default to the first arm's scenario's.  With ``checkpoint``,
        each arm saves its finished chunks in its subfolder (:attr:`Arm.checkpoint`), and
        chunks already saved there (an interrupted job) are not run again.

    Returns
    -------
    list of EnsembleResult
        One per arm, in order.
    """
    options = options or RunOptions()
    arms = [a if isinstance(a, Arm) else Arm(a) for a in arms]
    first = arms[0].scenario
    runs = first.spec.runs if options.runs is None else options.runs
    seed = first.spec.seed if options.seed is None else options.seed
    workers = options.workers or default_workers()
    scheduler, on_progress = options.scheduler, options.on_progress
    root = options.checkpoint
    folders = [
        None if root is None else root if a.checkpoint is None else root / a.checkpoint
        for a in arms
    ]
    # chunks sized as for one run of every arm's replicates, but at least one per worker
    # and arm, so that a small comparison still uses every worker
    fresh = max(1, min(default_chunk_size(runs * len(arms), workers), -(-runs // workers)))
    sizes = [
        options.chunk_size or (saved_chunk_size(f) if f is not None else None) or fresh
        for f in folders
    ]
    for size in set(sizes):
        check_chunking(runs, size)
    began = time.perf_counter()
    done: list[list[ChunkResult]] = [[] for _ in arms]
    todo: list[tuple[int, int, int]] = []  # (arm, start, stop)
    for i, (arm, folder) in enumerate(zip(arms, folders, strict=True)):
        bounds = chunks(runs, sizes[i])
        if folder is not None:
            key = job_key(arm.scenario, runs, seed, sizes[i], arm.trajectory_replicates, arm.inputs)
            saved = resume_chunks(
                folder,
                key,
                sizes[i],
                bounds,
                chunk_columns(arm.scenario),
                arm.scenario.spec.horizon,
            )
            for start, columns, trajectories in saved:
                done[i].append(ChunkResult(start, columns, trajectories, seconds=0.0))
                if on_progress:
                    on_progress(len(columns["replicate"]))
            have = {c.start for c in done[i]}
            bounds = [b for b in bounds if b[0] not in have]
        todo += [(i, a, b) for a, b in bounds]

    def finished(i: int, chunk: ChunkResult) -> None:
        n = len(chunk.columns["replicate"])
        if folders[i] is not None:
            save_chunk(folders[i], chunk.start, chunk.start + n, chunk.columns, chunk.trajectories)
        done[i].append(chunk)
        if on_progress:
            on_progress(n)

    def task(i: int, a: int, b: int) -> tuple:
        arm = arms[i]
        inputs = None if arm.inputs is None else {k: v[a:b] for k, v in arm.inputs.items()}
        return (i, arm.scenario, seed, a, b, arm.trajectory_replicates, arm.model_class, inputs)

    # largest chunks first: the pool's last chunks are the short ones, so the workers
    # finish together (longest-processing-time-first scheduling)
    todo.sort(key=lambda t: t[1] - t[2])
    parallel = scheduler is not None or (workers > 1 and len(todo) > 1)
    workers = min(workers, max(len(todo), 1))  # never more processes than chunks to run
    with executor_for(workers if parallel else 1, scheduler) as pool:
        if pool is None:
            for t in todo:
                finished(*_arm_chunk(*task(*t)))
        else:
            futures: list[Future] = [pool.submit(_arm_chunk, *task(*t)) for t in todo]
            try:
                for i, chunk in _results(pool, futures):
                    finished(i, chunk)
            except BaseException:
                for future in futures:
                    with suppress(Exception):  # a lost cluster cannot cancel
                        future.cancel()
                raise
    wall = time.perf_counter() - began
    out = []
    for i, arm in enumerate(arms):
        results = sorted(done[i], key=lambda c: c.start)
        columns = {
            name: np.concatenate([c.columns[name] for c in results]) for name in results[0].columns
        }
        trajectories = {  # empty arrays for an arm that keeps none
            name: np.concatenate([c.trajectories[name] for c in results])
            for name in results[0].trajectories
        }
        out.append(
            EnsembleResult(
                scenario=arm.scenario,
                runs=to_frame(columns),
                trajectories=trajectories,
                seed=seed,
                timings={
                    "wall_seconds": wall,  # the arms ran together
                    "chunk_seconds": float(sum(c.seconds for c in results)),
                    "chunks": len(results),
                    "chunk_size": sizes[i],
                    "workers": 0 if scheduler else workers if parallel else 1,
                },
            )
        )
    return out


def _arm_chunk(
    arm: int,
    scenario: Scenario,
    seed: int,
    start: int,
    stop: int,
    keep: int,
    model_class: Callable[..., NegotiationModel] | None,
    inputs: Mapping[str, np.ndarray] | None,
) -> tuple[int, ChunkResult]:
    """One chunk of one arm, tagged with the arm (picklable, for any executor)."""
    return arm, run_chunk(
        scenario, seed, start, stop, keep, model_class or NegotiationModel, inputs
    )


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
    options: RunOptions | None = None,
) -> EnsembleResult:
    """Run ``runs`` replicates of a scenario: one arm of :func:`run_arms`.

    Parameters
    ----------
    scenario : Scenario, or path
        A loaded scenario, or a scenario file (loaded with :func:`sim.load_scenario`).
    runs, seed, workers, chunk_size, scheduler, on_progress, checkpoint
        The fields of :class:`~sim.options.RunOptions` (or give ``options``): replicates
        and seed (default: the scenario's), local processes (default: all cores; ignored
        with ``scheduler``), replicates per chunk (default: :func:`default_chunk_size`),
        a Dask scheduler's address (waits on it are bounded, :mod:`sim.dask_backend`), a
        callable given the replicates each finished chunk adds, and a folder where each
        finished chunk is saved (chunks already there, from an interrupted run of the same
        job, are loaded instead of run again).
    trajectory_replicates : int
        Keep weekly trajectories of replicates with index below this.
    model_class : callable
        What steps a chunk: :class:`~sim.model.NegotiationModel`, or a picklable subclass
        (or partial of one) that also records more columns (:mod:`sim.record.observe`).
    options : RunOptions, optional
        The run options as one object (the keyword arguments above are its fields).

    Returns
    -------
    EnsembleResult

    Examples
    --------
    >>> import sim
    >>> result = sim.run("scenarios/baseline.yaml", runs=500)  # doctest: +SKIP
    >>> result.summary_json()["p_ceasefire"]  # doctest: +SKIP
    """
    options = RunOptions.merged(
        options,
        runs=runs,
        seed=seed,
        workers=workers,
        chunk_size=chunk_size,
        scheduler=scheduler,
        checkpoint=checkpoint,
        on_progress=on_progress,
    )
    keep = check_options(trajectory_replicates=trajectory_replicates)["trajectory_replicates"]
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    arm = Arm(scenario, keep, model_class=model_class)
    (result,) = run_arms([arm], options)
    return result


def run_folder(
    scenario: Scenario,
    options: RunOptions | None = None,
    job: Job | None = None,
) -> tuple[EnsembleResult, Path]:
    """``ceasefire run``: the job (:mod:`sim.jobs`) of one arm: its folder claimed, the
    replicates run, the results folder written.  A run keeps no checkpoint (unless
    ``options.checkpoint`` names one): saving every chunk would slow the common case."""
    from .jobs import run_job
    from .results import run_label

    options, job = options or RunOptions(), job or Job()
    arm = Arm(scenario, TRAJECTORY_REPLICATES)
    return run_job(
        job,
        run_label(scenario.label, scenario.overrides),
        options.runs or scenario.spec.runs,
        scenario.label,
        lambda o: run_arms([arm], o)[0],
        options,
    )
