"""``sim.load(folder)`` gives back the result object of any results folder; ``ceasefire
plot`` and ``ceasefire report`` work on every kind of folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli import main

MINI = Path(__file__).parent / "data" / "mini.yaml"

KINDS = {
    "run": ("EnsembleResult", ["run", str(MINI), "-n", "30"]),
    "compare": ("ComparisonResult", ["compare", str(MINI), "-n", "20"]),
    "deal": ("DealResult", ["deal", str(MINI), "--terms", "territory=line", "--weeks", "1,8"]),
    "sweep": ("SweepResult", ["sweep", str(MINI), "--vary", "actors.US.aid=0:0.4:2", "-n", "10"]),
    "sensitivity": (
        "SensitivityResult",
        ["sensitivity", str(MINI), "--method", "morris", "--samples", "2", "--replicates", "1"],
    ),
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("loaded")
    out = {}
    for kind, (_, args) in KINDS.items():
        extra = ["-n", "10"] if kind == "deal" else []
        folder = root / kind
        assert main([*args, *extra, "-w", "1", "-o", str(folder)]) == 0, kind
        out[kind] = folder
    folder = root / "discover"
    assert (
        main(["discover", str(out["run"]), "--outcome", "ceasefire_week <= 52", "-o", str(folder)])
        == 0
    )
    out["discover"] = folder
    return out


@pytest.mark.parametrize("kind", [*KINDS, "discover"])
def test_load_gives_the_result_object_of_every_kind(folders, kind):
    result = sim.load(folders[kind])
    expected = KINDS[kind][0] if kind in KINDS else "DiscoveryResult"
    assert type(result).__name__ == expected
    assert isinstance(result.summary(), pd.DataFrame)


def test_a_loaded_run_is_the_run_that_was_saved(folders):
    result = sim.load(folders["run"])
    written = json.loads((folders["run"] / "summary.json").read_text())
    assert json.loads(json.dumps(result.summary_json())) == written
    assert result.scenario.name == "mini" and len(result.runs) == 30


def test_a_loaded_comparison_keeps_its_arms_and_differences(folders):
    result = sim.load(folders["compare"])
    table = pd.read_csv(folders["compare"] / "comparison.csv")
    assert list(result.table["arm"]) == list(table["arm"])
    assert result.table["reference"].tolist()[0] is True
    assert set(result.results) == set(table["arm"])
    pd.testing.assert_series_equal(result.table["p_ceasefire_diff"], table["p_ceasefire_diff"])


def test_a_loaded_discovery_keeps_its_box(folders):
    result = sim.load(folders["discover"])
    box = pd.read_csv(folders["discover"] / "discover.csv")
    assert list(result.summary()["input"]) == list(box.loc[box["restricted"], "input"])


@pytest.mark.parametrize("kind", [*KINDS, "discover"])
def test_plot_and_report_take_every_kind_of_folder(folders, kind, capsys):
    folder = folders[kind]
    for png in (folder / "plots").glob("*.png"):
        png.unlink()
    assert main(["plot", str(folder)]) == 0
    assert list((folder / "plots").glob("*.png"))
    assert main(["report", str(folder)]) == 0
    assert "Bottom line." in (folder / "report.html").read_text()


def test_load_refuses_what_is_not_a_results_folder(tmp_path, capsys):
    with pytest.raises(sim.ScenarioError, match="not a results folder"):
        sim.load(tmp_path)
    assert main(["plot", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
