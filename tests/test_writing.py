"""Writing a run's results folder: figures from memory, in forked processes where that
pays, the stages reported as they begin, and their times in the manifest."""

from __future__ import annotations

import json
import multiprocessing
import sys
import warnings

import pytest
from conftest import MINI

from sim import drawing
from sim.ensemble import run_ensemble
from sim.results import plot_results, write_results
from sim.scenario import load_scenario

linux = pytest.mark.skipif(sys.platform != "linux", reason="figures are forked on Linux only")


@pytest.fixture(scope="module")
def result():
    return run_ensemble(load_scenario(MINI), runs=120, seed=5, workers=1)


def _pngs(folder):
    return {p.name: p.read_bytes() for p in sorted((folder / "plots").glob("*.png"))}


@linux
def test_figures_drawn_in_workers_equal_those_drawn_here_and_from_the_folder(
    result, tmp_path, monkeypatch
):
    monkeypatch.setattr(drawing, "drawing_processes", lambda workers: 2)
    write_results(result, tmp_path / "forked")
    monkeypatch.setattr(drawing, "drawing_processes", lambda workers: 1)
    write_results(result, tmp_path / "here")
    forked, here = _pngs(tmp_path / "forked"), _pngs(tmp_path / "here")
    assert sorted(forked) == [
        "blockers.png",
        "ceasefire_by_week.png",
        "control_fan.png",
        "outcomes.png",
        "summary.png",
        "terms.png",
    ]
    assert forked == here  # byte for byte
    plot_results(tmp_path / "here")  # re-drawn from the files on disk
    assert _pngs(tmp_path / "here") == here
    assert not multiprocessing.active_children()  # no drawing worker outlives the call


def test_stages_are_told_as_they_begin_and_timed_in_the_manifest(result, tmp_path):
    steps = []
    write_results(result, tmp_path / "res", on_step=steps.append)
    assert steps[0] == "writing the tables"
    assert steps[-2:] == ["figures: 6 of 6", "writing report.html"]
    assert [s for s in steps if s.startswith("figures")] == [
        f"figures: {k} of 6" for k in range(1, 7)
    ]
    timings = json.loads((tmp_path / "res" / "manifest.json").read_text())["timings"]
    assert timings == pytest.approx(result.timings)  # the caller sees the same times
    for key in ("write_seconds", "figures_seconds", "report_seconds", "total_seconds"):
        assert timings[key] > 0, key
    # the total covers the simulation, the figures and the report (the tables overlap them)
    total = timings["total_seconds"]
    assert total >= timings["wall_seconds"] + timings["figures_seconds"] + timings["report_seconds"]


def test_without_plots_no_figures_and_no_figure_time(result, tmp_path):
    import copy

    quiet = copy.copy(result)
    quiet.timings = dict(result.timings)
    quiet.timings.pop("figures_seconds", None)
    write_results(quiet, tmp_path / "res", plots=False)
    assert not (tmp_path / "res" / "plots").exists()
    timings = json.loads((tmp_path / "res" / "manifest.json").read_text())["timings"]
    assert "figures_seconds" not in timings and timings["report_seconds"] > 0


def test_more_files_are_written_beside_the_tables(result, tmp_path):
    write_results(result, tmp_path / "res", plots=False, files={"given.json": {"kept": 3}})
    assert json.loads((tmp_path / "res" / "given.json").read_text()) == {"kept": 3}


def _warning_figure(name):
    import matplotlib.pyplot as plt

    warnings.warn(f"drawing {name}", UserWarning, stacklevel=1)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return fig


def _failing_figure(name):
    if name == "bad":
        raise ValueError("cannot draw bad")
    return _warning_figure(name)


@linux
def test_a_workers_warnings_and_errors_reach_this_process(tmp_path):
    ran = []
    with pytest.warns(UserWarning, match="drawing [ab]") as caught:
        files = drawing.save_drawn(
            _warning_figure, ["a", "b"], tmp_path, processes=2, meanwhile=lambda: ran.append(1)
        )
    assert [f.name for f in files] == ["a.png", "b.png"] and all(f.is_file() for f in files)
    # Python 3.12+ also warns (DeprecationWarning) that a multi-threaded process forks
    drawn = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert sorted(drawn) == ["drawing a", "drawing b"]
    assert ran == [1]  # the work beside the drawing ran, once
    with pytest.raises(ValueError, match="cannot draw bad"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        drawing.save_drawn(_failing_figure, ["bad", "good"], tmp_path / "x", processes=2)
    assert not multiprocessing.active_children()
    assert drawing._DRAW is None  # nothing left behind for a later fork


def test_drawing_processes_follow_the_runs_workers(monkeypatch):
    monkeypatch.setattr(drawing.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(drawing.sys, "platform", "linux")
    assert drawing.drawing_processes(1) == 1  # --workers 1: one process, as asked
    assert drawing.drawing_processes(8) == 2  # never more than the cores
    assert drawing.drawing_processes(0) == 2  # a Dask run: this machine's cores
    monkeypatch.setattr(drawing.sys, "platform", "darwin")
    assert drawing.drawing_processes(8) == 1  # no fork: drawn here


@linux
def test_figures_drawn_here_are_saved_by_workers_byte_for_byte(tmp_path):
    import matplotlib.pyplot as plt

    from sim.plots.style import save_figures

    def figures():
        return {name: _warning_figure(name) for name in ("a", "b", "c")}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        save_figures(figures(), tmp_path / "here")
        drawn = figures()
        files = drawing.save_figures_forked(drawn, tmp_path / "forked", processes=2)
    assert [f.name for f in files] == ["a.png", "b.png", "c.png"]
    for f in files:
        assert f.read_bytes() == (tmp_path / "here" / f.name).read_bytes()
    assert not any(plt.fignum_exists(fig.number) for fig in drawn.values())  # closed here too


def test_the_trajectories_read_back_as_they_were_written(result, tmp_path):
    import numpy as np

    from sim.results import read_results

    write_results(result, tmp_path / "res", plots=False)
    _, weekly, _ = read_results(tmp_path / "res")
    assert sorted(weekly) == sorted(result.trajectories)
    for name, array in result.trajectories.items():
        assert weekly[name].dtype == array.dtype and np.array_equal(weekly[name], array), name


def test_the_printed_time_is_the_whole_commands(tmp_path, capsys):
    import re

    from sim.cli import main

    out = tmp_path / "res"
    assert main(["run", str(MINI), "-n", "40", "-w", "1", "-o", str(out)]) == 0
    printed = re.search(r"Results: .*\(([\d.]+) s\)", capsys.readouterr().out)
    timings = json.loads((out / "manifest.json").read_text())["timings"]
    assert printed and float(printed.group(1)) == round(timings["total_seconds"], 1)
    assert timings["total_seconds"] > timings["wall_seconds"] + timings["figures_seconds"]


@pytest.mark.parametrize("workers", ["two", True, -3])
def test_redrawing_a_folder_ignores_a_manifest_s_odd_worker_count(result, tmp_path, workers):
    out = tmp_path / "res"
    write_results(result, out, plots=False)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["timings"]["workers"] = workers
    (out / "manifest.json").write_text(json.dumps(manifest))
    files = plot_results(out)
    assert [f.stem for f in files][:3] == ["summary", "ceasefire_by_week", "terms"]
    assert all(f.is_file() for f in files)
