"""Scenario discovery with PRIM: which ranges of the uncertain inputs make an outcome
likely (:func:`discover`), from a run's results folder or its result in memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..ensemble import EnsembleResult
from ..errors import ResultsError, ScenarioError
from ..jobs import Job
from .explored import DiscoveryResult, run_name

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
        input (:func:`sim.analysis.prim.quasi_p`; NaN where unrestricted); the result's
        attributes: ``trajectory`` (the peeling trajectory table), ``step``,
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
    settings = {"alpha": alpha, "min_mass": min_mass, "min_coverage": min_coverage, "paste": paste}
    return DiscoveryResult(
        box,
        folder,
        name,
        settings,
        outcome=outcome,
        trajectory=trajectory.table(),
        step=step,
        runs=len(y),
        hits=hits,
        base_rate=hits / len(y),
        label=manifest.get("label", folder.name if folder is not None else name),
        peeling=trajectory,
    )


def discover_folder(
    folder: str | Path,
    outcome: str,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    paste: bool = False,
    job: Job | None = None,
) -> tuple[DiscoveryResult, Path]:
    """``ceasefire discover``: the box found, then its folder written (by default beside the
    run's folder, :mod:`sim.jobs`); nothing is run."""
    from ..jobs import run_job
    from ..results import run_label

    job = job or Job()
    result = discover(folder, outcome, alpha, min_mass, min_coverage, paste)
    label = run_label(*_run_of(Path(folder), result.label))
    return run_job(job, f"discover-{label}", 0, "", lambda o: result, root=Path(folder).parent)


def _run_of(folder: Path, default: str = "") -> tuple[str, list[str]]:
    """The run a results folder holds: its label and ``--set`` overrides (manifest)."""
    from ..folder_files import read_json

    try:
        info = read_json(folder, "manifest.json")  # a regular file inside it, bounded
    except (OSError, ScenarioError):
        info = {}
    info = info if isinstance(info, dict) else {}
    label = str(info.get("label") or default or Path(folder).name)
    overrides = info.get("overrides") if isinstance(info.get("overrides"), list) else []
    return label, [str(o) for o in overrides]
