"""The report tells the truth first: a bottom line with its interval at the top, every
validation band the numbers fall outside under Warnings with a link to its explanation,
figures in reading order, units as in the figures, no absolute author paths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.report import build_report
from sim.report.folder import read_folder
from sim.report.sections import READING_ORDER, reading_order
from sim.report.truth import bands, limitations, run_line, start_date
from sim.validation import checks


def _summary(p: float, runs: int = 2000, horizon: int = 104, **extra) -> dict:
    half = 0.02
    return {
        "runs": runs,
        "horizon_weeks": horizon,
        "p_ceasefire": p,
        "p_ceasefire_lo": p - half,
        "p_ceasefire_hi": p + half,
        "p_held": p - 0.05,
        "p_held_lo": p - 0.07,
        "p_held_hi": p - 0.03,
        "p_russian_victory": 0.0,
        "p_ukrainian_victory": 0.0,
        "p_collapse": 0.05 * p,
        "median_week": 21.0,
        "median_week_lo": 17.0,
        "median_week_hi": 25.0,
        **extra,
    }


def _folder(tmp_path: Path, summary: dict, figures=("terms", "blockers")) -> Path:
    folder = tmp_path / "results" / "run-1"
    folder.mkdir(parents=True)
    manifest = {
        "scenario": "x",
        "label": "x",
        "source": "scenarios/x.yaml",
        "scenario_texts": {"scenarios/x.yaml": "name: x\nhorizon: 104\n"},
        "horizon_weeks": summary["horizon_weeks"],
        "runs": summary["runs"],
        "seed": 1,
        "command": "ceasefire run scenarios/x.yaml",
        "working_directory": str(tmp_path),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "summary.json").write_text(json.dumps(summary))
    from PIL import Image

    (folder / "plots").mkdir()
    for name in figures:
        Image.new("RGB", (20, 10)).save(folder / "plots" / f"{name}.png")
    return folder


def _warnings(text: str) -> str:
    return text[text.index('<section id="warnings"') : text.index('<section id="headline"')]


def test_a_headline_outside_a_validation_band_is_a_warning_with_its_explanation(tmp_path):
    text = build_report(_folder(tmp_path, _summary(0.98)))
    warnings = _warnings(text)
    assert "two years), 98.0%, is above the validation band (row 4.1" in warnings
    anchor = re.search(r'href="#(limitation-base_ceasefire_share)"', warnings)
    assert anchor and f'id="{anchor.group(1)}"' in warnings  # the link lands on the page
    assert "the baseline lies inside it" in warnings


def test_a_clean_run_has_no_warning(tmp_path):
    text = build_report(_folder(tmp_path, _summary(0.5)))
    warnings = _warnings(text)
    assert "<li>" not in warnings and "None." in warnings
    assert "these numbers lie within every band" in warnings
    assert "warning" not in text[text.index('id="bottom-line"') :].split("</p>")[0]


def test_the_bands_are_those_the_validation_table_asserts():
    by_row = {b.row: b for b in bands()}
    assert (by_row["base_ceasefire_share"].lo, by_row["base_ceasefire_share"].hi) == (
        checks.CEASEFIRE_BAND
    )
    assert by_row["base_victories"].hi == checks.VICTORY_CEILING
    assert by_row["base_collapse_share"].hi == checks.COLLAPSE_CEILING
    keys = {check.__name__ for _, check, _ in checks.CHECKS}
    assert set(by_row) <= keys


def test_bands_apply_where_they_are_meant_and_with_enough_endings():
    # 4.1 is a two-year band: a one-year run is not held to it
    assert limitations(_summary(0.98, horizon=52), 52) == []
    # victories: 50% of all runs won, 30% signed -> 0.62 of endings, above the ceiling
    won = _summary(0.3, p_russian_victory=0.5)
    assert [w.section for w in limitations(won, 104)] == ["4.2"]
    # the same shares over 20 runs rest on too few endings to be checked
    assert limitations({**won, "runs": 20}, 104) == []


def test_the_bottom_line_comes_first_with_its_interval(tmp_path):
    text = build_report(_folder(tmp_path, _summary(0.5)))
    line = text.index('id="bottom-line"')
    assert line < text.index("<nav") < text.index('<section id="headline"')
    shown = text[line:].split("</p>")[0]
    assert "50.0% of the simulated worlds (95% interval 48.0%–52.0%)" in shown
    assert "by week 21 (week 17 to week 25)" in shown


def test_the_bottom_line_gives_dates_when_the_scenario_starts_on_one():
    start = start_date({"start": "2025-03-04"}, {})
    line = run_line(_summary(0.5), start)
    assert "by 2027-03-02" in line and "typically by 2025-07-29" in line


def test_figures_in_reading_order_and_no_absolute_path(tmp_path):
    names = ("blockers", "control_fan", "outcomes", "terms", "ceasefire_by_week", "summary")
    folder = _folder(tmp_path, _summary(0.5), figures=names)
    text = build_report(folder)
    shown = re.findall(r"\(plots/(\w+)\.png\)", text)
    assert shown == list(READING_ORDER["run"])
    assert str(tmp_path) not in text


def test_a_split_figure_follows_its_first_page():
    files = [Path(f"plots/{n}.png") for n in ("terms", "differences-2", "differences", "summary")]
    ordered = sorted(files, key=lambda p: reading_order("compare", p))
    assert [p.stem for p in ordered] == ["summary", "differences", "differences-2", "terms"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    from sim.cli import main

    out = tmp_path_factory.mktemp("cmp") / "c"
    mini = Path(__file__).parent / "data" / "mini.yaml"
    assert main(["compare", str(mini), "-n", "30", "-w", "1", "--no-plots", "-o", str(out)]) == 0
    return out


def test_compare_report_has_a_bottom_line_and_control_in_points(compared):
    text = build_report(compared)
    line = text[text.index('id="bottom-line"') :].split("</p>")[0]
    assert "Against the reference mini" in line and "points" in line
    table = read_folder(compared).table
    row = table[~table["reference"].astype(bool)].iloc[0]
    shown = f"{row['final_control_diff'] * 100:+.2f} pts"
    assert shown in text  # as the differences figure: points of the territory in dispute


def test_a_sensitivity_whose_indices_are_noise_says_so(tmp_path):
    folder = tmp_path / "sens"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "sensitivity", "method": "sobol"}))
    rows = "\n".join(f"p_collapse,in{i},0.01,0.3,0.8,0.3" for i in range(12))
    (folder / "sensitivity.csv").write_text(
        "outcome,input,S1,S1_conf,ST,ST_conf\n" + rows + "\np_ceasefire,in0,0.5,0.1,0.6,0.1\n"
    )
    text = build_report(folder)
    assert "For p_collapse the total indices sum above 2" in text
    assert "For p_ceasefire" not in text


def test_a_comparison_names_the_arms_outside_a_band_once_per_band_and_side(compared):
    """Arms above and below one band are two warnings, each naming its arms."""
    from sim.report.kinds import kind_of
    from sim.report.sections import build

    folder_limitations = kind_of("compare").limitations

    folder = read_folder(compared)
    table = folder.table
    table["p_ceasefire"] = [0.98] * (len(table) - 1) + [0.05]
    found = folder_limitations(folder)
    mine = [f.text for f in found if f.anchor == "limitation-base_ceasefire_share"]
    assert not mine  # the mini scenario's horizon is one year: 4.1 does not apply
    folder.info["horizon_weeks"] = 104
    texts = [f.text for f in folder_limitations(folder)]
    above = [t for t in texts if "4.1" in t and "above" in t]
    below = [t for t in texts if "4.1" in t and "below" in t]
    assert len(above) == 1 and f"In {len(table) - 1} of {len(table)} arms" in above[0]
    assert len(below) == 1 and below[0].startswith(f"In 1 of {len(table)} arms")
    assert build(folder).limitations  # and the page lists them


def test_capitulations_count_as_the_other_side_prevailing_in_the_bottom_line_and_band_42(
    tmp_path,
):
    """A ceasefire that is Ukraine's capitulation is Russia prevailing: the bottom line says
    so, and row 4.2's band counts it as a victory, as the conflict-termination data do."""
    numbers = _summary(0.4, p_russia_prevails=0.3, p_russia_prevails_lo=0.28)
    numbers |= {"p_russia_prevails_hi": 0.32, "p_ukraine_prevails": 0.0}
    line = run_line(numbers)
    assert "Russia prevails in 30.0% (28.0%–32.0%)" in line
    assert "Ukraine prevails" not in line
    victories = next(b for b in bands() if b.row == "base_victories")
    assert victories.value(numbers) == pytest.approx(0.3 / 0.4)
    assert victories.value(_summary(0.4)) == 0.0  # no capitulations: none counted
