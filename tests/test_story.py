"""Offers and answers are recorded (offers.parquet, the weekly state as a labelled table),
and ``ceasefire story`` tells a replicate's history consistent with its row in
runs.parquet."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.offers import weekly_table
from sim.outcomes import STATES
from sim.results import read_results
from sim.story import story

RUNS = 40


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("story") / "baseline"
    assert main(["run", "baseline", "-n", str(RUNS), "-w", "1", "--no-plots", "-o", str(out)]) == 0
    return out


def test_every_offer_of_the_kept_replicates_is_recorded(baseline):
    offers = pd.read_parquet(baseline / "offers.parquet")
    runs = pd.read_parquet(baseline / "runs.parquet")
    assert set(offers["replicate"]) <= set(runs["replicate"])
    vetoes = [c.removeprefix("accepts_") for c in offers if c.startswith("accepts_")]
    assert vetoes and {f"terms_{i}" for i in ("territory", "nato", "troops", "sanctions")} <= set(
        offers
    )
    # agreed exactly when every veto player accepts, and then nobody blocks
    assert (offers["agreed"] == offers[[f"accepts_{v}" for v in vetoes]].all(axis=1)).all()
    assert (offers.loc[offers["agreed"], "blocker"] == "").all()
    assert (offers.loc[~offers["agreed"], "blocker"] != "").all()
    for _, row in runs.iterrows():
        mine = offers[offers["replicate"] == row["replicate"]].sort_values("week")
        signed = mine[mine["agreed"]]
        if pd.notna(row["ceasefire_week"]):  # the first agreed offer is the first ceasefire
            assert int(signed["week"].iloc[0]) == int(row["ceasefire_week"])
        else:
            assert signed.empty
        if pd.notna(row["blocker"]) and len(mine):  # the last package's blocker
            assert mine["blocker"].iloc[-1] == row["blocker"]


def test_the_weekly_state_is_a_labelled_table(baseline):
    _, weekly, info = read_results(baseline)
    table = weekly_table(weekly, list(info["actors"]), list(info["issues"]), replicates=[0, 1])
    assert list(table.columns[:4]) == ["replicate", "week", "actor", "issue"]
    assert set(table["replicate"]) == {0, 1} and set(table["issue"]) == set(info["issues"])
    i = int(np.flatnonzero(weekly["replicate"] == 1)[0])
    a, k = list(info["actors"]).index("Russia"), list(info["issues"]).index("nato")
    cell = table[(table["replicate"] == 1) & (table["week"] == 3) & (table["actor"] == "Russia")]
    assert cell.loc[cell["issue"] == "nato", "position"].item() == weekly["position"][i, 3, a, k]
    assert set(table["status"]) <= set(STATES)


@pytest.mark.parametrize("replicate", range(0, RUNS, 7))
def test_the_story_agrees_with_the_runs_table(baseline, replicate, capsys):
    runs = pd.read_parquet(baseline / "runs.parquet")
    row = runs[runs["replicate"] == replicate].iloc[0]
    assert main(["story", str(baseline), "--replicate", str(replicate)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == story(baseline, replicate)
    # lines start "week N:" or, with a calendar, "YYYY-MM-DD (week N):"
    signed = [
        int(re.search(r"week (\d+)\)?:", line).group(1)) for line in lines if "signed" in line
    ]
    if pd.notna(row["ceasefire_week"]):
        assert signed and signed[0] == int(row["ceasefire_week"])
    else:
        assert not signed
    assert STATES[str(row["outcome"])].lower() in lines[-1]
    horizon = read_results(baseline, False)[2]["horizon_weeks"]
    assert re.match(rf"(\d{{4}}-\d\d-\d\d \()?week {horizon}\)?:", lines[-1])
    tabled = [line for line in lines if "the mediator tables" in line]
    assert all("surplus" in line for line in tabled)


def test_a_replicate_without_a_kept_history_is_one_line(baseline, capsys):
    assert main(["story", str(baseline), "--replicate", str(RUNS + 5)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no history kept" in err[0]
