"""Numerical safety at the edges of the input space (issue 7).

Each degenerate scenario must either run to a meaningful result (nothing NaN or infinite,
control and positions in [0, 1], resolve in (0, 1], probabilities in [0, 1]) or be refused
with a clean :class:`ScenarioError`.  Runs are tiny (20 replicates, one process).
"""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
import yaml

from sim import ScenarioError, load_scenario, run_ensemble
from sim.outcomes import summarize

RUNS = 20
ISSUES = ("territory", "nato", "troops")
VETOES = ("Russia", "Ukraine")


def check_meaningful(result) -> None:
    """Everything a user reads from a run is finite and within its range."""
    runs, traj = result.runs, result.trajectories
    control = runs["final_control"].to_numpy(float)
    assert np.isfinite(control).all() and (control >= 0).all() and (control <= 1).all()
    reached = runs["ceasefire"].to_numpy(bool)
    for issue in result.issues:
        terms = runs[f"terms_{issue}"].to_numpy(float)[reached]
        assert np.isfinite(terms).all() and (terms >= 0).all() and (terms <= 1).all(), issue
    for column in runs.columns:
        if column.startswith("cost_"):
            cost = runs[column].to_numpy(float)
            assert np.isfinite(cost).all() and (cost >= 0).all(), column
    assert np.isfinite(traj["control"]).all()
    assert ((traj["control"] >= 0) & (traj["control"] <= 1)).all()
    assert np.isfinite(traj["position"]).all()
    assert ((traj["position"] >= 0) & (traj["position"] <= 1)).all()
    assert np.isfinite(traj["resolve"]).all()
    assert ((traj["resolve"] > 0) & (traj["resolve"] <= 1)).all(), "resolve left (0, 1]"
    summary = summarize(runs, result.issues, result.scenario.spec.horizon)
    for key, value in summary.items():
        if key.startswith("p_") and not key.endswith(("_lo", "_hi")):
            assert 0.0 <= value <= 1.0, key
            lo, hi = summary[f"{key}_lo"], summary[f"{key}_hi"]
            assert 0.0 <= lo <= value <= hi <= 1.0, key


def run_doc(doc: dict, tmp_path):
    path = tmp_path / "degenerate.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    scenario = load_scenario(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # judged by the results, not the noise
        return run_ensemble(scenario, runs=RUNS, workers=1)


def _every(field, value):
    def change(doc):
        for actor in doc["actors"].values():
            actor[field] = copy.deepcopy(value)

    return change


def _positions(value):
    def change(doc):
        for actor in doc["actors"].values():
            actor["position"] = dict.fromkeys(doc["issues"], value)

    return change


def _no_salience(*actors):
    def change(doc):
        for name in actors:
            doc["actors"][name]["salience"] = dict.fromkeys(doc["issues"], 0.0)

    return change


def _only(**fields):
    """Replace a whole section (battlefield, beliefs, negotiation, durability) in part."""

    def change(doc):
        for section, values in fields.items():
            doc.setdefault(section, {}).update(values)

    return change


def _event(**spec):
    def change(doc):
        doc["events"] = [{"name": "shock", "at": 1, "probability": 1.0, **spec}]

    return change


def _one_issue(doc):
    for issue in ("nato", "troops"):
        del doc["issues"][issue]
        for actor in doc["actors"].values():
            del actor["position"][issue]
            del actor["salience"][issue]
    doc["durability"]["tripwire"] = {}
    doc["events"] = []


def _minimal_actors(doc):
    del doc["actors"]["UK"]


def _all_at_once(doc):
    _positions(0.5)(doc)
    _every("capability", 0.0)(doc)
    _every("aid", 0.0)(doc)
    doc["battlefield"].update(control=1.0, drift=0.0, volatility=0.0)
    doc["horizon"] = 1


MEANINGFUL = {
    "all actors at one position": _positions(0.5),
    "all actors at 0": _positions(0.0),
    "all actors at 1": _positions(1.0),
    "zero capability everywhere": _every("capability", 0.0),
    "zero capability and no aid": lambda d: (_every("capability", 0.0)(d), _every("aid", 0.0)(d)),
    "zero salience for a supporter": _no_salience("UK"),
    "zero salience for a veto player": _no_salience("Russia"),
    "zero salience for both veto players": _no_salience(*VETOES),
    "veto players indifferent to territory": lambda d: [
        d["actors"][a]["salience"].update(territory=0.0) for a in VETOES
    ],
    "one actor per side plus the mediator": _minimal_actors,
    "a single issue": _one_issue,
    "horizon 1": lambda d: d.update(horizon=1),
    "control at 0": _only(battlefield={"control": 0.0}),
    "control at 1": _only(battlefield={"control": 1.0}),
    "volatility 0": _only(battlefield={"volatility": 0.0}),
    "drift 0": _only(battlefield={"drift": 0.0}),
    "drift and volatility 0": _only(battlefield={"drift": 0.0, "volatility": 0.0}),
    "volatility 0 and almost no prior": lambda d: (
        _only(battlefield={"volatility": 0.0})(d),
        _only(beliefs={"prior_weeks": 1e-12})(d),
    ),
    "everything degenerate at once": _all_at_once,
    "status quo at 1 everywhere": lambda d: [
        v.update(status_quo=1.0) for v in d["issues"].values()
    ],
    "risk at its lower bound (non-veto actors)": lambda d: [
        a.update(risk=0.1) for a in d["actors"].values() if not a.get("veto")
    ],
    "risk at 1 for the veto players": lambda d: [
        a.update(risk=1.0) for a in d["actors"].values() if a.get("veto")
    ],
    "risk at its upper bound": _every("risk", 10.0),
    "resolve almost 0": _every("resolve", 1e-12),
    "largest capability": _every("capability", 1e6),
    "largest pressure": _only(negotiation={"pressure": 1e6}),
    "largest drift": _only(battlefield={"drift": 1e6}),
    "largest volatility": _only(battlefield={"volatility": 1e6}),
    "no accidents, largest cost of resuming": _only(
        durability={"accident_hazard": 0.0, "resume_cost": 1e6}
    ),
    "every ceasefire collapses at once": _only(durability={"accident_hazard": 1.0}),
    "largest tripwire": _only(durability={"tripwire": {"troops": 1e6}}),
    "fastest rearmament and shrinking": lambda d: (
        d["actors"]["Russia"].update(rearmament=1.0),
        d["actors"]["Ukraine"].update(rearmament=-1.0),
    ),
    "armies that break at once": _every("breaking_point", 1.0),
    "noisiest intelligence": _every("signal_noise", 100.0),
    "shortest outlook": _only(beliefs={"outlook_weeks": 1.0}),
    "longest prior and outlook": _only(beliefs={"prior_weeks": 10_000, "outlook_weeks": 1000}),
    "extreme optimism": lambda d: (
        d["actors"]["Russia"].update(optimism=1.0),
        d["actors"]["Ukraine"].update(optimism=-1.0),
    ),
    "no bargaining moves (q = t = 0)": _only(negotiation={"q": 0.0, "t": 0.0}),
    "talks never start": _only(negotiation={"rounds_every": 520, "first_week": 10_000}),
    "event scales risk to 0 (non-veto)": _event(
        scale={"actors.US.risk": 0.0, "actors.UK.risk": 0.0}
    ),
    "event scales a veto risk up by 10": _event(scale={"actors.Russia.risk": 10.0}),
    "event scales resolve to 0": _event(scale={"actors.Russia.resolve": 0.0}),
    "event scales capability by 1000": _event(
        scale={"actors.Russia.capability": 1000.0, "actors.US.capability": 1000.0}
    ),
    "event removes the veto players' salience": _event(
        set={f"actors.{a}.salience.{k}": 0.0 for a in VETOES for k in ISSUES}
    ),
    # documented as *dist* in docs/scenarios.md, so it must run
    "tripwire strength drawn from a distribution": _only(
        durability={"tripwire": {"troops": {"uniform": [1.0, 2.0]}}}
    ),
    # weekly costs far beyond anything real: resolve must still stay in (0, 1]
    "largest war cost": _every("war_cost", 1e6),
    "largest aid and aid cost": lambda d: (_every("aid", 1e6)(d), _every("aid_cost", 1e6)(d)),
}


@pytest.mark.parametrize("change", MEANINGFUL.values(), ids=MEANINGFUL.keys())
def test_degenerate_scenario_runs_to_a_meaningful_result(change, mini_doc, tmp_path):
    change(mini_doc)
    check_meaningful(run_doc(mini_doc, tmp_path))


REFUSED = {
    "a belligerent as mediator (two actors only)": (
        lambda d: (d["actors"].pop("UK"), d["actors"].pop("US"), d.update(mediator="Russia")),
        "mediator: 'Russia' is a belligerent; the mediator must be a supporter or mediator",
    ),
    "no actor at all": (lambda d: d.update(actors={}), "actors: a scenario needs actors"),
    "no issue at all": (
        lambda d: d.update(issues={}),
        "issues: a scenario needs at least one issue",
    ),
    "only one side at war": (
        lambda d: d["actors"].pop("Ukraine"),
        "actors: no belligerent on side ukraine",
    ),
    "horizon 0": (lambda d: d.update(horizon=0), "horizon: must be between 1 and 5200, got 0"),
    "no one cares about an issue": (
        lambda d: [a["salience"].update(nato=0.0) for a in d["actors"].values()],
        "issues.nato: no actor has salience above 0 for it",
    ),
    "capability overflowing": (
        _every("capability", 1e300),
        "actors.Russia.capability: must be between 0 and 1000000, got 1e+300",
    ),
    "event scaling by an overflowing factor": (
        _event(scale={"actors.Russia.capability": 1e300}),
        "events[0].scale.actors.Russia.capability: must be between 0 and 1000, got 1e+300",
    ),
    "resolve exactly 0": (
        _every("resolve", 0.0),
        "actors.Russia.resolve: must be above 0 and at most 1, got 0",
    ),
    "infinite drift": (
        _only(battlefield={"drift": math.inf}),
        "battlefield.drift: must be a finite number, got inf",
    ),
}


@pytest.mark.parametrize(("change", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_degenerate_scenario_is_refused_cleanly(change, message, mini_doc, tmp_path):
    change(mini_doc)
    with pytest.raises(ScenarioError) as err:
        run_doc(mini_doc, tmp_path)
    assert str(err.value) == f"{tmp_path / 'degenerate.yaml'}: {message}"
