"""Global sensitivity of the headline outcomes to every uncertain input: Sobol' indices
or Morris elementary effects (SALib), :func:`sensitivity`.

The design lives in the unit cube; each design point's inputs are given to the model as
explicit per-replicate inputs of one arm (:class:`sim.ensemble.Arm`), every point on the
same seed (common random numbers), so differences between points come from the inputs.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import outcomes
from ..distributions import Distribution
from ..ensemble import Arm, run_arms
from ..errors import OptionError, ScenarioError
from ..jobs import Job
from ..options import RunOptions
from ..parameters import flat_parameters, uncertain
from ..scenario import Scenario, load_scenario
from ..snapshot import as_snapshot
from .explored import SensitivityResult


def check_samples(method: str, samples: int | None) -> None:
    """Refuse, before any work, a method other than sobol or morris, and a Sobol base
    sample that is not a power of two (Sobol' sequences lose their balance properties
    otherwise; rounding it silently would run more than was asked)."""
    if method not in INDICES:
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
    chunk_size: int | None = None,
    options: RunOptions | None = None,
) -> SensitivityResult:
    """Global sensitivity of the headline outcomes to every uncertain input.

    The design lives in the unit cube: SALib samples ``u`` in [0, 1] for each input and the
    input's value is its distribution's quantile ``ppf(u)``, so each input ranges over its
    own distribution (uniform, triangular, normal, choice alike).  Each design point runs
    ``replicates`` replicates with those inputs fixed (explicit per-replicate inputs of the
    one arm, :class:`sim.ensemble.Arm`); the outcomes are averaged over them.

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
    workers, on_progress, checkpoint, scheduler, chunk_size
        The other fields of :class:`~sim.options.RunOptions` (or give ``options``; its
        ``runs`` is the design's and may not be given).
    policy : str, optional
    overrides : iterable of str
    options : RunOptions, optional

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

    options = RunOptions.merged(
        options,
        seed=seed,
        workers=workers,
        on_progress=on_progress,
        checkpoint=checkpoint,
        scheduler=scheduler,
        chunk_size=chunk_size,
    )
    if options.runs is not None:
        raise OptionError("runs", "sensitivity runs its design: give samples and replicates")
    checked = check_options(samples=samples, replicates=replicates, overrides=overrides)
    samples, replicates = checked["samples"], checked["replicates"]
    check_samples(method, samples)
    overrides = tuple(checked["overrides"] or ())
    if isinstance(scenario, Scenario) and policy in (None, scenario.policy) and not overrides:
        base = scenario
    elif isinstance(scenario, Scenario):
        snapshot, policy, overrides = as_snapshot(scenario, policy, overrides)
        base = snapshot.build(policy, overrides)
    else:
        base = load_scenario(scenario, policy, overrides)
    return sensitivity_of(base, method, samples, replicates, options)


def sensitivity_of(
    base: Scenario,
    method: str = "sobol",
    samples: int | None = None,
    replicates: int = 4,
    options: RunOptions | None = None,
) -> SensitivityResult:
    """:func:`sensitivity` of a scenario already loaded (the options checked)."""
    options = options or RunOptions()
    spec = base.spec
    seed = spec.seed if options.seed is None else options.seed
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
    # replicate r of the one arm runs design point r // replicates: its inputs fixed there
    design = {name: np.repeat(np.asarray(values[name], float), replicates) for name in names}
    (result,) = run_arms(
        [Arm(base, inputs=design)], options.with_(runs=points * replicates, seed=seed)
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
    return SensitivityResult(
        table,
        base,
        base.policy,
        tuple(base.overrides),
        method=method,
        points=points,
        replicates=replicates,
        seed=seed,
        design=pd.concat([design, per_point.reset_index(drop=True)], axis=1),
        labels={o.key: _sensitivity_label(o, spec.horizon) for o in chosen},
        samples=samples or (SOBOL_SAMPLES if method == "sobol" else MORRIS_TRAJECTORIES),
        warnings=sobol_warnings(table) if method == "sobol" else [],
    )


def _sensitivity_label(outcome: outcomes.Outcome, horizon: int) -> str:
    if outcome.kind == "week":
        return "Median week of first ceasefire (a point's runs; horizon + 1 if none)"
    return outcome.title(horizon)


INDICES = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "mu", "sigma"),
}
"""The index columns of each method, as SALib names them (the table's columns)."""


def _indices(
    method: str, problem: dict, unit: np.ndarray, y: np.ndarray, outcome: str, seed: int
) -> list[dict]:
    names, cols = problem["names"], INDICES[method]
    if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
        # a constant outcome has no variance to share out
        return [{"outcome": outcome, "input": n, **dict.fromkeys(cols, math.nan)} for n in names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        else:
            from SALib.analyze import morris

            res = morris.analyze(problem, unit, y, num_levels=4, seed=seed)
    return [
        {"outcome": outcome, "input": n, **{c: res[c][i] for c in cols}}
        for i, n in enumerate(names)
    ]


def sensitivity_folder(
    scenario: str | Path | Scenario,
    method: str = "sobol",
    samples: int | None = None,
    replicates: int = 4,
    policy: str | None = None,
    overrides: Iterable[str] = (),
    options: RunOptions | None = None,
    job: Job | None = None,
) -> tuple[SensitivityResult, Path]:
    """``ceasefire sensitivity``: the scenario and the design's size checked, then the job
    (:mod:`sim.jobs`): its folder claimed, the design run (resumable), the folder written."""
    from ..checkpoint import job_identity
    from ..jobs import check_total, run_job
    from ..results import run_label

    options, job = options or RunOptions(), job or Job()
    check_samples(method, samples)
    overrides = tuple(overrides)
    base = load_scenario(scenario, policy, overrides)
    inputs = uncertain(flat_parameters(base.spec))
    if not inputs:
        raise ScenarioError(
            str(scenario),
            "",
            "has no uncertain inputs (no field is a distribution): nothing to analyse",
        )
    total = design_points(len(inputs), method, samples) * replicates
    check_total(total, "--samples", f"{total:,} (design points x --replicates)")
    identity = job_identity(
        "sensitivity",
        [base],
        base.spec.seed if options.seed is None else options.seed,
        {
            "method": method,
            "samples": samples,
            "replicates": replicates,
            "policy": policy,
            "overrides": list(overrides),
        },
    )
    return run_job(
        job,
        f"sensitivity-{run_label(base.label, base.overrides)}",
        total,
        f"{method}, {len(inputs)} inputs",
        lambda o: sensitivity_of(base, method, samples, replicates, o),
        options,
        identity,
    )
