"""Explore assumptions: parameter sweeps, global sensitivity (Sobol, Morris) and scenario
discovery (PRIM).

All three run on common random numbers: every grid point or design point uses the same
run seed, so differences between points come from the inputs, not from fresh luck.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel

from .. import outcomes
from ..distributions import Choice, Distribution
from ..ensemble import EnsembleResult, run_ensemble
from ..errors import ResultsError, ScenarioError
from ..parameters import flat_parameters, uncertain
from ..scenario import (
    Scenario,
    apply_policy,
    load_scenario,
    parse_override,
    set_path,
    validate_document,
)
from ..snapshot import ScenarioSnapshot, as_snapshot, read_snapshot
from .explored import DiscoveryResult, SensitivityResult, SweepResult, run_name

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


def check_vary(
    scenario: str | Path | ScenarioSnapshot,
    grid: Sequence[tuple[str, np.ndarray]],
    policy: str | None = None,
    overrides: Iterable[str] = (),
) -> None:
    """Refuse, before any run, a bad grid: too many or repeated paths, bad paths or values.

    Every grid point is validated, not only the ends: a whole-number field is refused at
    its fractional middle points, and two varied fields may clash only in some corners.
    The file is read once and each point validated on a copy (no runs, no re-reading).
    """
    if not 1 <= len(grid) <= 2:
        raise ScenarioError("--vary", "", f"give one or two --vary options, got {len(grid)}")
    if len({p for p, _ in grid}) < len(grid):
        raise ScenarioError("--vary", grid[0][0], "the same path is varied twice")
    snapshot = read_snapshot(scenario)  # the file is read once; every point uses this text
    overrides = tuple(overrides)
    snapshot.build(policy, overrides)  # the file, its policies and the --set
    doc = copy.deepcopy(dict(snapshot.document))
    if policy is not None:
        doc = apply_policy(doc, policy, snapshot.source)
    source = f"{snapshot.source} (--vary)"
    for text in overrides:
        set_path(doc, *parse_override(text), source)
    paths = [p for p, _ in grid]
    for point in grid_points(grid):
        trial = copy.deepcopy(doc)
        try:
            for path, value in zip(paths, point, strict=True):
                key, parsed = parse_override(_override(path, value))
                set_path(trial, key, parsed, source)
            validate_document(trial, source)
        except ScenarioError as err:
            at = ", ".join(f"{p}={float(v):g}" for p, v in zip(paths, point, strict=True))
            raise ScenarioError(source, err.field, f"{err.problem} (at {at})") from None


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
    runs, seed : int, optional
        Replicates per grid point and the seed (default: the file's); every point uses the
        same seed, so the grid is on common random numbers.
    workers : int, optional
        Local processes.
    policy : str, optional
        A policy of the file, applied at every point.
    overrides : iterable of str
        Further ``PATH=VALUE`` overrides, applied before the grid's.
    on_progress : callable, optional
        Called with the number of replicates each finished chunk adds.
    keep_runs : bool
        Keep every point's runs (with the grid values as ``vary:<path>`` columns) as the
        result's ``runs`` (needed by ``.save``).
    checkpoint : path, optional
        Folder where finished chunks are kept (one subfolder per grid point), so that an
        interrupted sweep can be completed without running them again.
    scheduler : str, optional
        Address of a Dask scheduler to run the chunks on.

    Returns
    -------
    SweepResult
        ``.table``: one row per grid point, the varied paths, then :func:`headline`
        outcomes.
    """
    from ..options import check_options

    checked = check_options(
        vary=vary, runs=runs, seed=seed, workers=workers, overrides=overrides, scheduler=scheduler
    )
    vary, runs, seed, workers = (checked[k] for k in ("vary", "runs", "seed", "workers"))
    overrides = checked["overrides"] or ()
    grid = [parse_vary(v) if isinstance(v, str) else (v[0], np.asarray(v[1], float)) for v in vary]
    snapshot, policy, overrides = as_snapshot(scenario, policy, overrides)
    check_vary(snapshot, grid, policy, overrides)
    base = snapshot.build(policy, overrides)
    runs = base.spec.runs if runs is None else runs
    seed = base.spec.seed if seed is None else seed
    paths = [p for p, _ in grid]
    points = grid_points(grid)
    rows, frames = [], []
    for index, point in enumerate(points):
        point_overrides = [_override(p, v) for p, v in zip(paths, point, strict=True)]
        arm = snapshot.build(policy, [*overrides, *point_overrides])
        result = run_ensemble(
            arm,
            runs=runs,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            trajectory_replicates=0,
            on_progress=on_progress,
            checkpoint=None if checkpoint is None else Path(checkpoint) / f"point-{index:04d}",
        )
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
    table = pd.DataFrame(rows)
    table.attrs.update(
        {
            "vary": paths,
            "scenario": base.name,
            "seed": seed,
            "runs": runs,
            "horizon": base.spec.horizon,
            "source": snapshot.source,
            "scenario_sha256": base.text_hash,
        }
    )
    return SweepResult(
        table=table,
        runs=pd.concat(frames, ignore_index=True) if keep_runs else None,
        scenario=base,
        vary=[v if isinstance(v, str) else f"{v[0]}={list(map(float, v[1]))}" for v in vary],
        policy=policy,
        overrides=overrides,
    )


# --------------------------------------------------------------------------- sensitivity
@dataclasses.dataclass(frozen=True, eq=False)
class Design(Choice):
    """A per-replicate table posing as a distribution: replicate ``r`` gets ``picks[r]``.

    The model draws each uncertain input as ``ppf(u_r)`` where ``u_r`` is replicate r's own
    uniform from the input's stream (:mod:`sim.streams`).  Those uniforms are known in
    advance, so a quantile function that looks ``u_r`` up and returns the design value
    fixes the input of every replicate exactly, whatever the chunking or the workers, with
    no change to the model.  ``values`` (the base class field) holds the range.
    """

    keys: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0))
    picks: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.keys, u)
        index = np.minimum(index, len(self.keys) - 1)
        if not np.array_equal(self.keys[index], u):
            raise RuntimeError("design lookup: a replicate outside the design was sampled")
        return self.picks[index]

    def to_yaml(self) -> dict:
        return {"design": {"points": int(len(self.picks))}}


def design_inputs(seed: int, path: str, picks: np.ndarray) -> Design:
    """A :class:`Design` giving replicate ``r`` the value ``picks[r]`` for input ``path``."""
    from ..streams import uniforms

    u = uniforms(seed, f"param:{path}", 0, len(picks), 1)[:, 0]
    order = np.argsort(u)
    if np.any(np.diff(u[order]) == 0):  # pragma: no cover - 2**-53 spacing: never in practice
        raise RuntimeError("design lookup: two replicates share a uniform")
    values = (float(np.min(picks)), float(np.max(picks)))
    return Design(values=values, keys=u[order], picks=np.asarray(picks, float)[order])


def replace_parameter(spec: BaseModel, path: str, value: object) -> BaseModel:
    """A copy of a validated spec with the parameter at ``path`` (as in
    :func:`sim.parameters.flat_parameters`) replaced by ``value``, without re-validation."""
    keys = path.split(".")
    if keys[0] == "events":
        # events.<name>.probability | events.<name>.<set|scale>.<dotted target path>
        events = list(spec.events)
        i = next(i for i, e in enumerate(events) if e.name == keys[1])
        if keys[2] == "probability":
            events[i] = events[i].model_copy(update={"probability": value})
        else:
            mapping = dict(getattr(events[i], keys[2]))
            mapping[".".join(keys[3:])] = value
            events[i] = events[i].model_copy(update={keys[2]: mapping})
        return spec.model_copy(update={"events": events})

    def put(node: object, rest: list[str]) -> object:
        if not rest:
            return value
        head, tail = rest[0], rest[1:]
        if isinstance(node, BaseModel):
            return node.model_copy(update={head: put(getattr(node, head), tail)})
        copy = dict(node)  # type: ignore[call-overload]
        copy[head] = put(copy[head], tail)
        return copy

    return put(spec, keys)  # type: ignore[return-value]


def check_samples(method: str, samples: int | None) -> None:
    """Refuse, before any work, a method other than sobol or morris, and a Sobol base
    sample that is not a power of two (Sobol' sequences lose their balance properties
    otherwise; rounding it silently would run more than was asked)."""
    if method not in ("sobol", "morris"):
        raise ScenarioError("--method", method, "must be sobol or morris")
    if samples is None:
        return
    if samples < 1:
        raise ScenarioError("--samples", "", f"must be at least 1, got {samples}")
    if method == "sobol" and (samples < 2 or samples & (samples - 1)):
        below = 2 ** max(1, samples.bit_length() - 1)
        raise ScenarioError(
            "--samples",
            "",
            f"sobol needs a power of two (2, 4, ..., 64, 128, ...), got {samples}; "
            f"try {below} or {2 * below}",
        )


SOBOL_SAMPLES = 512
"""Default Sobol base sample N.  On the baseline (26 uncertain inputs, 4 replicates a
point: 57,344 replicates) it ranks the top five inputs of the main outcomes the same way
from one seed to the next, where N = 64 gave intervals of +-0.2 and more (see
docs/analysis.md, "Choosing N")."""

MORRIS_TRAJECTORIES = 10

MAX_HALF_WIDTH = 0.1
"""A Sobol index whose 95% interval is wider than +-this is flagged: its value (and the
ranking it gives) is not to be trusted; more ``--samples`` narrow it as 1 / sqrt(N)."""


def design_points(inputs: int, method: str, samples: int | None) -> int:
    """How many design points a Sobol or Morris design has (before replicates)."""
    if method == "sobol":
        return (samples or SOBOL_SAMPLES) * (inputs + 2)
    return (samples or MORRIS_TRAJECTORIES) * (inputs + 1)


def sobol_warnings(table: pd.DataFrame, max_half_width: float = MAX_HALF_WIDTH) -> list[str]:
    """Warnings about Sobol indices that the sample cannot support, one line per outcome
    and problem:

    - an index whose 95% interval is wider than ``+-max_half_width``;
    - a first-order index above the total index beyond its interval
      (``S1 - S1_conf > ST``: impossible in truth, as S1 <= ST, so sampling error);
    - a negative first-order index beyond its interval (``S1 + S1_conf < 0``).

    The estimates are not clipped to [0, 1]: these warnings say when to distrust them.
    """
    out: list[str] = []
    if not {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns):
        return out

    def names(rows: pd.DataFrame) -> str:
        shown = ", ".join(rows["input"].head(3))
        return shown + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")

    for outcome, rows in table.groupby("outcome", sort=False):
        rows = rows.dropna(subset=["S1", "ST"])
        if rows.empty:
            continue
        widest = rows[["S1_conf", "ST_conf"]].max(axis=1)
        wide = rows[widest > max_half_width]
        if len(wide):
            out.append(
                f"{outcome}: {len(wide)} of {len(rows)} inputs have a 95% interval wider "
                f"than ±{max_half_width:g} (widest ±{widest.max():.2g}: {names(wide)}); "
                "the indices and their ranking are uncertain: increase --samples"
            )
        above = rows[rows["S1"] - rows["S1_conf"] > rows["ST"]]
        if len(above):
            out.append(
                f"{outcome}: S1 exceeds ST beyond its interval for {names(above)} "
                "(S1 <= ST in truth: sampling error); increase --samples"
            )
        negative = rows[rows["S1"] + rows["S1_conf"] < 0]
        if len(negative):
            out.append(
                f"{outcome}: S1 is negative beyond its interval for {names(negative)} "
                "(S1 >= 0 in truth: sampling error); increase --samples"
            )
    return out


def _point_outcomes(runs: pd.DataFrame, points: int, reps: int, horizon: int) -> pd.DataFrame:
    """Each design point's headline outcomes over its replicates
    (:func:`sim.outcomes.point_values`): shares and values averaged, weeks by their median,
    so each outcome means at a point what its key says."""
    chosen = outcomes.headline_outcomes(horizon)
    frame = pd.DataFrame({o.key: outcomes.point_values(o, runs, horizon) for o in chosen})
    frame["point"] = runs["replicate"].to_numpy() // reps
    how = {o.key: "median" if o.kind == "week" else "mean" for o in chosen}
    return frame.groupby("point").agg(how).reindex(range(points))


def sensitivity(
    scenario: str | Path | Scenario,
    method: str = "sobol",
    samples: int | None = None,
    replicates: int = 4,
    seed: int | None = None,
    workers: int | None = None,
    policy: str | None = None,
    overrides: Iterable[str] = (),
    on_progress: Callable[[int], None] | None = None,
    checkpoint: Path | None = None,
    scheduler: str | None = None,
) -> SensitivityResult:
    """Global sensitivity of the headline outcomes to every uncertain input.

    The design lives in the unit cube: SALib samples ``u`` in [0, 1] for each input and the
    input's value is its distribution's quantile ``ppf(u)``, so each input ranges over its
    own distribution (uniform, triangular, normal, choice alike).  Each design point runs
    ``replicates`` replicates with those inputs fixed (see :class:`Design`); the outcomes
    are averaged over them.

    Parameters
    ----------
    scenario : path or Scenario
        A file (loaded with ``policy`` and ``overrides``) or a loaded scenario (as it is,
        unless ``policy`` or ``overrides`` are given: then rebuilt from its text).
    method : {"sobol", "morris"}
        Sobol' first-order and total indices (Saltelli/Jansen estimators via
        ``SALib.sample.sobol`` and ``SALib.analyze.sobol``) or Morris elementary effects.
    samples : int, optional
        Sobol: base sample size N (a power of two; default :data:`SOBOL_SAMPLES`), the
        model runs at N * (inputs + 2) points.  Morris: trajectories (default 10), at
        trajectories * (inputs + 1) points.
    replicates : int
        Replicates per design point (averaged: less battlefield noise in the indices).
    seed : int, optional
        Run seed (default: the file's); also seeds SALib's sampling and resampling.
    workers : int, optional
    policy : str, optional
    overrides : iterable of str
    on_progress : callable, optional
    checkpoint : path, optional
        Folder where finished chunks are kept, so that an interrupted analysis can be
        completed without running them again.
    scheduler : str, optional
        Address of a Dask scheduler to run the chunks on.

    Returns
    -------
    SensitivityResult
        ``.table``: Sobol: ``outcome, input, S1, S1_conf, ST, ST_conf`` (``_conf``: half-width of the
        95% bootstrap interval).  Morris: ``outcome, input, mu_star, mu_star_conf, mu,
        sigma`` (effects per unit of the input's quantile, i.e. across its whole range).
        ``attrs`` holds the design (``design``: inputs and outcomes per point) and
        ``warnings``: a list of lines on indices the sample cannot support
        (:func:`sobol_warnings`), empty when there is nothing to flag.
    """
    from ..options import check_options

    checked = check_options(
        samples=samples,
        replicates=replicates,
        seed=seed,
        workers=workers,
        overrides=overrides,
        scheduler=scheduler,
    )
    samples, replicates, seed, workers = (
        checked[k] for k in ("samples", "replicates", "seed", "workers")
    )
    check_samples(method, samples)
    overrides = tuple(checked["overrides"] or ())
    if isinstance(scenario, Scenario) and policy in (None, scenario.policy) and not overrides:
        base = scenario
    elif isinstance(scenario, Scenario):
        snapshot, policy, overrides = as_snapshot(scenario, policy, overrides)
        base = snapshot.build(policy, overrides)
    else:
        base = load_scenario(scenario, policy, overrides)
    spec = base.spec
    seed = spec.seed if seed is None else int(seed)
    inputs: dict[str, Distribution] = uncertain(flat_parameters(spec))
    if not inputs:
        raise ScenarioError(
            base.source,
            "",
            "has no uncertain inputs (no field is a distribution): nothing to analyse",
        )
    if replicates < 1:
        raise ScenarioError("--replicates", "", f"must be at least 1, got {replicates}")
    names = list(inputs)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about sample sizes we round ourselves
        if method == "sobol":
            from SALib.sample import sobol as sobol_sample

            n = samples or SOBOL_SAMPLES  # a power of two (check_samples)
            unit = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
        else:
            from SALib.sample import morris as morris_sample

            unit = morris_sample.sample(
                problem, samples or MORRIS_TRAJECTORIES, num_levels=4, seed=seed
            )
    # quantiles 0 and 1 are infinite for a normal: stay a hair inside the unit interval
    u = np.clip(unit, 1e-6, 1 - 1e-6)
    points = len(u)
    values = {name: inputs[name].ppf(u[:, i]) for i, name in enumerate(names)}
    new_spec = spec
    for name in names:
        picks = np.repeat(values[name], replicates)
        new_spec = replace_parameter(new_spec, name, design_inputs(seed, name, picks))
    designed = dataclasses.replace(base, spec=new_spec)
    result = run_ensemble(
        designed,
        runs=points * replicates,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        trajectory_replicates=0,
        on_progress=on_progress,
        checkpoint=checkpoint,
    )
    chosen = outcomes.headline_outcomes(spec.horizon)
    per_point = _point_outcomes(result.runs, points, replicates, spec.horizon)
    rows = []
    for outcome in chosen:
        y = per_point[outcome.key].to_numpy(dtype=float)
        rows += _indices(method, problem, unit, y, outcome.key, seed)
    table = pd.DataFrame(rows)
    key = "ST" if method == "sobol" else "mu_star"
    table = table.sort_values(["outcome", key], ascending=[True, False], kind="stable")
    order = {o.key: i for i, o in enumerate(chosen)}
    table = table.sort_values("outcome", key=lambda s: s.map(order), kind="stable")
    table = table.reset_index(drop=True)
    design = pd.DataFrame(values).assign(**{f"u:{k}": u[:, i] for i, k in enumerate(names)})
    table.attrs.update(
        {
            "method": method,
            "points": points,
            "replicates": replicates,
            "seed": seed,
            "scenario": base.label,
            "design": pd.concat([design, per_point.reset_index(drop=True)], axis=1),
            "outcomes": {o.key: _sensitivity_label(o, spec.horizon) for o in chosen},
            "samples": samples or (SOBOL_SAMPLES if method == "sobol" else MORRIS_TRAJECTORIES),
            "warnings": sobol_warnings(table) if method == "sobol" else [],
        }
    )
    return SensitivityResult(table, base, base.policy, tuple(base.overrides))


def _sensitivity_label(outcome: outcomes.Outcome, horizon: int) -> str:
    if outcome.kind == "week":
        return "Median week of first ceasefire (a point's runs; horizon + 1 if none)"
    return outcome.title(horizon)


def _indices(
    method: str, problem: dict, unit: np.ndarray, y: np.ndarray, outcome: str, seed: int
) -> list[dict]:
    names = problem["names"]
    if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
        # a constant outcome has no variance to share out
        nan = math.nan
        cols = (
            ("S1", "S1_conf", "ST", "ST_conf")
            if method == "sobol"
            else ("mu_star", "mu_star_conf", "mu", "sigma")
        )
        return [{"outcome": outcome, "input": n, **dict.fromkeys(cols, nan)} for n in names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
            return [
                {
                    "outcome": outcome,
                    "input": n,
                    "S1": res["S1"][i],
                    "S1_conf": res["S1_conf"][i],
                    "ST": res["ST"][i],
                    "ST_conf": res["ST_conf"][i],
                }
                for i, n in enumerate(names)
            ]
        from SALib.analyze import morris

        res = morris.analyze(problem, unit, y, num_levels=4, seed=seed)
        return [
            {
                "outcome": outcome,
                "input": n,
                "mu_star": res["mu_star"][i],
                "mu_star_conf": res["mu_star_conf"][i],
                "mu": res["mu"][i],
                "sigma": res["sigma"][i],
            }
            for i, n in enumerate(names)
        ]


# --------------------------------------------------------------------------- discover
_CLAUSE = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_.:-]*)\s*(<=|>=|==|!=|<|>)\s*"
    r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"  # a number
    r"|'[^'\n]*'|\"[^\"\n]*\""  # a quoted name
    r"|[A-Za-z_][A-Za-z0-9_.:-]*)\s*$"  # a bare name (true and false are 1 and 0)
)
_OPS: Mapping[str, Callable] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def parse_outcome(text: str) -> list[tuple[str, str, float | str]]:
    """Parse ``<column> <op> <value> [and ...]`` (no ``eval``): a list of clauses.

    The value is a number (``true`` and ``false`` are 1 and 0), or a name, bare or quoted,
    for a categorical column such as ``blocker == Russia`` or
    ``outcome == russian_victory``; a name compares only with ``==`` and ``!=``.
    """
    form = (
        "expected '<column> <op> <number>' or '<column> == <name>' joined by 'and', "
        "op one of <, <=, >, >=, ==, !="
    )
    if not text.strip():
        raise ScenarioError("--outcome", "", form)
    clauses: list[tuple[str, str, float | str]] = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CLAUSE.match(part)
        if not match:
            raise ScenarioError("--outcome", part.strip(), form)
        column, op, raw = match.groups()
        number = {"true": 1.0, "false": 0.0}.get(raw.lower(), None)
        if number is not None:
            clauses.append((column, op, number))
            continue
        try:
            clauses.append((column, op, float(raw)))
            continue
        except ValueError:
            pass
        if op not in ("==", "!="):
            raise ScenarioError(
                "--outcome", part.strip(), f"a name compares only with == or !=; {form}"
            )
        clauses.append((column, op, raw[1:-1] if raw[0] in "'\"" else raw))
    return clauses


def evaluate_outcome(runs: pd.DataFrame, text: str, source: str = "--outcome") -> np.ndarray:
    """Whether each run meets the outcome; a null value (e.g. no ceasefire week) is False.

    A numeric clause needs a numeric or true/false column; a name needs a categorical or
    text column (``blocker``, ``outcome``, ...) and one of its values.
    """
    mask = np.ones(len(runs), dtype=bool)
    for column, op, value in parse_outcome(text):
        if column not in runs:
            numeric = [c for c in runs.columns if _numeric(runs[c]) or _categorical(runs[c])]
            raise ScenarioError(
                source,
                column,
                f"no such column in runs.parquet (try: {', '.join(numeric[:12])}"
                + (", ..." if len(numeric) > 12 else "")
                + ")",
            )
        series = runs[column]
        if isinstance(value, str):
            if not _categorical(series):
                raise ScenarioError(
                    source, column, f"a numeric column: compare it with a number, not {value!r}"
                )
            known = {str(v) for v in series.dropna().unique()}
            if isinstance(series.dtype, pd.CategoricalDtype):  # declared, even if unseen
                known |= {str(v) for v in series.cat.categories}
            known = sorted(known)
            if value not in known:
                raise ScenarioError(
                    source,
                    column,
                    f"no run has the value {value!r} (values: {', '.join(known) or 'none'})",
                )
            text_values = series.astype("string")
            hit = _OPS[op](text_values, value).fillna(False).to_numpy(dtype=bool)
            if op == "!=":
                hit &= text_values.notna().to_numpy()
            mask &= hit
            continue
        if not _numeric(series):
            hint = f" (compare it with a name, e.g. {column} == <value>)"
            raise ScenarioError(
                source,
                column,
                "not a numeric or true/false column" + (hint if _categorical(series) else ""),
            )
        values = series.astype("Float64")
        hit = _OPS[op](values, value).fillna(False).to_numpy(dtype=bool)
        if op == "!=":  # null is "no value": it does not differ from anything
            hit &= values.notna().to_numpy()
        mask &= hit
    return mask


def _categorical(series: pd.Series) -> bool:
    return (
        isinstance(series.dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(series)
        or pd.api.types.is_object_dtype(series)
    )


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def discovery_inputs(runs: pd.DataFrame, manifest: Mapping) -> list[str]:
    """The uncertain inputs recorded in a results folder's runs (distributions in the
    manifest, or dotted-path columns when the manifest does not say)."""
    params = manifest.get("resolved_parameters") or {}
    if params:
        names = [k for k, v in params.items() if isinstance(v, Mapping) and k in runs]
    else:
        names = [c for c in runs.columns if "." in c and _numeric(runs[c])]
    return [n for n in names if runs[n].nunique() > 1]


def check_peeling(alpha: float, min_mass: float, min_coverage: float) -> None:
    """Refuse, before reading anything, PRIM settings outside their ranges (NaN included):
    ``alpha`` and ``min_mass`` in (0, 1), ``min_coverage`` in (0, 1]."""
    for name, value in (("--alpha", alpha), ("--min-mass", min_mass)):
        if not 0 < value < 1:
            raise ScenarioError(name, "", f"must be between 0 and 1 (both excluded), got {value}")
    if not 0 < min_coverage <= 1:
        raise ScenarioError(
            "--min-coverage", "", f"must be above 0 and at most 1, got {min_coverage}"
        )


def discover(
    folder: str | Path | EnsembleResult | pd.DataFrame,
    outcome: str,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    paste: bool = False,
    slack: float = 0.01,
) -> DiscoveryResult:
    """Scenario discovery with PRIM: which ranges of the uncertain inputs make an outcome
    likely.

    Parameters
    ----------
    folder : path, EnsembleResult or DataFrame
        A results folder (``ceasefire run``), a run's result (:func:`sim.run`), or its
        runs table (``result.runs``: the uncertain inputs are then its numeric columns
        with a dotted name).
    outcome : str
        ``<column> <op> <number>`` or ``<column> == <name>`` joined by ``and``, e.g.
        ``"ceasefire_week <= 52"`` or ``"blocker == Russia"`` (:func:`parse_outcome`).
    alpha, min_mass : float
        PRIM's peeling share and smallest box (shares of runs), see :func:`sim.analysis.prim.peel`.
    min_coverage : float
        The box reported is the densest on the peeling trajectory that still covers this
        share of the runs with the outcome, with its superfluous limits dropped
        (:func:`sim.analysis.prim.prune`: limits whose removal costs at most 0.01 of density).
    paste : bool
        Try pasting after peeling.
    slack : float
        Limits that cut off at most this share of an input's range, or of the runs the box
        would hold without them, are dropped (:func:`sim.analysis.prim.drop_slack_limits`).

    Returns
    -------
    DiscoveryResult
        ``.table``: the chosen box: one row per input (``input, lower, upper, data_min, data_max,
        restricted, quasi_p``) with the box's ``coverage``, ``density`` and ``mass``;
        restricted inputs first.  ``quasi_p`` is the quasi-p-value of each restricted
        input (:func:`sim.analysis.prim.quasi_p`; NaN where unrestricted).  ``attrs``: ``trajectory`` (the peeling trajectory table), ``step``,
        ``base_rate``, ``outcome``, ``runs``, ``hits``, ``label``.
    """
    from ..results import read_results
    from .prim import drop_slack_limits, peel, prune, quasi_p

    check_peeling(alpha, min_mass, min_coverage)
    given = folder
    if isinstance(given, EnsembleResult):
        from ..results import manifest as manifest_of

        runs, manifest, folder, name = (
            given.runs,
            manifest_of(given),
            None,
            run_name(given.scenario),
        )
        where = f"{name} (in memory)"
    elif isinstance(given, pd.DataFrame):
        runs, manifest, folder, name = given, {}, None, "runs"
        where = "runs (in memory)"
    else:
        folder = Path(given)
        if not folder.is_dir():
            raise ResultsError(str(folder), "", "not a results folder (no such folder)")
        runs, _, manifest = read_results(folder)
        label = str(manifest.get("label") or folder.name)
        overrides = manifest.get("overrides") if isinstance(manifest.get("overrides"), list) else []
        name = f"{label} (overrides: {', '.join(map(str, overrides))})" if overrides else label
        where = str(folder)
    y = evaluate_outcome(runs, outcome)
    inputs = discovery_inputs(runs, manifest)
    if not inputs:
        raise ResultsError(
            where, "runs.parquet", "no uncertain inputs recorded: nothing to discover"
        )
    hits = int(y.sum())
    if hits in (0, len(y)):
        which = "no" if hits == 0 else "every"
        raise ScenarioError(
            "--outcome",
            outcome,
            f"happens in {which} run ({hits} of {len(y)}): nothing to discover",
        )
    trajectory = peel(runs[inputs], y, alpha=alpha, min_mass=min_mass, paste=paste)
    step = trajectory.choose(min_coverage)
    x = runs[inputs].to_numpy(dtype=float)
    lower, upper = prune(x, y, trajectory.lower[step], trajectory.upper[step])
    lower, upper = drop_slack_limits(x, lower, upper, slack)
    inside = np.all((x >= lower) & (x <= upper), axis=1)
    box = pd.DataFrame(
        {
            "input": inputs,
            "lower": lower,
            "upper": upper,
            "data_min": trajectory.lower[0],
            "data_max": trajectory.upper[0],
        }
    )
    box["restricted"] = (box["lower"] > box["data_min"]) | (box["upper"] < box["data_max"])
    box["quasi_p"] = quasi_p(x, y, lower, upper)
    box = box.sort_values("restricted", ascending=False, kind="stable").reset_index(drop=True)
    box["coverage"] = y[inside].sum() / hits
    box["density"] = y[inside].mean()
    box["mass"] = inside.mean()
    box.attrs.update(
        {
            "trajectory": trajectory.table(),
            "step": step,
            "base_rate": hits / len(y),
            "outcome": outcome,
            "runs": len(y),
            "hits": hits,
            "label": manifest.get("label", folder.name if folder is not None else name),
            "peeling": trajectory,
        }
    )
    settings = {"alpha": alpha, "min_mass": min_mass, "min_coverage": min_coverage, "paste": paste}
    return DiscoveryResult(box, folder, name, settings)
