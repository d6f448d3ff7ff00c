"""The validation table: published results of the models ceasefire builds on, reproduced.

Every row of ``docs/validation.md`` is one check, in the module of its section; this
module is the table (:data:`CHECKS`, in order) and runs it.  A check is a function returning a
:class:`Row` (reference, claim, our figure, theirs, pass/fail); ``tests/test_validation.py``
asserts each row passes and ``ceasefire reproduce`` prints them all.  The checks are
deterministic: fixed seeds, and common random numbers (the same replicate index sees the
same battlefield luck and the same draws of uncertain inputs) in every paired comparison.

Sections (the numbering of ``docs/validation.md``):

1. Bueno de Mesquita's expected-utility model on the EC vehicle-emissions case
   (Masad's reproduction of Scholz, Calbert & Smith 2011).
2. Fearon (1995): the bargaining range and the risk-return trade-off, with our acceptance
   rule and the mediator's Nash package in the limit where the rest of the model is
   switched off.
3. Filson & Werner (2002), Slantchev (2003), Smith & Stam (2004): comparative statics from
   paired sweeps on ``scenarios/duel.yaml`` (and ``scenarios/mini.yaml``) in this package.
4. Base rates of war termination and ceasefire durability against the baseline scenario.
5. Nash (1950): the mediator's package (``sim.mechanics.package``) has the properties of the
   bargaining solution, checked against brute force on random bargaining problems.

One module per section: ``eum.py`` (1), ``fearon.py`` (2), ``statics.py`` (3),
``base_rates.py`` (4), ``nash.py`` (5); ``row.py`` holds the :class:`Row` they return and
the scenario files they run.  Every name stays importable from here.
"""

from __future__ import annotations

from collections.abc import Callable

from .base_rates import (
    CEASEFIRE_BAND,
    COLLAPSE_CEILING,
    VICTORY_CEILING,
    base_ceasefire_share,
    base_collapse_share,
    base_victories,
    baseline_outcomes,
    powell_power_shift,
    tripwire_guarantee,
)
from .eum import (
    ec_mean_path,
    ec_median_path,
    eu_weighted_mean_forecast,
    eum_classification,
    eum_expected_utilities,
    eum_median_path,
    eum_risk,
    eum_round_one_positions,
    eum_weighted_mean,
)
from .fearon import (
    FEARON_BETAS,
    FEARON_C_BARS,
    FEARON_CASES,
    fearon_acceptance_set,
    fearon_package,
    fearon_range,
    fearon_risk_return,
    fearon_screening,
    fearon_setup,
)
from .nash import (
    NASH_GRID,
    NASH_TOL,
    nash_agreement,
    nash_invariance,
    nash_optimal,
    nash_pareto,
    nash_problems,
    nash_symmetry,
    package_grid_utilities,
)
from .row import BASELINE, DUEL, MINI, SCENARIOS, T_MIN, Row
from .statics import (
    COSTLY,
    COSTLY_RUSSIA,
    NO_COSTS,
    NO_TALKS,
    OPTIMISTIC,
    beliefs_converge,
    beliefs_diverge,
    costs_lower_demands,
    costs_shorten_war,
    costs_shorten_war_mini,
    demands,
    demands_converge,
    learning_paths,
    learning_shortens_war,
    optimism_lengthens_war,
    optimism_lengthens_war_mini,
    paired,
    run_outcomes,
    terms_track_control,
    terms_track_drift,
    war_weeks,
)

Check = Callable[..., Row]

CHECKS: list[tuple[str, Check, bool]] = [
    ("1", eum_risk, False),
    ("1", eum_expected_utilities, False),
    ("1", eum_classification, False),
    ("1", eum_round_one_positions, False),
    ("1", eum_median_path, False),
    ("1", eum_weighted_mean, False),
    ("2", fearon_range, False),
    ("2", fearon_risk_return, True),
    ("3", costs_shorten_war, True),
    ("3", costs_shorten_war_mini, True),
    ("3", costs_lower_demands, True),
    ("3", optimism_lengthens_war, True),
    ("3", optimism_lengthens_war_mini, True),
    ("3", learning_shortens_war, True),
    ("3", beliefs_converge, True),
    ("3", demands_converge, True),
    ("3", terms_track_control, True),
    ("3", terms_track_drift, True),
    ("3", beliefs_diverge, True),
    ("4", base_ceasefire_share, True),
    ("4", base_victories, True),
    ("4", base_collapse_share, True),
    ("4", powell_power_shift, True),
    ("4", tripwire_guarantee, True),
    ("5", nash_pareto, True),
    ("5", nash_optimal, True),
    ("5", nash_symmetry, True),
    ("5", nash_invariance, True),
    ("5", nash_agreement, True),
]
"""(section, check, takes ``quick``) in table order."""


def run_check(check: Check, takes_quick: bool, quick: bool) -> Row:
    """Run one check; an exception becomes a failed row rather than ending the table."""
    try:
        row = check(quick=quick) if takes_quick else check()
    except Exception as err:  # noqa: BLE001 - the table must report every row
        name = getattr(check, "__name__", "check")
        return Row(name, "-", "raised an error", f"{type(err).__name__}: {err}", "-", False)
    return Row(**{**row.__dict__, "passed": bool(row.passed)})


def run_all(quick: bool = False, on_row: Callable[[str, Row], None] | None = None) -> list[Row]:
    """Every row of the validation table, in order.

    Parameters
    ----------
    quick : bool
        Fewer replicates and Monte Carlo draws (the fast test suite's sizes).
    on_row : callable, optional
        Called with ``(section, row)`` as each row finishes (for progress output).
    """
    rows = []
    for section, check, takes_quick in CHECKS:
        row = run_check(check, takes_quick, quick)
        rows.append(row)
        if on_row:
            on_row(section, row)
    return rows


__all__ = [
    "eu_weighted_mean_forecast",
    "BASELINE",
    "CEASEFIRE_BAND",
    "CHECKS",
    "COLLAPSE_CEILING",
    "COSTLY",
    "COSTLY_RUSSIA",
    "Check",
    "DUEL",
    "FEARON_BETAS",
    "FEARON_CASES",
    "FEARON_C_BARS",
    "MINI",
    "NASH_GRID",
    "NASH_TOL",
    "NO_COSTS",
    "NO_TALKS",
    "OPTIMISTIC",
    "Row",
    "SCENARIOS",
    "T_MIN",
    "VICTORY_CEILING",
    "base_ceasefire_share",
    "base_collapse_share",
    "base_victories",
    "baseline_outcomes",
    "beliefs_converge",
    "beliefs_diverge",
    "costs_lower_demands",
    "costs_shorten_war",
    "costs_shorten_war_mini",
    "demands",
    "demands_converge",
    "ec_mean_path",
    "ec_median_path",
    "eum_classification",
    "eum_expected_utilities",
    "eum_median_path",
    "eum_risk",
    "eum_round_one_positions",
    "eum_weighted_mean",
    "fearon_acceptance_set",
    "fearon_package",
    "fearon_range",
    "fearon_risk_return",
    "fearon_screening",
    "fearon_setup",
    "learning_paths",
    "learning_shortens_war",
    "nash_agreement",
    "nash_invariance",
    "nash_optimal",
    "nash_pareto",
    "nash_problems",
    "nash_symmetry",
    "optimism_lengthens_war",
    "optimism_lengthens_war_mini",
    "package_grid_utilities",
    "paired",
    "powell_power_shift",
    "run_all",
    "run_check",
    "run_outcomes",
    "terms_track_control",
    "terms_track_drift",
    "tripwire_guarantee",
    "war_weeks",
]
