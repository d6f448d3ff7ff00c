"""Sweeps, sensitivity, scenario discovery (PRIM) and their command lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discover import evaluate_outcome, parse_outcome
from sim.analysis.prim import drop_slack_limits, peel, prune, quasi_p
from sim.analysis.sensitivity import sensitivity
from sim.analysis.sweep import parse_vary, sweep
from sim.cli import main
from sim.ensemble import Arm, run_arms, run_ensemble
from sim.errors import ScenarioError
from sim.options import RunOptions
from sim.scenario import load_scenario


def _one_error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --------------------------------------------------------------------------- sweep
def test_parse_vary():
    path, values = parse_vary("actors.US.aid=0:0.4:5")
    assert path == "actors.US.aid"
    np.testing.assert_allclose(values, [0, 0.1, 0.2, 0.3, 0.4])
    for bad in ("actors.US.aid", "actors.US.aid=0:1", "x=a:1:3", "x=0:1:1", "x=0:1:2.5"):
        with pytest.raises(ScenarioError, match="--vary"):
            parse_vary(bad)


def test_sweep_one_parameter(mini_path):
    table = sweep(mini_path, ["negotiation.pressure=0:0.06:3"], runs=40, workers=1).table
    assert list(table["negotiation.pressure"]) == [0, 0.03, 0.06]
    assert (table["p_ceasefire_lo"] <= table["p_ceasefire"]).all()
    # more pressure from the mediator -> more ceasefires (common random numbers)
    assert table["p_ceasefire"].iloc[-1] > table["p_ceasefire"].iloc[0]


@pytest.mark.parametrize(
    ("vary", "needle"),
    [
        ("actors.US.aid", "expected PATH=START:STOP:COUNT"),
        ("actors.Nobody.aid=0:1:3", "actors.Nobody"),
        ("actors.US.salience.nato=0:2:3", "actors.US.salience.nato"),
    ],
)
def test_cli_sweep_bad_vary(mini_path, tmp_path, capsys, vary, needle):
    out = tmp_path / "sw"
    code = main(["sweep", str(mini_path), "--vary", vary, "--runs", "5", "--out", str(out)])
    assert code == 2
    assert needle in _one_error_line(capsys)
    assert not out.exists()


def test_cli_sweep_two_parameters(mini_path, tmp_path):
    out = tmp_path / "sw"
    code = main(
        [
            "sweep",
            str(mini_path),
            "--vary",
            "actors.US.aid=0:0.4:2",
            "--vary",
            "negotiation.pressure=0:0.04:2",
            "--runs",
            "10",
            "--workers",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4 and {"actors.US.aid", "negotiation.pressure"} <= set(table.columns)
    assert len(pd.read_parquet(out / "runs.parquet")) == 40
    assert (out / "plots" / "sweep.png").is_file()


# --------------------------------------------------------------------------- sensitivity
def test_design_fixes_each_replicate(mini_path):
    """Explicit per-replicate inputs (a sensitivity design) fix each replicate's value,
    whatever the chunking; the other inputs keep their own streams."""
    base = load_scenario(mini_path)
    picks = np.linspace(0.5, 0.99, 9)
    arm = Arm(base, inputs={"actors.Russia.resolve": picks})
    for size in (4, 9):
        (result,) = run_arms([arm], RunOptions(runs=9, seed=3, workers=1, chunk_size=size))
        np.testing.assert_array_equal(result.runs["actors.Russia.resolve"], picks)
    # the other inputs keep their own streams
    plain = run_ensemble(base, runs=9, seed=3, workers=1)
    np.testing.assert_array_equal(
        result.runs["actors.Russia.war_cost"], plain.runs["actors.Russia.war_cost"]
    )


def test_sensitivity_finds_the_influential_input(mini_doc, write_scenario):
    actors = mini_doc["actors"]
    for side in ("Russia", "Ukraine"):
        actors[side]["war_cost"] = {"uniform": [0.0019, 0.0021]}
        actors[side]["resolve"] = {"uniform": [0.9, 0.905]}
    actors["Russia"]["optimism"] = {"uniform": [0.1, 0.101]}
    actors["Ukraine"]["optimism"] = {"uniform": [-0.051, -0.05]}
    # wide: how much Russia's renounced claim weighs decides whether a package it accepts
    # can be ratified by Ukraine
    actors["Russia"]["loss_aversion"] = {"uniform": [1.0, 4.0]}
    path = write_scenario(mini_doc, "wide.yaml")
    result = sensitivity(path, samples=64, replicates=4, workers=1)
    table = result.table
    # one row per headline outcome (sim.outcomes.HEADLINE, as the horizon allows) and input
    assert list(result.labels) == list(table["outcome"].unique())
    assert len(table) == len(result.labels) * 7
    assert {"p_ceasefire", "median_week", "p_held", "final_control"} <= set(table["outcome"])
    for outcome in ("p_ceasefire", "median_week"):
        rows = table[table["outcome"] == outcome].set_index("input")
        assert rows["ST"].idxmax() == "actors.Russia.loss_aversion"
        others = rows["ST"].drop("actors.Russia.loss_aversion")
        assert rows.loc["actors.Russia.loss_aversion", "ST"] > 5 * others.max()
    assert result.points == 64 * 9 and len(result.design) == result.points


def test_morris(mini_path):
    result = sensitivity(mini_path, method="morris", samples=3, replicates=1, workers=1)
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(result.table.columns)
    assert result.points == 3 * 7 and result.method == "morris"


def test_cli_sensitivity_without_uncertain_inputs(mini_doc, write_scenario, tmp_path, capsys):
    for side in ("Russia", "Ukraine"):
        for field in ("resolve", "war_cost", "optimism"):
            mini_doc["actors"][side][field] = 0.9 if field == "resolve" else 0.0
    path = write_scenario(mini_doc, "certain.yaml")
    out = tmp_path / "se"
    assert main(["sensitivity", str(path), "--out", str(out)]) == 2
    assert "no uncertain inputs" in _one_error_line(capsys)
    assert not out.exists()


def test_cli_sensitivity_writes_folder(mini_path, tmp_path):
    out = tmp_path / "se"
    code = main(
        [
            "sensitivity",
            str(mini_path),
            "--samples",
            "4",
            "--replicates",
            "1",
            "--workers",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    assert (out / "plots" / "sensitivity.png").is_file()
    assert len(pd.read_parquet(out / "design.parquet")) == 4 * 8


# --------------------------------------------------------------------------- PRIM
def test_prim_recovers_a_known_box():
    rng = np.random.default_rng(0)
    x = rng.random((2000, 4))
    y = (x[:, 0] > 0.7) & (x[:, 1] < 0.3)
    trajectory = peel(x, y, alpha=0.05, min_mass=0.02)
    step = trajectory.choose(0.8)
    lo, hi = prune(x, y, trajectory.lower[step], trajectory.upper[step])
    assert lo[0] == pytest.approx(0.7, abs=0.03) and hi[1] == pytest.approx(0.3, abs=0.03)
    # the irrelevant inputs are not restricted
    assert lo[2] == x[:, 2].min() and hi[3] == x[:, 3].max()
    assert trajectory.density[step] > 0.95 and trajectory.coverage[step] > 0.8
    assert trajectory.density[0] == pytest.approx(y.mean())
    assert np.all(np.diff(trajectory.mass) < 0)  # every peel removes runs


def test_prim_pasting_never_lowers_density():
    rng = np.random.default_rng(1)
    x = rng.random((500, 2))
    y = x[:, 0] + 0.3 * rng.random(500) > 0.9
    trajectory = peel(x, y, paste=True)
    assert trajectory.density.max() >= trajectory.density[trajectory.choose(0.0)]


# --------------------------------------------------------------------------- outcomes
def test_outcome_parsing_and_nulls():
    runs = pd.DataFrame(
        {
            "ceasefire_week": pd.array([10, None, 60, 52], dtype="Int64"),
            "held": [True, False, True, False],
            "blocker": pd.array(["Russia", None, None, "Ukraine"], dtype="string"),
        }
    )
    assert evaluate_outcome(runs, "ceasefire_week <= 52").tolist() == [True, False, False, True]
    assert evaluate_outcome(runs, "ceasefire_week != 10").tolist() == [False, False, True, True]
    both = evaluate_outcome(runs, "ceasefire_week<=52 and held == 1")
    assert both.tolist() == [True, False, False, False]
    assert parse_outcome("held == true") == [("held", "==", 1.0)]
    for bad in ("ceasefire_week <= 'x'", "__import__('os') > 1", "a <= 1 or b > 2", "a => 1"):
        with pytest.raises(ScenarioError, match="--outcome"):
            parse_outcome(bad)
    with pytest.raises(ScenarioError, match="blocker: not a numeric"):
        evaluate_outcome(runs, "blocker == 1")


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory):
    mini = Path(__file__).parent / "data" / "mini.yaml"
    out = tmp_path_factory.mktemp("runs") / "mini"
    assert (
        main(["run", str(mini), "--runs", "200", "--workers", "1", "--no-plots", "--out", str(out)])
        == 0
    )
    return out


def test_cli_discover(results_dir, tmp_path):
    out = tmp_path / "di"
    code = main(
        ["discover", str(results_dir), "--outcome", "ceasefire_week <= 52", "--out", str(out)]
    )
    assert code == 0
    box = pd.read_csv(out / "discover.csv")
    assert {"input", "lower", "upper", "coverage", "density", "mass"} <= set(box.columns)
    assert box["restricted"].any()
    runs = pd.read_parquet(results_dir / "runs.parquet")
    base = (runs["ceasefire_week"] <= 30).fillna(False).mean()
    assert box["density"].iloc[0] > base
    assert (out / "plots" / "peeling.png").is_file() and (out / "trajectory.csv").is_file()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--outcome", "ceasefire_wk <= 52"], "--outcome: ceasefire_wk: no such column"),
        (["--outcome", "ceasefire_week <="], "--outcome: ceasefire_week <=: expected"),
        (["--outcome", "ceasefire_week > 1000"], "happens in no run"),
    ],
)
def test_cli_discover_bad_outcome(results_dir, tmp_path, capsys, args, needle):
    out = tmp_path / "di"
    assert main(["discover", str(results_dir), *args, "--out", str(out)]) == 2
    assert needle in _one_error_line(capsys)
    assert not out.exists()


def test_cli_discover_not_a_results_folder(tmp_path, capsys):
    out = tmp_path / "di"
    code = main(["discover", str(tmp_path), "--outcome", "ceasefire_week <= 52", "--out", str(out)])
    assert code == 2
    assert "not a results folder" in _one_error_line(capsys)
    assert not out.exists()


# --------------------------------------------------------------------------- issue 11 (input)
def test_sweep_checks_every_grid_point_before_running(mini_path, tmp_path, capsys, monkeypatch):
    """A whole-number field is fine at the grid's ends (10, 20) but not at 13.33: refused
    before any point runs, not after the first."""
    import sim.analysis.sweep

    ran = []
    monkeypatch.setattr(sim.analysis.sweep, "run_arms", lambda *a, **k: ran.append(1) / 0)
    out = tmp_path / "sw"
    code = main(["sweep", str(mini_path), "--vary", "horizon=10:20:4", "-n", "5", "-o", str(out)])
    assert code == 2 and not ran
    assert _one_error_line(capsys) == (
        f"error: {mini_path} (--vary): horizon: must be a whole number, "
        "got 13.333333333333334 (at horizon=13.3333)"
    )
    assert not out.exists()


def test_sweep_checks_every_corner_of_a_two_parameter_grid(mini_path, capsys):
    """Two varied bounds of one distribution clash only inside the grid (low above high)."""
    with pytest.raises(ScenarioError, match=r"uniform: low must not exceed high \(at "):
        sweep(
            mini_path,
            [
                "actors.Russia.optimism.uniform.0=0:0.3:3",
                "actors.Russia.optimism.uniform.1=0.1:0.5:3",
            ],
            runs=5,
            workers=1,
        )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--samples", "100"],
            "--samples: sobol needs a power of two (2, 4, ..., 64, 128, ...), got 100; "
            "try 64 or 128",
        ),
        (
            ["--samples", "1"],
            "--samples: sobol needs a power of two (2, 4, ..., 64, 128, ...), got 1; try 2 or 4",
        ),
        (["--method", "fast"], "--method: fast: must be sobol or morris"),
        (
            ["--samples", str(2**20), "--replicates", "100"],
            "--samples: 1,048,576 (design points x --replicates) ... ",
        ),
    ],
)
def test_cli_sensitivity_bad_design_is_refused_up_front(
    mini_path, tmp_path, capsys, args, expected
):
    out = tmp_path / "se"
    assert main(["sensitivity", str(mini_path), *args, "-w", "1", "--out", str(out)]) == 2
    line = _one_error_line(capsys)
    if expected.endswith("... "):
        assert line.startswith("error: --samples: ") and "more than 10,000,000 replicates" in line
    else:
        assert line == f"error: {expected}"
    assert not out.exists()


@pytest.mark.parametrize("value", ["1.5", "0", "-0.2", "nan"])
def test_cli_discover_min_coverage_is_checked_before_reading(tmp_path, capsys, value):
    out = tmp_path / "di"
    nowhere = tmp_path / "no-such-results"  # not read: the option is checked first
    code = main(
        [
            "discover",
            str(nowhere),
            "--outcome",
            "held == 1",
            "--min-coverage",
            value,
            "--out",
            str(out),
        ]
    )
    assert code == 2
    line = _one_error_line(capsys)
    assert line.startswith("error: --min-coverage: must be above 0 and at most 1, got ")
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("compare", ["-n", "5000000"]),  # three arms: 15 million replicates
        ("sweep", ["--vary", "actors.US.aid=0:0.4:5", "-n", "3000000"]),
    ],
)
def test_commands_adding_up_past_the_runs_cap_are_refused(
    mini_path, tmp_path, capsys, command, args
):
    out = tmp_path / "res"
    assert main([command, str(mini_path), *args, "-w", "1", "--out", str(out)]) == 2
    line = _one_error_line(capsys)
    assert line.startswith("error: --runs: ") and "more than 10,000,000 replicates" in line
    assert not out.exists()


# --------------------------------------------------------------------------- PRIM: targets, slack, quasi-p
def test_categorical_targets():
    runs = pd.DataFrame(
        {
            "blocker": pd.Categorical(["Russia", None, "Ukraine", "Russia"]),
            "outcome": pd.array(
                ["agreement", "russian_victory", "at_war", "agreement"], dtype="string"
            ),
            "ceasefire_week": pd.array([10, None, 60, 52], dtype="Int64"),
        }
    )
    assert evaluate_outcome(runs, "blocker == Russia").tolist() == [True, False, False, True]
    assert evaluate_outcome(runs, "blocker != Russia").tolist() == [False, False, True, False]
    assert evaluate_outcome(runs, "outcome == 'russian_victory'").tolist() == [
        False,
        True,
        False,
        False,
    ]
    both = evaluate_outcome(runs, 'outcome == "agreement" and ceasefire_week <= 20')
    assert both.tolist() == [True, False, False, False]
    assert parse_outcome("blocker == Russia") == [("blocker", "==", "Russia")]
    with pytest.raises(ScenarioError, match="compares only with == or !="):
        parse_outcome("blocker <= Russia")
    with pytest.raises(
        ScenarioError, match=r"no run has the value 'Rusia' \(values: Russia, Ukraine\)"
    ):
        evaluate_outcome(runs, "blocker == Rusia")
    with pytest.raises(ScenarioError, match="ceasefire_week: a numeric column"):
        evaluate_outcome(runs, "ceasefire_week == Russia")
    with pytest.raises(ScenarioError, match=r"compare it with a name, e.g. blocker == <value>"):
        evaluate_outcome(runs, "blocker == 1")


def test_slack_limits_are_dropped():
    rng = np.random.default_rng(3)
    x = rng.random((4000, 3))
    # input 2 is low only where input 0 is low: above x0 = 0.7 a cut at 0.15 excludes nothing
    x[x[:, 0] > 0.6, 2] = 0.2 + 0.8 * x[x[:, 0] > 0.6, 2]
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    lower = np.array([0.7, 0.3, 0.15])  # input 0: real; 1: real; 2: no run excluded
    upper = np.array([full_hi[0], 0.995 * full_hi[1] + 0.005 * full_lo[1], full_hi[2]])
    lo, hi = drop_slack_limits(x, lower, upper)
    assert lo[0] == 0.7 and lo[1] == 0.3  # restricting limits stay
    assert lo[2] == full_lo[2]  # excludes no run the box lets in
    assert hi[1] == full_hi[1]  # cuts 0.5% of the range
    # a cut of 5% of the range that excludes runs stays
    lo, hi = drop_slack_limits(x, np.array([0.7, 0.05, full_lo[2]]), full_hi.copy())
    assert lo[1] == 0.05


def test_quasi_p_separates_real_from_spurious_restrictions():
    from scipy.stats import binomtest

    rng = np.random.default_rng(4)
    x = rng.random((3000, 3))
    y = (x[:, 0] > 0.6) & (rng.random(3000) < 0.8)
    lower = np.array([0.6, 0.1, x[:, 2].min()])
    upper = np.array([x[:, 0].max(), x[:, 1].max(), x[:, 2].max()])
    qp = quasi_p(x, y, lower, upper)
    assert qp[0] < 1e-10  # the real restriction
    assert qp[1] > 0.05  # a spurious one on an input that does not matter
    assert np.isnan(qp[2])  # unrestricted
    inside = (x >= lower).all(axis=1) & (x <= upper).all(axis=1)
    relaxed = x[:, 0] >= 0.6
    expected = binomtest(
        int(y[inside].sum()), int(inside.sum()), y[relaxed].mean(), alternative="greater"
    ).pvalue
    assert qp[1] == pytest.approx(expected)


def test_discover_blocker_target_reports_quasi_p(results_dir):
    from sim.analysis.discover import discover

    runs = pd.read_parquet(results_dir / "runs.parquet")
    name = runs["blocker"].dropna().astype(str).value_counts().index[0]
    found = discover(results_dir, f"blocker == {name}")
    box = found.table
    assert found.hits == int((runs["blocker"].astype("string") == name).sum())
    assert "quasi_p" in box
    restricted = box[box["restricted"]]
    assert restricted["quasi_p"].between(0, 1).all()
    assert box.loc[~box["restricted"], "quasi_p"].isna().all()
    # every reported limit restricts: none cuts off 1% of its range or less
    span = box["data_max"] - box["data_min"]
    cut_lo = (box["lower"] - box["data_min"]) / span
    cut_hi = (box["data_max"] - box["upper"]) / span
    assert ((cut_lo == 0) | (cut_lo > 0.01)).all() and ((cut_hi == 0) | (cut_hi > 0.01)).all()


# --------------------------------------------------------------------------- Sobol warnings
def test_sobol_warnings_flag_what_the_sample_cannot_support():
    from sim.analysis.sensitivity import sobol_warnings

    table = pd.DataFrame(
        {
            "outcome": ["p"] * 4 + ["q"] * 2,
            "input": ["a", "b", "c", "d", "a", "b"],
            "S1": [0.92, 0.05, -0.2, 0.01, 0.5, 0.1],
            "S1_conf": [0.23, 0.02, 0.05, 0.01, 0.05, 0.02],
            "ST": [0.60, 0.06, 0.01, 0.02, 0.6, 0.12],
            "ST_conf": [0.24, 0.02, 0.02, 0.01, 0.05, 0.03],
        }
    )
    lines = sobol_warnings(table)
    assert len(lines) == 3, lines
    assert lines[0].startswith("p: 1 of 4 inputs have a 95% interval wider than ±0.1")
    assert "widest ±0.24: a" in lines[0]
    assert lines[1].startswith("p: S1 exceeds ST beyond its interval for a ")
    assert lines[2].startswith("p: S1 is negative beyond its interval for c ")
    assert not any(line.startswith("q") for line in lines)  # q is clean
    assert sobol_warnings(table[table["outcome"] == "q"]) == []
    assert sobol_warnings(table, max_half_width=0.3) == lines[1:]


def test_cli_sensitivity_stores_and_prints_warnings(mini_path, tmp_path, capsys):
    import json

    out = tmp_path / "se"
    args = ["sensitivity", str(mini_path), "--samples", "4", "--replicates", "1"]
    assert main([*args, "--workers", "1", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    # N = 4: far too small, the intervals are wide
    assert manifest["warnings"] and any("wider than" in w for w in manifest["warnings"])
    err = capsys.readouterr().err
    for line in manifest["warnings"]:
        assert f"warning: {line}" in err


def test_declared_category_without_runs_is_a_known_value():
    runs = pd.DataFrame(
        {
            "outcome": pd.Categorical(
                ["agreement", "at_war"], categories=["agreement", "at_war", "ukrainian_victory"]
            )
        }
    )
    assert evaluate_outcome(runs, "outcome == ukrainian_victory").tolist() == [False, False]
    with pytest.raises(ScenarioError, match="values: agreement, at_war, ukrainian_victory"):
        evaluate_outcome(runs, "outcome == ukranian_victory")
