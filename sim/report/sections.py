"""The sections of a report, as plain data for the template: the question, the headline
numbers, the figures, what was compared, the assumptions, the warnings and how to
reproduce it.

Every section is built from a :class:`~sim.report.folder.Folder` alone, so ``ceasefire
report DIR`` rebuilds the same page the command wrote; what differs by the folder's kind
comes from its entry of :mod:`sim.report.kinds`.  Text from files is passed on as it is;
the template escapes all of it.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

from . import truth
from .assumptions import commented_fields, find_seeds_readme, header_comments, source_rows
from .kinds import KINDS, few_runs, kind_of
from .page import (
    FEW_RUNS,
    Figure,
    Report,
    Table,
    drop_empty_columns,
    finite,
    horizon_of,
    humanize,
    text,
)

if TYPE_CHECKING:
    from .folder import Folder

READING_ORDER = {name: kind.figures for name, kind in KINDS.items() if kind.figures}
"""The order a briefing reads each kind's figures in (by file stem; a page of a split
figure, ``differences-2``, follows its first page; figures not named here come last, in
name order): each kind's ``figures``."""


def scenario_lines(folder: Folder) -> list[str]:
    """The scenario in a sentence or two: name and description, policy, overrides."""
    kind = kind_of(folder.kind)
    info = folder.run_info if folder.run_info else folder.info
    doc = folder.scenario_doc
    if kind.arms:
        arms = info.get("arms") if isinstance(info.get("arms"), dict) else {}
        ref = arms.get(info.get("reference"), {})
        info = ref if isinstance(ref, dict) else {}
    name = info.get("scenario") or doc.get("name") or info.get("label") or info.get("source")
    lines = []
    description = text(doc.get("description"))
    source = info.get("source")
    first = f"Scenario “{name or 'unknown'}”"
    if source:
        first += f" ({source})"
    lines.append(first + (f": {description}" if description else "."))
    policy = info.get("policy")
    if policy:
        policies = doc.get("policies") if isinstance(doc.get("policies"), dict) else {}
        entry = policies.get(policy)
        what = text(entry.get("description")) if isinstance(entry, dict) else ""
        lines.append(f"Policy “{policy}” applied" + (f": {what}" if what else "."))
    elif not kind.arms:
        lines.append("No policy applied (the scenario as written).")
    lines += kind.describe(info)
    overrides = info.get("overrides") or []
    if overrides:
        lines.append("Overrides (--set): " + ", ".join(map(str, overrides)) + ".")
    horizon = info.get("horizon_weeks") or doc.get("horizon")
    runs = folder.info.get("runs")
    bits = []
    if finite(runs):
        bits.append(f"{int(runs):,} runs" + (" per arm" if kind.arms else ""))
    if finite(horizon):
        bits.append(f"a horizon of {int(horizon)} weeks")
    if folder.info.get("seed") is not None:
        bits.append(f"seed {folder.info.get('seed')}")
    if bits:
        lines.append("Run with " + ", ".join(bits) + ".")
    return lines


def assumptions(folder: Folder, report: Report) -> None:
    """Fill in the assumptions: the header comments of the scenario file, each commented
    field with its source, and the rows of ``seeds/README.md`` that the tags name."""
    report.assumptions_note = folder.texts_note
    if not folder.texts:
        return
    items = sorted(folder.texts.items(), key=lambda kv: kv[0] != folder.source)
    tags: set[str] = set()
    for name, body in items:
        if name == (folder.source or items[0][0]):
            report.header_notes = header_comments(body)
        fields = commented_fields(body)
        tags |= {t for f in fields for t in f.tags}
        rows = [[[f.path or "(item)"], [f.value], [f.comment]] for f in fields]
        if rows:
            report.assumptions.append(
                Table(
                    f"{name}: each commented field and its source",
                    ["Field", "Value", "Source or reason (the file's comment)"],
                    rows,
                    numeric=False,
                    widths=["34%", "18%", "48%"],
                )
            )
    bases = [Path.cwd()]
    recorded = (folder.run_info or folder.info).get("working_directory")
    if isinstance(recorded, str):
        bases.insert(0, Path(recorded))
    readme = find_seeds_readme(list(folder.texts), bases)
    if readme is None:
        return
    from ..errors import ScenarioError
    from ..scenario import read_text  # a regular file of at most 1 MB: never a FIFO wait

    try:
        readme_text = read_text(readme)
    except ScenarioError:
        return
    report.seeds_readme_path = _shown_path(readme, bases)
    found = source_rows(readme_text, tags)
    rows = [[[f"[{tag}]"], ["; ".join(found[tag])]] for tag in sorted(found)]
    if rows:
        report.assumptions.append(
            Table(
                "The sources the tags name (from seeds/README.md)",
                ["Tag", "Source, figure used, parameter, status"],
                rows,
                numeric=False,
                widths=["16%", "84%"],
            )
        )


def _shown_path(path: Path, bases: list[Path]) -> str:
    """``path`` relative to the folder the command ran in (never the author's absolute
    path: the page is mailed); the last two parts when it lies elsewhere."""
    for base in bases:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return "/".join(path.parts[-2:])


# --------------------------------------------------------------------------- warnings
def warnings(folder: Folder) -> list[str]:
    """What the reader should know before briefing from the page: the folder's own
    warnings and problems, too few runs, no figures, the kind's own (its entry's
    ``warnings``), assumptions not shown, a command line not recorded."""
    kind = kind_of(folder.kind)
    out: list[str] = []
    for name, data in folder.json_files.items():
        listed = data.get("warnings")
        if isinstance(listed, list):
            out += [f"{text(w)} ({name})" for w in listed]
        elif isinstance(listed, str) and listed:
            out.append(f"{listed} ({name})")
    out += folder.problems
    runs = folder.info.get("runs")
    if kind.runs_per is not None and finite(runs) and runs < FEW_RUNS:
        out.append(few_runs(runs, kind.runs_per))
    if not folder.figures and not folder.info.get("figures_omitted"):
        out.append("The folder has no figures (made with --no-plots?).")
    out += kind.warnings(folder)
    if not folder.texts:
        out.append(f"The scenario's assumptions are not shown: {folder.texts_note}.")
    if not (folder.run_info or folder.info).get("command"):
        out.append(
            "The command line was not recorded (a folder made from Python, or by an older "
            "version): the command under 'Reproduce' is rebuilt from the manifest."
        )
    return out


# --------------------------------------------------------------------------- reproduce
def rebuilt_command(folder: Folder) -> str:
    """An equivalent command line, from what the manifest records: the kind's scenario
    part and its own arguments, then ``--runs``, ``--seed`` and the ``--set`` overrides
    (or the kind's whole ``command``)."""
    import shlex

    info, kind = folder.info, kind_of(folder.kind)
    args: list[str] = ["ceasefire", kind.name]
    if kind.command is not None:
        return shlex.join([*args, *kind.command(info)])
    scenario, overrides = kind.scenario(info)
    args += [*scenario, *kind.arguments(info)]
    if kind.runs_per is not None and finite(info.get("runs")):
        args += ["--runs", str(int(info["runs"]))]
    if info.get("seed") is not None:
        args += ["--seed", str(info["seed"])]
    for o in overrides:
        args += ["--set", str(o)]
    return shlex.join(args)


def reproduce(folder: Folder, report: Report) -> None:
    info = folder.info
    recorded = info.get("command")
    if isinstance(recorded, str) and recorded:
        report.command = recorded
        where = info.get("working_directory")
        # the folder's name only: the page is mailed, the author's absolute path is not
        report.command_note = "The command that made this folder" + (
            f", run in the project folder ({Path(where).name or where})."
            if isinstance(where, str)
            else "."
        )
    else:
        report.command = rebuilt_command(folder)
        report.command_note = (
            "The command line was not recorded; this equivalent one is rebuilt from the "
            "manifest (run it from the folder the scenario path is relative to)."
        )
    pairs = [
        ("Seed", info.get("seed")),
        ("Scenario SHA-256", info.get("scenario_sha256")),
        ("Bootstrap resamples", info.get("bootstrap_resamples")),
        ("Created", info.get("created")),
    ]
    timings = info.get("timings") if isinstance(info.get("timings"), dict) else {}
    wall = timings.get("wall_seconds", info.get("wall_seconds"))
    if finite(wall):
        pairs.append(("Wall time", f"{float(wall):.1f} s"))
    report.reproduce = [(k, text(v)) for k, v in pairs if v is not None and v != ""]
    versions = info.get("versions") if isinstance(info.get("versions"), dict) else {}
    report.versions = [(str(k), text(v)) for k, v in versions.items()]


# --------------------------------------------------------------------------- figures
def reading_order(kind: str, path: Path) -> tuple[int, str, int, str]:
    """The sort key of a figure file in its report."""
    order = kind_of(kind).figures
    stem, _, page = path.stem.rpartition("-")
    if not (stem and page.isdigit()):
        stem, page = path.stem, "1"
    rank = order.index(stem) if stem in order else len(order)
    return (rank, stem, int(page), path.as_posix())


def figures(folder: Folder) -> list[Figure]:
    out = []
    for path in sorted(folder.figures, key=lambda p: reading_order(folder.kind, p)):
        try:
            data = folder.image(path)  # read and checked once, by sim.report.folder
        except OSError:
            continue
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            continue  # not a PNG: nothing a browser would show
        stem = reading_order(folder.kind, path)[1]
        captions = kind_of(folder.kind).captions
        caption = (
            captions.get(path.name) or captions.get(f"{stem}.png") or humanize(path.stem) + "."
        )
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        out.append(Figure(str(path.relative_to(folder.path)), caption, uri))
    return out


# --------------------------------------------------------------------------- all together
def build(folder: Folder, name: str | None = None) -> Report:
    """Every section of the report on ``folder`` (``name``: the folder's final name, when
    it is being written under a temporary one)."""
    kind = kind_of(folder.kind)
    info = folder.info
    label = info.get("label") or info.get("scenario") or (folder.run_info or {}).get("label")
    if not label and folder.scenario_doc.get("name"):
        label = str(folder.scenario_doc["name"]) + (
            f"+{info['policy']}" if info.get("policy") else ""
        )
    label = kind.label(info, label)
    report = Report(
        title=kind.title + (f": {label}" if label else ""),
        folder=name or folder.path.name,
        kind=kind.name,
        created=text(info.get("created")),
        question=kind.ask(info) or kind.question,
    )
    report.scenario = scenario_lines(folder)
    report.headline = kind.headline(folder)
    report.figures = figures(folder)
    report.compared = kind.compared(folder)
    assumptions(folder, report)
    report.bottom_line = kind.bottom_line(folder)
    report.limitations = kind.limitations(folder)
    report.checked_rows = truth.checked_rows(horizon_of(folder)) if kind.checks_validation else []
    report.warnings = warnings(folder)
    reproduce(folder, report)
    for table in (*report.headline, *report.compared, *report.assumptions):
        drop_empty_columns(table)
    return report
