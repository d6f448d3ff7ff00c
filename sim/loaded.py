"""Results folders read back as the result objects that wrote them: :func:`load`.

``sim.load(folder)`` gives the object the command's notebook twin returns (an
:class:`~sim.ensemble.EnsembleResult` for ``run``, a ``ComparisonResult`` for ``compare``,
and so on), rebuilt from the folder's files and the scenario text its manifest records, so
``.summary()``, ``.plot()`` and the tables work on a folder as on a fresh result.
:func:`replot` redraws any folder's figures (``ceasefire plot``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import ScenarioError

if TYPE_CHECKING:
    from .analysis.compare import ComparisonResult
    from .jobs import Job

KIND_FILES = {
    "compare": "comparison.csv",
    "sweep": "sweep.csv",
    "sensitivity": "sensitivity.csv",
    "discover": "discover.csv",
    "deal": "deal.csv",
}


def _json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ScenarioError(str(path), "", f"cannot read as JSON ({type(err).__name__})") from None
    if not isinstance(data, dict):
        raise ScenarioError(str(path), "", "expected a JSON object")
    return data


def kind_of(folder: str | Path) -> tuple[str, dict]:
    """The kind of a results folder (``run``, ``compare``, ...) and its manifest.

    Raises
    ------
    ScenarioError
        When ``folder`` holds neither ``manifest.json`` nor ``deal.json``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(str(folder), "", "not a results folder (no such folder)")
    for name, default in (("manifest.json", "run"), ("deal.json", "deal")):
        if (folder / name).is_file():
            info = _json(folder / name)
            return str(info.get("kind") or default), info
    raise ScenarioError(str(folder), "", "not a results folder (no manifest.json or deal.json)")


def scenario_of(info: dict, where: str):
    """The :class:`~sim.scenario.Scenario` a manifest (or an arm of one) records: rebuilt
    from its ``scenario_texts``, with its policy and overrides, reading no file."""
    from .scenario import build_scenario
    from .scenario.reading import _load_document

    texts = info.get("scenario_texts")
    source = info.get("source")
    if not isinstance(texts, dict) or not isinstance(source, str):
        raise ScenarioError(where, "scenario_texts", "the folder does not record its scenario")

    def read(path: Path) -> str:
        text = texts.get(str(path))
        if text is None:  # a parent recorded under another working folder's path
            named = [t for k, t in texts.items() if Path(k).name == path.name]
            text = named[0] if len(named) == 1 else None
        if text is None:
            raise ScenarioError(where, "scenario_texts", f"no recorded text of {path}")
        return text

    doc = _load_document(Path(source), (Path(source),), {}, read)
    return build_scenario(
        doc, source, dict(texts), info.get("policy"), tuple(info.get("overrides") or ())
    )


def _table(folder: Path, kind: str) -> pd.DataFrame:
    path = folder / KIND_FILES[kind]
    try:
        return pd.read_csv(path)
    except Exception as err:  # noqa: BLE001 - a missing or bad table, in one line
        raise ScenarioError(str(path), "", f"cannot read ({type(err).__name__})") from None


def load(folder: str | Path) -> Any:
    """The result object of any results folder.

    Parameters
    ----------
    folder : str or Path
        A folder written by ``run``, ``compare``, ``deal``, ``sweep``, ``sensitivity`` or
        ``discover`` (or by the result's ``.save``).

    Returns
    -------
    EnsembleResult, ComparisonResult, DealResult, SweepResult, SensitivityResult or
    DiscoveryResult

    Raises
    ------
    ScenarioError
        When the folder is not a results folder, or a file it needs cannot be read.
    """
    folder = Path(folder)
    kind, info = kind_of(folder)
    loader = {
        "run": _run,
        "compare": _compare,
        "deal": _deal,
        "sweep": _sweep,
        "sensitivity": _sensitivity,
        "discover": _discover,
    }.get(kind)
    if loader is None:
        raise ScenarioError(str(folder), "kind", f"unknown kind of results folder: {kind!r:.40}")
    return loader(folder, info)


def _run(folder: Path, info: dict):
    from .ensemble import EnsembleResult
    from .results import read_results

    runs, trajectories, info = read_results(folder)
    scenario = scenario_of(info, str(folder / "manifest.json"))
    return EnsembleResult(
        scenario, runs, trajectories, int(info.get("seed", 0)), info.get("timings") or {}
    )


def _compare(folder: Path, info: dict):
    from .analysis.compare import ComparisonResult
    from .ensemble import EnsembleResult

    table = _table(folder, "compare")
    table["reference"] = table["reference"].astype(str).str.lower().eq("true")
    results = {}
    for label, arm in (info.get("arms") or {}).items():
        runs = pd.read_parquet(folder / arm["file"])
        scenario = scenario_of(arm, str(folder / "manifest.json"))
        results[label] = EnsembleResult(scenario, runs, {}, int(info.get("seed", 0)))
    title = f"{info.get('reference')}: {len(results)} arms, {info.get('runs')} runs each"
    return ComparisonResult(
        table,
        results,
        title,
        list(info.get("metrics") or []),
        str(info.get("reference") or ""),
        paired=info.get("paired", True) is not False,
    )


def _deal(folder: Path, info: dict):
    from .deals import DealResult

    table = _table(folder, "deal")
    runs = pd.read_parquet(folder / "runs.parquet") if (folder / "runs.parquet").is_file() else None
    by_week = {}
    if runs is not None and "week" in runs:
        by_week = {
            int(w): frame.drop(columns="week").reset_index(drop=True)
            for w, frame in runs.groupby("week")
        }
    scenario = scenario_of(info, str(folder / "deal.json"))
    return DealResult(
        deal=str(info.get("deal")),
        terms=dict(info.get("terms") or {}),
        weeks=[int(w) for w in info.get("weeks") or table["week"]],
        vetoes=list(info.get("vetoes") or []),
        table=table,
        runs=by_week,
        scenario=scenario,
        seed=int(info.get("seed", 0)),
        wall_seconds=float(info.get("wall_seconds", 0.0)),
    )


def _sweep(folder: Path, info: dict):
    from .analysis.explored import SweepResult

    scenario = scenario_of(info, str(folder / "manifest.json"))
    table = _table(folder, "sweep")
    vary = [str(v).split("=")[0] for v in info.get("vary") or []]
    runs = pd.read_parquet(folder / "runs.parquet") if (folder / "runs.parquet").is_file() else None
    return SweepResult(
        table, runs, scenario, list(info.get("vary") or []), info.get("policy"),
        tuple(info.get("overrides") or ()), paths=vary, seed=int(info.get("seed") or 0),
        runs_per_point=int(info.get("runs") or 0), horizon=scenario.spec.horizon,
    )  # fmt: skip


def _sensitivity(folder: Path, info: dict):
    from .analysis.explored import SensitivityResult
    from .analysis.sensitivity import _sensitivity_label
    from .outcomes import headline_outcome

    scenario = scenario_of(info, str(folder / "manifest.json"))
    table = _table(folder, "sensitivity")
    design = folder / "design.parquet"
    labels = {}
    for key in dict.fromkeys(table["outcome"]):
        outcome = headline_outcome(str(key))
        labels[key] = _sensitivity_label(outcome, scenario.spec.horizon) if outcome else key
    return SensitivityResult(
        table,
        scenario,
        info.get("policy"),
        tuple(info.get("overrides") or ()),
        method=str(info.get("method", "sobol")),
        points=int(info.get("points") or 0),
        replicates=int(info.get("replicates") or 1),
        seed=int(info.get("seed") or 0),
        design=pd.read_parquet(design) if design.is_file() else pd.DataFrame(),
        labels=labels,
        warnings=list(info.get("warnings") or []),
    )


def _discover(folder: Path, info: dict):
    from .analysis.explored import DiscoveryResult

    table = _table(folder, "discover")
    table["restricted"] = table["restricted"].astype(str).str.lower().eq("true")
    trajectory = folder / "trajectory.csv"
    runs, hits = int(info.get("runs", 0)), int(info.get("hits", 0))
    results = info.get("results")
    settings = {k: info[k] for k in ("alpha", "min_mass", "min_coverage", "paste") if k in info}
    label = Path(results).name if isinstance(results, str) else folder.name
    return DiscoveryResult(
        table,
        Path(results) if isinstance(results, str) else None,
        label,
        settings,
        outcome=str(info.get("outcome") or ""),
        trajectory=pd.read_csv(trajectory) if trajectory.is_file() else pd.DataFrame(),
        step=int(info.get("step") or 0),
        runs=runs,
        hits=hits,
        base_rate=hits / runs if runs else float("nan"),
        label=label,
    )


def replot(folder: str | Path, suffix: str = ".png") -> list[Path]:
    """(Re)draw every figure of a results folder of any kind into ``folder/plots``, as
    the command that wrote it does; returns the files.

    Raises
    ------
    ScenarioError
        As :func:`load`.
    """
    from .plots.style import save_figures

    folder = Path(folder)
    kind, _ = kind_of(folder)
    if kind == "run":
        from .results import plot_results

        return plot_results(folder, suffix)
    result = load(folder)
    if kind == "sensitivity":
        figures = result.figures()
    else:
        drawn = result.plot()
        figures = drawn if isinstance(drawn, dict) else {kind: drawn}
    return save_figures(figures, folder / "plots", suffix)


def write_folder_comparison(
    comparison: ComparisonResult,
    folders: list[str | Path],
    out: Path,
    plots: bool = True,
    provenance: Mapping | None = None,
) -> None:
    """Write the folder of ``compare DIR DIR ...`` into ``out`` (which the caller makes
    atomic): the same files as a ``compare`` of scenarios (comparison.csv, the arms'
    runs, manifest.json, the figures), the manifest saying the differences are unpaired
    and naming the folders compared."""
    from dataclasses import replace

    from .analysis.compare import write_comparison

    arms = comparison.table["arm"]
    results = {label: load(folder) for label, folder in zip(arms, folders, strict=True)}
    write_comparison(replace(comparison, results=results), out, plots, provenance)
    manifest = out / "manifest.json"
    info = _json(manifest)
    info["paired"] = False  # separate runs: no common random numbers
    info["folders"] = [str(f) for f in folders]
    manifest.write_text(json.dumps(info, indent=2, default=str) + "\n")


def compared_folders(
    folders: Sequence[str | Path], job: Job | None = None
) -> tuple[ComparisonResult, Path]:
    """``ceasefire compare DIR DIR ...``: results folders of ``run`` compared as they are
    (unpaired, nothing run), the comparison written to its own folder (:mod:`sim.jobs`)."""
    from .analysis.folders import check_results_folder, compare_folders
    from .jobs import Job, out_folder
    from .results import atomic_dir, reserved

    job = job or Job()
    for folder in folders:
        check_results_folder(folder)
    if len(folders) < 2:
        raise ScenarioError(str(folders[0]), "", "give two or more results folders to compare")
    out = out_folder(job, f"compare-{Path(folders[0]).name}")
    comparison = compare_folders(folders)
    with reserved(out), atomic_dir(out) as tmp:
        write_folder_comparison(comparison, list(folders), tmp, job.plots, job.provenance)
    return comparison, out
