"""The model with the record's probes: whether each fact holds, recorded as a replicate runs.

:class:`RecordedModel` is the plain :class:`~sim.model.NegotiationModel` (same phases, same
random numbers, so the same histories) that also looks at each replicate after the weeks the
record names, and adds one column per fact and per question to the outcomes:

- ``fact:NAME`` (bool): the fact holds in the replicate;
- ``first_in_force:NAME`` (int, window facts): the first week of the window with a
  ceasefire in force, -1 if none (a backtest cuts a window at a question's ``asked`` with it);
- ``question:NAME`` (bool): a ceasefire is in force in some week from ``asked`` to
  ``ceasefire_by``;
- ``ceasefire_after:WEEK`` (int, :class:`Probes.clocks`): the first week after ``WEEK``
  with a ceasefire in force, -1 if none (the outcome clocks of runs given the record).

A ``tabled`` fact costs one acceptance evaluation (:meth:`NegotiationModel.responses`, the
rule ``ceasefire deal`` uses) per replicate at war that week, on the replicate's state that
week, and changes nothing in its history.  Nothing here re-runs the war.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model import CEASEFIRE, WAR, WAR_RESUMED, NegotiationModel
from .facts import BoundRecord


@dataclass(frozen=True)
class Probes:
    """What to look at, by week (picklable: it travels to the worker processes).

    Attributes
    ----------
    tabled : tuple
        ``(name, week, terms, accepted_by, rejected_by)`` per tabled fact.
    control : tuple
        ``(name, week, low, high)`` per control fact.
    windows : tuple
        ``(name, first_week, last_week)`` per no_ceasefire fact.
    questions : tuple
        ``(name, asked_week, by_week)`` per question.
    clocks : tuple of int
        Weeks after which the first week in force is wanted (``ceasefire_after:WEEK``).
    table : tuple, optional
        ``(week, terms)``: at the end of that week the deal is tabled to the replicates at
        war, as ``ceasefire deal`` tables one (signed where all accept; ``accepted_ACTOR``
        columns), changing the history from then on (``deal --given``).
    """

    tabled: tuple = ()
    control: tuple = ()
    windows: tuple = ()
    questions: tuple = ()
    clocks: tuple[int, ...] = field(default=())
    table: tuple | None = None  # (week, terms): a deal tabled for real after that week

    @classmethod
    def of(
        cls, record: BoundRecord, clocks: tuple[int, ...] = (), table: tuple | None = None
    ) -> Probes:
        """Every fact and question of a bound record."""
        tabled, control, windows = [], [], []
        for f in record.facts:
            fact = f.fact
            if fact.kind == "tabled":
                tabled.append(
                    (f.name, f.week, dict(fact.terms), fact.accepted_by, fact.rejected_by)
                )
            elif fact.kind == "control":
                control.append((f.name, f.week, *fact.band))
            else:
                windows.append((f.name, f.first_week, f.week))
        questions = tuple((q.name, q.asked_week, q.by_week) for q in record.questions)
        return cls(tuple(tabled), tuple(control), tuple(windows), questions, tuple(clocks), table)


class RecordedModel(NegotiationModel):
    """:class:`~sim.model.NegotiationModel` that records the record's facts (see module).

    Parameters
    ----------
    *args, **kwargs
        As for :class:`~sim.model.NegotiationModel`.
    probes : Probes
        What to record.
    """

    def __init__(self, *args, probes: Probes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.probes = probes
        # whether a ceasefire is in force at the end of each week, (R, horizon + 1): cheap
        # (one byte a replicate-week) and enough for every window fact and question
        self.in_force = np.zeros((self.replicates, self.horizon + 1), dtype=bool)
        self.fact_columns: dict[str, np.ndarray] = {}
        self._look()  # week 0: the state on the start day

    def step(self) -> None:
        """One week of the plain model, then the record's probes of that week."""
        super().step()
        self._look()

    def _look(self) -> None:
        week = self.week
        if self.probes.table is not None and self.probes.table[0] == week:
            rows = np.flatnonzero((self.status == WAR) | (self.status == WAR_RESUMED))
            if len(rows):
                terms = self._deal_terms(rows, self.probes.table[1])
                self._table(rows, self.preferences(rows), terms, tabled=True)
        self.in_force[:, week] = self.status == CEASEFIRE
        for name, at, terms, accepted, rejected in self.probes.tabled:
            if at == week:
                self.fact_columns[f"fact:{name}"] = self._answers(terms, accepted, rejected)
        for name, at, low, high in self.probes.control:
            if at == week:
                control = self.state["control"]
                self.fact_columns[f"fact:{name}"] = (control >= low) & (control <= high)

    def _answers(self, terms: dict, accepted: tuple, rejected: tuple) -> np.ndarray:
        """Whether each replicate's veto players answer ``terms`` as the record says.

        Only replicates at war answer: where a ceasefire is in force or the war is won,
        nothing was tabled, and the fact does not hold."""
        holds = np.zeros(self.replicates, dtype=bool)
        rows = np.flatnonzero((self.status == WAR) | (self.status == WAR_RESUMED))
        if not len(rows):
            return holds
        accept = self.responses(rows, self._deal_terms(rows, terms))["accept"]
        ok = np.ones(len(rows), dtype=bool)
        for actor in accepted:
            ok &= accept[:, self.veto_keys.index(actor)]
        for actor in rejected:
            ok &= ~accept[:, self.veto_keys.index(actor)]
        holds[rows] = ok
        return holds

    def _first_in_force(self, first: int, last: int) -> np.ndarray:
        window = self.in_force[:, first : last + 1]
        any_ = window.any(axis=1)
        return np.where(any_, first + window.argmax(axis=1), -1).astype(np.int64)

    def outcomes(self) -> dict[str, np.ndarray]:
        """The plain outcomes plus the record's columns (see the module's docstring)."""
        cols = super().outcomes()
        cols.update(self.fact_columns)
        if self.probes.table is not None:
            for j, actor in enumerate(self.veto_keys):
                cols[f"accepted_{actor}"] = self.accepted[:, j]
        for name, first, last in self.probes.windows:
            first_week = self._first_in_force(first, last)
            cols[f"first_in_force:{name}"] = first_week
            cols[f"fact:{name}"] = first_week < 0
        for name, asked, by in self.probes.questions:
            cols[f"question:{name}"] = self.in_force[:, asked : by + 1].any(axis=1)
        for week in self.probes.clocks:
            cols[f"ceasefire_after:{week}"] = self._first_in_force(week + 1, self.horizon)
        return cols
