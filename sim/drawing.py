"""Figures drawn and saved in forked processes while this one writes the tables.

Drawing a figure with matplotlib is CPU-bound Python (laying out the text, rendering,
compressing the PNG): a run's six figures take about 2 s one after another, longer than
the run's tables.  On Linux they are drawn by worker processes forked from this one, which
inherit the results in memory (only a figure's name is sent, only its file's path comes
back), while this process writes the tables (:func:`sim.results.write_results`).  On other
platforms, or with one worker, they are drawn here one after another.

Forking costs a few milliseconds; matplotlib is imported before the fork (by whoever made
``draw``), so no worker imports it again.  As the simulation's workers
(:func:`sim.ensemble.executor_for`), they leave Ctrl-C to this process, and an error or
Ctrl-C here ends them: none outlives the command.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_DRAW: Callable[[str], Figure] | None = None
"""What the forked workers draw with: set before they are forked, inherited by them (a
closure over the results cannot be pickled, and need not be)."""


def drawing_processes(workers: int | None) -> int:
    """How many processes draw a run's figures: the run's workers (all the cores for a run
    on a Dask cluster, ``workers`` 0), never more than the cores; 1 where fork is not the
    start method, since a spawned worker would start without the results and re-import
    everything."""
    if sys.platform != "linux":
        return 1
    cores = os.cpu_count() or 1
    return max(1, min(cores, workers or cores))


def save_drawn(
    draw: Callable[[str], Figure],
    names: Sequence[str],
    folder: Path,
    suffix: str = ".png",
    processes: int = 1,
    meanwhile: Callable[[], object] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> list[Path]:
    """Draw ``draw(name)`` for every name and save it as ``folder/<name><suffix>``.

    Parameters
    ----------
    draw : callable
        Draws one figure by name (it is called in the worker processes).
    names : sequence of str
        The figures, most expensive first (each worker takes the next one when free).
    folder : Path
        Where the files go (made if missing).
    suffix : str
        ``.png``, ``.svg`` or ``.pdf`` (:func:`sim.plots.style.save_figure`).
    processes : int
        Worker processes (:func:`drawing_processes`); 1 draws here, one after another.
    meanwhile : callable, optional
        Work for this process while the workers draw (writing the tables); run first when
        the figures are drawn here.
    on_step : callable, optional
        Told ``"figures: k of n"`` as the figures are saved.

    Returns
    -------
    list of Path
        The files, in the order of ``names``.

    Warnings raised in a worker are raised again here.
    """
    global _DRAW

    folder.mkdir(parents=True, exist_ok=True)
    total = len(names)
    done: dict[str, Path] = {}

    def saved(name: str, path: Path) -> None:
        done[name] = path
        if on_step is not None:
            on_step(f"figures: {len(done)} of {total}")

    processes = min(processes, total)
    if processes <= 1 or sys.platform != "linux":
        if meanwhile is not None:
            meanwhile()
        for name in names:
            saved(name, _save(draw, name, folder, suffix))
        return [done[name] for name in names]
    for stream in (sys.stdout, sys.stderr):  # a forked worker must not write them again
        stream.flush()
    _DRAW = draw
    pool = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("fork"), initializer=_worker_signals
    )
    try:
        futures = {pool.submit(_draw_one, name, folder, suffix): name for name in names}
        if meanwhile is not None:
            meanwhile()
        for future in as_completed(futures):
            path, caught = future.result()
            for message, category in caught:
                warnings.warn(message, category, stacklevel=2)
            saved(futures[future], path)
    except BaseException:
        _stop(pool)  # an error or Ctrl-C: end the workers now, none outlives the command
        raise
    finally:
        _DRAW = None
    pool.shutdown(wait=True)
    return [done[name] for name in names]


def save_figures_forked(
    figures: Mapping[str, Figure],
    folder: Path,
    suffix: str = ".png",
    processes: int = 1,
    meanwhile: Callable[[], object] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> list[Path]:
    """Save figures already drawn here (``plot_comparison(...)``, by file name) as
    :func:`save_drawn` does, and close them: the forked workers inherit the figures and do
    the expensive part, the layout and rendering of :func:`sim.plots.style.save_figure`.

    Returns
    -------
    list of Path
        The files, in the order of ``figures``.
    """
    import matplotlib.pyplot as plt

    try:
        return save_drawn(
            figures.__getitem__, list(figures), folder, suffix, processes, meanwhile, on_step
        )
    finally:
        for fig in figures.values():  # the workers closed their copies, not these
            plt.close(fig)


def _worker_signals() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (it stops the workers); SIGTERM
    and SIGHUP end a worker at once (not the command's handlers, inherited by the fork)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


STOP_SECONDS = 3.0
"""How long stopped workers get to exit on SIGTERM before they are killed."""


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel the figures not started and end the workers (SIGTERM, then SIGKILL).

    The pool starts its workers on demand from its manager thread, so one may start after
    the first look: the workers' table (the pool's own dict, which that thread fills) is
    read again after the thread has ended."""
    table = getattr(pool, "_processes", None) or {}
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + STOP_SECONDS
    for _ in range(2):
        processes = list(table.values())
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()
                    process.join(1.0)
        if manager is not None:
            manager.join(max(0.0, deadline - time.monotonic()))


def _save(draw: Callable[[str], Figure], name: str, folder: Path, suffix: str) -> Path:
    from .plots.style import save_figure

    return save_figure(draw(name), folder / f"{name}{suffix}")


def _draw_one(name: str, folder: Path, suffix: str) -> tuple[Path, list[tuple[str, type]]]:
    """In a forked worker: draw and save one figure; its path and the warnings raised."""
    if _DRAW is None:  # not forked from save_drawn: nothing to draw with
        raise RuntimeError("figures are drawn in processes forked by save_drawn")
    with warnings.catch_warnings(record=True) as caught:
        path = _save(_DRAW, name, folder, suffix)
    return path, [(str(w.message), w.category) for w in caught]
