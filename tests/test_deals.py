"""Tabled deals: ``sim.evaluate_deal`` and ``ceasefire deal`` (issue 13, item 4).

The mechanism tests compare deals on common random numbers: a tabled deal changes nothing
before its week, so two deals tabled in the same week meet the same replicates (the same
war, costs and beliefs) and their acceptance can be compared replicate by replicate.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.deals import evaluate_deal, parse_terms, parse_weeks
from sim.errors import ScenarioError

BASELINE = Path(__file__).parent.parent / "scenarios" / "baseline.yaml"
RUNS = 300
SEED = 7
WEEKS = [1, 26, 52]
KEYS = {"weeks", "accept", "all_accept", "blocker", "held"}


@pytest.fixture
def deal_doc(mini_doc) -> dict:
    """mini with two named deals."""
    doc = copy.deepcopy(mini_doc)
    doc["deals"] = {
        "freeze": {"description": "a ceasefire on the line", "terms": {"territory": "line"}},
        "plan": {"terms": {"territory": "line", "nato": 0.0, "troops": 0.3}},
    }
    return doc


@pytest.fixture
def deal_path(deal_doc, write_scenario) -> Path:
    return write_scenario(deal_doc, "deals.yaml")


def evaluate(path, **kwargs) -> sim.DealResult:
    kwargs = {"weeks": WEEKS, "runs": RUNS, "seed": SEED, "workers": 1, **kwargs}
    return sim.evaluate_deal(path, **kwargs)


def accepted(result: sim.DealResult, actor: str) -> np.ndarray:
    """(weeks, replicates) acceptance of ``actor``, replicates in index order."""
    return np.stack(
        [
            result.runs[w].sort_values("replicate")[f"accepted_{actor}"].to_numpy()
            for w in result.weeks
        ]
    )


# --------------------------------------------------------------------------- the command
def test_cli_writes_the_deal_object_and_folder(deal_path, tmp_path, capsys):
    out = tmp_path / "deal-out"
    code = main(
        [
            "deal",
            str(deal_path),
            "--deal",
            "plan",
            "--weeks",
            "1,26,52",
            "--runs",
            "200",
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads((out / "deal.json").read_text())  # the object: deal.json's fields
    assert KEYS <= set(data)
    assert data["weeks"] == [1, 26, 52]
    assert data["deal"] == "plan" and data["terms"]["nato"] == 0.0
    assert set(data["accept"]) == set(data["blocker"]) == {"Russia", "Ukraine"}
    for series in [data["all_accept"], data["held"], *data["accept"].values()]:
        assert len(series) == 3
    for series in [data["all_accept"], *data["accept"].values(), *data["blocker"].values()]:
        assert all(0.0 <= p <= 1.0 for p in series)
    assert all(p is None or 0.0 <= p <= 1.0 for p in data["held"])
    # the intervals travel with the estimates (issue 20: --json dropped them)
    for i, p in enumerate(data["all_accept"]):
        bounds = data["all_accept_interval"]
        assert bounds["lo"][i] <= p <= bounds["hi"][i]
    for actor, series in data["accept"].items():
        bounds = data["accept_interval"][actor]
        assert all(
            lo <= p <= hi for lo, p, hi in zip(bounds["lo"], series, bounds["hi"], strict=True)
        )
    assert len(data["held_interval"]["lo"]) == 3
    # every run is blocked by someone or agreed
    for i in range(3):
        blocked = sum(data["blocker"][a][i] for a in data["blocker"])
        assert blocked + data["all_accept"][i] == pytest.approx(1.0)

    assert sorted(p.name for p in out.iterdir()) == [
        "deal.csv",
        "deal.json",
        "plots",
        "report.html",
        "runs.parquet",
    ]
    table = pd.read_csv(out / "deal.csv")
    assert list(table["week"]) == [1, 26, 52] and (table["runs"] == 200).all()
    assert {"p_accept_Ukraine_lo", "p_all_accept_hi", "blocker_Russia", "p_held"} <= set(table)
    info = json.loads((out / "deal.json").read_text())
    assert KEYS <= set(info)
    assert info["seed"] == SEED and info["runs"] == 200 and info["kind"] == "deal"
    assert len(info["scenario_sha256"]) == 64 and info["source"] == str(deal_path)
    assert info["overrides"] == [] and "numpy" in info["versions"]
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 600 and sorted(runs["week"].unique()) == [1, 26, 52]
    assert (out / "plots" / "deal.png").stat().st_size > 20_000


def test_cli_table_with_terms(deal_path, tmp_path, capsys):
    out = tmp_path / "t"
    code = main(
        ["deal", str(deal_path), "--terms", "territory=line,nato=0", "--weeks", "5"]
        + ["--runs", "50", "--workers", "1", "--out", str(out), "--no-plots"]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "Deal 'custom' (territory=line, nato=0)" in text and "All accept" in text
    assert not (out / "plots").exists()
    assert json.loads((out / "deal.json").read_text())["terms"] == {
        "territory": "line",
        "nato": 0.0,
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--deal", "nope"], "no such deal"),
        (["--deal", "freeze", "--terms", "territory=line"], "exactly one of"),
        ([], "exactly one of"),
        (["--terms", "nato=2"], "must be a number in [0, 1]"),
        (["--terms", "nato=much"], "must be a number in [0, 1]"),
        (["--terms", "nato=nan"], "must be a number in [0, 1]"),
        (["--terms", "sanctions=0.5"], "unknown issue"),
        (["--terms", "nato=line"], "'line' is only for the battlefield issue"),
        (["--deal", "freeze", "--weeks", "0"], "at least 1"),
        (["--deal", "freeze", "--weeks", "53"], "horizon"),
        (["--deal", "freeze", "--weeks", "1,26,1"], "listed twice"),
        (["--deal", "freeze", "--weeks", "1.5"], "whole numbers"),
        (["--deal", "freeze", "--weeks", "-3"], "whole numbers"),
        (["--deal", "freeze", "--runs", "0"], "--runs"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(deal_path, tmp_path, capsys, args, says):
    out = tmp_path / "never"
    before = sorted(tmp_path.iterdir())
    code = main(["deal", str(deal_path), "--runs", "20", "--out", str(out), *args])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0]
    assert captured.out == ""
    assert not out.exists() and sorted(tmp_path.iterdir()) == before


def test_cli_existing_out_folder_is_refused(deal_path, tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    code = main(["deal", str(deal_path), "--deal", "freeze", "--runs", "10", "--out", str(out)])
    assert code == 2
    assert "already exists" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_parsers():
    assert parse_terms("territory=line, nato=0") == {"territory": "line", "nato": 0.0}
    assert parse_weeks("1, 26,52") == [1, 26, 52]
    for bad in ("", "1,,2", "x", "0"):
        with pytest.raises(ScenarioError, match="--weeks"):
            parse_weeks(bad)
    with pytest.raises(ScenarioError, match="given twice"):
        parse_terms("nato=0,nato=1")


# --------------------------------------------------------------------------- mechanisms
def test_closer_to_a_partys_ideal_is_accepted_at_least_as_often(mini_path):
    """Ukraine's ideal force is 1, Russia's 0: moving the troops term from 0.1 to 0.2 (all else
    equal) moves the deal toward Ukraine and away from Russia.  Replicate by replicate,
    Ukraine accepts the closer deal whenever it accepts the farther one, and Russia the
    reverse; and the shares move in at least one week."""
    far = evaluate(mini_path, terms={"territory": "line", "nato": 0.0, "troops": 0.1})
    near = evaluate(mini_path, terms={"territory": "line", "nato": 0.0, "troops": 0.2})
    uk_far, uk_near = accepted(far, "Ukraine"), accepted(near, "Ukraine")
    assert (uk_near >= uk_far).all()
    assert (uk_near.mean(axis=1) > uk_far.mean(axis=1)).any()
    ru_far, ru_near = accepted(far, "Russia"), accepted(near, "Russia")
    assert (ru_far >= ru_near).all()
    assert (ru_far.mean(axis=1) > ru_near.mean(axis=1)).any()


def test_loss_aversion_lowers_acceptance_of_ceding_held_territory(mini_doc, write_scenario):
    """A line at 0.95 cedes land Ukraine holds (control ~0.83-0.87).  With no referendum to
    decide it, tripling Ukraine's loss aversion lowers its acceptance in every replicate
    where it changes anything, by at least 10 points in every week."""
    doc = copy.deepcopy(mini_doc)
    del doc["actors"]["Ukraine"]["ratification_limit"]
    terms = {"territory": 0.95, "troops": 0.1}
    shares = {}
    for lam in (1.0, 3.0):
        doc["actors"]["Ukraine"]["loss_aversion"] = lam
        result = evaluate(write_scenario(doc, f"lam{lam}.yaml"), terms=terms)
        control = pd.concat(result.runs.values())["final_control"]
        assert (control < 0.95).mean() > 0.9  # the deal does cede held land
        shares[lam] = accepted(result, "Ukraine")
    assert (shares[3.0] <= shares[1.0]).all()
    drop = shares[1.0].mean(axis=1) - shares[3.0].mean(axis=1)
    assert (drop >= 0.10).all(), drop


def test_a_deal_inside_everyones_acceptance_set_is_accepted(mini_doc, write_scenario):
    """With war costly for both sides (war_cost 0.15 a week, 40-150 times mini's, against
    absolute stakes of about 2.5), a freeze on the line beats fighting on for both; it needs
    no ratification (it cedes nothing Ukraine holds), so it is signed."""
    doc = copy.deepcopy(mini_doc)
    for actor in ("Russia", "Ukraine"):
        doc["actors"][actor]["war_cost"] = 0.15
    result = evaluate(write_scenario(doc), terms={"territory": "line"})
    assert (result.table["p_all_accept"] >= 0.99).all()
    assert (result.table["blocker_Russia"] + result.table["blocker_Ukraine"] <= 0.01).all()


def test_ratification_blocks_ceding_held_territory(mini_doc, write_scenario):
    """Ukraine can ratify no cession at all (limit 0): a deal giving Russia its whole claim
    is rejected by Ukraine in every replicate (its army never breaks, so no defeat it
    foresees lifts the limit), and Ukraine is the blocker wherever Russia accepts.  (Where
    mini's optimistic Russia expects to take the last fort within its outlook, a victory
    would also impose neutrality, so it refuses even its whole claim with NATO's path open.)"""
    doc = copy.deepcopy(mini_doc)
    doc["actors"]["Ukraine"]["ratification_limit"] = 0.0
    result = evaluate(write_scenario(doc), terms={"territory": 1.0})
    assert not accepted(result, "Ukraine").any()
    for week in result.weeks:
        runs = result.runs[week]
        assert (runs.loc[runs["accepted_Russia"], "blocker"] == "Ukraine").all()
    assert (result.table["p_all_accept"] == 0.0).all()
    assert result.table["p_held"].isna().all()  # nothing signed, nothing to hold


def test_weeks_share_replicates_and_table_matches_runs(deal_path):
    """Each week's runs are the seed's replicates; the table's shares are their means."""
    result = evaluate(deal_path, deal="plan", weeks=[1, 40])
    for week, row in zip(result.weeks, result.table.itertuples(), strict=True):
        runs = result.runs[week]
        assert sorted(runs["replicate"]) == list(range(RUNS))
        assert row.p_accept_Ukraine == pytest.approx(runs["accepted_Ukraine"].mean())
        assert row.p_accept_Ukraine_lo <= row.p_accept_Ukraine <= row.p_accept_Ukraine_hi
    assert "plan" in repr(result) and sim.evaluate_deal.__wrapped__ is evaluate_deal  # given=


# --------------------------------------------------------------------------- the baseline
@pytest.mark.parametrize("deal", ["freeze", "european_plan", "russian_terms"])
def test_baseline_deals_run(deal):
    began = time.perf_counter()
    result = sim.evaluate_deal(BASELINE, deal=deal, weeks=[1, 26], runs=100, workers=1)
    assert result.weeks == [1, 26] and list(result.table["runs"]) == [100, 100]
    data = result.to_json()
    assert set(data["accept"]) == {"Russia", "Ukraine"}
    assert all(0 <= p <= 1 for p in data["all_accept"])
    assert time.perf_counter() - began < 10
