"""The jobs of ``run --given``, ``compare --given`` and ``deal --given``: the record checked,
the folder claimed, the worlds run and the folder written (:mod:`sim.jobs`), one library
call per command.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from ..jobs import WritesFolder


def run_given_folder(scenario, record, until: str | None, options=None, job=None):
    """``ceasefire run --given``: the run over the worlds consistent with the record, its
    folder claimed and written (:mod:`sim.jobs`); ``(GivenRunResult, folder)``."""
    from ..jobs import Job, run_job
    from ..options import RunOptions
    from ..results import run_label
    from .given import run_given

    options, job = options or RunOptions(), job or Job()
    return run_job(
        job,
        run_label(scenario.label + "-given", scenario.overrides),
        options.runs or scenario.spec.runs,
        f"{scenario.label} given {Path(record.source).name}",
        lambda o: run_given(scenario, record, until, options=o),
        options,
    )


def compare_given_folder(
    scenario, record_path, until: str | None, policies=None, overrides=(), options=None, job=None
):
    """``ceasefire compare --given``: one file's policies from the week after the record's
    last fact, the record checked before the folder is claimed (:mod:`sim.jobs`);
    ``(GivenComparison, folder)``."""
    from ..errors import ScenarioError
    from ..jobs import Job, check_total, run_job
    from ..options import RunOptions
    from ..results import run_label
    from ..scenario import load_scenario
    from .facts import check_until, load_record
    from .given import compare_given

    options, job = options or RunOptions(), job or Job()
    if isinstance(scenario, list | tuple):
        if len(scenario) != 1:
            raise ScenarioError(
                "--given", str(record_path), "compares one file's policies; give one file"
            )
        scenario = scenario[0]
    base = load_scenario(scenario, overrides=overrides)
    check_until(load_record(record_path, base.spec), until)  # before anything is reserved
    n = options.runs or base.spec.runs
    arms = len(policies) + 1 if policies is not None else len(base.spec.policies) + 1
    check_total(n * arms, "--runs", f"{n:,} runs x {arms} arms")
    return run_job(
        job,
        f"compare-{run_label(base.name + '-given', overrides)}",
        n * arms,
        f"{arms} arms given {Path(record_path).name}",
        lambda o: compare_given(
            scenario, record_path, until, policies, overrides=overrides, options=o
        ),
        options,
    )


class GivenDeal(WritesFolder):
    """A deal tabled after the record's last fact (:func:`sim.record.given.deal_given`):
    ``.deal`` (a :class:`~sim.deals.DealResult`) and ``.given`` (the worlds kept)."""

    def __init__(self, deal, given) -> None:
        self.deal, self.given = deal, given

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The folder's files, into ``tmp`` (:class:`sim.jobs.WritesFolder`)."""
        from ..deals import write_deal

        write_deal(self.deal, tmp, plots, provenance)
        (tmp / "given.json").write_text(json.dumps(self.given.to_json(), indent=2) + "\n")


def deal_given_folder(
    snapshot, record_path, until, deal, terms, weeks, policy=None, overrides=(), options=None,
    job=None,
):  # fmt: skip
    """``ceasefire deal --given``: the deal tabled after the record's last fact used, in its
    worlds, the record and the weeks checked before the folder is claimed (:mod:`sim.jobs`);
    ``(GivenDeal, folder)``. ``weeks``: the ``--weeks`` text, or None for the default (the
    week after the last fact, 26 and 52 weeks later)."""
    from ..deals import CUSTOM, parse_weeks
    from ..jobs import Job, run_job
    from ..options import RunOptions
    from .facts import check_until, load_record
    from .given import deal_given

    options, job = options or RunOptions(), job or Job()
    base = snapshot.build(policy, overrides)
    bound = load_record(record_path, base.spec)
    until = check_until(bound, until)
    explicit = [] if weeks is None else parse_weeks(weeks, bound.start)
    n = options.runs or base.spec.runs
    name = deal if terms is None else CUSTOM

    def work(o: RunOptions) -> GivenDeal:
        result, given = deal_given(
            snapshot,
            bound,
            until,
            deal=deal,
            terms=terms,
            weeks=explicit,
            policy=policy,
            overrides=overrides,
            options=o,
        )
        return GivenDeal(result, given)

    return run_job(
        job,
        f"deal-{base.label}-{name}-given",
        n * max(len(explicit), 3),
        f"{name} given {Path(record_path).name}",
        work,
        options,
    )
