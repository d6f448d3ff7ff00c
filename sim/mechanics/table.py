"""Phase 5 (part): what the mediator can table, the red lines, and who blocks a package.

The mediator tables terms inside a box (docs/model.md, phase 5): the feasible ranges, or the
scenario's ``offer:`` where it holds; each veto player's public red lines (Toft 2003: an
indivisible stake is a threshold, not a linear cost) while they hold; and, where a veto
player needs ratification, a territorial line that concedes no more than its limit from its
reference point (Putnam 1988).  A veto player that expects to lose its army within its
outlook is held by neither (:func:`sim.mechanics.foresight.defeat_looms`).

When a package fails, the blocker is the lone rejecter; where several reject, the one
furthest from accepting (a failed ratification counts as short by its excess, a crossed red
line by a whole unit), unless the mediator knew no package could satisfy them all, in which
case the solver's attribution (:func:`sim.mechanics.package.nash_package`) stands.
"""

from __future__ import annotations

import numpy as np

from .package import ACCEPT_TOL


def within_red_lines(
    ideal: np.ndarray, red_lines: np.ndarray, terms: np.ndarray, lifted: np.ndarray
) -> np.ndarray:
    """Whether terms (R, K) stay inside each veto player's red lines, (R, V).

    A red line ``r_ik`` bounds how far from its ideal ``x_ik`` (R, V, K) the player lets an
    issue go: ``|z_k - x_ik| <= |r_ik - x_ik|``; ``red_lines`` (V, K) is NaN where it has
    none; ``lifted`` (R, V) where defeat looms."""
    radius = np.abs(red_lines[None] - ideal)
    beyond = np.abs(terms[:, None, :] - ideal) > radius + ACCEPT_TOL
    crossed = (beyond & ~np.isnan(red_lines)[None]).any(axis=2)
    return ~crossed | lifted


def package_box(
    low: np.ndarray,
    high: np.ndarray,
    ideal: np.ndarray,
    red_lines: np.ndarray,
    lifted: np.ndarray,
    territory: int,
    limit: np.ndarray | None = None,
    reference: np.ndarray | None = None,
    side: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The terms the mediator can table, ``(low, high)`` (R, K) each.

    Parameters
    ----------
    low, high : ndarray, shape (R, K)
        The scenario's box: the offer's terms where it holds, else the feasible ranges
        (changed in place and returned).
    ideal : ndarray, shape (R, V, K)
        The veto players' ideal points; ``red_lines`` (V, K), NaN where none.
    lifted : ndarray of bool, shape (R, V)
        Where a player's red lines and limit no longer hold.
    territory : int
        The territorial issue's column.
    limit, reference : ndarray, shape (R, V), optional
        Each veto player's ratification limit and its reference line; ``side`` (V,) +1 for
        Russia's side, -1 for Ukraine's.  A term fixed by an offer stays fixed.
    """
    for v, k in zip(*np.nonzero(~np.isnan(red_lines)), strict=True):
        x = ideal[:, v, k]
        radius = np.abs(red_lines[v, k] - x)
        # an offer beyond a red line is tabled as it is, and refused
        hold = ~lifted[:, v] & (low[:, k] < high[:, k])
        low[:, k] = np.where(hold, np.clip(x - radius, low[:, k], high[:, k]), low[:, k])
        high[:, k] = np.where(hold, np.clip(x + radius, low[:, k], high[:, k]), high[:, k])
    if limit is not None:
        t = territory
        floor = np.where(side > 0, reference - limit, -np.inf).max(axis=1)
        ceiling = np.where(side < 0, reference + limit, np.inf).min(axis=1)
        low[:, t] = np.clip(np.maximum(low[:, t], floor), low[:, t], high[:, t])
        high[:, t] = np.clip(np.minimum(high[:, t], ceiling), low[:, t], high[:, t])
    return low, high


def blocker(
    answer: dict[str, np.ndarray],
    feasible: np.ndarray | None = None,
    attributed: np.ndarray | None = None,
) -> np.ndarray:
    """The veto player (column, (R,)) that blocks each package; meaningful where somebody
    rejects.

    Parameters
    ----------
    answer : dict
        The veto players' answers (``NegotiationModel.responses``): ``accept``, ``surplus``,
        ``ceded``, ``limit``, ``ratified``, ``within``, (R, V) each.
    feasible, attributed : ndarray, shape (R,), optional
        Whether the mediator's solver found a package for all, and whom it blamed if not.
    """
    accept, surplus = answer["accept"], answer["surplus"]
    excess = np.where(answer["ratified"], 0.0, answer["ceded"] - answer["limit"])
    short = np.where(
        answer["ratified"] & answer["within"],
        surplus,
        np.minimum(surplus, 0.0) - excess - (~answer["within"]),
    )
    furthest = np.where(accept, np.inf, short).argmin(axis=1)
    if feasible is not None:
        judged = ((~accept).sum(axis=1) > 1) & ~feasible & (attributed >= 0)
        furthest = np.where(judged, attributed, furthest)
    return furthest
