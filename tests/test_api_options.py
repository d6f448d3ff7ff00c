"""The Python API fails as cleanly as the command line (issue 22, faults 3 and 6).

One declaration per option (``sim.options.OPTIONS``) checks the arguments of ``sim.run``,
``compare``, ``sweep``, ``sensitivity`` and ``evaluate_deal`` before any work and raises
:class:`~sim.errors.OptionError` naming the argument as Python spells it; the command line
uses the same declarations and names the flag.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli import main
from sim.errors import OptionError, ResultsError, ScenarioError
from sim.options import MAX_CHUNKS, OPTIONS, check_address, check_options

MINI = Path(__file__).parent / "data" / "mini.yaml"


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario(MINI)


RUN_CASES = [
    ({"runs": -1}, "runs: must be at least 1, got -1"),
    ({"runs": 2.5}, "runs: must be a whole number, got float 2.5"),
    ({"runs": True}, "runs: must be a whole number, got bool True"),
    ({"seed": "x"}, "seed: must be a whole number, got str 'x'"),
    ({"seed": -1}, f"seed: must be between 0 and {2**63 - 1}, got -1"),
    ({"workers": -3}, "workers: must be at least 1, got -3"),
    ({"workers": False}, "workers: must be a whole number, got bool False"),
    ({"chunk_size": 0}, "chunk_size: must be at least 1, got 0"),
    ({"trajectory_replicates": -5}, "trajectory_replicates: must be at least 0, got -5"),
    (
        {"runs": 10_000_000, "chunk_size": 1},
        f"chunk_size: 1 cuts 10,000,000 runs into 10,000,000 chunks; at most {MAX_CHUNKS:,}",
    ),
    ({"scheduler": "not a url"}, "scheduler: not a Dask scheduler address: 'not a url'"),
    ({"scheduler": "http://host:80"}, "scheduler: not a Dask scheduler address"),
    ({"scheduler": "tcp://host:99999"}, "scheduler: not a Dask scheduler address"),
]


@pytest.mark.parametrize(("kwargs", "message"), RUN_CASES, ids=lambda c: str(c))
def test_run_refuses_bad_arguments_naming_them_as_python_does(scenario, kwargs, message):
    with pytest.raises(OptionError) as caught:
        sim.run(scenario, **kwargs)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "--" not in str(caught.value).split(":")[0]  # not a CLI flag


def test_numpy_integers_are_whole_numbers(scenario):
    result = sim.run(scenario, runs=np.int64(20), seed=np.uint32(3), workers=1)
    assert len(result.runs) == 20 and result.seed == 3 and type(result.seed) is int


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s: sim.compare(s, policies="us_aid_cut"),
            "policies: expected a list of names, not a string: 'us_aid_cut'",
        ),
        (lambda s: sim.compare(s, policies=["nothing", 3]), "policies: expected text, got int 3"),
        (
            lambda s: sim.compare(s, overrides="horizon=10"),
            "overrides: expected a list of names, not a string",
        ),
        (lambda s: sim.compare(s, runs=0), "runs: must be at least 1, got 0"),
        (
            lambda s: sim.sweep(s, vary="actors.US.aid=0:1:3"),
            "vary: expected a list of items, not a string",
        ),
        (lambda s: sim.sweep(s, vary=["actors.US.aid=0:1:3"], seed=-2), "seed: must be between"),
        (lambda s: sim.sensitivity(s, replicates=True), "replicates: must be a whole number"),
        (lambda s: sim.sensitivity(s, samples=0), "samples: must be at least 1, got 0"),
        (
            lambda s: sim.evaluate_deal(s, deal="x", weeks="1,2"),
            "weeks: expected a list of weeks, not a string: '1,2'",
        ),
        (
            lambda s: sim.evaluate_deal(s, deal="x", weeks=[1, 1]),
            "weeks: a week is listed twice",
        ),
        (lambda s: sim.evaluate_deal(s, deal="x", weeks=[0]), "weeks: weeks must be whole"),
        (
            lambda s: sim.evaluate_deal(s, terms={"nato": 2.0}, weeks=[1]),
            "terms: nato: must be a number in [0, 1]",
        ),
        (
            lambda s: sim.evaluate_deal(s, terms={"bogus": 0.5}, weeks=[1]),
            "terms: bogus: unknown issue",
        ),
        (lambda s: sim.evaluate_deal(s, weeks=[1]), "deal: give exactly one of deal= or terms="),
        (lambda s: sim.evaluate_deal(s, deal="x", weeks=[1]), "deal: x: no such deal"),
        (
            lambda s: sim.evaluate_deal(s, terms={"nato": 0.1}, weeks=[1000]),
            "weeks: 1000: beyond the scenario's horizon",
        ),
    ],
)
def test_every_function_refuses_bad_arguments_in_python_terms(scenario, call, message):
    with pytest.raises(OptionError) as caught:
        call(scenario)
    assert str(caught.value).startswith(message), str(caught.value)


def test_option_error_is_bad_input_and_declared_once():
    assert issubclass(OptionError, ScenarioError) and issubclass(ResultsError, ScenarioError)
    for name, option in OPTIONS.items():
        assert option.name == name and option.flag.startswith("--")
    # the command line reads the same declarations, naming the flag
    with pytest.raises(OptionError, match="^--chunk-size: must be at least 1"):
        check_options(cli=True, chunk_size=0)
    with pytest.raises(OptionError, match="^chunk_size: must be at least 1"):
        check_options(chunk_size=0)


@pytest.mark.parametrize(
    "address",
    ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "tls://sched.example.org:8786", "tcp://[::1]:1"],
)
def test_dask_addresses_are_accepted(address):
    assert check_address(address) == address


def test_results_folder_problems_are_results_errors(tmp_path):
    from sim.results import read_results

    with pytest.raises(ResultsError):
        read_results(tmp_path)
    with pytest.raises(ResultsError):
        sim.discover(tmp_path / "nowhere", "ceasefire")


# --------------------------------------------------------------------------- fault 6
def test_names_in_any_script_python_calls_letters(tmp_path, mini_path):
    text = mini_path.read_text().replace("Russia", "Россия").replace("Ukraine", "Україна")
    path = tmp_path / "cyrillic.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = sim.load_scenario(path, overrides=["actors.Россия.resolve=0.9"])
    assert "Россия" in loaded.spec.actors
    result = sim.run(loaded, runs=20, workers=1)
    assert "cost_Россия" in result.runs.columns


@pytest.mark.parametrize("bad", ["Rus\u200dsia", "Russia 2", "1Russia", "Rus.sia", "Russia\u202e"])
def test_names_still_refuse_what_is_not_a_letter(tmp_path, mini_path, bad):
    path = tmp_path / "bad.yaml"
    path.write_text(mini_path.read_text().replace("Russia", bad), encoding="utf-8")
    with pytest.raises(ScenarioError, match="names must start with a letter"):
        sim.load_scenario(path)


def test_more_workers_than_chunks_start_no_idle_process(scenario):
    result = sim.run(scenario, runs=40, workers=4, chunk_size=20)
    assert result.timings["chunks"] == 2 and result.timings["workers"] == 2


def test_deal_outside_the_feasible_box_is_evaluated_with_a_note(scenario, tmp_path, capsys):
    result = sim.evaluate_deal(scenario, terms={"troops": 0.9}, weeks=[1], runs=20, workers=1)
    assert len(result.notes) == 1
    assert result.notes[0].startswith("troops=0.9 lies outside the issue's feasible range [0, 0.5]")
    inside = sim.evaluate_deal(scenario, terms={"troops": 0.4}, weeks=[1], runs=20, workers=1)
    assert inside.notes == []
    args = ["deal", str(MINI), "--terms", "troops=0.9", "--weeks", "1", "--runs", "20", "-w", "1"]
    assert main([*args, "--no-plots", "--out", str(tmp_path / "d")]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert notes == [f"note: {result.notes[0]}"]
