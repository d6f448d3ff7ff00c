"""The notebook API: every result's short repr, HTML table, summary, figures and folder.

Each result's ``.summary()`` gives the figures its command prints or writes, ``.plot()`` the
figures it saves, and ``.save(folder)`` a folder the command's readers (``ceasefire report``)
accept; a path or a loaded Scenario is accepted wherever a scenario is.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import sim  # noqa: E402
from sim.cli import main  # noqa: E402

MINI = Path(__file__).parent / "data" / "mini.yaml"
RUNS = 40
SHORT = 500  # characters: a result's repr is a line or a few, never the scenario


def _figures(plotted) -> list[Figure]:
    figures = list(plotted.values()) if isinstance(plotted, dict) else [plotted]
    assert figures and all(isinstance(f, Figure) for f in figures)
    return figures


def _check(result, tmp_path: Path, name: str) -> Path:
    """The common contract: short repr, escaped HTML, figures, a folder `report` accepts."""
    text = repr(result)
    assert len(text) < SHORT, text
    assert text.startswith(type(result).__name__ + "(")
    page = result._repr_html_()
    assert "<table>" in page and "<script" not in page
    for fig in _figures(result.plot()):
        plt.close(fig)
    out = result.save(tmp_path / name)
    assert out.is_dir() and (out / "report.html").is_file()
    assert main(["report", str(out)]) == 0
    with pytest.raises(sim.ScenarioError, match="already exists"):
        result.save(out)  # never over an existing folder
    return out


@pytest.fixture(scope="module")
def ensemble():
    return sim.run(str(MINI), runs=RUNS, workers=1)


def test_run_takes_a_path_or_a_scenario(ensemble):
    loaded = sim.run(sim.load_scenario(MINI), runs=RUNS, workers=1)
    pd.testing.assert_frame_equal(loaded.runs, ensemble.runs)


def test_ensemble_result(ensemble, tmp_path):
    out = _check(ensemble, tmp_path, "run")
    assert {"runs.parquet", "summary.json", "manifest.json", "plots"} <= {
        p.name for p in out.iterdir()
    }
    assert "P(ceasefire by week" in repr(ensemble) and f"{RUNS:,} runs" in repr(ensemble)


def test_ensemble_summary_is_the_command_s_summary_json(ensemble, tmp_path):
    out = tmp_path / "cli"
    args = ["run", str(MINI), "-n", str(RUNS), "-w", "1", "--no-plots", "-o", str(out)]
    assert main(args) == 0
    written = json.loads((out / "summary.json").read_text())
    assert json.loads(json.dumps(ensemble.summary_json())) == written
    saved = json.loads((ensemble.save(tmp_path / "api", plots=False) / "summary.json").read_text())
    assert saved == written


def test_html_escapes_the_scenario_s_text(mini_doc, write_scenario, tmp_path):
    mini_doc["name"] = "mini<script>alert(1)</script>&"
    result = sim.run(write_scenario(mini_doc), runs=10, workers=1)
    page = result._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp;" in page
    assert len(repr(result)) < SHORT


def test_deal_result(tmp_path):
    scenario = sim.load_scenario(MINI)
    result = sim.evaluate_deal(
        scenario, terms={"territory": "line"}, weeks=[1, 10], runs=20, workers=1
    )
    _check(result, tmp_path, "deal")
    summary = result.summary()
    assert list(summary["week"]) == [1, 10]
    assert (summary["p_all_accept"] == result.table["p_all_accept"]).all()
    from_path = sim.evaluate_deal(MINI, terms={"territory": "line"}, weeks=[1, 10], runs=20)
    pd.testing.assert_frame_equal(from_path.table, result.table)


def test_comparison_result_from_a_path_or_a_scenario(tmp_path):
    result = sim.compare(MINI, policies=["us_aid_cut"], runs=RUNS, workers=1, n_resamples=50)
    assert isinstance(result, sim.ComparisonResult)
    assert list(result.table["arm"]) == ["mini", "mini+us_aid_cut"]
    assert "pp" in repr(result)
    out = _check(result, tmp_path, "compare")
    assert (out / "comparison.csv").is_file()
    loaded = sim.compare(
        sim.load_scenario(MINI), policies=["us_aid_cut"], runs=RUNS, workers=1, n_resamples=50
    )
    pd.testing.assert_frame_equal(loaded.table, result.table)
    assert "p_ceasefire_diff" in result.summary()


def test_a_scenario_with_a_policy_cannot_be_compared_with_its_policies():
    with pytest.raises(sim.ScenarioError, match="loaded with a policy"):
        sim.compare(sim.load_scenario(MINI, policy="us_aid_cut"), runs=10, workers=1)


def test_a_scenario_without_its_text_cannot_take_policies():
    import dataclasses

    bare = dataclasses.replace(sim.load_scenario(MINI), texts={})
    with pytest.raises(sim.ScenarioError, match="does not carry the text"):
        sim.compare(bare, runs=10, workers=1)


def test_sweep_result(tmp_path):
    scenario = sim.load_scenario(MINI, overrides=["negotiation.pressure=0.02"])
    result = sim.sweep(scenario, ["actors.US.aid=0:0.4:2"], runs=20, workers=1)
    assert isinstance(result, sim.SweepResult)
    assert result.overrides == ("negotiation.pressure=0.02",)
    assert list(result.summary()["actors.US.aid"]) == [0.0, 0.4]
    out = _check(result, tmp_path, "sweep")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["vary"] == ["actors.US.aid=0:0.4:2"]
    by_path = sim.sweep(
        MINI, ["actors.US.aid=0:0.4:2"], runs=20, workers=1, overrides=scenario.overrides
    )
    pd.testing.assert_frame_equal(by_path.table, result.table)


def test_sensitivity_result(tmp_path):
    result = sim.sensitivity(MINI, method="morris", samples=2, replicates=1, workers=1)
    assert isinstance(result, sim.SensitivityResult)
    assert set(result.summary(top=2)["outcome"]) == set(result.table["outcome"])
    _check(result, tmp_path, "sensitivity")


def test_discovery_result_from_a_result_its_runs_or_a_folder(ensemble, tmp_path):
    outcome = "ceasefire_week <= 52"
    from_result = sim.discover(ensemble, outcome)
    assert isinstance(from_result, sim.DiscoveryResult)
    summary = from_result.summary_json()
    assert summary["runs"] == RUNS and 0 < summary["base_rate"] < 1
    table = from_result.summary()
    assert list(table["input"]) == list(summary["box"]) and from_result.hits == summary["hits"]
    _check(from_result, tmp_path, "discover")
    folder = ensemble.save(tmp_path / "run", plots=False)
    from_folder = sim.discover(folder, outcome)
    pd.testing.assert_frame_equal(from_folder.table, from_result.table, check_like=True)
    from_runs = sim.discover(ensemble.runs, outcome)
    assert from_runs.summary_json()["hits"] == summary["hits"]


def test_the_first_use_of_the_library_does_not_warn():
    import subprocess
    import sys

    code = (
        "import warnings; warnings.simplefilter('error')\n"
        "import sim\n"
        "sim.run; sim.compare; sim.sensitivity; sim.NegotiationModel\n"
    )
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import sim.quiet  # noqa: F401


def test_a_scenario_is_rebuilt_from_its_own_texts(mini_doc, write_scenario, tmp_path):
    """A loaded Scenario's arms come from the texts it carries (its file and extends:
    parents), not from the files, which may have changed or gone since."""
    from sim.snapshot import as_snapshot, snapshot_of

    parent = write_scenario(mini_doc, "parent.yaml")
    child = write_scenario({"extends": "parent.yaml", "name": "child"}, "child.yaml")
    loaded = sim.load_scenario(child, policy="us_aid_cut", overrides=["runs=7"])
    parent.unlink()
    child.unlink()
    rebuilt = snapshot_of(loaded).build(loaded.policy, loaded.overrides)
    assert rebuilt.spec == loaded.spec and rebuilt.text_hash == loaded.text_hash
    snapshot, policy, overrides = as_snapshot(loaded, None, ["seed=3"])
    assert (policy, overrides) == ("us_aid_cut", ("runs=7", "seed=3"))
    assert snapshot.build(policy, overrides).spec.seed == 3
    with pytest.raises(sim.ScenarioError, match="on top of another"):
        as_snapshot(loaded, "nothing")


def test_every_result_s_summary_is_the_same_kind(ensemble):
    """A table for every result (a dict was the odd one out for a run and a discovery)."""
    results = [
        ensemble,
        sim.compare(MINI, policies=["us_aid_cut"], runs=20, workers=1, n_resamples=20),
        sim.evaluate_deal(MINI, terms={"territory": "line"}, weeks=[1], runs=10, workers=1),
        sim.sweep(MINI, ["actors.US.aid=0:0.4:2"], runs=10, workers=1),
        sim.sensitivity(MINI, method="morris", samples=2, replicates=1, workers=1),
        sim.discover(ensemble, "ceasefire_week <= 52"),
    ]
    for result in results:
        assert isinstance(result.summary(), pd.DataFrame), type(result).__name__
    frame = ensemble.summary()
    row = frame[frame["outcome"] == "p_ceasefire"].iloc[0]
    assert row["value"] == ensemble.summary_json()["p_ceasefire"]


def test_the_notebook_table_shows_every_share_as_a_percentage(ensemble):
    import re

    page = ensemble._repr_html_()
    for label in ("in a ceasefire", "Last package blocked by"):
        for row in re.findall(rf"<tr><td>[^<]*{label}[^<]*</td><td>([^<]*)</td>", page):
            assert row.endswith("%"), (label, row)
