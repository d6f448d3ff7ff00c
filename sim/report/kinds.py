"""The kinds of results folder, one entry each: what the report of a folder says and shows
follows from its kind's :class:`Kind` (its main table file, title, question, figures with
their captions and reading order, headline tables, what it compares, its own warnings and
the arguments of the command that rebuilds it).

A new command that writes a results folder adds one entry to :data:`KINDS`;
:mod:`sim.report.folder` and :mod:`sim.report.sections` iterate over nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import compared, tables, truth
from .headline import run_headline
from .page import Table, finite, num, registry_labels, text

if TYPE_CHECKING:
    from .folder import Folder


def _no_tables(folder: Folder) -> list[Table]:
    return []


def _no_warnings(folder: Folder) -> list[str]:
    return []


def _same_label(info: Mapping, label: object) -> object:
    return label


def _no_question(info: Mapping) -> str | None:
    return None


def _no_lines(info: Mapping) -> list[str]:
    return []


def _no_line(folder: Folder) -> str:
    return ""


def _no_limitations(folder: Folder) -> list[truth.Limitation]:
    return []


def _scenario_args(info: Mapping) -> tuple[list[str], list]:
    """The scenario file and its policy, and the overrides, of a one-scenario folder."""
    args = [str(info.get("source", "SCENARIO"))]
    if info.get("policy"):
        args += ["--policy", str(info["policy"])]
    return args, list(info.get("overrides") or [])


def _no_args(info: Mapping) -> list[str]:
    return []


@dataclass(frozen=True)
class Kind:
    """One kind of results folder, as its report presents it.

    Attributes
    ----------
    name
        The kind the manifest records (``manifest.json``'s ``kind``).
    title
        The page's title, before the folder's label.
    question
        The question the page answers.
    table
        The folder's main table file, read into ``Folder.table`` (None: none).
    captions
        Each figure file's caption, by file name (``differences.png`` also captions
        ``differences-2.png``).
    figures
        The order a briefing reads the figures in, by file stem (figures not named come
        last, in name order).
    headline
        The headline tables of a folder.
    compared
        The tables of what the folder compares or explores.
    warnings
        The warnings only this kind can earn (after the shared ones).
    runs_per
        How the runs are counted (``" per arm"``); None when the folder has no ``runs``
        of its own worth a warning or a ``--runs`` argument.
    checks_validation
        Whether the validation rows its numbers rest on are listed.
    label
        The folder's label in the title, from the manifest and the shared label.
    ask
        A question made from the manifest, replacing :attr:`question` (None: keep it).
    scenario
        The scenario part of the rebuilt command: arguments and the ``--set`` overrides.
    arguments
        The kind's own arguments of the rebuilt command, after the scenario part.
    command
        The whole rebuilt command after ``ceasefire KIND`` (replacing the parts above).
    arms
        Whether the folder runs arms: its scenario is the reference arm's (the manifest's
        ``arms``), its runs are counted per arm.
    of_run
        Whether the folder explores a run's folder, whose manifest holds the scenario.
    describe
        The kind's own lines about the scenario (after the policy), from the manifest.
    bottom_line
        The page's first sentence or two (:mod:`sim.report.truth`).
    limitations
        The validation bands the folder's numbers fall outside (:mod:`sim.report.truth`).
    """

    name: str
    title: str
    question: str
    table: str | None = None
    captions: Mapping[str, str] = field(default_factory=dict)
    figures: tuple[str, ...] = ()
    headline: Callable[[Folder], list[Table]] = _no_tables
    compared: Callable[[Folder], list[Table]] = compared.scenario_policies
    warnings: Callable[[Folder], list[str]] = _no_warnings
    runs_per: str | None = None
    checks_validation: bool = False
    label: Callable[[Mapping, object], object] = _same_label
    ask: Callable[[Mapping], str | None] = _no_question
    scenario: Callable[[Mapping], tuple[list[str], list]] = _scenario_args
    arguments: Callable[[Mapping], list[str]] = _no_args
    command: Callable[[Mapping], list[str]] | None = None
    arms: bool = False
    of_run: bool = False
    describe: Callable[[Mapping], list[str]] = _no_lines
    bottom_line: Callable[[Folder], str] = _no_line
    limitations: Callable[[Folder], list[truth.Limitation]] = _no_limitations


# --------------------------------------------------------------------------- run
RUN_CAPTIONS = {
    "summary.png": "The run on one slide: the chance of a first ceasefire by each "
    "week with its 95% band (left), and how the runs stand at the horizon, each state in its "
    "colour (right); the title gives the bottom line.",
    "ceasefire_by_week.png": "The probability that a first ceasefire has come by each "
    "week, with a 95% band (a step, as the curve). The diamond at the horizon is the share of "
    "runs in which a ceasefire is holding then.",
    "outcomes.png": "How the runs stand week by week: at war, in a ceasefire, at war "
    "again after a collapse, or won; each state has the same colour in every figure.",
    "terms.png": "The agreed terms on each issue, over the runs that reached a "
    "ceasefire. An issue on which (almost) every ceasefire agreed one value is stated in "
    "words; one whose terms span a narrow range is drawn on a zoomed axis, its range named "
    "under it. The dashed line marks the status quo (for the battlefield issue, the front at "
    "week 0); where the scenario gives an issue's area, the top axis is in km².",
    "control_fan.png": "Russia's territorial control by week: the median, the band "
    "holding the middle 50% of runs and the band holding 90%.",
    "blockers.png": "Who blocked the talks. Top: how each run's last package fared "
    "(accepted, or blocked by a veto player). Bottom: every package rejected along the way, "
    "by the veto player that blocked it.",
}


def _run_headline(folder: Folder) -> list[Table]:
    if folder.summary is None:
        return []
    return run_headline(folder.summary, registry_labels())


# --------------------------------------------------------------------------- compare
COMPARE_CAPTIONS = {
    "summary.png": "The comparison on one slide: each arm's difference from the "
    "reference in the chance of a first ceasefire by the horizon, with its paired 95% "
    "interval; the title gives the bottom line.",
    "ceasefire_by_week.png": "P(first ceasefire by week) for every arm; the "
    "reference is the thick black line.",
    "differences.png": "Each arm's difference from the reference, one panel per "
    "unit, with its paired 95% interval. A filled marker means the interval excludes 0, a "
    "hollow one that it includes 0. Victories and collapses wear their states' colours, as "
    "in the run's figures. Further pages (differences-2, ...) hold the other panels.",
    "terms.png": "The agreed terms per issue, arm by arm: box = middle 50% of the "
    "runs with a ceasefire, line = median, whiskers = 1.5 IQR.",
}


def _compare_label(info: Mapping, label: object) -> object:
    return info.get("reference") or label


def _compare_scenario(info: Mapping) -> tuple[list[str], list]:
    """The arms' files (and their policies, when they share one file), and the first
    arm's overrides."""
    arms = info.get("arms") if isinstance(info.get("arms"), dict) else {}
    sources = list(dict.fromkeys(a.get("source") for a in arms.values() if isinstance(a, dict)))
    policies = [a.get("policy") for a in arms.values() if isinstance(a, dict) and a.get("policy")]
    args = [str(s) for s in sources if s]
    if len(sources) == 1 and policies:
        args += ["--policies", ",".join(policies)]
    overrides = next(iter(arms.values()), {}).get("overrides") if arms else []
    return args, list(overrides or [])


# --------------------------------------------------------------------------- deal
def _deal_label(info: Mapping, label: object) -> object:
    return f"{info.get('deal', '?')} on {info.get('label', '?')}"


def _deal_lines(info: Mapping) -> list[str]:
    """The deal's terms and the weeks it is tabled in."""
    terms = info.get("terms") if isinstance(info.get("terms"), dict) else {}
    described = ", ".join(
        f"{k} = {'the line of contact' if v == 'line' else num(v)}" for k, v in terms.items()
    )
    weeks = ", ".join(str(w) for w in info.get("weeks") or [])
    return [
        f"The deal “{info.get('deal', '?')}”: {described or 'no terms'}"
        + (f", tabled in week {weeks}." if weeks else ".")
    ]


def _deal_warnings(folder: Folder) -> list[str]:
    table = folder.table
    if table is None or "p_all_accept" not in table:
        return []
    never = [
        int(w)
        for w, p in zip(table["week"], table["p_all_accept"], strict=False)
        if finite(p) and p == 0
    ]
    if not never:
        return []
    weeks = ", ".join(map(str, never))
    return [f"In week {weeks} no run accepted the deal: whether it holds is unknown."]


def _deal_arguments(info: Mapping) -> list[str]:
    if info.get("deal") == "custom":
        terms = info.get("terms") or {}
        args = ["--terms", ",".join(f"{k}={v}" for k, v in terms.items())]
    else:
        args = ["--deal", str(info.get("deal"))]
    return [*args, "--weeks", ",".join(str(w) for w in info.get("weeks") or [])]


# --------------------------------------------------------------------------- sweep
def _varied(info: Mapping) -> list[str]:
    return [str(v).split("=")[0] for v in info.get("vary") or []]


def _sweep_question(info: Mapping) -> str | None:
    vary = _varied(info)
    if not vary:
        return None
    verb = "changes" if len(vary) == 1 else "change"
    return f"How do the outcomes change as {' and '.join(vary)} {verb}?"


def _sweep_arguments(info: Mapping) -> list[str]:
    return [arg for v in info.get("vary") or [] for arg in ("--vary", str(v))]


# --------------------------------------------------------------------------- sensitivity
def _sensitivity_warnings(folder: Folder) -> list[str]:
    table = folder.table
    if table is None:
        return []
    out = []
    wide, total = 0, 0
    for a in ("S1", "ST", "mu_star"):
        if a in table and f"{a}_conf" in table:
            value = table[a].to_numpy(dtype=float)
            conf = table[f"{a}_conf"].to_numpy(dtype=float)
            ok = np.isfinite(value) & np.isfinite(conf)
            total += int(ok.sum())
            wide += int((conf[ok] >= np.maximum(np.abs(value[ok]), 0.05)).sum())
    if wide:
        out.append(
            f"{wide} of {total} sensitivity indices have a 95% interval as wide as the "
            "index itself: their ranking is not reliable. Use more --samples or "
            "--replicates."
        )
    if "ST" in table:
        sums = table.assign(ST=table["ST"].clip(lower=0)).groupby("outcome")["ST"]
        noisy = [str(k) for k, v in sums.sum().items() if v > 2.0]
        if noisy:
            out.append(
                f"For {', '.join(noisy)} the total indices sum above 2: the outcome's variance "
                "is mostly noise between a design point's replicates (or interactions this "
                "design cannot resolve), so every input looks influential. Use more "
                "--replicates."
            )
    return out


def _sensitivity_arguments(info: Mapping) -> list[str]:
    return [
        "--method",
        str(info.get("method", "sobol")),
        "--replicates",
        str(info.get("replicates", 4)),
    ]


# --------------------------------------------------------------------------- discover
def _discover_question(info: Mapping) -> str | None:
    if not info.get("outcome"):
        return None
    return f"In which part of the space of assumptions does “{info['outcome']}” become likely?"


def _discover_warnings(folder: Folder) -> list[str]:
    hits = folder.info.get("hits")
    if finite(hits) and hits < 30:
        return [f"Only {int(hits)} runs meet the outcome: the box rests on few cases."]
    return []


def _discover_command(info: Mapping) -> list[str]:
    args = [str(info.get("results", "RESULTS")), "--outcome", str(info.get("outcome", ""))]
    for k in ("alpha", "min_mass", "min_coverage"):
        if k in info:
            args += [f"--{k.replace('_', '-')}", str(info[k])]
    if info.get("paste"):
        args.append("--paste")
    return args


# --------------------------------------------------------------------------- calibrate
def _calibrate_warnings(folder: Folder) -> list[str]:
    """A held-out fact the kept worlds find improbable is a finding about the model."""
    out = []
    for fact in folder.info.get("facts_table") or []:
        if isinstance(fact, Mapping) and fact.get("flagged"):
            share = fact.get("posterior")
            shown = f"{float(share):.0%}" if finite(share) else "none"
            out.append(
                f"Held-out fact {text(fact.get('name'))} ({text(fact.get('date'))}) holds "
                f"in {shown} of the worlds consistent with the facts used: the model finds "
                "what happened improbable (docs/record.md, 'Calibration: the method and its assumptions')."
            )
    return out


# --------------------------------------------------------------------------- the registry
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "run",
            "Scenario run",
            "How likely is a ceasefire, when would it come, on what terms, would it hold, and "
            "who blocks it?",
            captions=RUN_CAPTIONS,
            figures=(
                "summary",
                "ceasefire_by_week",
                "outcomes",
                "terms",
                "control_fan",
                "blockers",
            ),
            headline=_run_headline,
            runs_per="",
            checks_validation=True,
            bottom_line=truth.run_bottom_line,
            limitations=truth.run_limitations,
        ),
        Kind(
            "compare",
            "Policy comparison",
            "What difference does each policy (or scenario) make, compared with the "
            "reference, on the same replicates?",
            table="comparison.csv",
            captions=COMPARE_CAPTIONS,
            figures=("summary", "ceasefire_by_week", "differences", "outcomes", "terms"),
            headline=tables.compare_tables,
            compared=compared.arms,
            runs_per=" per arm",
            checks_validation=True,
            label=_compare_label,
            scenario=_compare_scenario,
            arms=True,
            bottom_line=truth.compare_bottom_line,
            limitations=truth.compare_limitations,
        ),
        Kind(
            "deal",
            "A tabled deal",
            "If this package were tabled in a given week, who would accept it, and would the "
            "ceasefire hold?",
            table="deal.csv",
            captions={
                "deal.png": "Each veto player's probability of accepting the deal, and of all "
                "accepting, by the week it is tabled, with 95% intervals."
            },
            figures=("summary", "deal"),
            headline=tables.deal_tables,
            compared=compared.deal_terms,
            warnings=_deal_warnings,
            runs_per=" per week",
            label=_deal_label,
            arguments=_deal_arguments,
            describe=_deal_lines,
            bottom_line=truth.deal_bottom_line,
        ),
        Kind(
            "sweep",
            "Parameter sweep",
            "How do the outcomes change as the varied parameters change?",
            table="sweep.csv",
            captions={
                "sweep.png": "The headline outcomes across the grid, with 95% bands (one "
                "parameter; the median week as points with intervals, since it moves in steps "
                "of the talks' rhythm; shares that are 0 at every point are named in the key) "
                "or as heat maps (two)."
            },
            figures=("summary", "sweep"),
            headline=tables.sweep_tables,
            compared=compared.grid,
            runs_per=" per grid point",
            ask=_sweep_question,
            arguments=_sweep_arguments,
            bottom_line=truth.sweep_bottom_line,
        ),
        Kind(
            "sensitivity",
            "Sensitivity analysis",
            "Which uncertain assumptions decide the outcome?",
            table="sensitivity.csv",
            captions={
                "sensitivity.png": "The sensitivity indices of each uncertain input, one "
                "panel per outcome, with 95% error bars (Sobol bars cut at 0 and 1). Outcomes "
                "that did not vary are named under the panels; a title that gives ΣST above 2 "
                "marks an outcome whose variance is mostly noise between replicates. Further "
                "pages hold more outcomes."
            },
            figures=("summary", "sensitivity"),
            headline=tables.sensitivity_tables,
            compared=compared.inputs,
            warnings=_sensitivity_warnings,
            arguments=_sensitivity_arguments,
            bottom_line=truth.sensitivity_bottom_line,
        ),
        Kind(
            "discover",
            "Scenario discovery",
            "In which part of the space of assumptions does the outcome become likely?",
            table="discover.csv",
            captions={
                "peeling.png": "The peeling trajectory: coverage against density for every "
                "box, the chosen box marked.",
                "box.png": "Each restricted input's range in the box, within its range in "
                "the runs. Pale hatched bars are restrictions with a quasi-p of 0.05 or more: "
                "they could be chance, not drivers.",
            },
            figures=("summary", "box", "peeling"),
            headline=tables.discover_tables,
            compared=compared.search,
            warnings=_discover_warnings,
            ask=_discover_question,
            command=_discover_command,
            of_run=True,
            bottom_line=truth.discover_bottom_line,
        ),
        Kind(
            "calibrate",
            "Calibration on the record",
            "Which of the model's worlds are consistent with what has happened, and what "
            "do they say about its uncertain inputs?",
            captions={
                "posterior.png": "The uncertain inputs that moved most: their prior (grey) "
                "and their distribution among the worlds consistent with the record (blue)."
            },
            headline=tables.calibrate_headline,
            warnings=_calibrate_warnings,
        ),
        Kind(
            "backtest",
            "Backtest on the record",
            "How good would the model's forecasts have been, against what happened and "
            "against other forecasters?",
            captions={
                "reliability.png": "Forecast probability against how often the event "
                "happened, in bins; on the diagonal a forecaster is perfectly reliable."
            },
            headline=tables.backtest_headline,
        ),
    )
}
"""Every kind of results folder, by the name its manifest records."""


def kind_of(name: str) -> Kind:
    """The entry of a kind; for a kind no entry names (a newer version's folder), a plain
    one: its name in the title, no question, the scenario's policies as what it compares."""
    return KINDS.get(name) or Kind(name, f"Results ({name})", "")


def few_runs(runs: float, per: str) -> str:
    """The warning for a folder with fewer than :data:`~sim.report.page.FEW_RUNS` runs."""
    half = 0.98 / math.sqrt(runs) * 100
    return (
        f"Only {int(runs):,} runs{per}: a share's 95% interval is up to ±{half:.0f} percentage points wide. "
        "Use --runs 1000 or more to brief from."
    )
