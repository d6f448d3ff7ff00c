"""Parameter sweeps: a scenario run on a grid over one or two parameters, set like
``--set`` (:func:`sweep`).

Every grid point runs on common random numbers (the same seed and replicate indices), so
differences between points come from the inputs, not from fresh luck; the points run
together on the one scheduler (:func:`sim.ensemble.run_arms`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import outcomes
from ..ensemble import Arm, run_arms
from ..errors import ScenarioError
from ..jobs import Job
from ..options import RunOptions
from ..scenario import Scenario
from ..snapshot import ScenarioSnapshot, as_snapshot
from .explored import SweepResult

# --------------------------------------------------------------------------- headline


def headline(runs: pd.DataFrame, horizon: int) -> dict[str, float]:
    """``runs``, then every headline outcome (:data:`sim.outcomes.HEADLINE`) of a set of
    replicates with its 95% interval as ``<key>``, ``<key>_lo`` and ``<key>_hi``."""
    return {"runs": len(runs), **outcomes.headline(runs, horizon)}


# --------------------------------------------------------------------------- sweep
_VARY = re.compile(r"^\s*([^=\s]+)\s*=\s*([^:]+):([^:]+):([^:]+)\s*$")
MAX_GRID = 101


def parse_vary(text: str) -> tuple[str, np.ndarray]:
    """Read ``PATH=START:STOP:COUNT`` into the path and its ``COUNT`` evenly spaced values."""
    form = "expected PATH=START:STOP:COUNT, e.g. actors.US.aid=0:0.4:5"
    match = _VARY.match(text)
    if not match:
        raise ScenarioError("--vary", text, form)
    path, start, stop, count = match.groups()
    try:
        a, b = float(start), float(stop)
    except ValueError:
        raise ScenarioError("--vary", path, f"START and STOP must be numbers; {form}") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ScenarioError("--vary", path, "START and STOP must be finite numbers")
    if not count.strip().isdigit() or not 2 <= int(count) <= MAX_GRID:
        raise ScenarioError(
            "--vary", path, f"COUNT must be a whole number from 2 to {MAX_GRID}, got {count!r}"
        )
    return path, np.linspace(a, b, int(count))


def _override(path: str, value: float) -> str:
    return f"{path}={float(value)!r}"


def grid_points(grid: Sequence[tuple[str, np.ndarray]]) -> list[np.ndarray]:
    """Every point of a one- or two-parameter grid, first parameter slowest."""
    return list(
        np.array(np.meshgrid(*[v for _, v in grid], indexing="ij")).reshape(len(grid), -1).T
    )


def grid_arms(
    snapshot: ScenarioSnapshot,
    grid: Sequence[tuple[str, np.ndarray]],
    policy: str | None = None,
    overrides: Iterable[str] = (),
) -> tuple[Scenario, list[Scenario]]:
    """The base scenario and one validated scenario per grid point, built once each, before
    any run: a bad grid (too many or repeated paths, bad paths or values) is refused here.

    Every grid point is validated, not only the ends: a whole-number field is refused at
    its fractional middle points, and two varied fields may clash only in some corners.
    Every point is built from the same text (the snapshot: the file is not read again).
    """
    if not 1 <= len(grid) <= 2:
        raise ScenarioError("--vary", "", f"give one or two --vary options, got {len(grid)}")
    if len({p for p, _ in grid}) < len(grid):
        raise ScenarioError("--vary", grid[0][0], "the same path is varied twice")
    overrides = tuple(overrides)
    base = snapshot.build(policy, overrides)  # the file, its policies and the --set
    paths = [p for p, _ in grid]
    arms = []
    for point in grid_points(grid):
        try:
            arms.append(
                snapshot.build(
                    policy,
                    [*overrides, *(_override(p, v) for p, v in zip(paths, point, strict=True))],
                )
            )
        except ScenarioError as err:
            at = ", ".join(f"{p}={float(v):g}" for p, v in zip(paths, point, strict=True))
            raise ScenarioError(
                f"{snapshot.source} (--vary)", err.field, f"{err.problem} (at {at})"
            ) from None
    return base, arms


def parse_grid(vary: Sequence[str | tuple[str, Sequence[float]]]) -> list[tuple[str, np.ndarray]]:
    """``--vary`` strings (or ``(path, values)`` pairs) as the grid's paths and values."""
    return [parse_vary(v) if isinstance(v, str) else (v[0], np.asarray(v[1], float)) for v in vary]


def sweep(
    scenario: str | Path | ScenarioSnapshot | Scenario,
    vary: Sequence[str | tuple[str, Sequence[float]]],
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    policy: str | None = None,
    overrides: Iterable[str] = (),
    on_progress: Callable[[int], None] | None = None,
    keep_runs: bool = True,
    checkpoint: Path | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    options: RunOptions | None = None,
) -> SweepResult:
    """Run a scenario on a grid over one or two parameters (set like ``--set``).

    Parameters
    ----------
    scenario : path, ScenarioSnapshot or Scenario
        The scenario file, read once (:mod:`sim.snapshot`): every grid point is built from
        the same text, whatever happens to the file during the sweep.  A loaded Scenario
        gives the text it was loaded from, with its policy and overrides
        (:func:`sim.snapshot.as_snapshot`).
    vary : sequence
        One or two ``"PATH=START:STOP:COUNT"`` strings or ``(path, values)`` pairs.
    runs, seed, workers, on_progress, checkpoint, scheduler, chunk_size
        The fields of :class:`~sim.options.RunOptions` (or give ``options``): replicates
        per grid point and the seed (default: the file's; every point uses the same seed,
        so the grid is on common random numbers); with ``checkpoint``, each grid point
        keeps its finished chunks in a subfolder of it.
    policy : str, optional
        A policy of the file, applied at every point.
    overrides : iterable of str
        Further ``PATH=VALUE`` overrides, applied before the grid's.
    keep_runs : bool
        Keep every point's runs (with the grid values as ``vary:<path>`` columns) as the
        result's ``runs`` (needed by ``.save``).
    options : RunOptions, optional

    Returns
    -------
    SweepResult
        ``.table``: one row per grid point, the varied paths, then :func:`headline`
        outcomes.
    """
    from ..options import check_options

    options = RunOptions.merged(
        options,
        runs=runs,
        seed=seed,
        workers=workers,
        on_progress=on_progress,
        checkpoint=checkpoint,
        scheduler=scheduler,
        chunk_size=chunk_size,
    )
    checked = check_options(vary=vary, overrides=overrides)
    grid = parse_grid(checked["vary"])
    snapshot, policy, overrides = as_snapshot(scenario, policy, checked["overrides"] or ())
    base, arms = grid_arms(snapshot, grid, policy, overrides)
    result = sweep_arms(base, grid, arms, options, keep_runs)
    result.vary = [v if isinstance(v, str) else f"{v[0]}={list(map(float, v[1]))}" for v in vary]
    return result


def sweep_arms(
    base: Scenario,
    grid: Sequence[tuple[str, np.ndarray]],
    arms: Sequence[Scenario],
    options: RunOptions | None = None,
    keep_runs: bool = True,
) -> SweepResult:
    """:func:`sweep` of grid points already built (:func:`grid_arms`): run, then tabled."""
    options = options or RunOptions()
    paths = [p for p, _ in grid]
    points = grid_points(grid)
    jobs = [Arm(arm, checkpoint=f"point-{i:04d}") for i, arm in enumerate(arms)]
    results = run_arms(jobs, options)
    rows, frames = [], []
    for point, arm, result in zip(points, arms, results, strict=True):
        rows.append(
            {
                **dict(zip(paths, map(float, point), strict=True)),
                **headline(result.runs, arm.spec.horizon),
            }
        )
        if keep_runs:
            frame = result.runs.copy()
            for p, v in zip(paths, point, strict=True):
                frame.insert(0, f"vary:{p}", float(v))
            frames.append(frame)
    runs = len(results[0].runs)
    seed = results[0].seed
    return SweepResult(
        table=pd.DataFrame(rows),
        runs=pd.concat(frames, ignore_index=True) if keep_runs else None,
        scenario=base,
        vary=[f"{p}={list(map(float, v))}" for p, v in grid],
        policy=base.policy,
        overrides=tuple(base.overrides),
        paths=paths,
        seed=seed,
        runs_per_point=runs,
        horizon=base.spec.horizon,
    )


def sweep_folder(
    scenario: str | Path | ScenarioSnapshot | Scenario,
    vary: Sequence[str],
    policy: str | None = None,
    overrides: Iterable[str] = (),
    options: RunOptions | None = None,
    job: Job | None = None,
) -> tuple[SweepResult, Path]:
    """``ceasefire sweep``: the grid built and checked (each point once), then the job
    (:mod:`sim.jobs`): its folder claimed, the points run (resumable), the folder written."""
    from ..checkpoint import job_identity
    from ..jobs import check_total, run_job
    from ..results import run_label

    options, job = options or RunOptions(), job or Job()
    grid = parse_grid(vary)
    snapshot, policy, overrides = as_snapshot(scenario, policy, overrides)
    base, arms = grid_arms(snapshot, grid, policy, overrides)
    n = options.runs or base.spec.runs
    check_total(n * len(arms), "--runs", f"{n:,} runs x {len(arms):,} grid points")
    identity = job_identity(
        "sweep",
        [base],
        base.spec.seed if options.seed is None else options.seed,
        {"runs": n, "vary": list(vary), "policy": policy, "overrides": list(overrides)},
    )

    def work(o: RunOptions) -> SweepResult:
        result = sweep_arms(base, grid, arms, o)
        result.vary = list(vary)
        return result

    return run_job(
        job,
        f"sweep-{run_label(base.label, base.overrides)}",
        n * len(arms),
        f"{len(arms)} grid points",
        work,
        options,
        identity,
    )
