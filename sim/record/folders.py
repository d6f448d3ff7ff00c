"""Results folders of the record commands: ``calibrate`` and ``backtest``.

Each writer fills a folder the caller makes atomic (:func:`sim.results.atomic_dir`, which
writes ``report.html`` last): ``manifest.json`` (``kind``, the command's JSON object and
what produced it), the tables as CSV, the kept replicates, the figures.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path


def provenance(
    scenario, record, seed: int, wall_seconds: float, command: Mapping | None = None
) -> dict:
    """What produced a record folder: scenario and record texts and hashes, seed, versions;
    ``command``: the command line that made it (:class:`sim.jobs.Job`), if one did."""
    from ..results import versions

    spec = scenario.spec
    try:
        record_text = Path(record.source).read_text(encoding="utf-8")
    except OSError:
        record_text = None
    return {
        "scenario": scenario.name,
        "label": scenario.label,
        "source": scenario.source,
        "policy": scenario.policy,
        "overrides": list(scenario.overrides),
        "scenario_sha256": scenario.text_hash,
        "scenario_texts": scenario.texts,
        "record": record.source,
        "record_sha256": (
            hashlib.sha256(record_text.encode()).hexdigest() if record_text is not None else None
        ),
        "record_text": record_text,
        "start": record.start,
        "horizon_weeks": spec.horizon,
        "actors": {k: a.name or k for k, a in spec.actors.items()},
        "seed": seed,
        "wall_seconds": wall_seconds,
        **(command or {}),
        "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _write_json(path: Path, info: dict) -> None:
    path.write_text(json.dumps(info, indent=2, default=str, allow_nan=False) + "\n")


def write_calibration(
    result, out: Path, plots: bool = True, command: Mapping | None = None
) -> None:
    """``manifest.json``, ``facts.csv``, ``inputs.csv``, ``kept.parquet`` (the kept
    replicates' inputs, outcomes and record columns) and ``plots/posterior.png``."""
    info = {
        **result.to_json(),
        "kind": "calibrate",
        "until": result.until,
        "message": result.message(),
        "warnings": result.warnings(),
        "facts_table": json.loads(result.facts.to_json(orient="records")),
        "inputs_table": json.loads(result.inputs.to_json(orient="records")),
        **provenance(result.scenario, result.record, result.seed, result.wall_seconds, command),
        "runs": result.n,
    }
    _write_json(out / "manifest.json", info)
    result.facts.to_csv(out / "facts.csv", index=False)
    result.inputs.to_csv(out / "inputs.csv", index=False)
    result.kept_runs().to_parquet(out / "kept.parquet", index=False)
    if plots:
        from ..plots.style import save_figures

        save_figures({"posterior": result.plot()}, out / "plots")


def write_backtest(result, out: Path, plots: bool = True, command: Mapping | None = None) -> None:
    """``manifest.json``, ``questions.csv`` and, with enough questions,
    ``plots/reliability.png``."""
    info = {
        **result.to_json(),
        "kind": "backtest",
        "warnings": result.warnings(),
        # a reason, not --no-plots: the report does not ask for the missing figure
        "figures_omitted": not result.reliable_enough(),
        **provenance(result.scenario, result.record, result.seed, result.wall_seconds, command),
        "runs": result.runs,
    }
    _write_json(out / "manifest.json", info)
    result.questions.to_csv(out / "questions.csv", index=False)
    if plots and result.reliable_enough():
        from ..plots.style import save_figures

        save_figures({"reliability": result.plot()}, out / "plots")
