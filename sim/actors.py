"""Actors: Mesa agents whose state carries a leading replicate axis.

An :class:`Actor` is one state (Russia, Ukraine, the United States, ...) in every replicate
at once: its attributes are views into the model's arrays, column ``index``.  Its decision
methods answer for all replicates (or a subset of rows) in one call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from .mechanics import acceptance, package

if TYPE_CHECKING:
    from .model import NegotiationModel
    from .scenario import ActorSpec


class Actor(mesa.Agent):
    """One actor of the negotiation.

    Parameters
    ----------
    model : NegotiationModel
    key : str
        The actor's key in the scenario (``"Russia"``).
    index : int
        Its column in the model's state arrays.
    spec : ActorSpec
        Its static description (role, side, veto).
    """

    def __init__(self, model: NegotiationModel, key: str, index: int, spec: ActorSpec) -> None:
        super().__init__(model)
        self.key = key
        self.index = index
        self.label = spec.name or key
        self.role = spec.role
        self.side = spec.side
        self.veto = spec.veto
        self.reference = spec.reference

    # ---- state, one value per replicate
    @property
    def resolve(self) -> np.ndarray:
        return self.model.state["resolve"][:, self.index]

    @property
    def capability(self) -> np.ndarray:
        return self.model.state["capability"][:, self.index]

    @property
    def position(self) -> np.ndarray:
        """Current positions, shape (R, K)."""
        return self.model.state["position"][:, self.index, :]

    @property
    def ideal(self) -> np.ndarray:
        """What the actor wants (its scenario position, moved only by events), (R, K)."""
        return self.model.state["ideal"][:, self.index, :]

    @property
    def salience(self) -> np.ndarray:
        return self.model.state["salience"][:, self.index, :]

    @property
    def belief(self) -> np.ndarray:
        """Believed weekly drift of Russia's control."""
        return self.model.state["belief_mean"][:, self.index]

    # ---- decisions
    def preferences(self, rows: np.ndarray) -> package.Preferences:
        """The actor's preferences over packages in the given replicates."""
        i, s, model = [self.index], self.model.state, self.model
        return package.Preferences(
            ideal=s["ideal"][rows][:, i],
            weights=acceptance.stakes(s["salience"][rows][:, i]),
            risk=s["risk"][rows][:, i],
            loss_aversion=s["loss_aversion"][rows][:, i],
            side=model.side[i],
            claims=np.array([self.reference == "claim"]),
            territory=model.territory,
        )

    def utility(self, terms: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Utility of the terms (shape (len(rows), K)) in the given replicates."""
        control = self.model.state["control"][rows]
        return self.preferences(rows).utility(terms, control)[:, 0]

    def accepts(self, terms: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Whether the actor, a veto player, accepts the terms (shape (len(rows), K)) per
        replicate in ``rows``: the acceptance phase's own answer (fighting on, red lines,
        ratification, and trust in the others' keeping them)."""
        v = self.model.veto_index(self.index)
        answer = self.model.responses(rows, terms)
        return answer["accept"][:, v]

    def __repr__(self) -> str:
        return f"Actor({self.key!r}, role={self.role!r}, side={self.side!r}, veto={self.veto})"
