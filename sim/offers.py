"""The record of the offers and answers of the kept replicates: every package the mediator
tables (week, terms), each veto player's surplus and answer, ratification and the blocker.

:class:`OfferLog` is the recorder :class:`~sim.model.NegotiationModel` calls where it puts
terms to the veto players; it keeps the replicates whose trajectories are kept and writes
flat arrays into the model's ``trajectory`` (``offer_*``, one row per offer), so that they
travel with the trajectories through chunks, checkpoints and ``trajectories.npz``.
:func:`offers_table` labels them as the tidy ``offers.parquet``; :func:`weekly_table` makes
the weekly state a labelled long table (replicate, week, actor, issue).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

PREFIX = "offer_"
"""The trajectory keys of the record."""


class OfferLog:
    """Appends each tabled package of the kept replicates to ``model.trajectory``."""

    def __init__(self, model) -> None:
        self.model = model
        self.kept = len(model.kept)
        k, v = len(model.issue_keys), len(model.vetoes)
        model.trajectory.update(
            {
                "offer_replicate": np.zeros(0, dtype=np.int64),
                "offer_week": np.zeros(0, dtype=np.int64),
                "offer_terms": np.zeros((0, k)),
                "offer_surplus": np.zeros((0, v)),
                "offer_accept": np.zeros((0, v), dtype=bool),
                "offer_ratified": np.zeros((0, v), dtype=bool),
                "offer_blocker": np.zeros(0, dtype=np.int64),
            }
        )

    def add(
        self,
        rows: np.ndarray,
        terms: np.ndarray,
        surplus: np.ndarray,
        accept: np.ndarray,
        ratified: np.ndarray,
        blocker: np.ndarray,
    ) -> None:
        """Record the package ``terms`` put to the replicates ``rows`` (local indices) and
        the answers; ``blocker`` is the actor index of each row's blocker, -1 if agreed."""
        mine = rows < self.kept  # the kept replicates are the chunk's first ones
        if not mine.any():
            return
        m, t = self.model, self.model.trajectory
        new = {
            "offer_replicate": rows[mine] + m.start,
            "offer_week": np.full(int(mine.sum()), m.week, dtype=np.int64),
            "offer_terms": terms[mine],
            "offer_surplus": surplus[mine],
            "offer_accept": accept[mine],
            "offer_ratified": ratified[mine],
            "offer_blocker": blocker[mine],
        }
        for key, value in new.items():
            t[key] = np.concatenate([t[key], np.asarray(value, dtype=t[key].dtype)])
        # in replicate, then week order: chunks hold ascending runs of replicates, so their
        # records concatenate to the same arrays whatever the chunking (bit-identical)
        order = np.lexsort((t["offer_week"], t["offer_replicate"]))
        for key in new:
            t[key] = t[key][order]


def offers_table(
    trajectories: Mapping[str, np.ndarray],
    actors: Sequence[str],
    vetoes: Sequence[str],
    issues: Sequence[str],
) -> pd.DataFrame:
    """The offers and answers as a tidy table, one row per package tabled in a kept
    replicate: ``replicate``, ``week``, ``terms_<issue>``, per veto player
    ``surplus_<actor>``, ``accepts_<actor>``, ``ratified_<actor>``, then ``agreed`` and
    ``blocker`` (empty where all accepted), in replicate and week order."""
    import pandas as pd

    if "offer_week" not in trajectories:
        return pd.DataFrame(columns=["replicate", "week"])
    t = trajectories
    frame = pd.DataFrame({"replicate": t["offer_replicate"], "week": t["offer_week"]})
    for j, issue in enumerate(issues):
        frame[f"terms_{issue}"] = t["offer_terms"][:, j]
    for j, actor in enumerate(vetoes):
        frame[f"surplus_{actor}"] = t["offer_surplus"][:, j]
        frame[f"accepts_{actor}"] = t["offer_accept"][:, j]
        frame[f"ratified_{actor}"] = t["offer_ratified"][:, j]
    frame["agreed"] = t["offer_accept"].all(axis=1) if len(vetoes) else False
    names = np.array([*actors, ""], dtype=object)
    frame["blocker"] = names[np.where(t["offer_blocker"] >= 0, t["offer_blocker"], len(actors))]
    return frame.sort_values(["replicate", "week"], kind="stable").reset_index(drop=True)


def weekly_table(
    trajectories: Mapping[str, np.ndarray],
    actors: Sequence[str],
    issues: Sequence[str],
    replicates: Sequence[int] | None = None,
) -> pd.DataFrame:
    """The weekly state of the kept replicates as a labelled long table: one row per
    replicate, week, actor and issue, with ``control`` and ``status`` (of the replicate),
    ``resolve`` (of the actor) and ``position`` (the actor's stated position on the issue).

    ``replicates`` selects some (by replicate index); all kept ones by default.
    """
    import pandas as pd

    from .outcomes import STATES

    t = trajectories
    index = np.asarray(t["replicate"])
    pick = (
        np.arange(len(index)) if replicates is None else np.flatnonzero(np.isin(index, replicates))
    )
    position = np.asarray(t["position"])[pick]  # (r, weeks, actors, issues)
    r, w, n, k = position.shape
    grid = np.indices((r, w, n, k)).reshape(4, -1)
    states = np.array(list(STATES), dtype=object)
    return pd.DataFrame(
        {
            "replicate": index[pick][grid[0]],
            "week": grid[1],
            "actor": np.array(actors, dtype=object)[grid[2]],
            "issue": np.array(issues, dtype=object)[grid[3]],
            "position": position.reshape(-1),
            "resolve": np.asarray(t["resolve"])[pick][grid[0], grid[1], grid[2]],
            "control": np.asarray(t["control"])[pick][grid[0], grid[1]],
            "status": states[np.asarray(t["status"])[pick][grid[0], grid[1]]],
        }
    )
