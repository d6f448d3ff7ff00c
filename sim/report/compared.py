"""What a folder compares or explores, one function per kind: the arms, the deal's
terms, the grid, the uncertain inputs, the search, or (a run) the policies the scenario
defines.  The kind's entry of :mod:`sim.report.kinds` names which."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .page import Table, num, text

if TYPE_CHECKING:
    from .folder import Folder


def arms(folder: Folder) -> list[Table]:
    """The arms of a comparison: what each is, its file, policy and overrides."""
    info = folder.info
    arms = info.get("arms") if isinstance(info.get("arms"), dict) else {}
    described = {}
    if folder.table is not None and "description" in folder.table:
        described = dict(
            zip(folder.table["arm"].astype(str), folder.table["description"], strict=False)
        )
    rows = [
        [
            [str(label) + (" (reference)" if label == info.get("reference") else "")],
            [text(described.get(str(label)))],
            [text(a.get("source")) if isinstance(a, dict) else ""],
            [text(a.get("policy")) or "none" if isinstance(a, dict) else ""],
            [", ".join(map(str, a.get("overrides") or [])) if isinstance(a, dict) else ""],
        ]
        for label, a in arms.items()
    ]
    return [
        Table(
            "The arms compared",
            ["Arm", "What it is", "File", "Policy", "Overrides"],
            rows,
            numeric=False,
            widths=["24%", "36%", "16%", "12%", "12%"],
        )
    ]


def deal_terms(folder: Folder) -> list[Table]:
    """The tabled deal's terms, each with its issue's scale."""
    info = folder.info
    terms = info.get("terms") if isinstance(info.get("terms"), dict) else {}
    issues = info.get("issues") if isinstance(info.get("issues"), dict) else {}
    rows = []
    for issue, value in terms.items():
        ends = issues.get(issue, {}) if isinstance(issues.get(issue), dict) else {}
        scale = f"0 = {ends.get('low', '?')}; 1 = {ends.get('high', '?')}" if ends else ""
        shown = "the line of contact that week" if value == "line" else num(value)
        rows.append([[str(issue)], [shown], [scale]])
    note = " ".join(
        s
        for s in (
            text(info.get("description")),
            f"Sources: {text(info.get('sources'))}." if info.get("sources") else "",
            "Issues the deal does not name stay at their status quo.",
        )
        if s
    )
    return [
        Table(
            f"The deal: {info.get('deal', '?')}",
            ["Issue", "Term", "Scale"],
            rows,
            note=note,
            numeric=False,
        )
    ]


def grid(folder: Folder) -> list[Table]:
    """The grid a sweep runs over, one row per varied parameter."""
    rows = [
        [[str(v).split("=")[0]], [str(v).partition("=")[2]]] for v in folder.info.get("vary") or []
    ]
    return [Table("The grid (PATH=START:STOP:COUNT)", ["Parameter", "Values"], rows, numeric=False)]


def inputs(folder: Folder) -> list[Table]:
    """The uncertain inputs of a sensitivity analysis, with their distributions."""
    info = folder.info
    inputs = info.get("inputs") if isinstance(info.get("inputs"), dict) else {}
    rows = [[[str(k)], [text(v)]] for k, v in inputs.items()]
    return [
        Table(
            f"The uncertain inputs ({info.get('method', '?')}, {info.get('points', '?')} "
            f"design points x {info.get('replicates', '?')} replicates)",
            ["Input", "Distribution"],
            rows,
            numeric=False,
        )
    ]


SEARCHED = ("outcome", "results", "runs", "hits", "alpha", "min_mass", "min_coverage", "paste")
"""The manifest keys of a discovery that say what was searched, in the table's order."""


def search(folder: Folder) -> list[Table]:
    """What a discovery searched: the outcome, the runs and the search's settings."""
    info = folder.info
    rows = [[[k.replace("_", " ")], [text(info.get(k))]] for k in SEARCHED if k in info]
    return [Table("What was searched", ["", ""], rows, numeric=False)]


def scenario_policies(folder: Folder) -> list[Table]:
    """A run: the policy applied, and the policies the scenario defines."""
    info, doc = folder.info, folder.scenario_doc
    policies = doc.get("policies") if isinstance(doc.get("policies"), dict) else {}
    applied = info.get("policy")
    rows = [
        [
            [str(name) + (" (applied)" if name == applied else "")],
            [text(p.get("description")) if isinstance(p, dict) else ""],
        ]
        for name, p in policies.items()
    ]
    if not rows:
        return []
    return [
        Table(
            "Policies the scenario defines",
            ["Policy", "What it does"],
            rows,
            widths=["30%", "70%"],
            note="This run applied "
            + (f"the policy '{applied}'." if applied else "no policy (the baseline).")
            + " `ceasefire compare` runs them all against the baseline.",
            numeric=False,
        )
    ]
