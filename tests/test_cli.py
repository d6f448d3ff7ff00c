"""The command line, end to end through its entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.cli import main


def test_run_writes_a_complete_results_folder(mini_path, tmp_path, capsys):
    out = tmp_path / "res"
    code = main(["run", str(mini_path), "--runs", "120", "--workers", "1", "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "offers.parquet",
        "plots",
        "report.html",
        "runs.parquet",
        "summary.json",
        "trajectories.npz",
    ]
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 120
    for column in (
        "replicate",
        "ceasefire",
        "ceasefire_week",
        "terms_territory",
        "terms_nato",
        "terms_troops",
        "final_control",
        "held",
        "collapses",
        "blocker",
        "actors.Russia.resolve",
    ):
        assert column in runs.columns, column
    assert runs["ceasefire_week"].isna().equals(~runs["ceasefire"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 120
    assert summary["p_ceasefire_lo"] <= summary["p_ceasefire"] <= summary["p_ceasefire_hi"]
    assert set(summary["terms"]) == {"territory", "nato", "troops"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 11 and len(manifest["scenario_sha256"]) == 64
    assert manifest["resolved_parameters"]["actors.Russia.resolve"] == {"uniform": [0.85, 0.97]}
    assert "mesa" in manifest["versions"]
    # every numerical dependency's version is recorded (issue 11)
    for name in ("numpy", "numba", "llvmlite", "scipy", "mesa", "pandas", "pyarrow"):
        assert name in manifest["versions"], name
    plots = sorted(p.name for p in (out / "plots").iterdir())
    assert plots == [
        "blockers.png",
        "ceasefire_by_week.png",
        "control_fan.png",
        "outcomes.png",
        "summary.png",
        "terms.png",
    ]
    assert all((out / "plots" / p).stat().st_size > 10_000 for p in plots)
    assert "P(ceasefire by week 52)" in capsys.readouterr().out


def test_policy_set_and_seed_are_applied(mini_path, tmp_path):
    out = tmp_path / "res"
    code = main(
        [
            "run",
            str(mini_path),
            "-n",
            "30",
            "-w",
            "1",
            "-o",
            str(out),
            "--no-plots",
            "--policy",
            "us_aid_cut",
            "--set",
            "actors.UK.aid=0.1",
            "--seed",
            "99",
        ]
    )
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["policy"] == "us_aid_cut" and manifest["seed"] == 99
    assert manifest["resolved_parameters"]["actors.US.aid"] == 0.0
    assert manifest["resolved_parameters"]["actors.UK.aid"] == 0.1
    assert not (out / "plots").exists()


def test_plot_redraws(mini_path, tmp_path):
    out = tmp_path / "res"
    assert main(["run", str(mini_path), "-n", "20", "-w", "1", "-o", str(out), "--no-plots"]) == 0
    assert main(["plot", str(out)]) == 0
    assert (out / "plots" / "terms.png").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--set", "actors.Russia.resolve=7"],
            "actors.Russia.resolve: must be above 0 and at most 1, got 7",
        ),
        (["--set", "actors.Nobody.resolve=0.5"], "no such field: actors.Nobody"),
        (["--set", "horizon=soon"], "horizon: must be a whole number, got 'soon'"),
        (["--policy", "invade_mars"], "policies.invade_mars: no such policy"),
        (["--runs", "0"], "--runs: must be at least 1, got 0"),
        (["--bogus"], "No such option: --bogus"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    mini_path, tmp_path, capsys, args, message
):
    out = tmp_path / "res"
    code = main(["run", str(mini_path), "-w", "1", "-o", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_existing_results_folder_is_refused(mini_path, tmp_path, capsys):
    out = tmp_path / "res"
    out.mkdir()
    assert main(["run", str(mini_path), "-o", str(out)]) == 2
    assert "results folder already exists" in capsys.readouterr().err


def test_validate_reports_each_bad_file(mini_path, write_scenario, capsys):
    bad = write_scenario("name: x\nhorizon: 0\n", "bad.yaml")
    assert main(["validate", str(mini_path)]) == 0
    assert main(["validate", str(mini_path), str(bad)]) == 2
    captured = capsys.readouterr()
    assert f"ok: {mini_path}" in captured.out
    assert f"error: {bad}: horizon: must be between 1 and 5200, got 0" in captured.err


def test_python_dash_m_sim_is_the_same_command():
    done = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "run" in done.stdout and "validate" in done.stdout
