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
    expectation of his draw is NL = BE = 0.5 * 0.63.  Our deterministic-in-expectation rule
    reproduces that pair, but also moves every target that accepted a conflict offer the
    sender did not reciprocate (a documented departure, docs/_bargaining_section.md).
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
    documented = sorted(["Luxembourg", "Germany", "France", "Italy", "Ireland"])
    return Row(
        "eum_round_one_positions",
        _MASAD,
        "round-1 positions (Masad's draw in expectation)",
        f"{10 - len(moved)}/10 agree; differ: {', '.join(n[:3] for n in moved)}",
        "NL = BE = 0.32, DK small step, rest stay",
        moved == documented,
        departure=(
            "conflict offers move every target that accepted one (expected position), not "
            "only mutual pairs: LU, DE, IE move to 0.32 and FR, IT to 0.75 in round 1"
        ),
    )


def eum_median_path(rounds: int = 12) -> Row:
    """The median over rounds: deterministic, no cycle, short of the observed 0.81.

    BDM (1994) publishes its median path only as a figure (reproduced by Scholz et al.);
    Masad reports that his implementation does not cycle as the original does and that
    neither converges to the observed outcome (8.833 years, about 0.8).  Ours is a fixed
    path (no random draw), so it is compared with those two statements.
    """
    path = ec_median_path(rounds)
    again = ec_median_path(rounds)
    deterministic = bool(np.array_equal(path, again))
    settles = bool(np.all(path[1:] == path[-1]))  # no cycle: constant after round 1
    short = bool(abs(path[-1] - vd.EC_OUTCOME) > 0.1)
    return Row(
        "eum_median_path",
        _MASAD,
        f"median over {rounds} rounds: no cycle, not at the outcome",
        f"{path[0]:.2f} -> {path[-1]:.2f}, constant (deterministic: {deterministic})",
        f"Masad: no cycle, misses {vd.EC_OUTCOME:.2f}; BDM: cycles",
        deterministic and settles and short,
        departure="conflicts resolved in expectation, so one path instead of a distribution",
    )


def ec_median_path(rounds: int) -> np.ndarray:
    """Median voter position before round 1 and after each of ``rounds`` rounds."""
    x = vd.EC_X.copy()
    out = [float(bargaining.median_voter_position(x, vd.EC_C, vd.EC_S))]
    for _ in range(rounds):
        x = bargaining.bargaining_round(x, vd.EC_C, vd.EC_S)
        out.append(float(bargaining.median_voter_position(x, vd.EC_C, vd.EC_S)))
    return np.array(out)


def ec_mean_path(rounds: int) -> np.ndarray:
    """Capability-and-salience-weighted mean before round 1 and after each round."""
    x = vd.EC_X.copy()
    out = [float(bargaining.eu_weighted_mean(x, vd.EC_C, vd.EC_S))]
    for _ in range(rounds):
        x = bargaining.bargaining_round(x, vd.EC_C, vd.EC_S)
        out.append(float(bargaining.eu_weighted_mean(x, vd.EC_C, vd.EC_S)))
    return np.array(out)


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
