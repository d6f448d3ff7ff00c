"""One registry of results-folder kinds (issue 21): the report of a folder follows from its
kind's entry, and a new kind is one entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.report import folder as folder_module
from sim.report.folder import read_folder
from sim.report.kinds import KINDS, Kind, kind_of
from sim.report.page import Table
from sim.report.sections import build, rebuilt_command


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_has_a_title_a_question_and_captions_for_its_figures(name):
    kind = KINDS[name]
    assert kind.name == name and kind.title and kind.question.endswith("?")
    stems = {Path(file).stem for file in kind.captions}
    if kind.figures:
        assert stems <= set(kind.figures), name  # every caption's figure has its place


def test_the_folder_reader_takes_the_kinds_and_tables_from_the_registry():
    assert folder_module.KINDS == tuple(KINDS)
    assert folder_module.TABLES == {k: v.table for k, v in KINDS.items() if v.table}
    assert folder_module.TABLES["compare"] == "comparison.csv"
    assert "run" not in folder_module.TABLES  # a run has summary.json instead


def _folder(tmp_path: Path, kind: str, **info) -> Path:
    out = tmp_path / kind
    out.mkdir()
    manifest = {"kind": kind, "source": "scenario.yaml", "seed": 3, "runs": 50, **info}
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def test_an_unknown_kind_gets_a_plain_page(tmp_path):
    folder = read_folder(_folder(tmp_path, "future"))
    report = build(folder)
    assert report.title == "Results (future)" and report.question == ""
    assert kind_of("future").runs_per is None
    assert rebuilt_command(folder) == "ceasefire future scenario.yaml --seed 3"


def test_a_new_kind_is_one_entry(tmp_path, monkeypatch):
    """The trial change of issue 21: a command's folder reported by adding its entry."""

    def headline(folder):
        return [Table("Trial numbers", ["", "Estimate"], [[["x"], [str(folder.info["x"])]]])]

    entry = Kind(
        "trial",
        "A trial",
        "Does one entry make a page?",
        headline=headline,
        runs_per=" per trial",
        arguments=lambda info: ["--x", str(info["x"])],
    )
    monkeypatch.setitem(KINDS, "trial", entry)
    folder = read_folder(_folder(tmp_path, "trial", x=7))
    report = build(folder)
    assert report.title.startswith("A trial") and report.question == entry.question
    assert report.headline[0].caption == "Trial numbers"
    assert any("50 runs per trial" in w for w in report.warnings)  # fewer than 1,000
    assert report.command == "ceasefire trial scenario.yaml --x 7 --runs 50 --seed 3"
