"""The record as evidence (issue 19): record files, calibration, its JSON, k = 0.

The scenarios here are small and built so that the truth is known; no test depends on the
baseline's numbers (the model changes under these tests).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import ScenarioError, load_scenario
from sim.cli import main
from sim.ensemble import run_ensemble
from sim.record import load_record
from sim.record.calibrate import calibrate

BAD = Path(__file__).parent / "data" / "bad_records"
EXPECTED: dict[str, str] = yaml.safe_load((BAD / "EXPECTED.yaml").read_text())
FILES = sorted(p.name for p in BAD.glob("*.yaml") if p.name != "EXPECTED.yaml")
MINI = Path(__file__).parent / "data" / "mini.yaml"
DISTRIBUTIONS = {"uniform", "normal", "triangular", "choice"}


def _fixed(value):
    """A scenario value with every distribution replaced by its middle."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in DISTRIBUTIONS:
        kind, args = next(iter(value.items()))
        return float(np.mean(args)) if kind != "triangular" else float(args[1])
    if isinstance(value, dict):
        return {k: _fixed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fixed(v) for v in value]
    return value


@pytest.fixture
def one_input(tmp_path, mini_doc) -> Path:
    """mini with a calendar and one uncertain input: the front's drift."""
    doc = _fixed(mini_doc)
    doc["start"] = "2025-01-01"
    doc["events"] = []
    doc["battlefield"]["drift"] = {"uniform": [0.0, 0.006]}
    doc["battlefield"]["volatility"] = 0.001
    # talks open only in the last week: the front moves all year and every control fact
    # carries news about the drift
    doc["negotiation"]["first_week"] = doc["horizon"]
    path = tmp_path / "one_input.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _write_record(path: Path, facts: list[dict], questions: list[dict] | None = None) -> Path:
    doc = {"start": "2025-01-01", "facts": facts}
    if questions:
        doc["questions"] = questions
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# --------------------------------------------------------------------------- the file
@pytest.mark.parametrize("name", FILES)
def test_bad_record_is_refused_with_one_line(name):
    spec = load_scenario(MINI).spec
    with pytest.raises(ScenarioError) as caught:
        load_record(BAD / name, spec)
    assert str(caught.value) == f"{BAD / name}: {EXPECTED[name]}"


def test_bad_record_corpus_covers_the_issue():
    assert sorted(EXPECTED) == FILES
    for needed in (
        "unknown_actor.yaml",
        "unknown_issue.yaml",
        "date_before_start.yaml",
        "date_past_horizon.yaml",
        "between_reversed.yaml",
        "duplicate_names.yaml",
        "question_by_before_asked.yaml",
    ):
        assert needed in FILES


@pytest.mark.parametrize("command", ["calibrate", "backtest"])
@pytest.mark.parametrize("name", ["unknown_actor.yaml", "between_reversed.yaml"])
def test_bad_record_on_the_command_line_exits_2_and_writes_nothing(
    command, name, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    code = main([command, str(MINI), str(BAD / name), "--runs", "5", "-w", "1"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0] == f"error: {BAD / name}: {EXPECTED[name]}"
    assert list(tmp_path.iterdir()) == []


def test_the_shipped_record_binds_to_the_baseline():
    record = load_record("seeds/record-2025.yaml", load_scenario("scenarios/baseline.yaml").spec)
    names = [f.name for f in record.facts]
    for needed in ("jeddah_freeze", "istanbul_memorandum", "paris_reassurance_force"):
        assert needed in names
    kinds = {f.fact.kind for f in record.facts}
    assert kinds == {"tabled", "no_ceasefire", "control"}
    assert all(f.fact.source for f in record.facts)
    assert record.questions and all(q.question.source for q in record.questions)
    assert record.week("2025-03-11") == 10


def test_bad_until_is_refused(one_input, tmp_path, capsys):
    rec = _write_record(
        tmp_path / "r.yaml",
        [{"name": "line", "date": "2025-06-30", "control": {"between": [0, 1]}, "source": "x"}],
    )
    code = main(["calibrate", str(one_input), str(rec), "--until", "June", "-n", "5"])
    assert code == 2
    assert "--until" in capsys.readouterr().err


# --------------------------------------------------------------------------- probes
def test_probes_leave_the_history_alone(one_input, tmp_path):
    """The record's probes add columns and change no replicate's history (the tabled fact
    is evaluated on the state, not tabled into the run)."""
    import functools

    from sim.record.observe import Probes, RecordedModel

    scenario = load_scenario(MINI, overrides=["start=2025-01-01"])
    record = load_record(
        _write_record(
            tmp_path / "r.yaml",
            [
                {
                    "name": "freeze",
                    "date": "2025-03-11",
                    "tabled": {"territory": "line", "nato": 0.0},
                    "rejected_by": ["Russia"],
                    "source": "x",
                },
                {
                    "name": "calm",
                    "no_ceasefire": {"from": "2025-01-01", "to": "2025-06-30"},
                    "source": "x",
                },
            ],
        ),
        scenario.spec,
    )
    model = functools.partial(RecordedModel, probes=Probes.of(record))
    plain = run_ensemble(scenario, runs=300, workers=1, chunk_size=100)
    probed = run_ensemble(scenario, runs=300, workers=1, chunk_size=70, model_class=model)
    for column in plain.runs.columns:
        assert probed.runs[column].equals(plain.runs[column]), column
    assert 0 < probed.runs["fact:freeze"].mean() < 1  # an answer that varies by world


def test_a_tabled_fact_costs_one_evaluation_per_replicate(tmp_path, monkeypatch):
    from sim.record.observe import RecordedModel

    rows_evaluated = []
    original = RecordedModel.responses

    def counting(self, rows, terms, *args, **kwargs):
        if getattr(self, "_probing", False):
            rows_evaluated.append(len(rows))
        return original(self, rows, terms, *args, **kwargs)

    original_answers = RecordedModel._answers

    def answers(self, *args):
        self._probing = True
        try:
            return original_answers(self, *args)
        finally:
            self._probing = False

    monkeypatch.setattr(RecordedModel, "responses", counting)
    monkeypatch.setattr(RecordedModel, "_answers", answers)
    facts = [
        {
            "name": f"t{i}",
            "date": f"2025-0{i + 2}-01",
            "tabled": {"territory": "line"},
            "rejected_by": ["Russia"],
            "source": "x",
        }
        for i in range(3)
    ]
    rec = _write_record(tmp_path / "r.yaml", facts)
    scenario = load_scenario(MINI, overrides=["start=2025-01-01"])
    calibrate(scenario, rec, runs=200, workers=1)
    # one call per tabled fact and chunk (4 chunks of 50), each on the rows at war: at most
    # one evaluation per replicate and fact, and no re-run of the war
    assert len(rows_evaluated) == 3 * 4
    assert sum(rows_evaluated) <= 3 * 200 and max(rows_evaluated) <= 50


# --------------------------------------------------------------------------- calibration
def _truth_record(path: Path, one_input: Path, weeks: list[int]) -> tuple:
    """Facts read off one replicate of the scenario (the first of 20 whose drift lies in
    the middle half of its prior, so that the truth is not at an edge): its control at
    ``weeks``."""
    from sim.dates import date_of

    truth = run_ensemble(load_scenario(one_input), runs=20, workers=1)
    drift = truth.runs["battlefield.drift"].to_numpy()
    replicate = int(np.flatnonzero((drift > 0.0015) & (drift < 0.0045))[0])
    control = truth.trajectories["control"][replicate]
    facts = [
        {
            "name": f"line_w{w}",
            "date": date_of(w, "2025-01-01").isoformat(),
            "control": {"between": [float(control[w]) - 0.003, float(control[w]) + 0.003]},
            "source": "replicate 0",
        }
        for w in weeks
    ]
    return _write_record(path, facts), float(truth.runs["battlefield.drift"].iloc[replicate])


def test_posterior_concentrates_on_the_true_value(one_input, tmp_path):
    """A record read off one replicate: as its facts are added, the kept worlds' drift
    concentrates around that replicate's drift (known truth)."""
    spreads, errors = [], []  # posterior sd / prior sd; |mean - truth| / posterior sd
    for weeks in ([13], [13, 26], [13, 26, 39, 52]):
        path, true = _truth_record(tmp_path / f"r{len(weeks)}.yaml", one_input, weeks)
        result = calibrate(one_input, path, runs=4000, workers=1)
        row = result.inputs.set_index("path").loc["battlefield.drift"]
        assert result.k >= 1  # the replicate itself passes its own record
        spreads.append(row["posterior_sd"] / row["prior_sd"])
        errors.append(abs(row["posterior_mean"] - true) / row["posterior_sd"])
    assert spreads[0] > spreads[1] > spreads[2]  # each fact added narrows the posterior
    assert spreads[2] < 0.35
    assert max(errors) < 2.0  # and the truth stays within two posterior sds


def test_until_splits_used_and_held_out_facts(one_input, tmp_path, capsys):
    path, _ = _truth_record(tmp_path / "r.yaml", one_input, [13, 26, 39])
    out = tmp_path / "cal"
    code = main(
        [
            "calibrate",
            str(one_input),
            str(path),
            "--until",
            "2025-05-01",
            "-n",
            "500",
            "-w",
            "1",
            "-o",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"runs", "kept", "ess", "facts", "inputs"}
    assert data["runs"] == 500 and 0 < data["kept"] <= 500 and data["ess"] == data["kept"]
    used = {f["name"]: f["used"] for f in data["facts"]}
    assert used == {"line_w13": True, "line_w26": False, "line_w39": False}
    for fact in data["facts"]:
        assert set(fact) == {"name", "date", "used", "prior", "posterior"}
        assert 0 <= fact["prior"] <= 1
        if fact["used"]:
            assert fact["posterior"] == 1
    assert set(data["inputs"]) == {"battlefield.drift"}
    assert set(data["inputs"]["battlefield.drift"]) == {"prior_mean", "posterior_mean", "shift_sd"}
    assert {p.name for p in out.iterdir()} >= {
        "manifest.json",
        "kept.parquet",
        "report.html",
        "facts.csv",
        "inputs.csv",
        "plots",
    }
    import pandas as pd

    assert len(pd.read_parquet(out / "kept.parquet")) == data["kept"]


def test_facts_no_world_meets_give_k_0_and_the_plain_message(one_input, tmp_path, capsys):
    rec = _write_record(
        tmp_path / "r.yaml",
        [
            {
                "name": "collapse",
                "date": "2025-03-01",
                "control": {"between": [0.0, 0.05]},
                "source": "impossible: the front starts at 0.83",
            }
        ],
    )
    out = tmp_path / "cal"
    code = main(
        ["calibrate", str(one_input), str(rec), "-n", "300", "-w", "1", "-o", str(out), "--json"]
    )
    captured = capsys.readouterr()
    assert code == 0
    data = json.loads(captured.out)
    assert data["kept"] == 0 and data["ess"] == 0
    assert data["facts"][0]["posterior"] == 1  # a used fact, by definition
    assert data["inputs"]["battlefield.drift"]["posterior_mean"] is None
    assert "outside the model's worlds" in captured.err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kept"] == 0 and "outside the model's worlds" in manifest["message"]
    assert (out / "report.html").is_file() and (out / "plots" / "posterior.png").is_file()
    assert "outside the model" in (out / "report.html").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_result_objects_show_themselves(one_input, tmp_path):
    path, _ = _truth_record(tmp_path / "r.yaml", one_input, [13])
    result = calibrate(one_input, path, runs=200, workers=1)
    assert "CalibrationResult(" in repr(result) and f"of {200:,} kept" in repr(result)
    page = result._repr_html_()
    assert "line_w13" in page and "<script" not in page
    assert list(result.summary()["name"]) == ["line_w13"]
    fig = result.plot()
    width, height = fig.get_size_inches() * 150
    assert width <= 1600 and height <= 1000


def test_a_record_start_other_than_the_scenarios_is_refused(tmp_path):
    rec = tmp_path / "r.yaml"
    rec.write_text(
        yaml.safe_dump(
            {
                "start": "2025-02-01",
                "facts": [
                    {
                        "name": "line",
                        "date": "2025-06-30",
                        "control": {"between": [0, 1]},
                        "source": "x",
                    }
                ],
            }
        )
    )
    spec = load_scenario("scenarios/baseline.yaml").spec
    with pytest.raises(ScenarioError, match="differs from the scenario's start"):
        load_record(rec, spec)


@pytest.mark.parametrize(
    "argv",
    [
        [
            "deal",
            "scenarios/baseline.yaml",
            "--deal",
            "freeze",
            "--given",
            "seeds/record-2025.yaml",
            "--resume",
            "x",
        ],
        [
            "compare",
            "scenarios/baseline.yaml",
            "--given",
            "seeds/record-2025.yaml",
            "--resume",
            "x",
        ],
    ],
)
def test_options_that_do_not_apply_given_the_record_are_refused(
    argv, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(Path(__file__).parents[1])
    assert main([*argv, "-n", "5", "-o", str(tmp_path / "o")]) == 2
    assert "cannot be combined with --given" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_held_out_fact_the_kept_worlds_find_improbable_is_a_warning_in_the_report(
    one_input, tmp_path
):
    """Issue 20: a held-out record fact below the flag among the kept worlds appears under
    the report's Warnings, and one that holds does not."""
    path, _ = _truth_record(tmp_path / "r.yaml", one_input, [13, 26, 39])
    out = tmp_path / "cal"
    args = ["calibrate", str(one_input), str(path), "--until", "2025-05-01", "-n", "500"]
    assert main([*args, "-w", "1", "-o", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    flagged = {f["name"] for f in manifest["facts_table"] if f["flagged"]}
    page = (out / "report.html").read_text()
    start = page.index('id="warnings"')
    warnings = page[start : page.index("Headline numbers", start)]
    for fact in manifest["facts_table"]:
        shown = f"Held-out fact {fact['name']} " in warnings
        assert shown == (fact["name"] in flagged)
