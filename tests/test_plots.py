"""The figures: every plot function returns a Figure, draws into the axes or figure it is
given, saves PNG, SVG and PDF by suffix, fits a slide, and says what it shows (shares that
add up, readable axis labels, the policy and overrides in titles)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from sim.analysis.compare import arm_scenarios, comparison_of, run_compared
from sim.analysis.discover import discover
from sim.analysis.sensitivity import sensitivity
from sim.analysis.sweep import sweep
from sim.cli import main
from sim.deals import evaluate_deal
from sim.options import RunOptions
from sim.plots import compare as compare_plots
from sim.plots import discover as discover_plots
from sim.plots import run as run_plots
from sim.plots.deal import plot_deal
from sim.plots.sensitivity import plot_sensitivity
from sim.plots.style import (
    BETTER,
    BETTER_REVERSED,
    param_label,
    run_title,
    save_figure,
    title_case,
)
from sim.plots.sweep import plot_sweep
from sim.results import default_out_dir, plot_results, read_results, run_label

MINI = Path(__file__).parent / "data" / "mini.yaml"
OVERRIDE = "actors.UK.aid=0.1"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plots") / "run"
    args = ["run", str(MINI), "-n", "80", "-w", "1", "--no-plots", "-o", str(out)]
    assert main([*args, "--policy", "us_aid_cut", "--set", OVERRIDE]) == 0
    return out


@pytest.fixture(scope="module")
def run_data(run_folder):
    return read_results(run_folder)


@pytest.fixture(scope="module")
def compared():
    arms = arm_scenarios([MINI], ["us_aid_cut", "nothing"], [OVERRIDE])
    results = run_compared(arms, RunOptions(runs=40, seed=3, workers=1))
    return comparison_of(results, "t", n_resamples=50), results


@pytest.fixture(scope="module")
def swept():
    one = sweep(MINI, ["actors.US.aid=0:0.4:3"], runs=20, workers=1)
    two = sweep(
        MINI, ["actors.US.aid=0:0.4:2", "negotiation.pressure=0:0.06:2"], runs=20, workers=1
    )
    return one, two


@pytest.fixture(scope="module")
def morris():
    return sensitivity(MINI, method="morris", samples=2, replicates=1, workers=1)


@pytest.fixture(scope="module")
def box(run_folder):
    return discover(run_folder, "ceasefire_week <= 52")


@pytest.fixture(scope="module")
def deal():
    return evaluate_deal(MINI, terms={"territory": "line"}, weeks=[1, 10], runs=20, workers=1)


def _title(run_data):
    runs, _, info = run_data
    return run_title(info["label"], info["overrides"])


# Every plot function: (name, draws into an ax? (else a fig), call(data, target) -> Figure)
CASES = {
    "ceasefire_curve": (
        True,
        lambda d, t: run_plots.ceasefire_curve(
            d["run"][0], d["run"][2]["horizon_weeks"], "t", ax=t
        ),
    ),
    "terms_histograms": (
        False,
        lambda d, t: run_plots.terms_histograms(d["run"][0], d["run"][2]["issues"], "t", fig=t),
    ),
    "blockers_bar": (False, lambda d, t: run_plots.blockers_bar(d["run"][0], "t", fig=t)),
    "control_fan": (
        True,
        lambda d, t: run_plots.control_fan(d["run"][1]["control"], "t", ax=t),
    ),
    "incidence_curves": (
        True,
        lambda d, t: compare_plots.incidence_curves(compare_plots.curves(d["compare"][1]), 3, ax=t),
    ),
    "forest": (False, lambda d, t: compare_plots.forest(d["compare"][0], fig=t)),
    "terms_by_arm": (False, lambda d, t: compare_plots.terms_by_arm(d["compare"][1], fig=t)),
    "sweep_lines": (False, lambda d, t: plot_sweep(d["sweep"][0], fig=t)),
    "sweep_heatmaps": (False, lambda d, t: plot_sweep(d["sweep"][1], fig=t)),
    "sensitivity": (False, lambda d, t: plot_sensitivity(d["morris"], fig=t)),
    "peeling": (True, lambda d, t: discover_plots.peeling(d["box"], ax=t)),
    "box_ranges": (True, lambda d, t: discover_plots.box_ranges(d["box"], ax=t)),
    "deal": (False, lambda d, t: plot_deal(d["deal"], "territory=line", fig=t)),
}


@pytest.fixture(scope="module")
def data(run_data, compared, swept, morris, box, deal):
    return {
        "run": run_data,
        "compare": compared,
        "sweep": swept,
        "morris": morris,
        "box": box,
        "deal": deal,
    }


@pytest.mark.parametrize("name", list(CASES))
def test_each_plot_returns_a_figure_and_draws_where_it_is_told(data, name, tmp_path):
    on_ax, call = CASES[name]
    fig = call(data, None)
    assert isinstance(fig, Figure)
    # fits a slide: at most 1,600 px wide at the saved dpi (plus a little for tight bboxes)
    png = save_figure(fig, tmp_path / f"{name}.png")
    height, width = matplotlib.image.imread(png).shape[:2]
    assert width <= 1650, (name, width)
    assert height <= 2600, (name, height)
    # into the caller's axes (or figure): the caller's figure comes back
    target = plt.figure(figsize=(9, 6))
    given = target.add_subplot() if on_ax else target
    assert call(data, given) is target
    plt.close(target)


@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".png"])
def test_save_figure_writes_the_format_the_suffix_names(run_data, tmp_path, suffix):
    fig = run_plots.blockers_bar(run_data[0], "t")
    path = save_figure(fig, tmp_path / f"blockers{suffix}")
    head = path.read_bytes()[:200]
    expected = {".svg": b"<svg", ".pdf": b"%PDF", ".png": b"\x89PNG"}[suffix]
    assert expected in head
    assert not plt.fignum_exists(fig.number)  # closed once saved


def test_save_figure_refuses_an_unknown_format(run_data, tmp_path):
    fig = run_plots.blockers_bar(run_data[0], "t")
    with pytest.raises(ValueError, match="unknown figure format"):
        save_figure(fig, tmp_path / "blockers.gif")
    plt.close(fig)


def test_plot_results_saves_svg_and_pdf_on_request(run_folder):
    for suffix in (".svg", ".pdf"):
        files = plot_results(run_folder, suffix)
        assert sorted(p.name for p in files) == sorted(
            f"{n}{suffix}"
            for n in (
                "summary",
                "ceasefire_by_week",
                "terms",
                "blockers",
                "control_fan",
                "outcomes",
            )
        )
        assert all(p.stat().st_size > 1000 for p in files)


def test_blocker_shares_sum_to_100_and_use_the_tables_names(run_data, run_folder):
    runs, _, info = run_data
    fig = run_plots.blockers_bar(runs, "t")
    last, every = fig.axes[:2]
    assert sum(p.get_width() for p in last.patches) == pytest.approx(1.0)
    assert sum(p.get_width() for p in every.patches) == pytest.approx(1.0)
    names = [t.get_text() for t in last.get_yticklabels()]
    import json

    summary = json.loads((run_folder / "summary.json").read_text())
    for actor in summary["blockers"]:  # the names the printed table uses
        assert f"Blocked by {actor}" in names
    for actor, display in info["actors"].items():
        if display != actor:
            assert not any(display in n for n in names), display
    plt.close(fig)


def test_terms_grid_is_titled_with_the_issues_and_their_ends(run_data):
    runs, _, info = run_data
    fig = run_plots.terms_histograms(runs, info["issues"], "t")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [title_case(i) for i in info["issues"]]
    assert "NATO" in titles
    # the ends are named at the axis ends, in a zoomed axis's label, or in the words of a
    # panel where (almost) every ceasefire agreed one value
    texts = [t.get_text() for ax in fig.axes for t in [*ax.texts, ax.xaxis.label]]
    for spec in info["issues"].values():
        assert any(spec["low"] in t.replace("\n", " ") for t in texts)
    # a grid, not a strip: at most two columns
    lefts = {round(ax.get_position().x0, 2) for ax in fig.axes if ax.get_title()}
    assert len(lefts) <= 2
    plt.close(fig)


def test_control_fan_shows_the_change_from_the_start_on_an_honest_scale(run_data):
    control = run_data[1]["control"]
    fig = run_plots.control_fan(control, "t")
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    assert lo <= 0 <= hi and hi - lo >= 10  # percentage points, zero included
    assert "percentage points" in ax.get_ylabel()
    plt.close(fig)


def test_titles_show_the_policy_and_the_overrides(run_data):
    runs, trajectories, info = run_data
    assert info["label"] == "mini+us_aid_cut"
    figures = run_plots.plot_run(runs, trajectories, info)
    for name, fig in figures.items():
        texts = [fig._suptitle.get_text() if fig._suptitle else ""]
        texts += [ax.get_title() for ax in fig.axes]
        shown = " ".join(texts)
        assert "us_aid_cut" in shown and OVERRIDE in shown, (name, shown)
        plt.close(fig)


def test_comparison_titles_show_the_overrides(compared):
    table, results = compared
    fig = compare_plots.forest(table, overrides=compare_plots._overrides(results))
    assert OVERRIDE in fig._suptitle.get_text()
    plt.close(fig)


def test_folder_name_shows_the_policy_and_the_overrides(tmp_path, monkeypatch):
    name = default_out_dir(run_label("baseline+us_aid_cut", ["actors.US.aid=0"])).name
    assert name.startswith("baseline+us_aid_cut+US.aid=0-")
    monkeypatch.chdir(tmp_path)
    args = ["run", str(MINI), "-n", "5", "-w", "1", "--no-plots", "--policy", "us_aid_cut"]
    assert main([*args, "--set", OVERRIDE]) == 0
    (folder,) = (tmp_path / "results").iterdir()
    assert folder.name.startswith("mini+us_aid_cut+UK.aid=0.1-")


def test_sweep_axis_is_a_readable_label_with_the_baseline_marked(swept):
    one, two = swept
    fig = plot_sweep(one, baseline={"actors.US.aid": 0.2})
    for ax in fig.axes:
        label = ax.get_xlabel().replace("\\$", "$")  # "$" escaped: no mathtext
        assert "actors.US.aid" not in label
        assert not re.search(r"\w+\.\w+\.\w+", label), label
        assert label == "US aid (US$100 bn a year)"
        xs = [line.get_xdata()[0] for line in ax.lines if len(set(line.get_xdata())) == 1]
        assert 0.2 in xs  # a vertical line at the scenario's value
    plt.close(fig)
    fig = plot_sweep(two, baseline={"actors.US.aid": 0.2})
    for ax in fig.axes:
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert not re.search(r"\w+\.\w+\.\w+", label), label
    plt.close(fig)


def test_param_labels():
    assert param_label("actors.US.aid") == r"US aid (US\$100 bn a year)"
    assert param_label("actors.Russia.resolve") == "Russia resolve (0-1)"
    assert param_label("actors.Russia.position.nato") == "Russia's position on NATO (0-1)"
    assert param_label("negotiation.pressure") == "Mediator's pressure (utility)"
    assert param_label("something.unknown_field") == "Something unknown field"


def test_heat_maps_use_one_colour_meaning(swept):
    _, two = swept
    fig = plot_sweep(two)
    maps = {ax.get_title(): ax.images[0].get_cmap().name for ax in fig.axes if ax.images}
    for title, cmap in maps.items():
        if title.startswith("P("):
            assert cmap == BETTER, title  # bright = more likely
        elif "week" in title:
            assert cmap == BETTER_REVERSED, title  # bright = sooner
    bars = [ax.get_ylabel() for ax in fig.axes if not ax.images and ax.get_ylabel()]
    assert bars and all(":" in b for b in bars)  # every colourbar says what it means
    plt.close(fig)


def test_forest_is_in_week_order_with_the_marker_explained(compared):
    table, _ = compared
    fig = compare_plots.forest(table)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) <= 5
    chance = next(ax for ax in panels if ax.get_title() == "Chance of a ceasefire")
    labels = [t.get_text() for t in chance.get_legend().get_texts()]
    assert not any("victory" in label for label in labels)  # endings have their own panel
    assert any(ax.get_title() == "How it ends" for ax in panels)
    weeks = [int(w) for w in re.findall(r"by week (\d+)", " ".join(labels))]
    assert weeks == sorted(weeks) and len(weeks) >= 2
    assert "filled marker" in fig._suptitle.get_text()
    plt.close(fig)


def test_peeling_gives_every_restriction_count_its_own_colour(box):
    fig = discover_plots.peeling(box)
    ax = fig.axes[0]
    points = ax.collections[0]
    counts = box.trajectory["restricted"].to_numpy()
    colours = {tuple(np.round(c, 4)) for c in points.to_rgba(counts)}
    assert len(colours) == len(set(counts))
    legend = ax.get_legend()
    assert legend is not None
    box_ = legend.get_window_extent(fig.canvas.get_renderer())
    assert box_.y1 <= ax.get_window_extent().y0  # the legend sits below the data
    plt.close(fig)
