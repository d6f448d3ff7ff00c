"""Policy comparison on common random numbers: statistics, table, command line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import sim.analysis.compare as cmp
from sim.analysis import paired
from sim.cli import main
from sim.errors import ScenarioError
from sim.options import RunOptions


@pytest.fixture
def costly_path(mini_doc, write_scenario):
    """mini with a policy that makes the war far more costly to both sides."""
    mini_doc["policies"]["costly"] = {
        "description": "War costs ten times higher.",
        "set": {"actors.Russia.war_cost": 0.05, "actors.Ukraine.war_cost": 0.05},
    }
    return write_scenario(mini_doc, "costly.yaml")


def test_nothing_policy_difference_contains_zero(mini_path):
    result = cmp.compare(
        mini_path, policies=["nothing", "us_aid_cut"], runs=80, workers=1, n_resamples=500
    )
    table = result.table
    assert result.reference == "mini" and result.paired
    assert list(table["arm"]) == ["mini", "mini+nothing", "mini+us_aid_cut"]
    nothing = table.set_index("arm").loc["mini+nothing"]
    for m in result.metrics:
        lo, hi = nothing[f"{m['key']}_diff_lo"], nothing[f"{m['key']}_diff_hi"]
        assert lo <= 0 <= hi, m["key"]
    ref = table.set_index("arm").loc["mini"]
    assert np.isnan(ref["p_ceasefire_diff"])
    assert ref["p_ceasefire_lo"] <= ref["p_ceasefire"] <= ref["p_ceasefire_hi"]


def test_large_effect_is_detected(costly_path):
    table = cmp.compare(costly_path, policies=["costly"], runs=60, workers=1, n_resamples=500).table
    row = table.set_index("arm").loc["mini+costly"]
    # more costly war -> a ceasefire comes sooner and more often
    assert row["p_by_26_diff_lo"] > 0
    assert row["median_week_diff_hi"] < 0


def test_several_files_are_paired_arms(mini_path, costly_path):
    arms = cmp.arm_scenarios([mini_path, costly_path])
    assert cmp.arm_labels(arms) == ["mini:mini", "costly:mini"]
    with pytest.raises(ScenarioError, match="--policies"):
        cmp.arm_scenarios([mini_path, costly_path], policies=["nothing"])


def test_unknown_policy_is_scenario_error(mini_path):
    with pytest.raises(ScenarioError, match="policies.nope: no such policy"):
        cmp.arm_scenarios([mini_path], policies=["nope"])


def test_intervals_at_zero_and_equal_arms():
    zeros = np.zeros(100)
    p, lo, hi = paired.estimate(zeros, "proportion")
    assert (
        p == 0 and lo == pytest.approx(0, abs=1e-12) and 0 < hi < 0.05
    )  # Wilson, not a degenerate [0, 0]
    d, lo, hi = paired.difference(zeros, zeros, "proportion", seed=0)
    assert (d, lo, hi) == (0.0, 0.0, 0.0)  # identical on every replicate
    ones = np.zeros(100)
    ones[:3] = 1
    d, lo, hi = paired.difference(zeros, ones, "proportion", seed=0)
    assert d == pytest.approx(0.03) and lo < 0.03 < hi  # Newcombe where a share is 0


def test_paired_interval_is_sharper_than_unpaired():
    rng = np.random.default_rng(2)
    luck = rng.random(400)
    ref = (luck < 0.5).astype(float)
    arm = (luck < 0.55).astype(float)  # same luck: differs on 5% of replicates only
    _, lo, hi = paired.difference(ref, arm, "proportion", seed=0, n_resamples=1000)
    assert 0 < lo < 0.05 < hi < 0.1


def test_cli_compare_writes_folder(mini_path, tmp_path):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(mini_path),
            "--policies",
            "nothing,us_aid_cut",
            "--runs",
            "30",
            "--workers",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["arm"]) == ["mini", "mini+nothing", "mini+us_aid_cut"]
    assert {"p_ceasefire_diff_lo", "median_week_hi", "terms_nato_diff"} <= set(table.columns)
    assert "Differences from the reference" in (out / "comparison.md").read_text()
    assert len(list((out / "arms").glob("*.parquet"))) == 3
    for name in ("ceasefire_by_week.png", "differences.png", "terms.png"):
        assert (out / "plots" / name).stat().st_size > 10_000
    info = yaml.safe_load((out / "manifest.json").read_text())
    assert info["reference"] == "mini" and info["runs"] == 30


def test_cli_compare_bad_policy(mini_path, tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(
        ["compare", str(mini_path), "--policies", "nope", "--runs", "10", "--out", str(out)]
    )
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "policies.nope" in err[0] and str(mini_path) in err[0]
    assert not out.exists()


def test_arms_share_one_pool_and_match_separate_runs(mini_path, tmp_path):
    """All arms' chunks go to one pool; each arm's runs are those of its own ensemble,
    progress counts every replicate once, and a checkpointed job resumes to the same."""
    from sim.ensemble import run_ensemble

    arms = cmp.arm_scenarios([mini_path], ["nothing", "us_aid_cut"])
    ticks = []
    pooled = cmp.run_compared(
        arms, RunOptions(runs=60, seed=5, workers=2, on_progress=ticks.append)
    )
    assert sum(ticks) == 180 and len(ticks) > 3  # several chunks per arm
    for label, arm in zip(cmp.arm_labels(arms), arms, strict=True):
        alone = run_ensemble(arm, runs=60, seed=5, workers=1, trajectory_replicates=0)
        pd.testing.assert_frame_equal(pooled[label].runs, alone.runs)
    options = RunOptions(runs=60, seed=5, workers=2, checkpoint=tmp_path / "ck")
    again = cmp.run_compared(arms, options)
    resumed = cmp.run_compared(arms, options)
    for label in pooled:
        pd.testing.assert_frame_equal(again[label].runs, pooled[label].runs)
        pd.testing.assert_frame_equal(resumed[label].runs, pooled[label].runs)
