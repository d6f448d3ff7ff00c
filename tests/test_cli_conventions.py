"""Command-line conventions: a light start-up, --version, completion, examples in every
--help, flags shown as flags, --format csv, tables that are never cut, and compare DIR DIR.

Start-up speed itself is measured, never asserted (benchmarks/startup.py); what is tested
is its cause: which libraries ``import sim`` and ``import sim.cli`` load.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import sim
from sim.cli import app, main

HEAVY = ("pandas", "scipy", "numba", "matplotlib", "SALib", "dask", "distributed", "mesa")
COMMANDS = (
    "run",
    "validate",
    "plot",
    "compare",
    "sweep",
    "sensitivity",
    "discover",
    "deal",
    "reproduce",
)


def _loaded_after(code: str) -> tuple[list[str], str]:
    """The heavy libraries loaded by running ``code`` in a fresh interpreter, and its stderr."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", probe], capture_output=True, text=True, check=True
    )
    modules = json.loads(done.stdout.splitlines()[-1])
    heavy = sorted({m.split(".")[0] for m in modules} & set(HEAVY))
    return heavy, done.stderr


@pytest.mark.parametrize("code", ["import sim", "import sim.cli", "import sim.cli.app"])
def test_importing_the_package_or_the_command_line_loads_no_numerical_library(code):
    heavy, stderr = _loaded_after(code)
    assert heavy == [], f"{code} imports {heavy}"
    assert stderr == "", f"{code} printed: {stderr}"  # no warnings (SALib's TqdmWarning)


def test_validating_a_scenario_needs_no_numerical_library(mini_path):
    heavy, stderr = _loaded_after(
        f"from sim.scenario import load_scenario\nload_scenario({str(mini_path)!r})"
    )
    assert heavy == [] and stderr == ""


def test_the_public_api_loads_on_first_use():
    assert set(sim.__all__) <= set(dir(sim))
    assert sim.run.__wrapped__ is sim.run_ensemble  # given= added (sim.record.api)
    from sim import ScenarioError, load_scenario

    assert issubclass(ScenarioError, ValueError) and callable(load_scenario)
    namespace: dict = {}
    exec("from sim import *", namespace)
    assert set(sim.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        sim.nothing_here  # noqa: B018


def test_version_is_the_installed_packages(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"ceasefire {importlib.metadata.version('ceasefire')}"
    )


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.output


def test_root_help_offers_version_and_shell_completion():
    text = _help()
    for option in ("--version", "--install-completion", "--show-completion"):
        assert option in text
    assert "Examples:" in text


def test_shell_completion_completes_commands_and_options():
    script = Path(sys.executable).with_name("ceasefire")
    if not script.is_file():
        pytest.skip("the ceasefire script is not installed next to this Python")

    def complete(*words: str) -> list[str]:
        env = {
            "COMP_WORDS": " ".join(["ceasefire", *words]),
            "COMP_CWORD": str(len(words)),
            "_CEASEFIRE_COMPLETE": "complete_bash",
        }
        done = subprocess.run([script], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("va") == ["validate"]
    assert "--no-plots" in complete("run", "--no")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_examples_and_shows_flags_as_flags(command):
    text = _help(command)
    assert "Examples:" in text
    examples = text.split("Examples:", 1)[1]
    assert f"ceasefire {command} " in examples or f"ceasefire {command}\n" in examples
    assert "<bool>" not in text  # a flag takes no value: no type shown


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "deal", "sensitivity", "discover"])
def test_commands_that_print_tables_take_format_csv(command):
    assert "--format" in _help(command)


def test_validate_prints_one_unwrapped_line_per_file_in_a_pipe(mini_path, tmp_path):
    long = tmp_path / ("a_scenario_file_with_a_name_long_enough_to_pass_eighty_columns" * 2)
    long.mkdir()
    path = long / "mini.yaml"
    path.write_text(mini_path.read_text())
    done = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": "", "COLUMNS": "80", "SYSTEMROOT": ""},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ok: {path} (")


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_run_format_csv_prints_the_summary_as_csv(mini_path, tmp_path, capsys):
    out = tmp_path / "res"
    args = ["run", str(mini_path), "-n", "40", "-w", "1", "-o", str(out), "--no-plots"]
    assert main([*args, "--format", "csv"]) == 0
    captured = capsys.readouterr()
    rows = {row["outcome"]: row for row in _csv(captured.out)}
    summary = json.loads((out / "summary.json").read_text())
    assert float(rows["runs"]["value"]) == 40
    assert float(rows["p_ceasefire"]["value"]) == pytest.approx(summary["p_ceasefire"])
    assert float(rows["p_ceasefire"]["lo"]) == pytest.approx(summary["p_ceasefire_lo"])
    assert "Results:" not in captured.out and "Results:" in captured.err


def test_format_must_be_table_or_csv(mini_path, tmp_path, capsys):
    out = tmp_path / "res"
    code = main(["run", str(mini_path), "-o", str(out), "--format", "xml"])
    err = capsys.readouterr().err
    assert code == 2 and "--format" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_compare_sweep_and_deal_print_csv(mini_path, tmp_path, capsys):
    common = ["-n", "20", "-w", "1", "--no-plots", "--format", "csv"]
    assert main(["compare", str(mini_path), "-o", str(tmp_path / "c"), *common]) == 0
    rows = _csv(capsys.readouterr().out)
    assert [r["arm"] for r in rows][0] == "mini" and len(rows) >= 2
    assert "p_ceasefire_diff_lo" in rows[0]
    vary = ["--vary", "actors.US.aid=0:0.4:2"]
    assert main(["sweep", str(mini_path), *vary, "-o", str(tmp_path / "s"), *common]) == 0
    rows = _csv(capsys.readouterr().out)
    assert len(rows) == 2 and "actors.US.aid" in rows[0] and "p_ceasefire" in rows[0]
    deal = ["--terms", "territory=line,nato=0", "--weeks", "1,8"]
    assert main(["deal", str(mini_path), *deal, "-o", str(tmp_path / "d"), *common]) == 0
    captured = capsys.readouterr()
    rows = _csv(captured.out)
    assert [int(float(r["week"])) for r in rows] == [1, 8] and "p_all_accept" in rows[0]
    assert "Results:" in captured.err


# --------------------------------------------------------------------------- compare DIR DIR
@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path]:
    """Two results folders of `run`: the baseline and a policy, different sizes and seeds."""
    mini = Path(__file__).parent / "data" / "mini.yaml"
    root = tmp_path_factory.mktemp("runs")
    a, b = root / "baseline_folder_with_a_long_name_for_the_tables", root / "aid_cut"
    base = ["-w", "1", "--no-plots"]
    assert main(["run", str(mini), "-n", "60", "-o", str(a), *base]) == 0
    assert (
        main(["run", str(mini), "-n", "80", "-o", str(b), "-p", "us_aid_cut", "-s", "5", *base])
        == 0
    )
    return a, b


def test_compare_results_folders_without_running(two_runs, capsys, tmp_path):
    """Nothing is run; the comparison is written to a folder like any other (issue 20)."""
    a, b = two_runs
    before = sorted(p.name for p in a.parent.iterdir())
    folder = tmp_path / "cmp"
    assert main(["compare", str(a), str(b), "-o", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "unpaired" in out and "results folders" in out
    assert a.name in out and "aid_cut" in out and "…" not in out
    assert sorted(p.name for p in a.parent.iterdir()) == before  # the runs are untouched
    info = json.loads((folder / "manifest.json").read_text())
    assert info["kind"] == "compare" and info["paired"] is False
    assert (folder / "comparison.csv").is_file() and (folder / "plots" / "summary.png").is_file()
    page = (folder / "report.html").read_text()
    assert "unpaired 95% intervals" in page and "paired 95% intervals (common" not in page


def test_compare_folders_table_is_unpaired_and_matches_the_summaries(two_runs, capsys, tmp_path):
    a, b = two_runs
    out = ["-o", str(tmp_path / "c"), "--no-plots"]
    assert main(["compare", str(a), str(b), "--format", "csv", *out]) == 0
    rows = _csv(capsys.readouterr().out)
    assert [r["arm"] for r in rows] == [a.name, b.name]
    assert [int(r["runs"]) for r in rows] == [60, 80]
    for folder, row in zip((a, b), rows, strict=True):
        summary = json.loads((folder / "summary.json").read_text())
        assert float(row["p_ceasefire"]) == pytest.approx(summary["p_ceasefire"])
    assert rows[0]["p_ceasefire_diff"] == ""  # the reference
    diff = float(rows[1]["p_ceasefire_diff"])
    assert diff == pytest.approx(float(rows[1]["p_ceasefire"]) - float(rows[0]["p_ceasefire"]))
    assert float(rows[1]["p_ceasefire_diff_lo"]) < diff < float(rows[1]["p_ceasefire_diff_hi"])


def test_same_folder_twice_differs_by_nothing(two_runs):
    from sim.analysis.folders import compare_folders

    a, _ = two_runs
    table = compare_folders([a, a]).table
    assert list(table["arm"]) == [f"{a.name} (1)", f"{a.name} (2)"]
    assert table["p_ceasefire_diff"].iloc[1] == 0
    assert table["final_control_diff"].iloc[1] == 0


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (lambda tmp: tmp / "empty", [], "not a results folder of `ceasefire run`"),
        (lambda tmp: tmp / "missing", [], "no such file or folder"),
        (None, ["--runs", "10"], "--runs: does not apply when comparing results folders"),
    ],
)
def test_compare_refuses_what_is_not_a_results_folder(
    two_runs, tmp_path, capsys, make, extra, message
):
    a, _ = two_runs
    (tmp_path / "empty").mkdir()
    second = make(tmp_path) if make else a
    assert main(["compare", str(a), str(second), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_compare_needs_two_folders_and_no_scenario_among_them(two_runs, mini_path, capsys):
    a, _ = two_runs
    assert main(["compare", str(a)]) == 2
    assert "give two or more results folders" in capsys.readouterr().err
    assert main(["compare", str(a), str(mini_path)]) == 2
    assert "not both" in capsys.readouterr().err


def test_comparison_tables_fit_80_columns_and_never_cut_a_name(two_runs):
    from sim.analysis.folders import compare_folders
    from sim.cli.compare import comparison_tables

    comparison = compare_folders(list(two_runs))
    comparison.table["arm"] = ["a_policy_name_much_longer_than_any_column_would_allow", "short"]
    for width in (80, 200):
        screen = Console(width=width, file=io.StringIO(), record=True, color_system=None)
        for t in comparison_tables(comparison, width):
            screen.print(t)
        text = screen.export_text()
        assert "…" not in text
        assert max(len(line) for line in text.splitlines()) <= width
        flat = "".join(line.strip("│┃ ") for line in text.splitlines())
        assert "much_longer_than" in flat.replace("│", "").replace(" ", "")
