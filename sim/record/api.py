"""``given=`` on the public functions: :func:`run`, :func:`compare` and
:func:`evaluate_deal` are :func:`sim.ensemble.run_ensemble`,
:func:`sim.analysis.compare.compare` and :func:`sim.deals.evaluate_deal` when ``given`` is ``None``,
and their counterparts over the worlds consistent with a record otherwise
(:mod:`sim.record.given`).
"""

from __future__ import annotations

import functools

from ..analysis.compare import compare as _compare
from ..deals import evaluate_deal as _evaluate_deal
from ..ensemble import run_ensemble
from .given import compare_given, deal_given, run_given


@functools.wraps(run_ensemble)
def run(scenario, *args, given=None, until=None, **kwargs):
    """:func:`sim.ensemble.run_ensemble`; with ``given=RECORD`` (and ``until=DATE``), the
    run over the worlds consistent with the record: a
    :class:`~sim.record.given.GivenRunResult` (``.result``, ``.given``)."""
    if given is None:
        if until is not None:
            raise TypeError("until= needs given=")
        return run_ensemble(scenario, *args, **kwargs)
    allowed = {"runs", "seed", "workers", "on_progress", "policy", "overrides", "options"}
    extra = set(kwargs) - allowed
    if extra or args:
        raise TypeError(f"with given=, run takes only {sorted(allowed)} (got {sorted(extra)})")
    return run_given(scenario, given, until, **kwargs)


@functools.wraps(_compare)
def compare(scenarios, *args, given=None, until=None, **kwargs):
    """:func:`sim.analysis.compare.compare`; with ``given=RECORD``, one file's policies compared
    over the worlds consistent with the record, every policy taking effect the week after
    its last fact used: a :class:`~sim.record.given.GivenComparison`."""
    if given is None:
        if until is not None:
            raise TypeError("until= needs given=")
        return _compare(scenarios, *args, **kwargs)
    allowed = {"policies", "runs", "seed", "workers", "overrides", "on_progress", "options"}
    extra = set(kwargs) - allowed
    if extra or args:
        raise TypeError(f"with given=, compare takes only {sorted(allowed)}")
    return compare_given(scenarios, given, until, **kwargs)


@functools.wraps(_evaluate_deal)
def evaluate_deal(scenario, *args, given=None, until=None, **kwargs):
    """:func:`sim.deals.evaluate_deal`; with ``given=RECORD``, the deal tabled after the
    record's last fact used, in the worlds consistent with it: ``(DealResult, Given)``."""
    if given is None:
        if until is not None:
            raise TypeError("until= needs given=")
        return _evaluate_deal(scenario, *args, **kwargs)
    if args:
        raise TypeError("with given=, give the deal's options by name")
    return deal_given(scenario, given, until, **kwargs)
