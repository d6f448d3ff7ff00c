"""Phase 5 (part): foresight of the scenario's events in the value of fighting on.

A side that weighs fighting on against a package also weighs what the war's next year may
bring from outside the battlefield: an aid cut it has reason to expect, sanctions that its
refusals would bring (Reiter 2009: a side fights on while victory looks attainable, judged
on everything it expects; Schelling 1960: a conditional threat works through the target's
foresight of it, not only by its execution).  Each event a veto player can foresee enters
its value of fighting on as a lottery: with chance ``q`` it fires within the outlook of
``T`` weeks, and from then on the parameters it changes take their new values.  This module
gives, for one event, ``q`` and the share of the outlook ``f`` the event is expected to be
in force if it fires; :meth:`sim.talks.Talks.outlook` mixes the values.

What each side knows (an assumption, docs/model.md): the scenario's events as a lever is
announced, with its probability, not whether it will fire in its world.

- ``at: w``: it fires in week ``w`` with probability ``p``; ``q = p`` if ``t < w <= t + T``.
- ``window: [a, b]``: it fires with probability ``p`` in a week drawn uniformly from
  ``a..b``.  Not yet fired by week ``t``, by Bayes' rule
  ``q = p k / n / (1 - p n_t / n)``: ``n = b - a + 1`` weeks, ``n_t`` of them already past,
  ``k`` of them inside the outlook.
- ``when: "rejections.X >= N"``: a threat addressed to veto player ``X``.  Fighting on, ``X``
  refuses every round, so the threat fires with probability ``p`` the week after its
  ``N - count``-th refusal from now, ``(N - count - 1) r + 1`` weeks ahead with rounds every
  ``r`` weeks.  Only ``X`` foresees it: the other side cannot tell whether ``X`` will refuse.

Events on other conditions (control, resolve, the week) are not foreseen: a side learns of
them as they happen.
"""

from __future__ import annotations

import numpy as np


def in_force(week: int, weeks: np.ndarray, fires: np.ndarray) -> np.ndarray:
    """Share of the outlook weeks ``week + 1 .. week + weeks`` from week ``fires`` on."""
    return np.clip((week + weeks - fires + 1) / np.maximum(weeks, 1.0), 0.0, 1.0)


def scheduled(
    week: int, weeks: np.ndarray, at: int, probability: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(q, f)`` of an event scheduled for week ``at``, seen in week ``week`` (at or after
    its ``from:``: before it, nothing is foreseen, :meth:`sim.talks.Talks._foreseen`)."""
    fires = np.full(len(weeks), float(at))
    inside = (at > week) & (at <= week + weeks)
    return np.where(inside, probability, 0.0), in_force(week, weeks, fires)


def windowed(
    week: int,
    weeks: np.ndarray,
    window: tuple[int, int],
    probability: np.ndarray,
    earliest: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``(q, f)`` of an event in a uniform week of ``window``, not fired by week ``week``;
    the window's weeks before ``earliest`` (its ``from:``) never fire, so they do not count
    in Bayes' rule."""
    first, last = window
    n = last - first + 1
    start = max(first, earliest)  # weeks before `earliest` never fire
    past = max(min(last, week) - start + 1, 0)
    low = max(start, week + 1)
    high = np.minimum(last, week + weeks)  # (R,)
    ahead = np.maximum(high - low + 1, 0)
    q = probability * ahead / n / np.maximum(1.0 - probability * past / n, 1e-12)
    # the mean week it fires in, uniform over low..high
    f = in_force(week, weeks, (low + high) / 2.0)
    return np.where(ahead > 0, q, 0.0), f


def threatened(
    week: int,
    weeks: np.ndarray,
    count: np.ndarray,
    needed: int,
    rounds_every: int,
    probability: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``(q, f)`` of a threat that fires once its target has refused ``needed`` packages,
    to the target that has refused ``count`` so far and would refuse every round (seen at
    or after the threat's ``from:``, as :func:`scheduled`)."""
    more = needed - count
    fires = (week + (more - 1) * rounds_every + 1).astype(float)
    inside = (more >= 1) & (fires <= week + weeks)
    return np.where(inside, probability, 0.0), in_force(week, weeks, fires)


def refusals_needed(op: str, threshold: float) -> int | None:
    """How many refusals make ``rejections <op> threshold`` true, or None where more
    refusals never make it true (``<``, ``<=``: it holds from the start or never)."""
    if op == ">=":
        return int(np.ceil(threshold))
    if op == ">":
        return int(np.floor(threshold)) + 1
    return None
