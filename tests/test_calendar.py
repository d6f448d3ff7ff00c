"""The calendar (issue 19, item 1): a scenario's ``start:``, weeks as dates."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sim import ScenarioError, load_scenario
from sim.cli import main
from sim.dates import as_date, date_of, parse_week, week_label, week_of
from sim.deals import parse_weeks


def test_weeks_and_dates_round_trip():
    start = "2025-01-01"
    assert week_of("2025-01-01", start) == 0
    assert week_of("2025-01-02", start) == 1  # the first seven days after the start: week 1
    assert week_of("2025-01-08", start) == 1
    assert week_of("2025-01-09", start) == 2
    assert week_of("2025-12-31", start) == 52
    assert week_of("2024-12-25", start) == -1
    for week in (0, 1, 10, 52, 104):
        assert week_of(date_of(week, start), start) == week
    assert date_of(52, start) == dt.date(2025, 12, 31)
    assert week_label(10, start) == "10 (2025-03-12)"
    assert week_label(10, None) == "10"


def test_bad_dates_are_refused():
    for bad in ("2025-13-01", "2025-02-30", "11 Mar 2025", 20250311, "2025-3-1"):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            as_date(bad)


def test_weeks_option_takes_dates_on_a_calendar():
    assert parse_weeks("2025-03-11,26, 2025-11-21", "2025-01-01") == [10, 26, 47]
    with pytest.raises(ScenarioError, match="needs a calendar"):
        parse_weeks("2025-03-11", None)
    with pytest.raises(ScenarioError, match="--weeks"):
        parse_week("March", "2025-01-01")
    with pytest.raises(ScenarioError, match="listed twice"):
        parse_weeks("2025-03-11,10", "2025-01-01")


def test_baseline_has_a_calendar():
    assert load_scenario("scenarios/baseline.yaml").spec.start == "2025-01-01"


def test_start_is_validated(tmp_path, mini_doc):
    import yaml

    mini_doc["start"] = "2025-1-1"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(mini_doc))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}: start: must be a date written YYYY-MM-DD, got '2025-1-1'"
    mini_doc["start"] = dt.date(2025, 1, 1)  # YAML reads a bare date as a date
    path.write_text(yaml.safe_dump(mini_doc))
    assert load_scenario(path).spec.start == "2025-01-01"


def test_deal_prints_dates(tmp_path, mini_doc, capsys):
    import yaml

    mini_doc["start"] = "2025-01-01"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(mini_doc))
    argv = ["deal", str(path), "--terms", "territory=line", "--weeks", "2025-03-11"]
    code = main([*argv, "--runs", "5", "-w", "1", "--no-plots", "-o", str(tmp_path / "o")])
    assert code == 0
    info = json.loads((tmp_path / "o" / "deal.json").read_text())
    assert info["weeks"] == [10] and info["dates"] == ["2025-03-12"]
