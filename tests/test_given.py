"""Runs, comparisons and deals given the record; policies' ``from:`` (issue 19, item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import ScenarioError, load_scenario
from sim.cli import main
from sim.ensemble import run_ensemble
from sim.record.given import compare_given, run_given


@pytest.fixture
def mini_cal(tmp_path, mini_doc) -> Path:
    """mini with a calendar and four policies: a world change, an offer, a conditional
    lever and an aid cut in a window (all able to take effect from a later week)."""
    mini_doc["start"] = "2025-01-01"
    mini_doc["policies"] = {
        "aid_cut": {"description": "US aid stops.", "set": {"actors.US.aid": 0.0}},
        "force": {"description": "A large force.", "offer": {"troops": 0.5}},
        "lever": {
            "description": "Russia's costs rise after two refusals.",
            "events": [
                {
                    "name": "squeeze",
                    "when": "rejections.Russia >= 2",
                    "scale": {"actors.Russia.war_cost": 3.0},
                }
            ],
        },
        # foreseen by both sides once announced (phase 5), so not before its `from:`
        "window_cut": {
            "description": "US aid stops in a week of the policy's first two months.",
            "events": [{"name": "stop", "window": [1, 8], "set": {"actors.US.aid": 0.0}}],
        },
    }
    path = tmp_path / "mini_cal.yaml"
    path.write_text(yaml.safe_dump(mini_doc, sort_keys=False))
    return path


@pytest.fixture
def record(tmp_path) -> Path:
    """Facts many worlds meet and some do not (the line by the end of March), the last on
    30 Apr 2025 (week 17)."""
    doc = {
        "start": "2025-01-01",
        "facts": [
            {
                "name": "line_march",
                "date": "2025-03-31",
                "control": {"between": [0.7, 0.836]},
                "source": "test",
            },
            {
                "name": "quiet_spring",
                "no_ceasefire": {"from": "2025-01-01", "to": "2025-04-30"},
                "source": "test",
            },
        ],
    }
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_policy_from_takes_effect_at_that_week_through_events(mini_cal):
    """With ``from: 20`` every kind of policy leaves weeks 0-19 as the baseline has them,
    replicate by replicate, and changes something later."""
    plain = load_scenario(mini_cal)
    base = run_ensemble(plain, runs=200, workers=1)
    for name in ("aid_cut", "force", "lever", "window_cut"):
        doc = yaml.safe_load(mini_cal.read_text())
        doc["policies"][name]["from"] = 20
        path = mini_cal.with_name(f"from_{name}.yaml")
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        scenario = load_scenario(path, policy=name)
        # every event of the policy waits for its week: none fires or is foreseen earlier
        added = scenario.spec.events[len(plain.spec.events) :]
        assert all(e.from_ == 20 for e in added), name
        arm = run_ensemble(scenario, runs=200, workers=1)
        for key in ("control", "status", "resolve", "position"):
            assert np.array_equal(arm.trajectories[key][:, :20], base.trajectories[key][:, :20])
        changed = [
            not np.array_equal(arm.trajectories[k], base.trajectories[k])
            for k in ("control", "status", "position")
        ]
        changed.append(not arm.runs["terms_troops"].equals(base.runs["terms_troops"]))
        assert any(changed), name


def test_policy_from_as_a_date_and_its_errors(mini_cal, tmp_path):
    doc = yaml.safe_load(mini_cal.read_text())
    doc["policies"]["aid_cut"]["from"] = "2025-05-14"
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    spec = load_scenario(path, policy="aid_cut").spec
    assert [(e.at, dict(e.set)) for e in spec.events[-1:]] == [(19, {"actors.US.aid": 0.0})]
    doc["policies"]["aid_cut"]["set"] = {"actors.US.optimism": 0.1}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(ScenarioError, match="cannot take effect from week 19"):
        load_scenario(path)
    doc["policies"]["aid_cut"] = {"from": "soon", "set": {"actors.US.aid": 0.0}}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(ScenarioError, match="policies.aid_cut.from: must be a week"):
        load_scenario(path)


def test_compare_given_shares_the_history_up_to_the_last_fact(mini_cal, record):
    """Every arm keeps the same worlds, and each kept world's trajectory is identical in
    every arm up to the week after the last fact used; the arms differ only after."""
    result = compare_given(mini_cal, record, runs=300, workers=1)
    given = result.given
    assert given.last_week == 17 and 0 < given.kept < 300
    arms = result.comparison.results
    reference = next(iter(arms.values())).runs
    assert len(arms) == 5
    for label, arm in arms.items():
        assert np.array_equal(arm.runs["replicate"], reference["replicate"]), label
    # trajectories, re-run plainly for the kept worlds: identical through week 17
    kept = reference["replicate"].to_numpy()
    from sim.snapshot import ScenarioSnapshot, read_snapshot

    snap = read_snapshot(mini_cal)
    doc = json.loads(json.dumps(dict(snap.document)))
    for name in doc["policies"]:
        doc["policies"][name]["from"] = given.last_week + 1
    shifted = ScenarioSnapshot(snap.source, doc, snap.texts)
    base = run_ensemble(shifted.build(), runs=300, workers=1).trajectories
    differ = 0
    for name in doc["policies"]:
        arm = run_ensemble(shifted.build(name), runs=300, workers=1).trajectories
        for key in ("control", "status", "resolve"):
            assert np.array_equal(
                arm[key][kept, : given.last_week + 1], base[key][kept, : given.last_week + 1]
            )
        differ += not np.array_equal(arm["control"][kept], base["control"][kept])
    assert differ >= 1  # and they do differ afterwards
    clocks = result.clocks
    assert list(clocks["arm"]) == list(arms)
    assert np.isnan(clocks["p_within_26_diff"].iloc[0])


@pytest.mark.slow
def test_a_foreseen_aid_cut_adopted_after_the_record_shares_its_history():
    """The baseline's aid cut (a window event both sides foresee, phase 5) adopted the week
    after the 2025 record: no side foresees it earlier, so every kept world's history up to
    the last fact is the baseline's (compare_given checks it and raises otherwise)."""
    root = Path(__file__).resolve().parents[1]
    result = compare_given(
        root / "scenarios" / "baseline.yaml",
        root / "seeds" / "record-2025.yaml",
        policies=["us_aid_cut"],
        runs=1000,
        workers=1,
    )
    assert result.given.kept > 100


def test_run_given_reports_over_the_kept_worlds_with_clocks(mini_cal, record, tmp_path, capsys):
    out = tmp_path / "g"
    code = main(
        [
            "run",
            str(mini_cal),
            "--given",
            str(record),
            "-n",
            "200",
            "-w",
            "1",
            "-o",
            str(out),
            "--no-plots",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "within 26 weeks after 2025-04-30" in printed
    given = json.loads((out / "given.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == given["kept"] < given["runs"] == 200
    assert given["last_fact_date"] == "2025-04-30"
    p = given["clocks"]["p_ceasefire_within_26_weeks"]["p"]
    direct = run_given(mini_cal, record, runs=200, workers=1)
    assert direct.given.clocks[26][0] == pytest.approx(p)
    after = direct.result.runs["ceasefire_after:17"].to_numpy()
    assert p == pytest.approx(((after >= 0) & (after <= 17 + 26)).mean())
    assert "Given" in (out / "report.html").read_text()


def test_deal_given_tables_after_the_last_fact(mini_cal, record, tmp_path, capsys):
    out = tmp_path / "d"
    code = main(
        [
            "deal",
            str(mini_cal),
            "--given",
            str(record),
            "--terms",
            "territory=line",
            "-n",
            "100",
            "-w",
            "1",
            "-o",
            str(out),
            "--no-plots",
        ]
    )
    assert code == 0
    data = json.loads((out / "deal.json").read_text())
    given = json.loads((out / "given.json").read_text())
    assert data["weeks"] == [18, 43] and given["last_fact_week"] == 17
    code = main(
        [
            "deal",
            str(mini_cal),
            "--given",
            str(record),
            "--terms",
            "territory=line",
            "--weeks",
            "2025-03-01",
            "-n",
            "10",
            "-o",
            str(tmp_path / "e"),
        ]
    )
    assert code == 2
    assert "after its last fact used (week 17" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()


def test_until_needs_given(mini_cal, capsys):
    assert main(["run", str(mini_cal), "--until", "2025-03-01", "-n", "5"]) == 2
    assert "--until: 2025-03-01: needs --given RECORD" in capsys.readouterr().err


def test_python_api_takes_given(mini_cal, record):
    import sim

    plain = sim.run(mini_cal, runs=50, workers=1)
    given = sim.run(mini_cal, runs=50, workers=1, given=record)
    assert len(plain.runs) == 50 and len(given.result.runs) == given.given.kept <= 50
    assert set(given.result.runs["replicate"]) <= set(plain.runs["replicate"])
    deal, info = sim.evaluate_deal(
        mini_cal, terms={"territory": "line"}, runs=30, workers=1, given=record
    )
    assert deal.weeks[0] == info.last_week + 1
    with pytest.raises(TypeError):
        sim.run(mini_cal, runs=5, until="2025-03-01")


def test_every_run_option_works_given_the_record(mini_cal, record, tmp_path):
    """Chunk size (and any run option) works with given= as without: the same worlds."""
    import pandas as pd

    import sim
    from sim.options import RunOptions

    chunked = sim.run(mini_cal, given=record, options=RunOptions(runs=40, workers=1, chunk_size=7))
    plain = sim.run(mini_cal, given=record, runs=40, workers=1)
    pd.testing.assert_frame_equal(chunked.result.runs, plain.result.runs)
    out = tmp_path / "g"
    argv = ["run", str(mini_cal), "--given", str(record), "-n", "40", "-w", "1", "--chunk-size"]
    assert main([*argv, "7", "--no-plots", "-o", str(out)]) == 0
    assert (out / "given.json").is_file()


def test_an_arm_that_changes_the_history_stops_with_one_line_and_no_folder(
    mini_cal, record, tmp_path, capsys, monkeypatch
):
    """The shared-history check is an invariant (every lever is shifted past the last fact);
    if it ever fails, compare --given says which arm, calls it a bug, exits 1 and leaves no
    folder, never a traceback or an unpaired table."""
    import sim.record.given as given_module

    real, calls = given_module.used_mask, []

    def drifting(runs, bound, until):
        mask = real(runs, bound, until).copy()
        calls.append(1)
        if len(calls) == 3:  # the second arm's check: one world differs
            mask[0] = not mask[0]
        return mask

    monkeypatch.setattr(given_module, "used_mask", drifting)
    out = tmp_path / "out"
    argv = ["compare", str(mini_cal), "--given", str(record), "-n", "60", "--no-plots"]
    assert main([*argv, "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("error: arm 'mini+aid_cut' changes the worlds before the record")
    assert "week 17" in err[0] and "this is a bug" in err[1]
    assert not out.exists()
