"""The registry of headline outcomes (sim.outcomes.HEADLINE): every table is derived from it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import sim.outcomes as outcomes
from sim.analysis import paired, sensitivity, sweep


def runs_table(n: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    reached = rng.random(n) < 0.7
    week = np.where(reached, rng.integers(1, 100, n), -1)
    return outcomes.to_frame(
        {
            "replicate": np.arange(n),
            "ceasefire": reached,
            "ceasefire_week": week,
            "held": (held := reached & (rng.random(n) < 0.8)),
            "capitulated": np.where(held & (rng.random(n) < 0.5), "ukraine", ""),
            "outcome": np.where(held, "ceasefire", np.where(reached, "war_resumed", "war")),
            "collapses": rng.integers(0, 3, n),
            "breaker": np.where(reached & ~held, "Russia", ""),
            "final_control": rng.uniform(0.8, 0.9, n),
            "blocker": np.where(reached, "", "Russia"),
            "terms_territory": np.where(reached, rng.random(n), np.nan),
            "rejections_Russia": rng.integers(0, 5, n),
        }
    )


def keys_everywhere(runs: pd.DataFrame, horizon: int) -> dict[str, set[str]]:
    """The headline keys each derived table holds."""
    metrics = {m.key for m in paired.metrics(["territory"], horizon)}
    table = paired.compare_runs(
        {"a": runs, "b": runs}, {"a": horizon, "b": horizon}, ["territory"], n_resamples=50
    )
    return {
        "summary.json": set(outcomes.summarize(runs, ["territory"], horizon)),
        "compare metrics": metrics - {"terms_territory"},
        "compare table": set(table.columns),
        "sweep table": set(sweep.headline(runs, horizon)),
        "sensitivity": set(sensitivity._point_outcomes(runs, 10, 4, horizon).columns),
    }


def test_one_vocabulary_everywhere():
    runs = runs_table()
    keys = [o.key for o in outcomes.headline_outcomes(104)]
    assert keys == [
        "p_ceasefire",
        "p_by_26",
        "p_by_52",
        "p_held",
        "p_russian_victory",
        "p_ukrainian_victory",
        "p_russia_prevails",
        "p_ukraine_prevails",
        "p_collapse",
        "median_week",
        "final_control",
    ]
    for where, found in keys_everywhere(runs, 104).items():
        assert set(keys) <= found, where
    summary = outcomes.summarize(runs, ["territory"], 104)
    for key in keys:
        assert summary[f"{key}_lo"] <= summary[key] <= summary[f"{key}_hi"], key
    shares = summary["outcomes"]
    assert list(shares) == list(outcomes.STATES)
    assert sum(s["share"] for s in shares.values()) == pytest.approx(1.0)
    assert all(s["lo"] <= s["share"] <= s["hi"] for s in shares.values())


def test_weeks_at_or_after_the_horizon_are_left_out():
    keys = [o.key for o in outcomes.headline_outcomes(52)]
    assert "p_by_26" in keys and "p_by_52" not in keys  # by week 52 is p_ceasefire there
    assert "p_by_52" not in outcomes.summarize(runs_table(), [], 52)


def test_a_new_entry_reaches_every_table(monkeypatch):
    trial = outcomes.Outcome(
        "mean_rejections",
        "Mean rejections a run",
        "value",
        lambda runs, horizon: runs.filter(like="rejections_").sum(axis=1).to_numpy(float),
        unit="rejections",
    )
    monkeypatch.setattr(outcomes, "HEADLINE", (*outcomes.HEADLINE, trial))
    for where, found in keys_everywhere(runs_table(), 104).items():
        assert "mean_rejections" in found, where


def test_kind_is_checked():
    with pytest.raises(ValueError, match="kind"):
        dataclasses.replace(outcomes.HEADLINE[0], kind="median")


def test_the_csv_summary_says_which_rows_are_intervals_and_which_quantiles(tmp_path, capsys):
    """`run --format csv` gives 95% intervals and 5-95% quantiles in lo/hi: a column says
    which (issue 20)."""
    import csv
    import io
    from pathlib import Path

    from sim.cli import main

    mini = Path(__file__).parent / "data" / "mini.yaml"
    args = ["run", str(mini), "-n", "20", "-w", "1", "--no-plots", "--format", "csv"]
    assert main([*args, "-o", str(tmp_path / "r")]) == 0
    rows = {r["outcome"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["p_ceasefire"]["interval"] == "95% interval"
    assert rows["terms_territory"]["interval"] == "5%-95% quantiles"
    assert rows["final_control_median"]["interval"] == "5%-95% quantiles"
    assert rows["runs"]["interval"] == ""


def test_short_labels_name_the_sides_by_their_codes():
    """Table headers say RU and UA (ISO 3166), never "UK", which is Britain, an actor."""
    from sim.outcomes import headline_outcome

    shorts = {
        key: headline_outcome(key).short
        for key in ("p_russia_prevails", "p_ukraine_prevails", "p_russian_victory")
    }
    assert shorts == {
        "p_russia_prevails": "P(RU prevails)",
        "p_ukraine_prevails": "P(UA prevails)",
        "p_russian_victory": "P(RU wins)",
    }
