"""Section 1 of the validation table (docs/validation.md): Bueno de Mesquita's
expected-utility model on the EC vehicle-emissions case (Masad's reproduction of Scholz,
Calbert & Smith 2011)."""

from __future__ import annotations

import numpy as np

from ..mechanics import bargaining
from . import data as vd
from .row import Row

_MASAD = "Masad / BDM 1994 (EC case)"


def eum_risk() -> Row:
    """Step-0 risk exponents of the ten EC actors (Masad, table ``eg_agent_data``)."""
    risk = bargaining.eum_analysis(vd.EC_X, vd.EC_C, vd.EC_S).risk
    same = int((np.round(risk, 2) == vd.EC_RISK).sum())
    err = float(np.abs(risk - vd.EC_RISK).max())
    return Row(
        "eum_risk",
        _MASAD,
        "round-0 risk exponents r_i",
        f"{same}/10 equal to 2 dp (max err {err:.4f})",
        "10/10 (1.12 ... 2.00)",
        same == len(vd.EC_RISK),
    )


def eum_expected_utilities() -> Row:
    """All 90 off-diagonal step-0 expected utilities (Masad, table ``eg_eu``)."""
    eu = bargaining.eum_analysis(vd.EC_X, vd.EC_C, vd.EC_S).expected_utility
    perm = [vd.EC_NAMES.index(n) for n in vd.EU_ORDER]
    ours = eu[np.ix_(perm, perm)]
    off = ~np.eye(len(perm), dtype=bool)
    same = int((np.round(ours, 2)[off] + 0.0 == vd.EU_TABLE[off] + 0.0).sum())
    err = float(np.abs(ours - vd.EU_TABLE)[off].max())
    return Row(
        "eum_expected_utilities",
        _MASAD,
        "round-0 expected utilities E_ij",
        f"{same}/90 equal to 2 dp (max err {err:.4f})",
        "90/90",
        same == 90,
    )


def eum_classification() -> Row:
    """First-round accepted offer and its octant for every target (table ``eg_offers``)."""
    res = bargaining.resolve_offers(vd.EC_X, vd.EC_C, vd.EC_S)
    expected = {**vd.EC_OFFERS, "UK": (None, bargaining.NO_OFFER)}
    hits = 0
    for target, (sender, kind) in expected.items():
        j = vd.EC_NAMES.index(target)
        got = vd.EC_NAMES[res.sender[j]] if res.sender[j] >= 0 else None
        hits += got == sender and res.kind[j] == kind
    kinds = {bargaining.CONFLICT: "conflict", bargaining.COMPROMISE: "compromise"}
    counts = [sum(res.kind == k) for k in kinds]
    return Row(
        "eum_classification",
        _MASAD,
        "round-1 dyads: accepted offer and octant per target",
        f"{hits}/10 targets ({counts[0]} conflict, {counts[1]} compromise, UK none)",
        "10/10 (7 conflict, 2 compromise, UK none)",
        hits == 10,
    )


def eum_round_one_positions() -> Row:
    """Positions after round 1 against Masad's narrative, taken in expectation.

    In Masad only the mutual Belgium-Netherlands conflict is fought (winner drawn with
    P = 0.63), Denmark steps towards Greece and Greece reneges; everybody else stays.  The
    expectation of his draw is NL = BE = 0.5 * 0.63.  Our round fights a conflict only when
    it is mutual, as his does, and resolves it in expectation.
    """
    p = vd.EC_BELGIUM_VOTES / (vd.EC_BELGIUM_VOTES + vd.EC_NETHERLANDS_VOTES)
    masad = vd.EC_X.copy()
    masad[vd.EC_NAMES.index("Netherlands")] = 0.5 * p
    masad[vd.EC_NAMES.index("Belgium")] = 0.5 * p
    ours = bargaining.bargaining_round(vd.EC_X, vd.EC_C, vd.EC_S)
    den = vd.EC_NAMES.index("Denmark")
    differ = np.abs(ours - masad) > 1e-9
    differ[den] = not 0.0 < ours[den] < 0.05  # "a small step towards Greece"
    moved = sorted(vd.EC_NAMES[i] for i in np.flatnonzero(differ))
    return Row(
        "eum_round_one_positions",
        _MASAD,
        "round-1 positions (Masad's draw in expectation)",
        f"{10 - len(moved)}/10 agree"
        + (f"; differ: {', '.join(n[:3] for n in moved)}" if moved else ""),
        "NL = BE = 0.32, DK small step, rest stay",
        not moved,
    )


DRAWS = 1000
"""Masad's random draws of the EC case run for the median-path row (fixed seed)."""

OUTCOME_TOLERANCE = 0.1
"""A median within this of the observed outcome (0.805) would count as reaching it."""


def masad_draw_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One round of the EC case with Masad's random conflicts, (R, N) -> (R, N).

    The same offers, choices and reneging as :func:`bargaining.resolve_offers`, but each
    fought (mutual) conflict is decided by a draw: ``i`` beats ``j`` with probability
    ``P_ij`` and the loser takes the winner's position (Masad; BDM 2011).  Our model takes
    the expectation of this draw instead (``docs/departures.md``).
    """
    c = np.broadcast_to(vd.EC_C, x.shape)
    s = np.broadcast_to(vd.EC_S, x.shape)
    res = bargaining.resolve_offers(x, c, s)
    win = bargaining.eum_analysis(x, c, s).win_probability
    rows, n = np.indices(x.shape)
    # a conflict left unfought (not returned, or called off) leaves its target where it was;
    # a fought one moves it to its expected position (P_ij > 0), so a move marks it
    fought = (res.kind == bargaining.CONFLICT) & (res.new_position != x)
    sender = np.where(fought, res.sender, n)
    low, high = np.minimum(n, sender), np.maximum(n, sender)
    # one uniform per pair, read by both of its members: the lower index wins below P
    lower_wins = rng.random(x.shape)[rows, low] < win[rows, low, high]
    sender_wins = np.where(sender < n, lower_wins, ~lower_wins)
    drawn = np.where(sender_wins, x[rows, sender], x)
    return np.where(fought, drawn, res.new_position)


def _cycles(path: np.ndarray) -> np.ndarray:
    """Whether each median path (R, T) turns back at least twice (an oscillation)."""
    step = np.diff(path, axis=1)
    sign = np.sign(np.where(np.abs(step) < 1e-6, 0.0, step))
    turns = np.zeros(len(path), dtype=int)
    last = np.zeros(len(path))
    for t in range(sign.shape[1]):
        moving = sign[:, t] != 0
        turns += moving & (last != 0) & (sign[:, t] != last)
        last = np.where(moving, sign[:, t], last)
    return turns >= 2


def eum_median_path(rounds: int = 12) -> Row:
    """The median over rounds: no cycle, short of the observed 0.81, as Masad states.

    BDM (1994) publishes its median path only as a figure (reproduced by Scholz et al.);
    Masad reports that his implementation does not cycle as the original does and that
    neither converges to the observed outcome (8.833 years, about 0.8).  His path is one
    draw; ours is the expectation.  So the row checks both: our path, and :data:`DRAWS`
    draws of Masad's random conflicts with our offers (:func:`masad_draw_round`).  It
    passes when our path neither cycles nor reaches the outcome, no draw reaches it, and a
    draw without a cycle, like his, is the more likely kind.
    """
    path = ec_median_path(rounds)
    rng = np.random.default_rng(1994)
    drawn = _ec_path(
        rounds,
        bargaining.median_voter_position,
        lambda x: masad_draw_round(x, rng),
        np.repeat(vd.EC_X[None, :], DRAWS, axis=0),
    )
    cycling = float(_cycles(drawn).mean())
    reach = float((np.abs(drawn[:, -1] - vd.EC_OUTCOME) <= OUTCOME_TOLERANCE).mean())
    ours_cycles = bool(_cycles(path[None, :])[0])
    short = bool(abs(path[-1] - vd.EC_OUTCOME) > OUTCOME_TOLERANCE)
    return Row(
        "eum_median_path",
        _MASAD,
        f"median over {rounds} rounds: no cycle, not at the outcome",
        f"{path[0]:.2f} -> {path[-1]:.2f} (cycle: {ours_cycles}); {DRAWS} draws: "
        f"{cycling:.0%} cycle, {reach:.0%} reach it",
        f"Masad: no cycle, misses {vd.EC_OUTCOME:.2f}; BDM: cycles",
        not ours_cycles and short and reach == 0.0 and cycling < 0.5,
    )


def _ec_path(rounds: int, measure, step=None, start: np.ndarray | None = None) -> np.ndarray:
    """``measure`` (median or mean) of the EC positions before round 1 and after each of
    ``rounds`` rounds of ``step`` (default: our round), from ``start`` (default: the EC
    positions; (R, N) for R paths at once); shape (rounds + 1,) or (R, rounds + 1)."""
    if step is None:
        step = lambda x: bargaining.bargaining_round(x, vd.EC_C, vd.EC_S)  # noqa: E731
    x = vd.EC_X.copy() if start is None else start
    out = [measure(x, vd.EC_C, vd.EC_S)]
    for _ in range(rounds):
        x = step(x)
        out.append(measure(x, vd.EC_C, vd.EC_S))
    return np.stack(out, axis=-1)


def ec_median_path(rounds: int) -> np.ndarray:
    """Median voter position before round 1 and after each of ``rounds`` rounds."""
    return _ec_path(rounds, bargaining.median_voter_position)


def ec_mean_path(rounds: int) -> np.ndarray:
    """Capability-and-salience-weighted mean before round 1 and after each round."""
    return _ec_path(rounds, bargaining.eu_weighted_mean)


def eum_weighted_mean(rounds: int = 12) -> Row:
    """The weighted-mean forecast against the observed outcome (BDM 2011's baseline).

    BDM (2011) reports the capability-and-salience-weighted mean as a strong baseline.
    On the EC case it is closer to the observed outcome than the model's median, at
    round 0 and after ``rounds`` rounds; both fall short of it.
    """
    mean = ec_mean_path(rounds)
    median = ec_median_path(rounds)
    target = vd.EC_OUTCOME
    closer = abs(mean[0] - target) < abs(median[0] - target) and abs(mean[-1] - target) < abs(
        median[-1] - target
    )
    return Row(
        "eum_weighted_mean",
        "BDM 2011; Masad (EC outcome)",
        "weighted mean beats the EUM median",
        f"mean {mean[0]:.3f} (r{rounds}: {mean[-1]:.3f}) vs median {median[-1]:.2f}",
        f"outcome {target:.3f}: mean closer",
        bool(closer),
    )


def eu_weighted_mean_forecast() -> float:
    """The weighted-mean forecast of the EC case before any bargaining (BDM 2011)."""
    return float(bargaining.eu_weighted_mean(vd.EC_X, vd.EC_C, vd.EC_S))
