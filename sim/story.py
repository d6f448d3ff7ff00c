"""The story of one simulated world, in dated lines: what the mediator tabled, who
accepted and who refused (with their surplus), when a ceasefire was signed, broke or a side
won, and how it stood at the horizon (``ceasefire story DIR --replicate I``).

Told from a run's folder: ``offers.parquet`` (every package tabled in the kept replicates,
:mod:`sim.offers`), ``trajectories.npz`` (the weekly state) and ``runs.parquet`` (the
replicate's outcome record, which the last line restates).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ScenarioError
from .outcomes import STATES
from .report.truth import start_date, week_date


def _when(start, week: int) -> str:
    return f"{week_date(start, week)} (week {week})" if start else f"week {week}"


def _terms(row: pd.Series, issues: list[str]) -> str:
    return ", ".join(f"{issue} {float(row[f'terms_{issue}']):.2f}" for issue in issues)


def _answers(row: pd.Series, vetoes: list[str], names: dict) -> str:
    said = []
    for actor in vetoes:
        verb = "accepts" if row[f"accepts_{actor}"] else "refuses"
        if not row[f"ratified_{actor}"]:
            verb += " (cannot ratify the territory)"
        said.append(
            f"{names.get(actor, actor)} {verb} (surplus {float(row[f'surplus_{actor}']):+.3f})"
        )
    return ", ".join(said)


def story(folder: str | Path, replicate: int) -> list[str]:
    """The history of replicate ``replicate`` of a run's results folder, one dated line
    per event (dates when the scenario has ``start:``, else week numbers).

    Raises
    ------
    ScenarioError
        When the folder is not a run's, has no record of offers, or the replicate is not
        one whose history was kept.
    """
    from .results import read_results

    folder = Path(folder)
    runs, weekly, info = read_results(folder)
    path = folder / "offers.parquet"
    if not path.is_file():
        raise ScenarioError(
            str(folder),
            "offers.parquet",
            "missing: this run kept no offers (made by an older version?)",
        )
    offers = pd.read_parquet(path)
    kept = np.asarray(weekly.get("replicate", []))
    if replicate not in set(kept.tolist()):
        shown = f"0-{int(kept.max())}" if len(kept) else "none"
        raise ScenarioError(
            "--replicate", str(replicate), f"no history kept for it (kept replicates: {shown})"
        )
    row = runs.loc[runs["replicate"] == replicate].iloc[0]
    i = int(np.flatnonzero(kept == replicate)[0])
    status, control = weekly["status"][i], weekly["control"][i]
    issues = list(info["issues"])
    names = {k: str(v) for k, v in (info.get("actors") or {}).items()}
    vetoes = [c.removeprefix("accepts_") for c in offers.columns if c.startswith("accepts_")]
    start = start_date({}, info)
    mine = offers[offers["replicate"] == replicate].sort_values("week")
    states = list(STATES)
    lines = [
        f"{_when(start, 0)}: {STATES[states[int(status[0])]].lower()}; Russia holds "
        f"{float(control[0]):.1%} of the territory in dispute."
    ]
    events: list[tuple[int, int, str]] = []
    for _, offer in mine.iterrows():
        week = int(offer["week"])
        end = (
            "a ceasefire is signed"
            if offer["agreed"]
            else f"blocked by {names.get(offer['blocker'], offer['blocker'])}"
        )
        text = (
            f"{_when(start, week)}: the mediator tables {_terms(offer, issues)}; "
            f"{_answers(offer, vetoes, names)}: {end}."
        )
        events.append((week, 0, text))
    for week in range(1, len(status)):
        before, now = states[int(status[week - 1])], states[int(status[week])]
        if before == now or now == "ceasefire":
            continue  # signing is told with its offer
        if now == "war_resumed":
            text = "the ceasefire collapses: the war resumes"
        elif now in ("russian_victory", "ukrainian_victory"):
            text = f"{STATES[now].lower()}: the war is decided on the battlefield"
        else:
            text = f"{STATES[now].lower()}"
        events.append(
            (week, 1, f"{_when(start, week)}: {text} (Russia holds {float(control[week]):.1%}).")
        )
    lines += [text for _, _, text in sorted(events)]
    horizon = int(info["horizon_weeks"])
    outcome = str(row["outcome"])
    record = [f"outcome {outcome}"]
    if pd.notna(row["ceasefire_week"]):
        record.append(f"first ceasefire in week {int(row['ceasefire_week'])}")
    if pd.notna(row["blocker"]):
        record.append(f"last package blocked by {row['blocker']}")
    if pd.notna(row.get("breaker")):
        record.append(f"last ceasefire ended by {row['breaker']}")
    lines.append(
        f"{_when(start, horizon)}: {STATES.get(outcome, outcome).lower()}; Russia holds "
        f"{float(row['final_control']):.1%} (runs.parquet: {', '.join(record)})."
    )
    return lines
