"""The model's state at week 0: the arrays every phase reads and writes, from the draws.

A replicate block's state is a dict of arrays with the replicates on the first axis: per
actor (R, N), per actor and issue (R, N, K), per issue (R, K) or one number per replicate
(R,).  Events change the dynamic fields (:data:`sim.scenario.DYNAMIC_BOUNDS`) through it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .outcomes import STATES
from .scenario import DYNAMIC_GLOBAL_FIELDS

WEEKS_PER_YEAR = 52.0

# a replicate's state each week: its position in sim.outcomes.STATES
WAR, CEASEFIRE, WAR_RESUMED, RUSSIAN_VICTORY, UKRAINIAN_VICTORY = (
    list(STATES).index(k)
    for k in ("war", "ceasefire", "war_resumed", "russian_victory", "ukrainian_victory")
)

PER_ACTOR = (
    "capability",
    "resolve",
    "risk",
    "aid",
    "aid_cost",
    "war_cost",
    "optimism",
    "loss_aversion",
    "breaking_point",
    "signal_noise",
    "rearmament",
)
"""The actor fields held one number per actor, (R, N)."""


def initial_state(
    v: dict[str, np.ndarray],
    actors: list[str],
    issues: list[str],
    balance: Callable[[dict[str, np.ndarray]], np.ndarray],
) -> dict[str, np.ndarray]:
    """The state at week 0 from the draws ``v`` (dotted path -> (R,) values).

    ``balance(state)`` is the balance of strength the state implies (phase 2a); the actors'
    beliefs about the front start at its true drift, shifted by each actor's yearly
    optimism (phase 3).
    """

    def per_actor(attr: str) -> np.ndarray:
        return np.stack([v[f"actors.{a}.{attr}"] for a in actors], axis=1)

    def per_issue(attr: str) -> np.ndarray:
        return np.stack(
            [np.stack([v[f"actors.{a}.{attr}.{k}"] for k in issues], axis=1) for a in actors],
            axis=1,
        )

    state = {name: per_actor(name) for name in PER_ACTOR}
    state["position"] = per_issue("position")
    # preferences stay where the scenario puts them; bargaining moves only the stated
    # positions (what the mediator hears), not what an actor wants (what it accepts)
    state["ideal"] = state["position"].copy()
    state["salience"] = per_issue("salience")
    state["status_quo"] = np.stack([v[f"issues.{k}.status_quo"] for k in issues], axis=1)
    # what each issue is worth while the war goes on (the status quo unless stated)
    state["at_war"] = np.stack(
        [v.get(f"issues.{k}.at_war", v[f"issues.{k}.status_quo"]) for k in issues], axis=1
    )
    for path in DYNAMIC_GLOBAL_FIELDS:
        state[path] = v[path].copy()
    for name in ("prior_weeks", "outlook_weeks"):
        state[name] = v[f"beliefs.{name}"]
    for name in ("accident_hazard", "resume_cost"):
        state[name] = v[f"durability.{name}"]
    state["control"] = v["battlefield.control"].copy()
    true_drift = state["battlefield.drift"] * balance(state)
    state["belief_mean"] = true_drift[:, None] + state["optimism"] / WEEKS_PER_YEAR
    state["belief_weight"] = np.repeat(state["prior_weeks"][:, None], len(actors), axis=1)
    return state
