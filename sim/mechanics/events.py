"""Phase 1: events — scheduled, random and conditional shocks to dynamic parameters.

An event fires at most once per replicate: at week ``at``; at a week drawn uniformly from
``window``; or at the first week its ``when`` condition holds.  It happens with
``probability`` (drawn once per replicate).  When it fires it sets or scales the
parameters it names for that replicate.  Conditions are parsed by a fixed grammar
(``<control|week|actors.<actor>.resolve> <op> <number>``), never evaluated as code.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..scenario.schema import WHEN as _WHEN  # the one grammar: the schema checks, this reads
from .expected_events import refusals_needed

_OPS: dict[str, Callable] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

Target = tuple[str, tuple[int, ...]]
"""A state array's name and the index of the actor (and issue) it changes."""


@dataclass
class Event:
    """One event compiled for a block of replicates."""

    name: str
    fire_week: np.ndarray  # (R,) scheduled week, -1 when conditional
    happens: np.ndarray  # (R,) bool: the probability draw came up
    condition: tuple[str, Callable, float] | None
    sets: list[tuple[Target, np.ndarray]]
    scales: list[tuple[Target, np.ndarray]]
    fired: np.ndarray  # (R,) bool
    first_week: int = 0  # never before this week (an event of a policy with `from:`)
    probability: np.ndarray | None = None  # (R,) the chance it happens, as announced
    at: int | None = None  # its week, when scheduled
    window: tuple[int, int] | None = None  # its weeks, when drawn from a window
    threat: tuple[str, int] | None = None  # (veto player, refusals) of `rejections.X >= N`

    def due(self, week: int, observables: Mapping[str, np.ndarray]) -> np.ndarray:
        """Replicates in which the event fires this week (and marks them fired)."""
        if self.condition is None:
            mask = self.fire_week == week
        else:
            variable, op, threshold = self.condition
            mask = op(observables[variable], threshold)
        mask = mask & self.happens & ~self.fired & (week >= self.first_week)
        self.fired |= mask
        return mask


def compile_event(
    spec,
    values: Mapping[str, np.ndarray],
    draws: np.ndarray,
    target: Callable[[str], Target],
) -> Event:
    """Turn an event spec into arrays for ``R`` replicates.

    Parameters
    ----------
    spec : EventSpec
    values : mapping
        Sampled parameter values by dotted path (see :func:`sim.parameters.sample`).
    draws : ndarray, shape (R, 2)
        Uniform numbers: the first decides whether it happens, the second its week.
    target : callable
        Maps a dotted parameter path to the state array and index it changes.
    """
    n = draws.shape[0]
    prefix = f"events.{spec.name}"
    probability = values[f"{prefix}.probability"]
    happens = draws[:, 0] < probability
    if spec.at is not None:
        fire_week = np.full(n, spec.at)
    elif spec.window is not None:
        first, last = spec.window
        fire_week = first + np.minimum((draws[:, 1] * (last - first + 1)).astype(int), last - first)
    else:
        fire_week = np.full(n, -1)
    condition = threat = None
    if spec.when is not None:
        variable, op, threshold = _WHEN.match(spec.when).groups()
        condition = (variable, _OPS[op], float(threshold))
        needed = refusals_needed(op, float(threshold))
        if variable.startswith("rejections.") and needed is not None:
            threat = (variable.removeprefix("rejections."), needed)
    return Event(
        name=spec.name,
        fire_week=fire_week,
        happens=happens,
        condition=condition,
        sets=[(target(p), values[f"{prefix}.set.{p}"]) for p in spec.set],
        scales=[(target(p), values[f"{prefix}.scale.{p}"]) for p in spec.scale],
        fired=np.zeros(n, dtype=bool),
        first_week=spec.from_ or 0,
        probability=np.broadcast_to(probability, (n,)),
        at=spec.at,
        window=None if spec.window is None else tuple(spec.window),
        threat=threat,
    )


def apply(event: Event, mask: np.ndarray, arrays: Mapping[str, np.ndarray]) -> None:
    """Apply a fired event's changes, in place, to the replicates in ``mask``."""
    for (name, index), value in event.sets:
        for array in _arrays(name, arrays):
            array[(mask, *index)] = value[mask]
    for (name, index), factor in event.scales:
        for array in _arrays(name, arrays):
            array[(mask, *index)] *= factor[mask]


def _arrays(name: str, arrays: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    # an event that moves a position moves what the actor wants, not only what it says
    return [arrays["position"], arrays["ideal"]] if name == "position" else [arrays[name]]
