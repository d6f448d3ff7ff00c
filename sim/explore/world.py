"""One replicate of a scenario stepped week by week, and what the explorer shows of it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..outcomes import STATES
from ..report.truth import week_date
from ..state import WEEKS_PER_YEAR

ENV = {"scenario": "CEASEFIRE_EXPLORE_SCENARIO", "policy": "CEASEFIRE_EXPLORE_POLICY",
       "set": "CEASEFIRE_EXPLORE_SET", "replicate": "CEASEFIRE_EXPLORE_REPLICATE"}  # fmt: skip
"""How ``ceasefire explore`` hands the app its scenario (the server runs the app module)."""


@dataclass
class World:
    """Replicate ``replicate`` of ``source`` (with ``policy`` and ``overrides``), stepped
    one week at a time from week 0.

    ``seed`` defaults to the scenario's, as ``ceasefire run`` does: the world is then the
    same, draw for draw, as row ``replicate`` of that run's ``runs.parquet``."""

    source: str
    replicate: int = 0
    policy: str | None = None
    overrides: tuple[str, ...] = ()
    seed: int | None = None
    history: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        from ..scenario import load_scenario

        self.scenario = load_scenario(self.source, policy=self.policy, overrides=self.overrides)
        self.reset()

    def reset(self) -> None:
        """Back to week 0."""
        from ..model import NegotiationModel

        self.model = NegotiationModel(
            self.scenario,
            replicates=1,
            first_replicate=self.replicate,
            seed=self.seed,
            trajectory_replicates=self.replicate + 1,  # keep this one's offers
        )
        self.history = [self.snapshot()]

    @property
    def horizon(self) -> int:
        return int(self.scenario.spec.horizon)

    @property
    def done(self) -> bool:
        return self.model.week >= self.horizon or not self.model.running

    def step(self, weeks: int = 1) -> None:
        """Step ``weeks`` weeks (not past the horizon)."""
        for _ in range(weeks):
            if self.done:
                return
            self.model.step()
            self.history.append(self.snapshot())

    def play(self) -> None:
        """Step to the horizon."""
        self.step(self.horizon)

    def snapshot(self) -> dict:
        """What the world shows this week: the front, the state, each actor's belief about
        the front's drift and stated positions, the package tabled and each answer, and (at
        the horizon) the outcome record."""
        m, spec = self.model, self.scenario.spec
        s = m.state
        actors, issues = list(spec.actors), list(spec.issues)
        start = getattr(spec, "start", None)
        week = int(m.week)
        t = m.trajectory
        here = np.flatnonzero(t["offer_week"] == week) if "offer_week" in t else []
        vetoes = [actors[i] for i in m.vetoes]
        offer = None
        if len(here):
            j = int(here[-1])
            offer = {
                "terms": dict(zip(issues, map(float, t["offer_terms"][j]), strict=True)),
                "answers": {
                    v: {
                        "accepts": bool(t["offer_accept"][j, k]),
                        "surplus": float(t["offer_surplus"][j, k]),
                        "ratified": bool(t["offer_ratified"][j, k]),
                    }
                    for k, v in enumerate(vetoes)
                },
                "blocker": actors[int(t["offer_blocker"][j])] if t["offer_blocker"][j] >= 0 else "",
            }
        snap = {
            "week": week,
            "date": week_date(start, week) if start else "",
            "control": float(s["control"][0]),
            "status": list(STATES)[int(m.status[0])],
            "beliefs": {
                a: float(s["belief_mean"][0, i]) * WEEKS_PER_YEAR for i, a in enumerate(actors)
            },
            "positions": {
                a: {k: float(s["position"][0, i, j]) for j, k in enumerate(issues)}
                for i, a in enumerate(actors)
            },
            "offer": offer,
        }
        if self.done:
            record = m.outcomes()
            week_of = int(record["ceasefire_week"][0]) if record["ceasefire"][0] else None
            snap["outcome"] = {
                "outcome": str(record["outcome"][0]),
                "ceasefire_week": week_of,
                "final_control": float(record["final_control"][0]),
            }
        return snap


def from_environment(environ: dict | None = None) -> World:
    """The world ``ceasefire explore`` asked for (through :data:`ENV`)."""
    env = os.environ if environ is None else environ
    overrides: Iterable[str] = [o for o in env.get(ENV["set"], "").split("\n") if o]
    return World(
        env[ENV["scenario"]],
        replicate=int(env.get(ENV["replicate"], "0") or 0),
        policy=env.get(ENV["policy"]) or None,
        overrides=tuple(overrides),
    )
