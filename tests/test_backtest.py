"""``ceasefire backtest`` (issue 19): scored forecasts on questions with known answers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import load_scenario
from sim.cli import main
from sim.ensemble import run_ensemble
from sim.outcomes import STATES
from sim.record.backtest import LOG_FLOOR, backtest

MINI = Path(__file__).parent / "data" / "mini.yaml"


@pytest.fixture
def late_talks(tmp_path, mini_doc) -> Path:
    """mini with a calendar whose talks open only in its last week: no ceasefire can be in
    force before week 52, so the model's P of one by an earlier date is exactly 0."""
    mini_doc["start"] = "2025-01-01"
    mini_doc["negotiation"]["first_week"] = mini_doc["horizon"]
    path = tmp_path / "late.yaml"
    path.write_text(yaml.safe_dump(mini_doc, sort_keys=False))
    return path


def _record(path: Path, questions: list[dict], facts: list[dict] | None = None) -> Path:
    doc = {"start": "2025-01-01", "questions": questions}
    if facts:
        doc["facts"] = facts
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_brier_and_log_scores_match_the_hand_computed_ones(late_talks, tmp_path, capsys):
    rec = _record(
        tmp_path / "r.yaml",
        [
            {
                "name": "q_no",
                "asked": "2025-02-01",
                "ceasefire_by": "2025-06-30",
                "outcome": False,
                "reference": {"crowd": 0.4},
            },
            {
                "name": "q_yes",
                "asked": "2025-03-01",
                "ceasefire_by": "2025-09-30",
                "outcome": True,
                "reference": {"crowd": 0.7, "expert": 0.2},
            },
        ],
        facts=[
            {
                "name": "line",
                "date": "2025-01-20",
                "control": {"between": [0.0, 1.0]},
                "source": "always true",
            }
        ],
    )
    out = tmp_path / "bt"
    code = main(
        ["backtest", str(late_talks), str(rec), "-n", "300", "-w", "1", "-o", str(out), "--json"]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"questions", "brier", "reference_brier"}
    q_no, q_yes = data["questions"]
    for q in data["questions"]:
        assert set(q) >= {"name", "asked", "p", "kept", "outcome", "brier", "reference"}
        assert q["p"] == 0.0 and q["kept"] == 300
    assert q_no["brier"] == 0.0 and q_yes["brier"] == 1.0
    assert data["brier"] == pytest.approx(0.5)
    assert q_no["reference"]["crowd"] == {"p": 0.4, "brier": pytest.approx(0.16)}
    assert q_yes["reference"]["crowd"]["brier"] == pytest.approx(0.09)
    assert q_yes["reference"]["expert"]["brier"] == pytest.approx(0.64)
    assert "expert" not in q_no["reference"]
    assert data["reference_brier"] == {"crowd": pytest.approx(0.125), "expert": pytest.approx(0.64)}
    assert q_no["log"] == pytest.approx(-math.log(1 - LOG_FLOOR))
    assert q_yes["log"] == pytest.approx(-math.log(LOG_FLOOR))
    assert (out / "manifest.json").is_file() and (out / "questions.csv").is_file()
    assert not (out / "plots" / "reliability.png").exists()  # two questions: no diagram


def test_the_forecast_is_the_share_of_worlds_in_a_ceasefire(tmp_path, mini_doc):
    """Without facts, P(ceasefire in force from asked to ceasefire_by) is the share of the
    replicates whose weekly status shows a ceasefire in that window (from trajectories)."""
    mini_doc["start"] = "2025-01-01"
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(mini_doc, sort_keys=False))
    rec = _record(
        tmp_path / "r.yaml",
        [{"name": "q", "asked": "2025-03-01", "ceasefire_by": "2025-09-30", "outcome": False}],
    )
    result = backtest(path, rec, runs=400, workers=1)
    status = run_ensemble(load_scenario(path), runs=400, workers=1).trajectories["status"]
    asked, by = 9, 39  # 1 Mar 2025 falls in week 9, 30 Sep 2025 in week 39
    in_force = (status[:, asked : by + 1] == list(STATES).index("ceasefire")).any(axis=1)
    assert 0 < in_force.mean() < 1
    assert result.questions["p"].iloc[0] == pytest.approx(in_force.mean())
    assert result.questions["brier"].iloc[0] == pytest.approx(in_force.mean() ** 2)


def test_facts_before_asked_condition_the_forecast(late_talks, tmp_path):
    """A fact no world meets empties the forecast of a question asked after it, not one
    asked before it."""
    rec = _record(
        tmp_path / "r.yaml",
        [
            {
                "name": "before",
                "asked": "2025-02-01",
                "ceasefire_by": "2025-06-30",
                "outcome": False,
            },
            {
                "name": "after",
                "asked": "2025-04-01",
                "ceasefire_by": "2025-06-30",
                "outcome": False,
            },
        ],
        facts=[
            {
                "name": "impossible",
                "date": "2025-03-01",
                "control": {"between": [0, 0.05]},
                "source": "x",
            }
        ],
    )
    result = backtest(late_talks, rec, runs=100, workers=1)
    kept = dict(zip(result.questions["name"], result.questions["kept"], strict=True))
    assert kept == {"before": 100, "after": 0}
    assert result.to_json()["questions"][1]["p"] is None
    assert "'after'" in result.warnings()[0] and "too few" in result.warnings()[1]


def test_reliability_diagram_with_enough_questions(late_talks, tmp_path, capsys):
    rng = np.random.default_rng(3)
    questions = [
        {
            "name": f"q{i}",
            "asked": "2025-02-01",
            "ceasefire_by": "2025-06-30",
            "outcome": bool(i % 3 == 0),
            "reference": {"crowd": float(rng.uniform())},
        }
        for i in range(12)
    ]
    rec = _record(tmp_path / "r.yaml", questions)
    out = tmp_path / "bt"
    assert main(["backtest", str(late_talks), str(rec), "-n", "50", "-w", "1", "-o", str(out)]) == 0
    assert (out / "plots" / "reliability.png").is_file()
    assert "Forecasts" in capsys.readouterr().out


def test_a_record_without_questions_is_refused(late_talks, tmp_path, capsys):
    rec = tmp_path / "r.yaml"
    rec.write_text(
        yaml.safe_dump(
            {
                "start": "2025-01-01",
                "facts": [
                    {
                        "name": "line",
                        "date": "2025-02-01",
                        "control": {"between": [0, 1]},
                        "source": "x",
                    }
                ],
            }
        )
    )
    assert main(["backtest", str(late_talks), str(rec), "-n", "5"]) == 2
    assert "asks no questions" in capsys.readouterr().err
