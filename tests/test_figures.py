"""Every figure every command writes fits a slide (at most 1,600 x 1,000 px), and each
outcome state has one colour in every figure that shows it."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from PIL import Image

from sim.cli import main
from sim.plots.style import MAX_PIXELS, STATE_COLORS, outcome_color

MINI = Path(__file__).parent / "data" / "mini.yaml"
LONG = ["--set", "actors.Russia.resolve=0.97", "--set", "actors.Ukraine.war_cost=0.011"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """One results folder of every command, the titles made long by overrides."""
    root = tmp_path_factory.mktemp("figures")
    commands = {
        "run": ["run", str(MINI), "-n", "40", *LONG],
        "compare": ["compare", str(MINI), "-n", "30", *LONG],
        "sweep": ["sweep", str(MINI), "--vary", "actors.US.aid=0:0.4:3", "-n", "20"],
        "sweep2": [
            "sweep",
            str(MINI),
            "--vary",
            "actors.US.aid=0:0.4:2",
            "--vary",
            "actors.Russia.resolve=0.8:0.95:2",
            "-n",
            "15",
        ],
        "sensitivity": ["sensitivity", str(MINI), "--samples", "8", "--replicates", "1"],
        "morris": ["sensitivity", str(MINI), "--method", "morris", "--samples", "3"],
        "deal": ["deal", str(MINI), "--terms", "territory=line,nato=0", "--weeks", "1,20"],
        "discover": ["discover", str(root / "run"), "--outcome", "ceasefire_week <= 52"],
    }
    out = {}
    for name, args in commands.items():
        folder = root / name
        workers = [] if name == "discover" else ["-w", "1"]
        extra = ["-n", "20"] if name == "deal" else []
        assert main([*args, *extra, *workers, "-o", str(folder)]) == 0, name
        out[name] = folder
    return out


def test_every_figure_of_every_command_fits_a_slide(folders):
    seen = 0
    for name, folder in folders.items():
        pngs = sorted(folder.rglob("*.png"))
        assert pngs, f"{name} wrote no figure"
        for png in pngs:
            width, height = Image.open(png).size
            assert width <= MAX_PIXELS[0] and height <= MAX_PIXELS[1], (png, width, height)
            # and not shrunk to a stamp: a slide figure is at least half a slide wide
            assert width >= 700, (png, width, height)
            seen += 1
    assert seen >= 15


def test_save_figure_shrinks_a_figure_drawn_too_large(tmp_path):
    from sim.plots.style import figure, save_figure

    fig, ax = figure(10.0, 12.0)  # 1,500 x 1,800 px at the saved dpi
    ax.plot([0, 1], [0, 1])
    save_figure(fig, tmp_path / "tall.png")
    width, height = Image.open(tmp_path / "tall.png").size
    assert height <= MAX_PIXELS[1] and width <= MAX_PIXELS[0]


def test_one_colour_per_outcome_state():
    assert len(set(STATE_COLORS.values())) == len(STATE_COLORS)
    assert outcome_color("p_russian_victory") == STATE_COLORS["russian_victory"]
    assert outcome_color("p_ukrainian_victory") == STATE_COLORS["ukrainian_victory"]
    assert outcome_color("p_collapse") == STATE_COLORS["war_resumed"]
    assert outcome_color("median_week") is None


def _colours_by_label(fig) -> dict[str, str]:
    """The colour of every labelled line, patch or collection of a figure (legends too)."""
    found: dict[str, str] = {}
    for ax in fig.axes:
        artists = [*ax.lines, *ax.patches, *ax.collections]
        legend = ax.get_legend()
        if legend is not None:
            artists += list(legend.legend_handles)
            for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=False):
                handle.set_label(text.get_text())
        for artist in artists:
            label = str(artist.get_label() or "")
            if label.startswith("_"):
                continue
            getter = getattr(artist, "get_color", None) or artist.get_facecolor
            colour = getter()
            if hasattr(colour, "ndim") and colour.ndim == 2:
                colour = colour[0]
            found[label] = matplotlib.colors.to_hex(colour)
    return found


def _comparison():
    import pandas as pd

    from sim.analysis.compare import ComparisonResult
    from sim.outcomes import HEADLINE

    keys = ["p_ceasefire", "p_held", "p_russian_victory", "p_ukrainian_victory", "p_collapse"]
    rows = []
    for arm, ref in (("base", True), ("cut", False)):
        row = {"arm": arm, "reference": ref, "runs": 100}
        for k in keys:
            row.update({k: 0.3, f"{k}_lo": 0.2, f"{k}_hi": 0.4})
            row.update({f"{k}_diff": 0.1, f"{k}_diff_lo": 0.05, f"{k}_diff_hi": 0.15})
        rows.append(row)
    metrics = [o.described(104) for o in HEADLINE if o.key in keys]
    return ComparisonResult(pd.DataFrame(rows), {}, "t", metrics, "base")


def _sweep():
    import pandas as pd

    from sim.analysis.explored import SweepResult

    keys = ["p_ceasefire", "p_held", "p_russian_victory", "p_ukrainian_victory", "p_collapse"]
    rows = []
    for x in (0.0, 0.2, 0.4):
        row = {"actors.US.aid": x, "runs": 100}
        for k in keys:
            row.update({k: 0.3, f"{k}_lo": 0.2, f"{k}_hi": 0.4})
        rows.append(row)
    return SweepResult(
        pd.DataFrame(rows), None, None, [], paths=["actors.US.aid"], runs_per_point=100, horizon=104
    )


def test_the_outcome_colours_are_equal_in_every_figure(folders):
    """Russian and Ukrainian victory, and a collapsed ceasefire, wear the colours of their
    states in the run's outcomes figure, the comparison's differences and the sweep."""
    import matplotlib.pyplot as plt

    from sim.plots.compare import forest
    from sim.plots.outcomes import outcome_areas
    from sim.plots.sweep import plot_sweep
    from sim.results import read_results

    _, weekly, _ = read_results(folders["run"])
    figures = {
        "outcomes": outcome_areas(weekly["status"], "x"),
        "differences": forest(_comparison()),
        "sweep": plot_sweep(_sweep()),
    }
    for name, fig in figures.items():
        colours = _colours_by_label(fig)
        for state, words in (
            ("russian_victory", "Russian victory"),
            ("ukrainian_victory", "Ukrainian victory"),
        ):
            mine = {c for label, c in colours.items() if words.lower() in label.lower()}
            assert mine == {STATE_COLORS[state].lower()}, (name, state, colours)
        ceasefire_like = {
            c
            for label, c in colours.items()
            if "victory" not in label.lower() and "collapse" not in label.lower()
        }
        victories = {STATE_COLORS["russian_victory"], STATE_COLORS["ukrainian_victory"]}
        assert not ceasefire_like & {v.lower() for v in victories}, (name, colours)
        plt.close(fig)
