"""Actors: Mesa agents whose state carries a leading replicate axis.

An :class:`Actor` is one state (Russia, Ukraine, the United States, ...) in every replicate
at once: its attributes are views into the model's arrays, column ``index``.  Its decision
methods answer for all replicates (or a subset of rows) in one call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from .mechanics import acceptance

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
    def utility(self, terms: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Utility of the terms (shape (len(rows), K)) in the given replicates."""
        i = [self.index]
        s = self.model.state
        return acceptance.utility(
            terms,
            s["ideal"][rows][:, i],
            acceptance.issue_weights(s["salience"][rows][:, i]),
            s["risk"][rows][:, i],
        )[:, 0]

    def accepts(self, terms: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Whether the actor prefers the terms to fighting on, per replicate in ``rows``."""
        value = self.model.value_of_fighting(rows)[:, self.model.veto_index(self.index)]
        return self.utility(terms, rows) >= value

    def __repr__(self) -> str:
        return f"Actor({self.key!r}, role={self.role!r}, side={self.side!r}, veto={self.veto})"
