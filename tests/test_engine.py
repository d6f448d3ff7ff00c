"""One engine, one options object (issue 21): :class:`sim.options.RunOptions` and the one
scheduler, :func:`sim.ensemble.run_arms`, under every command and function."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pandas as pd
import pytest

import sim
import sim.ensemble as ensemble
from sim.cli import main
from sim.errors import OptionError
from sim.options import RunOptions


# --------------------------------------------------------------------------- RunOptions
def test_run_options_check_each_field_once_declared():
    assert sim.RunOptions is RunOptions
    assert RunOptions(runs=5, seed=3).runs == 5
    with pytest.raises(OptionError, match=r"^runs: must be at least 1, got 0$"):
        RunOptions(runs=0)
    with pytest.raises(OptionError, match=r"^chunk_size: must be at least 1"):
        RunOptions(chunk_size=0)
    with pytest.raises(OptionError, match=r"^--chunk-size: must be at least 1"):
        RunOptions.from_cli(chunk_size=0)
    with pytest.raises(OptionError, match=r"^seed: "):
        RunOptions(seed=-1)
    with pytest.raises(OptionError, match="scheduler"):
        RunOptions(scheduler="nonsense address")
    with pytest.raises(OptionError, match="on_progress"):
        RunOptions(on_progress=3)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="frozen|cannot assign"):
        RunOptions().runs = 3  # type: ignore[misc]


def test_options_and_keywords_merge_and_clash():
    options = RunOptions(runs=10)
    assert RunOptions.merged(options, seed=4) == RunOptions(runs=10, seed=4)
    assert RunOptions.merged(options, runs=10) == options
    with pytest.raises(OptionError, match="runs: given as 20 and as options.runs=10"):
        RunOptions.merged(options, runs=20)


def test_every_function_takes_the_options_object(mini_path):
    """The same result from options= as from the keyword arguments, for every function."""
    o = RunOptions(runs=12, seed=5, workers=1, chunk_size=5)
    pd.testing.assert_frame_equal(
        sim.run(mini_path, options=o).runs,
        sim.run(mini_path, runs=12, seed=5, workers=1, chunk_size=5).runs,
    )
    pd.testing.assert_frame_equal(
        sim.compare(mini_path, options=o).table,
        sim.compare(mini_path, runs=12, seed=5, workers=1).table,
    )
    vary = ["actors.US.aid=0:0.2:2"]
    pd.testing.assert_frame_equal(
        sim.sweep(mini_path, vary, options=o).table,
        sim.sweep(mini_path, vary, runs=12, seed=5, workers=1).table,
    )
    terms = {"territory": "line"}
    pd.testing.assert_frame_equal(
        sim.evaluate_deal(mini_path, terms=terms, weeks=[1, 5], options=o).table,
        sim.evaluate_deal(mini_path, terms=terms, weeks=[1, 5], runs=12, seed=5).table,
    )
    small = RunOptions(seed=5, workers=1, chunk_size=7)
    a = sim.sensitivity(mini_path, "morris", samples=2, replicates=1, options=small)
    b = sim.sensitivity(mini_path, "morris", samples=2, replicates=1, seed=5, workers=1)
    pd.testing.assert_frame_equal(a.table, b.table)
    with pytest.raises(OptionError, match="^runs: sensitivity runs its design"):
        sim.sensitivity(mini_path, "morris", samples=2, options=RunOptions(runs=3))


# --------------------------------------------------------------------------- one scheduler
@contextmanager
def _counting_pools(monkeypatch):
    opened: list[int] = []
    real = ensemble.executor_for

    @contextmanager
    def counted(workers, scheduler):
        opened.append(workers)
        with real(workers, scheduler) as pool:
            yield pool

    monkeypatch.setattr(ensemble, "executor_for", counted)
    yield opened


def test_a_deal_runs_its_weeks_in_one_pool(mini_path, monkeypatch):
    with _counting_pools(monkeypatch) as opened:
        result = sim.evaluate_deal(
            mini_path, terms={"territory": "line"}, weeks=[1, 5, 9], runs=20, workers=2
        )
    assert opened == [2] and list(result.table["week"]) == [1, 5, 9]
    # each week is the ensemble it would be alone (common random numbers, any chunking)
    alone = sim.evaluate_deal(mini_path, terms={"territory": "line"}, weeks=[5], runs=20)
    pd.testing.assert_frame_equal(result.runs[5], alone.runs[5])


def test_progress_and_checkpoint_for_compare_from_python(mini_path, tmp_path):
    ticks: list[int] = []
    o = RunOptions(runs=30, workers=1, chunk_size=10, on_progress=ticks.append)
    first = sim.compare(mini_path, options=o.with_(checkpoint=tmp_path / "ck"))
    arms = len(first.results)
    assert sum(ticks) == 30 * arms and len(ticks) == 3 * arms
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == [
        f"arm-{i:03d}" for i in range(arms)
    ]
    ticks.clear()
    again = sim.compare(mini_path, options=o.with_(checkpoint=tmp_path / "ck"))  # resumed
    assert sum(ticks) == 30 * arms
    pd.testing.assert_frame_equal(first.table, again.table)


# --------------------------------------------------------------------------- check once
def test_each_arm_and_grid_point_is_validated_once(mini_path, monkeypatch):
    import sim.scenario as scenario
    import sim.scenario.loading as loading

    seen: list[str] = []
    real = scenario.validate_document

    def counted(doc, source):
        seen.append(source)
        return real(doc, source)

    monkeypatch.setattr(scenario, "validate_document", counted)
    monkeypatch.setattr(loading, "validate_document", counted)
    import sim.analysis.compare as compare

    arms = compare.arm_scenarios([mini_path])
    assert len(seen) == len(arms)  # the file and each policy: one document each
    seen.clear()
    import sim.analysis.sweep as sweep
    from sim.snapshot import read_snapshot

    grid = sweep.parse_grid(["actors.US.aid=0:0.4:3"])
    base, points = sweep.grid_arms(read_snapshot(mini_path), grid)
    policies = len(base.spec.policies)
    assert len(points) == 3 and len(seen) == 1 + policies + 3


def test_every_command_takes_chunk_size_and_names_its_flag(mini_path, tmp_path, capsys):
    commands = [
        ["run", str(mini_path)],
        ["compare", str(mini_path)],
        ["sweep", str(mini_path), "--vary", "actors.US.aid=0:0.4:2"],
        ["sensitivity", str(mini_path), "--method", "morris", "--samples", "2"],
        ["deal", str(mini_path), "--terms", "territory=line", "--weeks", "1"],
    ]
    record = ["seeds/record-2025.yaml"]  # the options are checked before anything is read
    for argv in [
        *commands,
        ["calibrate", str(mini_path), *record],
        ["backtest", str(mini_path), *record],
    ]:
        assert main([*argv, "--chunk-size", "0", "-o", str(tmp_path / "never")]) == 2
        assert "--chunk-size: must be at least 1" in capsys.readouterr().err
    out = tmp_path / "deal"
    code = main(
        [*commands[-1], "-n", "20", "-w", "1", "--chunk-size", "7", "--no-plots", "-o", str(out)]
    )
    assert code == 0
    info = json.loads((out / "deal.json").read_text())
    assert info["runs"] == 20 and info["command"].startswith("ceasefire deal")


def test_a_run_option_is_declared_once_for_every_command():
    """Every command that runs replicates takes every run option from one declaration
    (sim.options.OPTIONS via sim.cli.app.RUN_OPTIONS), sensitivity all but --runs."""
    from typer.testing import CliRunner

    from sim.cli import app
    from sim.options import OPTIONS

    for command in ("run", "compare", "sweep", "deal", "calibrate", "backtest", "sensitivity"):
        shown = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"}).output
        for name in ("runs", "seed", "workers", "chunk_size", "scheduler"):
            expected = not (command == "sensitivity" and name == "runs")
            assert (OPTIONS[name].flag in shown) == expected, (command, name)
            if expected:
                assert OPTIONS[name].help[:30] in shown, (command, name)


def test_a_folder_made_from_python_records_no_command(mini_path, tmp_path):
    result = sim.run(mini_path, runs=10, workers=1)
    out = result.save(tmp_path / "r", plots=False)
    assert "command" not in json.loads((out / "manifest.json").read_text())


def test_commands_take_the_job_lifecycle_from_the_library():
    """No command module imports another's helpers sideways (cli/deal.py took ``_out``
    from cli/analysis.py), and the job lifecycle lives in sim/jobs.py, not in the CLI."""
    import ast
    from pathlib import Path

    cli = Path(sim.__file__).parent / "cli"
    shared = {"app", "given", "signals"}
    for path in cli.glob("*.py"):
        if path.stem in shared | {"__init__"}:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert (node.module or "").split(".")[0] in shared, (path.name, node.module)
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert not names & {"resumable", "checkpoint_for", "_out"}, path.name
