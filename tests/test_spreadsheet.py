"""No CSV the tool writes can be run by a spreadsheet as a formula (issue 22, fault 1).

OWASP's CSV injection advice: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return is prefixed with ``'``; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.spreadsheet import neutral, neutralised, to_csv

HOSTILE_NAME = '=HYPERLINK("http://x","c")'
HOSTILE_DESCRIPTION = "@SUM(1+1)*cmd|' /C calc'!A0"


def _formula_cells(text: str) -> list[str]:
    """Cells of a CSV text that a spreadsheet would take for a formula."""
    bad = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                try:
                    if math.isfinite(float(cell)):
                        continue  # a number
                except ValueError:
                    pass
                bad.append(cell)
    return bad


def test_neutral_cells_and_numbers():
    assert neutral("=1+1") == "'=1+1"
    assert neutral("+cmd") == "'+cmd"
    assert neutral("-x") == "'-x"
    assert neutral("@SUM(A1)") == "'@SUM(A1)"
    assert neutral("\tx") == "'\tx" and neutral("\rx") == "'\rx"
    assert neutral("-0.5") == "-0.5" and neutral("+3") == "+3"  # numbers as text stay
    assert neutral("baseline") == "baseline"
    assert neutral(-0.5) == -0.5 and neutral(None) is None
    frame = pd.DataFrame({"arm": ["=evil", "ok"], "value": [-0.25, 1.0], "n": [-1, 2]})
    out = neutralised(frame)
    assert list(out["arm"]) == ["'=evil", "ok"]
    assert out["value"].dtype == float and list(out["value"]) == [-0.25, 1.0]
    assert out["n"].dtype == np.int64
    assert to_csv(frame) == "arm,value,n\n'=evil,-0.25,-1\nok,1.0,2\n"
    header = to_csv(pd.DataFrame({"=x": [1]}))
    assert header.startswith("'=x")


@pytest.fixture
def hostile(tmp_path, mini_doc) -> Path:
    doc = dict(mini_doc)
    doc["name"] = HOSTILE_NAME
    doc["policies"] = {
        "us_aid_cut": {"description": HOSTILE_DESCRIPTION, "set": {"actors.US.aid": 0.0}}
    }
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _csv_of(argv: list[str], capsys) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def _files_csv(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.rglob("*.csv")}


def test_every_command_csv_neutralises_hostile_names(hostile, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = ["--runs", "30", "-w", "1", "--no-plots", "--format", "csv"]
    outputs: dict[str, str] = {}
    outputs["run"] = _csv_of(["run", str(hostile), *small, "-o", "run"], capsys)
    outputs["compare"] = _csv_of(["compare", str(hostile), *small, "-o", "cmp"], capsys)
    other = tmp_path / "other.yaml"
    other.write_text(hostile.read_text().replace("hostile", "other"))
    outputs["compare files"] = _csv_of(
        ["compare", str(hostile), str(other), *small, "-o", "cmp2"], capsys
    )
    outputs["deal"] = _csv_of(
        ["deal", str(hostile), "--terms", "nato=0.1", "--weeks", "1", *small, "-o", "deal"],
        capsys,
    )
    outputs["sweep"] = _csv_of(
        ["sweep", str(hostile), "--vary", "actors.US.aid=0:0.2:2", *small, "-o", "sweep"], capsys
    )
    outputs["sensitivity"] = _csv_of(
        [
            "sensitivity",
            str(hostile),
            "--method",
            "morris",
            "--samples",
            "2",
            "--replicates",
            "1",
            "-w",
            "1",
            "--no-plots",
            "--format",
            "csv",
            "-o",
            "sens",
        ],
        capsys,
    )
    outputs["discover"] = _csv_of(
        ["discover", "run", "--outcome", "ceasefire_week <= 52", "--format", "csv", "-o", "disc"],
        capsys,
    )
    outputs["compare folders"] = _csv_of(["compare", "run", "run", "--format", "csv"], capsys)
    for folder in ("cmp", "cmp2", "deal", "sweep", "sens", "disc"):
        for name, text in _files_csv(tmp_path / folder).items():
            outputs[f"{folder}/{name}"] = text
    assert {"cmp/comparison.csv", "deal/deal.csv", "sweep/sweep.csv"} <= set(outputs)
    assert {"sens/sensitivity.csv", "disc/discover.csv", "disc/trajectory.csv"} <= set(outputs)
    # the hostile text reaches the compare tables (as an arm label and a description) ...
    assert f"'{HOSTILE_DESCRIPTION}" in outputs["cmp/comparison.csv"]
    assert "'=HYPERLINK" in outputs["compare"] and "'=HYPERLINK" in outputs["cmp/comparison.csv"]
    # ... but no command's CSV has a cell a spreadsheet would run
    for where, text in outputs.items():
        assert text.strip(), where
        assert _formula_cells(text) == [], where
