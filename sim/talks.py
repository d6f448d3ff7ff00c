"""Phase 5 of the model: what fighting on is worth to each veto player, and the talks.

:class:`Talks` holds the :class:`sim.model.NegotiationModel` methods of phase 5
(docs/model.md): the perceived cost of fighting on, the foresight of how the war could end,
the value of fighting on, the limits and red lines that bind each side, the mediator's
package and the one acceptance rule (:meth:`Talks.responses`) by which the veto players
answer it.  The arithmetic is in :mod:`sim.mechanics` (costs, foresight, acceptance,
package, table); these methods gather the state's arrays for it.  It is a mixin of the
model, not a model of its own: it reads the state the model's set-up builds.
"""

from __future__ import annotations

import numpy as np

from .mechanics import (
    acceptance,
    beliefs,
    costs,
    decision,
    events,
    expected_events,
    foresight,
    package,
    table,
)
from .scenario import DYNAMIC_BOUNDS, LINE
from .state import CEASEFIRE


class Talks:
    """Phase 5 of :class:`sim.model.NegotiationModel` (a mixin: it reads the model's state)."""

    def _table_box(self) -> tuple[np.ndarray, np.ndarray]:
        """The terms the mediator can table while the offer holds, (K,) each: feasible
        ranges, offers fixed (:meth:`offer_holds` says where and when)."""
        low, high = self.feasible_low.copy(), self.feasible_high.copy()
        for issue, value in self.spec.offer.items():
            k = self.issue_keys.index(issue)
            low[k] = high[k] = value
        return low, high

    def cost_of_fighting(self, rows: np.ndarray) -> np.ndarray:
        """Each veto player's perceived cost of fighting on over its outlook, (len(rows), V)
        (:func:`sim.mechanics.costs.cost_of_fighting`)."""
        s, v = self.state, self.vetoes
        weekly = costs.weekly_cost(
            self._of_vetoes("war_cost", rows),
            self._of_vetoes("aid", rows),
            self._of_vetoes("aid_cost", rows),
            self._of_vetoes("resolve", rows),
            self.belligerent[v],
            costs.attrition(self._balance(s, rows), self.side[v]),
        )
        return costs.cost_of_fighting(
            weekly,
            self._of_vetoes("resolve", rows),
            s["outlook_weeks"][rows],
            s["negotiation.pressure"][rows],
            s["capability"][rows],
            self.mediator,
            v != self.mediator,
        )

    def endings(self, rows: np.ndarray, mean: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """Each veto player's chance that Russia and that Ukraine wins within its outlook,
        (len(rows), V) each, under its own beliefs (:mod:`sim.mechanics.foresight`);
        ``mean`` replaces the drift beliefs as in :meth:`value_of_fighting`."""
        s = self.state
        return foresight.ending_chances(
            s["control"][rows],
            self._of_vetoes("belief_mean", rows) if mean is None else mean,
            self._of_vetoes("belief_weight", rows),
            s["battlefield.drift"][rows],
            s["battlefield.volatility"][rows],
            s["outlook_weeks"][rows],
            s["resolve"][rows],
            s["breaking_point"][rows],
            s["war_cost"][rows],
            self.side,
            self.belligerent,
            self._balance(s, rows),
        )

    def victory_terms(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The terms a Russian and a Ukrainian victory impose, (len(rows), K) each
        (:func:`sim.mechanics.decision.victory_terms`)."""
        russia, ukraine = (
            decision.victory_terms(
                self.state["ideal"][rows, self.victor[side]],
                self.feasible_low,
                self.feasible_high,
                self.victor_table,
            )
            for side in (1, -1)
        )
        return russia, ukraine

    def value_of_fighting(
        self,
        rows: np.ndarray,
        cost: np.ndarray | None = None,
        mean: np.ndarray | None = None,
        endings: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Each veto player's expected utility of fighting on, shape (len(rows), V).

        Taken over the actor's own outlook for the battlefield (phase 3), not the truth,
        with the chance that the war is decided within it (:meth:`endings`).  Territory lost
        or won by fighting is valued without loss aversion: nothing is conceded by
        signature (docs/model.md, phase 5).  ``mean`` replaces the veto players' drift
        beliefs (a ceasefire's re-evaluation, phase 6).
        """
        s = self.state
        belief = self._of_vetoes("belief_mean", rows) if mean is None else mean
        nodes = beliefs.outlook(
            s["control"][rows],
            belief,
            self._of_vetoes("belief_weight", rows),
            s["battlefield.volatility"][rows],
            s["outlook_weeks"][rows],
        )
        if cost is None:
            cost = self.cost_of_fighting(rows)
        if endings is None:
            endings = self.endings(rows, belief)
        return acceptance.value_of_fighting(
            nodes,
            self._of_vetoes("ideal", rows),
            acceptance.stakes(self._of_vetoes("salience", rows)),
            self._of_vetoes("risk", rows),
            s["at_war"][rows],
            self.territory,
            cost,
            victory=(*endings, *self.victory_terms(rows)),
        )

    def outlook(self, rows: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...], np.ndarray]:
        """Each veto player's perceived cost of fighting on, its chances that Russia and that
        Ukraine wins within its outlook, and its value of fighting on, (len(rows), V) each,
        with the scenario's events it foresees mixed in (:mod:`sim.mechanics.expected_events`).

        Each foreseen event is a lottery: with chance ``q`` it fires within the outlook and
        the world is the one it makes, for the share of the outlook it is in force.  Events
        are mixed in one at a time, each by its own chance (exact for one event; for
        several, their chances are scaled to sum to at most one).
        """
        cost = self.cost_of_fighting(rows)
        endings = self.endings(rows)
        value = self.value_of_fighting(rows, cost, endings=endings)
        foreseen = [(event, *self._foreseen(event, rows)) for event in self.events]
        foreseen = [(event, q, f) for event, q, f in foreseen if q.any()]
        if not foreseen:
            return cost, endings, value
        scale = 1.0 / np.maximum(sum(q for _, q, _ in foreseen), 1.0)
        base = (cost, *endings, value)
        mixed = [b.copy() for b in base]
        for event, q, f in foreseen:
            sub = np.flatnonzero(q.any(axis=1))
            weight = (q * scale)[sub]
            for m, b, e in zip(
                mixed, base, self._world_after(event, rows[sub], f[sub]), strict=True
            ):
                m[sub] += weight * (e - b[sub])
        cost, p_russia, p_ukraine, value = mixed
        return cost, (p_russia, p_ukraine), value

    def _foreseen(self, event: events.Event, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The chance that each veto player foresees ``event`` firing within its outlook,
        (len(rows), V), and the share of the outlook it would be in force, (len(rows),)."""
        week, weeks = self.week, self.state["outlook_weeks"][rows]
        chance = np.where(event.fired[rows], 0.0, event.probability[rows])
        q = np.zeros((len(rows), len(self.vetoes)))
        if week < event.first_week:  # a policy adopted later (`from:`) is not yet announced
            return q, np.zeros(len(rows))
        if event.at is not None:
            every, f = expected_events.scheduled(week, weeks, event.at, chance)
            q[:] = every[:, None]
        elif event.window is not None:
            every, f = expected_events.windowed(week, weeks, event.window, chance, event.first_week)
            q[:] = every[:, None]
        elif event.threat is not None:
            target, needed = event.threat
            j = self.veto_keys.index(target)
            q[:, j], f = expected_events.threatened(
                week,
                weeks,
                self.rejections[rows, j],
                needed,
                self.spec.negotiation.rounds_every,
                chance,
            )
        else:  # conditions on the front, resolve or the week: learnt as they happen
            f = np.zeros(len(rows))
        return q, f

    def _world_after(
        self, event: events.Event, rows: np.ndarray, share: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """Cost, chances of each ending and value of fighting on in ``rows`` had ``event``
        fired, its changes weighted by the ``share`` of the outlook they are in force.  Each
        side's drift belief moves with the balance the event makes, as on resuming a war
        (phase 6).  The model's state is left as it was."""
        s = self.state
        world = dict(s)
        touched = {
            name
            for (target, _), _ in (*event.sets, *event.scales)
            for name in (("position", "ideal") if target == "position" else (target,))
        }
        for name in touched:
            world[name] = s[name].copy()
        mask = np.zeros(self.replicates, dtype=bool)
        mask[rows] = True
        events.apply(event, mask, world)
        for name in touched:
            low, high, _ = DYNAMIC_BOUNDS["position" if name == "ideal" else name]
            low = costs.MIN_RESOLVE if name == "resolve" else low
            new = np.clip(world[name][rows], low, high)
            old = s[name][rows]
            world[name][rows] = old + share.reshape(-1, *[1] * (old.ndim - 1)) * (new - old)
        moved = self._balance(world, rows) - self._balance(s, rows)
        world["belief_mean"] = s["belief_mean"].copy()
        world["belief_mean"][rows] += (s["battlefield.drift"][rows] * moved)[:, None]
        self.state = world
        try:
            cost = self.cost_of_fighting(rows)
            p_russia, p_ukraine = self.endings(rows)
            value = self.value_of_fighting(rows, cost, endings=(p_russia, p_ukraine))
        finally:
            self.state = s
        return cost, p_russia, p_ukraine, value

    def defeat_looms(self, endings: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Whether each veto player expects to lose the war within its outlook, (R, V)
        (:func:`sim.mechanics.foresight.defeat_looms`): its limits and red lines lift."""
        return foresight.defeat_looms(*endings, self.side[self.vetoes])

    def limits(self, rows: np.ndarray, lifted: np.ndarray) -> np.ndarray:
        """Each veto player's ratification limit, (len(rows), V), lifted where it expects
        its army to break within its outlook (``lifted``, :meth:`defeat_looms`): a
        government facing defeat signs what it must (Reiter 2009; docs/model.md, phase 5)."""
        return np.where(lifted, np.inf, self.ratification_limit[rows])

    def preferences(self, rows: np.ndarray) -> package.Preferences:
        """The veto players' preferences over packages in the given replicates."""
        return package.Preferences(
            ideal=self._of_vetoes("ideal", rows),
            weights=acceptance.stakes(self._of_vetoes("salience", rows)),
            risk=self._of_vetoes("risk", rows),
            loss_aversion=self._of_vetoes("loss_aversion", rows),
            side=self.side[self.vetoes],
            claims=self.claims,
            territory=self.territory,
        )

    def _negotiate(self, rows: np.ndarray) -> None:
        """Phase 5: at each round of talks the mediator tables a package (or the scenario's
        tabled deal, in its week) and the veto players accept or reject it."""
        spec, neg = self.spec, self.spec.negotiation
        if spec.tabled is not None:
            if self.week == spec.tabled.week:
                self._table(rows, self.preferences(rows), self._deal_terms(rows), tabled=True)
            return
        if self.week < neg.first_week or (self.week - neg.first_week) % neg.rounds_every:
            return
        rows = rows[self.talks_resume[rows] <= self.week]
        if not len(rows):
            return
        s = self.state
        control = s["control"][rows]
        prefs = self.preferences(rows)
        cost, endings, war_value = self.outlook(rows)
        lifted = self.defeat_looms(endings)
        limit = self.limits(rows, lifted)
        offered = self.offer_holds(rows)
        mediator = s["position"][rows, self.mediator]
        mediator_weights = acceptance.issue_weights(s["salience"][rows, self.mediator])
        # how much the mediator likes each veto player's ideal package (its tilt, Kydd 2003)
        likes = acceptance.utility(
            mediator,
            prefs.ideal,
            mediator_weights[:, None, :],
            np.ones_like(prefs.risk),
        )
        beta = package.bargaining_weights(cost, likes, self.mediator_bias[rows])
        # the mediator bargains over what it believes the sides' values of fighting are
        # (private information, Fearon 1995); the sides accept by the true ones (_table)
        believed = war_value + self._misjudged[rows, self.week - 1]

        def solve(subset: np.ndarray, limit: np.ndarray | None, attribute: bool) -> package.Package:
            sub = prefs.take(subset)
            return package.nash_package(
                sub,
                control[subset],
                believed[subset],
                beta[subset],
                *self._box(sub, control[subset], limit, lifted[subset], offered[subset]),
                mediator=(mediator[subset], mediator_weights[subset]),
                grid=self.curved,
                attribute=attribute,
            )

        every = np.arange(len(rows))
        ratifies = np.isfinite(limit).any()
        offer = solve(every, limit, attribute=not ratifies)
        short = np.flatnonzero(~offer.feasible)
        if len(short) and ratifies:
            # a two-level game (Putnam 1988): the leaders bargain over a larger set than
            # their publics ratify.  Where only a package beyond what a party can ratify
            # satisfies both leaders, the mediator tables it and ratification fails; where
            # not even the leaders can agree, the blocker is judged over the leaders' set
            leaders = solve(short, None, True)
            use = short[leaders.feasible]
            offer.terms[use] = leaders.terms[leaders.feasible]
            offer.feasible[use] = True
            offer.blocker[short] = leaders.blocker
        self._table(rows, prefs, offer.terms, war_value, endings, offer=offer)
        self.offer_refusals[rows] += offered & (self.blocker[rows] >= 0)

    def offer_holds(self, rows: np.ndarray) -> np.ndarray:
        """Whether the scenario's ``offer:`` binds the package this week, per row: from its
        first week, until its last, and until it has been refused ``until_refused`` times
        (then the mediator's package adapts: it tables its own)."""
        holds = self.spec.offer_holds
        on = self.week >= holds.from_week and (
            holds.until_week is None or self.week <= holds.until_week
        )
        active = np.full(len(rows), bool(self.spec.offer) and on)
        if holds.until_refused is not None:
            active &= self.offer_refusals[rows] < holds.until_refused
        return active

    def _box(
        self,
        prefs: package.Preferences,
        control: np.ndarray,
        limit: np.ndarray | None,
        lifted: np.ndarray,
        offered: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Terms the mediator can table (:func:`sim.mechanics.table.package_box`): the
        offer's box where it holds (``offered``), else the feasible ranges."""
        on = offered[:, None]
        low = np.where(on, self.table_low[None, :], self.feasible_low[None, :])
        high = np.where(on, self.table_high[None, :], self.feasible_high[None, :])
        reference = None if limit is None else prefs.reference(control)
        return table.package_box(
            low,
            high,
            prefs.ideal,
            self.red_lines,
            lifted,
            self.territory,
            limit,
            reference,
            prefs.side,
        )

    def _deal_terms(self, rows: np.ndarray, named: dict | None = None) -> np.ndarray:
        """The tabled deal's terms (or ``named`` ones) in these replicates: unnamed issues
        at the status quo, ``line`` at the line of contact this week."""
        if named is None:
            named = self.spec.deals[self.spec.tabled.deal].terms
        terms = self.state["status_quo"][rows].copy()
        for issue, term in named.items():
            k = self.issue_keys.index(issue)
            terms[:, k] = self.state["control"][rows] if term == LINE else term
        return terms

    def responses(
        self,
        rows: np.ndarray,
        terms: np.ndarray,
        prefs: package.Preferences | None = None,
        war_value: np.ndarray | None = None,
        endings: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """Each veto player's answer to terms (len(rows), K) tabled now, changing nothing,
        with its reasons, (len(rows), V) each: ``accept``; ``surplus`` over fighting on;
        ``ceded`` territory, the ``limit`` in force and whether it is ``ratified``; whether
        the terms are ``within`` its red lines; ``trusted`` (nobody else who accepts would
        break them once rearmed); ``capitulates``: it accepts terms beyond the red lines
        and limit that bind it while defeat does not loom
        (:func:`sim.mechanics.decision.capitulations`).  The one acceptance rule: the
        mediator's packages, ``ceasefire deal`` and the record's tabled facts."""
        if prefs is None:
            prefs = self.preferences(rows)
        if endings is None or war_value is None:
            _, endings, war_value = self.outlook(rows)
        control = self.state["control"][rows]
        surplus = prefs.utility(terms, control) - war_value
        ceded = prefs.ceded(terms[:, self.territory], control)
        lifted = self.defeat_looms(endings)
        limit = self.limits(rows, lifted)
        accept, ratified = package.acceptance(surplus, ceded, limit)
        # the red lines a player holds while defeat does not loom (Toft 2003); they lift
        # where it looms
        inside = table.within_red_lines(
            self._of_vetoes("ideal", rows), self.red_lines, terms, np.zeros_like(lifted)
        )
        within = inside | lifted
        accept &= within
        # foresight (Powell 2006): a package the other side would break once it has
        # rearmed is refused, and counts as short of acceptance by its surplus
        trusted = self._trusted(rows, terms, accept)
        accept &= trusted
        # inside the bounds it holds when defeat does not loom: else signing is capitulating
        bounded = inside & package.acceptance(surplus, ceded, self.ratification_limit[rows])[1]
        return {
            "accept": accept,
            "surplus": surplus,
            "ceded": ceded,
            "limit": limit,
            "ratified": ratified,
            "within": within,
            "trusted": trusted,
            "capitulates": accept & ~bounded,
        }

    def _table(
        self,
        rows: np.ndarray,
        prefs: package.Preferences,
        terms: np.ndarray,
        war_value: np.ndarray | None = None,
        endings: tuple[np.ndarray, np.ndarray] | None = None,
        offer: package.Package | None = None,
        tabled: bool = False,
    ) -> None:
        """Put terms to the veto players: each accepts when they beat fighting on (Fearon
        1995), stay inside its red lines (Toft 2003) and, where it needs ratification, the
        territory they cede is within its limit (Putnam 1988)."""
        answer = self.responses(rows, terms, prefs, war_value, endings)
        accept, surplus = answer["accept"], answer["surplus"]
        agreed = accept.all(axis=1)
        self.rejections[rows] += ~accept
        if tabled:
            self.accepted[rows] = accept
        if offer is None:
            furthest = table.blocker(answer)
        else:
            furthest = table.blocker(answer, offer.feasible, offer.blocker)
        self.blocker[rows] = np.where(agreed, -1, self.vetoes[furthest])
        self.offer_log.add(rows, terms, surplus, accept, answer["ratified"], self.blocker[rows])
        self.blocks[rows[~agreed], furthest[~agreed]] += 1
        signed = rows[agreed]
        self.status[signed] = CEASEFIRE
        self.terms[signed] = terms[agreed]
        self.first_ceasefire_week[signed] = np.where(
            self.first_ceasefire_week[signed] < 0, self.week, self.first_ceasefire_week[signed]
        )
        self.last_ceasefire_week[signed] = self.week
        # the balance the deal was struck at: phase 6 weighs the deal against its shifts
        self.signed_balance[signed] = self._balance(self.state, signed, guarantors=0.0)
        self.joined[signed] = 0.0
        # a deal one side signs only because its defeat looms is its capitulation
        self.capitulation[signed] = decision.capitulations(
            answer["capitulates"][agreed], self.side[self.vetoes]
        )
