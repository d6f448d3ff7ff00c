"""The negotiation model: R replicates of the war stepped together, week by week.

Each week runs the phases of ``docs/model.md`` in order:

1. events            (:mod:`sim.mechanics.events`)
2. battlefield, costs, decision (:mod:`sim.mechanics.battlefield`, :mod:`sim.mechanics.costs`,
   :mod:`sim.mechanics.decision`)
3. beliefs           (:mod:`sim.mechanics.beliefs`)
4. bargaining        (:mod:`sim.mechanics.bargaining`), every ``rounds_every`` weeks
5. proposal and acceptance (:mod:`sim.mechanics.acceptance`)
6. durability        (:mod:`sim.mechanics.durability`)

Phases 2-5 act on the replicates at war, phase 6 on those in a ceasefire; a victory
(phase 2c) ends a replicate's war for good.  ``replicates=1``
is the plain agent-based model on the same code path.  Mesa counts the weeks
(``steps``) and runs the loop (``run_model``); phase 5's methods are in :mod:`sim.talks`
and the week-0 state in :mod:`sim.state`; the arithmetic of every phase in
:mod:`sim.mechanics`.
"""

from __future__ import annotations

from collections.abc import Mapping

import mesa
import numpy as np
from scipy.special import ndtri

from .actors import Actor
from .mechanics import (
    battlefield,
    beliefs,
    costs,
    decision,
    durability,
    events,
)
from .mechanics.bargaining_kernel import bargaining_round_fast
from .mechanics.bounds import clip_in_place
from .offers import OfferLog
from .outcomes import STATES
from .parameters import flat_parameters, sample, uncertain
from .scenario import DYNAMIC_BOUNDS, DYNAMIC_GLOBAL_FIELDS, Scenario
from .state import (
    CEASEFIRE,
    RUSSIAN_VICTORY,
    UKRAINIAN_VICTORY,
    WAR,
    WAR_RESUMED,
    WEEKS_PER_YEAR,
    initial_state,
)
from .streams import uniforms
from .talks import Talks

ACCIDENT = -2
"""``breaker`` of a ceasefire that ended by accident, not by a party's choice."""


def clip_to_bounds(state: dict[str, np.ndarray]) -> None:
    """Keep every field events change within its declared bounds (in place).

    Scalings compound (several events may scale the same field), so this is where the
    documented caps hold at run time: nothing grows past
    :data:`sim.scenario.MAX_MAGNITUDE` or overflows.
    Resolve stays at least :data:`costs.MIN_RESOLVE` (its bound is open at 0 and the
    perceived cost of war divides by it); what the actor wants moves with its position.
    """
    for name, (low, high, _) in DYNAMIC_BOUNDS.items():
        low = costs.MIN_RESOLVE if name == "resolve" else low
        clip_in_place(state[name], low, high)
    clip_in_place(state["ideal"], *DYNAMIC_BOUNDS["position"][:2])


class NegotiationModel(Talks, mesa.Model):
    """A scenario's war and negotiation, for a block of replicates.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (policy and overrides already applied).
    replicates : int
        How many replicates this model steps together.
    first_replicate : int
        Global index of the first replicate; replicate ``r`` draws from its own streams,
        so its history does not depend on which block it is stepped in.
    seed : int, optional
        Run seed; the scenario's ``seed`` by default.
    trajectory_replicates : int
        Replicates with a global index below this keep their weekly trajectories.
    inputs : mapping of str to array, optional
        Fixed values of uncertain inputs for these replicates (by dotted path, one per
        replicate), in place of their draws: a sensitivity design (:mod:`sim.analysis.sensitivity`).

    Examples
    --------
    >>> from sim import load_scenario, NegotiationModel
    >>> model = NegotiationModel(load_scenario("scenarios/baseline.yaml"), replicates=1)
    >>> model.step(); model.actor("Russia").position   # doctest: +SKIP
    """

    def __init__(
        self,
        scenario: Scenario,
        replicates: int = 1,
        first_replicate: int = 0,
        seed: int | None = None,
        trajectory_replicates: int = 1000,
        inputs: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        spec = scenario.spec
        self.seed = spec.seed if seed is None else int(seed)
        super().__init__(rng=self.seed)
        # not `self.scenario`: Mesa 3.5 reserves that name for its own Scenario objects
        self.setup = scenario
        self.spec = spec
        self.start, self.stop = first_replicate, first_replicate + replicates
        self.replicates = replicates
        self.horizon = spec.horizon

        self.issue_keys = list(spec.issues)
        self.actor_keys = list(spec.actors)
        self.territory = self.issue_keys.index(spec.battlefield.issue)
        self.side = np.array(
            [{"russia": 1, "ukraine": -1, "neutral": 0}[a.side] for a in spec.actors.values()]
        )
        self.belligerent = np.array([a.role == "belligerent" for a in spec.actors.values()])
        self.vetoes = np.array([i for i, a in enumerate(spec.actors.values()) if a.veto])
        self.veto_keys = [self.actor_keys[i] for i in self.vetoes]
        contiguous = len(self.vetoes) and np.all(np.diff(self.vetoes) == 1)
        self._veto_slice = slice(self.vetoes[0], self.vetoes[-1] + 1) if contiguous else None
        self.claims = np.array([spec.actors[k].reference == "claim" for k in self.veto_keys])
        self.mediator = self.actor_keys.index(spec.mediator)
        # whose ideal terms a victory imposes: the side's veto player, else its belligerent
        self.victor = {
            s: next(
                i for i in [*self.vetoes, *np.flatnonzero(self.belligerent)] if self.side[i] == s
            )
            for s in (1, -1)
        }
        # curved utilities need a grid of candidate terms (sim.mechanics.package); decided
        # from the scenario, never from the replicates in a chunk, so results do not
        # depend on how replicates are split
        self.curved = any(
            spec.actors[k].risk != 1.0
            or any(f"actors.{k}.risk" in {**e.set, **e.scale} for e in spec.events)
            for k in self.veto_keys
        )

        flat = flat_parameters(spec)
        self.inputs = uncertain(flat)
        values = sample(flat, self.seed, self.start, self.stop)
        values.update(inputs or {})
        self.sampled = {path: values[path] for path in self.inputs}
        # strength of guarantor forces at war on Ukraine's side (phase 6), none at first
        self.joined = np.zeros(replicates)
        self.state = initial_state(values, self.actor_keys, self.issue_keys, self._balance)
        self.mediator_bias = values["negotiation.mediator_bias"]
        self.ratification_limit = np.stack(
            [
                values.get(f"actors.{k}.ratification_limit", np.full(replicates, np.inf))
                for k in self.veto_keys
            ],
            axis=1,
        )
        # the feasible ranges: the mediator's box where no offer holds, and what a victory
        # imposes where third parties decide an issue (docs/model.md, phase 5)
        self.feasible_low = np.array([spec.issues[k].feasible[0] for k in self.issue_keys])
        self.feasible_high = np.array([spec.issues[k].feasible[1] for k in self.issue_keys])
        self.table_low, self.table_high = self._table_box()
        self.victor_table = np.array(
            [spec.issues[k].victor_gets == "table" for k in self.issue_keys]
        )
        # (V, K): each veto player's red line on each issue, NaN where it has none
        self.red_lines = np.array(
            [
                [spec.actors[a].red_lines.get(k, np.nan) for k in self.issue_keys]
                for a in self.veto_keys
            ]
        ).reshape(len(self.veto_keys), len(self.issue_keys))

        # random numbers, drawn in blocks per replicate (see sim.streams)
        block = (self.seed, self.start, self.stop, spec.horizon)
        self._shock = ndtri(uniforms(block[0], "battlefield", *block[1:]))
        self._collapse = uniforms(block[0], "durability", *block[1:])
        # each actor's own reading of the front (phase 3); drawn only when some actor reads
        # it with noise, decided from the scenario so that chunks agree
        n = len(self.actor_keys)
        self._noisy = any(
            f"actors.{a}.signal_noise" in self.inputs or flat[f"actors.{a}.signal_noise"] != 0
            for a in self.actor_keys
        )
        self._signal = (
            ndtri(uniforms(self.seed, "signals", self.start, self.stop, spec.horizon * n)).reshape(
                replicates, spec.horizon, n
            )
            if self._noisy
            else None
        )
        # the mediator's error about each veto player's value of fighting on, every week
        v = len(self.vetoes)
        self._misjudged = (
            ndtri(uniforms(self.seed, "mediator", self.start, self.stop, spec.horizon * v)).reshape(
                replicates, spec.horizon, v
            )
            * values["negotiation.mediator_error"][:, None, None]
        )
        self.events = [
            events.compile_event(
                e,
                values,
                uniforms(self.seed, f"event:{e.name}", self.start, self.stop, 2),
                self._target,
            )
            for e in spec.events
        ]
        # (R, K): guarantor strength per unit of each term, uncertain like any other number
        self.tripwire = np.stack(
            [values.get(f"durability.tripwire.{k}", np.zeros(replicates)) for k in self.issue_keys],
            axis=1,
        )
        self.actors = [
            Actor(self, key, i, spec.actors[key]) for i, key in enumerate(self.actor_keys)
        ]
        self._init_outcomes()
        self._init_trajectories(trajectory_replicates)

    # ------------------------------------------------------------------ set-up
    def _balance(
        self,
        s: dict[str, np.ndarray],
        rows=slice(None),
        guarantors: np.ndarray | float | None = None,
        capability: np.ndarray | None = None,
    ) -> np.ndarray:
        """Balance of strength; guarantor forces at war on Ukraine's side by default, and
        the actors' capabilities unless others are given (as expected after rearming)."""
        russia, ukraine = battlefield.effective_strength(
            s["capability"][rows] if capability is None else capability,
            s["aid"][rows],
            s["resolve"][rows],
            self.side,
            self.belligerent,
            self.joined[rows] if guarantors is None else guarantors,
        )
        return battlefield.balance(russia, ukraine)

    def _target(self, path: str) -> tuple[str, tuple[int, ...]]:
        if path in DYNAMIC_GLOBAL_FIELDS:
            return path, ()
        parts = path.split(".")
        actor = self.actor_keys.index(parts[1])
        if len(parts) == 4:
            return parts[2], (actor, self.issue_keys.index(parts[3]))
        return parts[2], (actor,)

    def _init_outcomes(self) -> None:
        r, k, n = self.replicates, len(self.issue_keys), len(self.actor_keys)
        self.status = np.full(r, WAR, dtype=np.int8)
        self.first_ceasefire_week = np.full(r, -1, dtype=np.int64)
        self.last_ceasefire_week = np.full(r, -1, dtype=np.int64)
        self.terms = np.full((r, k), np.nan)
        self.collapses = np.zeros(r, dtype=np.int64)
        self.blocker = np.full(r, -1, dtype=np.int64)
        self.rejections = np.zeros((r, len(self.vetoes)), dtype=np.int64)
        self.blocks = np.zeros((r, len(self.vetoes)), dtype=np.int64)
        self.accepted = np.zeros((r, len(self.vetoes)), dtype=bool)  # of a tabled deal
        self.talks_resume = np.zeros(r, dtype=np.int64)
        self.offer_refusals = np.zeros(r, dtype=np.int64)  # packages carrying the offer refused
        self.breaker = np.full(r, -1, dtype=np.int64)  # actor index; ACCIDENT: nobody chose
        self.signed_balance = np.zeros(r)
        self.capitulation = np.zeros(r, dtype=np.int8)  # of the last deal: side, 0 none
        self.decision_week = np.full(r, -1, dtype=np.int64)
        self.cumulative_cost = np.zeros((r, n))

    def _init_trajectories(self, keep: int) -> None:
        kept = np.arange(self.start, min(self.stop, max(keep, self.start))) - self.start
        self.kept = kept
        t, n, k = self.horizon + 1, len(self.actor_keys), len(self.issue_keys)
        self.trajectory = {
            "replicate": kept + self.start,
            "control": np.zeros((len(kept), t)),
            "status": np.zeros((len(kept), t), dtype=np.int8),
            "resolve": np.zeros((len(kept), t, n)),
            "position": np.zeros((len(kept), t, n, k)),
        }
        self.offer_log = OfferLog(self)  # the offers and answers of the kept replicates
        self._record()

    def _record(self) -> None:
        if not len(self.kept):
            return
        # the kept replicates are the chunk's first ones: a slice reads them without the
        # copy that indexing by an array makes
        w, s, rows = self.week, self.state, slice(0, len(self.kept))
        self.trajectory["control"][:, w] = s["control"][rows]
        self.trajectory["status"][:, w] = self.status[rows]
        self.trajectory["resolve"][:, w] = s["resolve"][rows]
        self.trajectory["position"][:, w] = s["position"][rows]

    # ------------------------------------------------------------------ queries
    def actor(self, key: str) -> Actor:
        """The actor with scenario key ``key``."""
        return self.actors[self.actor_keys.index(key)]

    def veto_index(self, actor_index: int) -> int:
        """Position of an actor among the veto players."""
        return int(np.flatnonzero(self.vetoes == actor_index)[0])

    def _of_vetoes(self, name: str, rows: np.ndarray) -> np.ndarray:
        """A state array's entries for the veto players in the given replicates."""
        if len(rows) == self.replicates:  # every replicate: index one axis only
            return self.state[name][:, self.vetoes]
        if self._veto_slice is not None:  # a slice and one index array: no ix_ grid
            return self.state[name][rows, self._veto_slice]
        return self.state[name][np.ix_(rows, self.vetoes)]

    # ------------------------------------------------------------------ the week
    @property
    def week(self) -> int:
        """The week the model is in: Mesa's step counter (0 before the first step)."""
        return self.steps

    def step(self) -> None:
        """Advance every replicate by one week (Mesa counts the week in ``steps``)."""
        self._events()
        at_war = np.flatnonzero((self.status == WAR) | (self.status == WAR_RESUMED))
        if len(at_war):
            change = self._fight(at_war)
            self._learn(at_war, change)
            at_war = at_war[self._decide(at_war)]
            if self.week % self.spec.negotiation.rounds_every == 0:
                self._bargain(at_war)
            self._negotiate(at_war)
        in_ceasefire = np.flatnonzero(
            (self.status == CEASEFIRE) & (self.last_ceasefire_week < self.week)
        )
        if len(in_ceasefire):
            self._endure(in_ceasefire)
        self._record()
        if self.week >= self.horizon:
            self.running = False  # Mesa's run_model() stops here
            # Mesa < 3.4.2 keeps every model alive in the class-level counter of agent
            # ids (a leak fixed in 3.4.2); a finished model adds no agents, so release it
            ids = getattr(mesa.Agent, "_ids", None)
            if isinstance(ids, dict):
                ids.pop(self, None)

    def _events(self) -> None:
        s = self.state
        observables = {"control": s["control"], "week": np.full(self.replicates, self.week)}
        observables.update(
            {f"actors.{a}.resolve": s["resolve"][:, i] for i, a in enumerate(self.actor_keys)}
        )
        observables.update(
            {f"rejections.{a}": self.rejections[:, j] for j, a in enumerate(self.veto_keys)}
        )
        for event in self.events:
            mask = event.due(self.week, observables)
            if mask.any():
                events.apply(event, mask, s)
                clip_to_bounds(s)  # after each event: a chain of scalings cannot overflow
        clip_to_bounds(s)

    def _fight(self, rows: np.ndarray) -> np.ndarray:
        s = self.state
        before = s["control"][rows]
        balance = self._balance(s, rows)
        after = battlefield.move_front(
            before,
            balance,
            s["battlefield.drift"][rows],
            s["battlefield.volatility"][rows],
            self._shock[rows, self.week - 1],
        )
        s["control"][rows] = after
        cost = costs.weekly_cost(
            s["war_cost"][rows],
            s["aid"][rows],
            s["aid_cost"][rows],
            s["resolve"][rows],
            self.belligerent,
            costs.attrition(balance, self.side),
        )
        self.cumulative_cost[rows] += cost
        s["resolve"][rows] = costs.wear(s["resolve"][rows], cost)
        return after - before

    def _learn(self, rows: np.ndarray, change: np.ndarray) -> None:
        s = self.state
        if self._noisy:
            noise = s["signal_noise"][rows]
            spread = noise * s["battlefield.volatility"][rows, None]
            read = change[:, None] + spread * self._signal[rows, self.week - 1]
            mean, weight = beliefs.update(
                s["belief_mean"][rows], s["belief_weight"][rows], read, beliefs.evidence(noise)
            )
        else:
            mean, weight = beliefs.update(s["belief_mean"][rows], s["belief_weight"][rows], change)
        s["belief_mean"][rows], s["belief_weight"][rows] = mean, weight

    def _decide(self, rows: np.ndarray) -> np.ndarray:
        """Phase 2c: armies that break and last forts that fall end the war; the victor
        imposes its ideal terms.  Returns which of ``rows`` are still at war."""
        s = self.state
        russia_wins, ukraine_wins = decision.victors(
            s["resolve"][rows],
            s["breaking_point"][rows],
            s["control"][rows],
            self.side,
            self.belligerent,
            self._balance(s, rows),
        )
        for wins, state, side in (
            (russia_wins, RUSSIAN_VICTORY, 1),
            (ukraine_wins, UKRAINIAN_VICTORY, -1),
        ):
            won = rows[wins]
            if not len(won):
                continue
            victor = self.victor[side]
            self.status[won] = state
            # the victor's terms are its ideal points; terms_* stay the last ceasefire's
            s["control"][won] = s["ideal"][won, victor, self.territory]
            self.decision_week[won] = self.week
        return ~(russia_wins | ukraine_wins)

    def _bargain(self, rows: np.ndarray) -> None:
        s, neg = self.state, self.spec.negotiation
        r, n, k = len(rows), len(self.actor_keys), len(self.issue_keys)
        # every issue's round in one call: the issues stacked as rows (K * R, N), issue by
        # issue; the kernel computes each row on its own, so nothing changes but the calls
        position = s["position"][rows].transpose(2, 0, 1).reshape(k * r, n)
        salience = s["salience"][rows].transpose(2, 0, 1).reshape(k * r, n)
        capability = np.tile(s["capability"][rows], (k, 1))
        # the compiled twin of bargaining.bargaining_round (tests hold them equal)
        moved = bargaining_round_fast(position, capability, salience, q=neg.q, t=neg.t)
        s["position"][rows] = moved.reshape(k, r, n).transpose(1, 2, 0)

    def _resumption_gain(
        self,
        rows: np.ndarray,
        terms: np.ndarray,
        capability: np.ndarray,
        reference_balance: np.ndarray,
    ) -> np.ndarray:
        """What each veto player gains by breaking a ceasefire on ``terms`` when the sides'
        capabilities are ``capability``, (len(rows), V): its value of resuming the war,
        with its drift belief moved by the shift of the balance from ``reference_balance``,
        less the cost of resuming, less the deal's utility (phase 6)."""
        s, v = self.state, self.vetoes
        # guarantor forces on the ground join Ukraine when Russia attacks (a tripwire), not
        # when Ukraine does
        guarantors = durability.tripwire_strength(terms, self.tripwire[rows])
        attacked = self._balance(s, rows, guarantors, capability)
        unguarded = self._balance(s, rows, 0.0, capability)
        russian = self.side[v] > 0
        balance_now = np.where(russian[None, :], attacked[:, None], unguarded[:, None])
        mean = durability.shifted_belief(
            self._of_vetoes("belief_mean", rows),
            s["battlefield.drift"][rows],
            balance_now,
            reference_balance,
        )
        war_value = self.value_of_fighting(rows, mean=mean)
        deal_value = self.preferences(rows).utility(terms, s["control"][rows])
        return durability.gain_from_breaking(war_value, deal_value, s["resume_cost"][rows])

    def _would_break(self, rows: np.ndarray, terms: np.ndarray) -> np.ndarray:
        """Whether each veto player would break a ceasefire on ``terms`` at the capabilities
        expected after its outlook's rearmament, (len(rows), V)."""
        s = self.state
        years = s["outlook_weeks"][rows] / WEEKS_PER_YEAR
        expected = durability.rearmed(s["capability"][rows], s["rearmament"][rows], years)
        now = self._balance(s, rows, guarantors=0.0)
        return self._resumption_gain(rows, terms, expected, now) > 0

    def _trusted(self, rows: np.ndarray, terms: np.ndarray, accept: np.ndarray) -> np.ndarray:
        """Whether each veto player can trust the others to keep ``terms``, (len(rows), V)
        (:func:`sim.mechanics.durability.trusted`); the rearmed counterfactual is computed
        only where it can change an answer."""
        untrusty = np.zeros_like(accept)
        pairs = durability.trust_needed(accept)
        if len(pairs):
            untrusty[pairs] = accept[pairs] & self._would_break(rows[pairs], terms[pairs])
        return durability.trusted(untrusty)

    def _endure(self, rows: np.ndarray) -> None:
        """Phase 6: capabilities shift; each veto player keeps the ceasefire while the deal
        is worth more than resuming the war from the new state (the commitment problem)."""
        s, v = self.state, self.vetoes
        s["capability"][rows] *= np.exp(s["rearmament"][rows] / WEEKS_PER_YEAR)
        if self.week % self.spec.negotiation.rounds_every == 0:
            # the parties take stock at the rhythm of the talks, not every week
            gain = self._resumption_gain(
                rows, self.terms[rows], s["capability"][rows], self.signed_balance[rows]
            )
            breaks, who = durability.breakers(gain)
        else:
            breaks, who = np.zeros(len(rows), dtype=bool), np.zeros(len(rows), dtype=np.int64)
        russian = self.side[v] > 0
        accident = self._collapse[rows, self.week - 1] < s["accident_hazard"][rows]
        collapsed = breaks | accident
        ended = rows[collapsed]
        if not len(ended):
            return
        self.status[ended] = WAR_RESUMED
        self.collapses[ended] += 1
        self.breaker[ended] = np.where(breaks[collapsed], v[who[collapsed]], ACCIDENT)
        # the war resumes from the new state: guarantors fight if Russia attacked, and the
        # sides' beliefs take in the balance the war now has
        by_russia = breaks[collapsed] & russian[who[collapsed]]
        guarantors = durability.tripwire_strength(self.terms[ended], self.tripwire[ended])
        self.joined[ended] = np.where(by_russia, guarantors, 0.0)
        shift = s["battlefield.drift"][ended] * (
            self._balance(s, ended) - self.signed_balance[ended]
        )
        s["belief_mean"][ended] += shift[:, None]
        self.talks_resume[ended] = self.week + self.spec.negotiation.cooldown_weeks

    # ------------------------------------------------------------------ results
    def outcomes(self) -> dict[str, np.ndarray]:
        """One record per replicate: the outcome columns and the sampled uncertain inputs."""
        ceasefire = self.first_ceasefire_week >= 0
        cols: dict[str, np.ndarray] = {
            "replicate": np.arange(self.start, self.stop),
            "ceasefire": ceasefire,
            "ceasefire_week": np.where(ceasefire, self.first_ceasefire_week, -1),
        }
        for k, issue in enumerate(self.issue_keys):
            cols[f"terms_{issue}"] = self.terms[:, k]
        cols["outcome"] = np.array(list(STATES), dtype=object)[self.status]
        cols["held"] = ceasefire & (self.status == CEASEFIRE)
        # the side that capitulated ("russia", "ukraine"), where the ceasefire standing at
        # the horizon is its capitulation (phase 5)
        standing = np.where(self.status == CEASEFIRE, self.capitulation, 0)
        cols["capitulated"] = np.array(["", "russia", "ukraine"], dtype=object)[standing]
        cols["collapses"] = self.collapses
        names = {ACCIDENT: "accident", -1: "", **dict(enumerate(self.actor_keys))}
        cols["breaker"] = np.array([names[b] for b in self.breaker], dtype=object)
        cols["decision_week"] = self.decision_week
        cols["final_control"] = self.state["control"].copy()
        cols["blocker"] = np.array(
            [self.actor_keys[b] if b >= 0 else "" for b in self.blocker], dtype=object
        )
        for j, actor in enumerate(self.veto_keys):
            cols[f"rejections_{actor}"] = self.rejections[:, j]
            cols[f"blocks_{actor}"] = self.blocks[:, j]
            if self.spec.tabled is not None:
                cols[f"accepted_{actor}"] = self.accepted[:, j]
        for i, actor in enumerate(self.actor_keys):
            cols[f"cost_{actor}"] = self.cumulative_cost[:, i]
        cols.update(self.sampled)
        return cols
