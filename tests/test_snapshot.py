"""The scenario file is read once per command: edits during a job never mix versions."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import yaml

import sim.analysis.compare as cmp
from sim.analysis.sweep import sweep
from sim.cli import main
from sim.snapshot import read_snapshot

VARY = ["actors.US.aid=0:0.4:3"]


def _edit_after_first_chunk(path, new_text):
    """A progress callback that rewrites ``path`` once the job is under way."""
    calls = []

    def progress(n: int) -> None:
        calls.append(n)
        if len(calls) == 1:
            path.write_text(new_text)

    return progress


def _other_world(doc: dict) -> str:
    doc = {**doc, "battlefield": {**doc["battlefield"], "control": 0.5}}
    return yaml.safe_dump(doc, sort_keys=False)


def test_sweep_points_all_come_from_the_text_read_at_the_start(mini_doc, write_scenario):
    path = write_scenario(mini_doc)
    straight = sweep(path, VARY, runs=30, workers=1)
    edited = sweep(
        path,
        VARY,
        runs=30,
        workers=1,
        on_progress=_edit_after_first_chunk(path, _other_world(mini_doc)),
    )
    assert "control: 0.5" in path.read_text()  # the file did change mid-sweep
    pd.testing.assert_frame_equal(edited.table, straight.table)


def test_sweep_reads_extends_parents_once(mini_doc, write_scenario):
    parent = write_scenario(mini_doc, "parent.yaml")
    child = write_scenario({"extends": "parent.yaml", "name": "child"}, "child.yaml")
    straight = sweep(child, VARY, runs=30, workers=1)
    edited = sweep(
        child,
        VARY,
        runs=30,
        workers=1,
        on_progress=_edit_after_first_chunk(parent, _other_world(mini_doc)),
    )
    pd.testing.assert_frame_equal(edited.table, straight.table)


def test_compare_reads_the_file_once_for_all_arms(mini_doc, write_scenario, monkeypatch):
    import sim.scenario.reading as scenario_module

    path = write_scenario(mini_doc)
    arms = cmp.arm_scenarios([path], ["nothing", "us_aid_cut"])
    real, reads = scenario_module.read_text, []

    def read_then_edit(file):
        text = real(file)
        reads.append(file)
        path.write_text(_other_world(mini_doc))  # an edit right after every read
        return text

    monkeypatch.setattr(scenario_module, "read_text", read_then_edit)
    path.write_text(yaml.safe_dump(mini_doc, sort_keys=False))
    edited = cmp.arm_scenarios([path], ["nothing", "us_aid_cut"])
    assert len(reads) == 1
    assert [a.spec for a in edited] == [a.spec for a in arms]
    assert {a.text_hash for a in edited} == {arms[0].text_hash}


def test_sweep_manifest_hashes_the_text_that_ran(mini_doc, write_scenario, tmp_path, monkeypatch):
    path = write_scenario(mini_doc)
    original = path.read_text()
    expected = hashlib.sha256(str(path).encode() + b"\0" + original.encode() + b"\0").hexdigest()
    import sim.analysis.sweep as analysis

    real = analysis.run_arms

    def edit_then_run(*args, **kwargs):
        path.write_text(_other_world(mini_doc))  # before the grid points run
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "run_arms", edit_then_run)
    out = tmp_path / "out"
    args = ["sweep", str(path), "--vary", VARY[0], "--runs", "30", "--workers", "1"]
    assert main([*args, "--no-plots", "--out", str(out)]) == 0
    info = json.loads((out / "manifest.json").read_text())
    assert info["scenario_sha256"] == expected
    monkeypatch.setattr(analysis, "run_arms", real)
    path.write_text(original)
    again = tmp_path / "again"
    assert main([*args, "--no-plots", "--out", str(again)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), pd.read_csv(again / "sweep.csv"))


def test_snapshot_builds_what_load_scenario_loads(mini_path):
    from sim.scenario import load_scenario

    snapshot = read_snapshot(mini_path)
    for policy in (None, "us_aid_cut"):
        built = snapshot.build(policy, ["actors.US.aid=0.3"])
        loaded = load_scenario(mini_path, policy, ["actors.US.aid=0.3"])
        assert built == loaded
