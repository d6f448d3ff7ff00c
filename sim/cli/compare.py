"""The ``compare`` command: a file's policies (or several files) on common random numbers,
or results folders of ``run`` compared as they are.

The command parses its options, calls :func:`sim.analysis.compare.compare_folder` (or the
``--given`` and folder forms) and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import ScenarioError, printable, printable_markup
from ..options import OPTIONS, RunOptions
from .app import (
    RUN_OPTIONS,
    Format,
    FormatOpt,
    GivenOpt,
    NoPlotsOpt,
    OutOpt,
    ResumeOpt,
    SetOpt,
    UntilOpt,
    app,
    check_given,
    console,
    err_console,
    examples,
    job,
    print_csv,
    run_command,
    say_results,
    table_console,
)

if TYPE_CHECKING:
    from rich.table import Table

    from ..analysis.compare import ComparisonResult

DIFF_HEADING = "Δ [95% CI]"
MAX_OUTCOMES_PER_TABLE = 3


def comparison_tables(comparison: ComparisonResult, width: int = 200) -> list[Table]:
    """The comparison as rich tables (headline outcomes, then terms): each outcome's value
    and its difference from the reference with its 95% interval (paired on common random
    numbers, or unpaired between results folders: ``comparison.paired``).

    As many outcomes share a table as fit in ``width`` columns (at most three), so the
    numbers are never cut; a long arm name wraps within its column, never truncated.
    """
    from rich.table import Table

    from ..analysis.paired import cell
    from ..outcomes import HEADLINE

    table, chosen, paired = comparison.table, comparison.metrics, comparison.paired
    short = {o.key: o.short for o in HEADLINE}  # headings in the narrow tables; "": left out
    headline = [m for m in chosen if short.get(m["key"])]
    terms = [m for m in chosen if m["key"].startswith("terms_")]

    def heading(m: dict) -> str:
        return short.get(m["key"]) or m["label"].replace("Median terms: ", "")

    def names(row) -> str:
        return f"{row['arm']} (ref.)" if row["reference"] else str(row["arm"])

    def needed(m: dict) -> int:  # the columns an outcome's pair of cells takes, padding too
        values = [cell(row, m).split(" [")[0] for _, row in table.iterrows()]
        diffs = [cell(row, m, diff=True) for _, row in table.iterrows() if not row["reference"]]
        return (
            max(len(heading(m)), *map(len, values))
            + max(len(DIFF_HEADING), *map(len, diffs or [""]))
            + 6
        )

    arm_width = min(24, max(len("Arm"), *(len(names(r)) for _, r in table.iterrows()))) + 4

    def packed(group: list[dict]) -> list[list[dict]]:
        out: list[list[dict]] = []
        for m in group:
            if (
                out
                and len(out[-1]) < MAX_OUTCOMES_PER_TABLE
                and arm_width + sum(map(needed, out[-1])) + needed(m) <= width
            ):
                out[-1].append(m)
            else:
                out.append([m])
        return out

    how = "paired" if paired else "unpaired"
    title = f"Ceasefire by arm: value and difference from the reference ({how} 95% CI)"
    groups = [(title, g) for g in packed(headline)]
    terms_title = "Median terms (0-1) by arm: value and difference from the reference"
    groups += [(terms_title, g) for g in packed(terms)]
    out = []
    for title, group in groups:
        t = Table(title=title, header_style="bold")
        t.add_column("Arm", overflow="fold", min_width=min(arm_width - 4, 12))
        for m in group:
            t.add_column(printable_markup(heading(m)), justify="right", no_wrap=True)
            t.add_column(DIFF_HEADING, justify="right", no_wrap=True)
        for _, row in table.iterrows():
            cells = []
            for m in group:
                value = cell(row, m).split(" [")[0]
                cells += [value, "" if row["reference"] else cell(row, m, diff=True)]
            t.add_row(printable_markup(names(row)), *cells)
        out.append(t)
    return out


def print_comparison(comparison: ComparisonResult) -> None:
    """The comparison tables under their title, on the console tables go to."""
    shown = table_console()
    shown.print(f"[bold]{printable_markup(comparison.title)}[/bold]", soft_wrap=True)
    for t in comparison_tables(comparison, shown.width):
        shown.print(t)


def _compare_folders(
    folders: list[Path],
    format_: str,
    given: dict[str, object],
    out: Path | None = None,
    no_plots: bool = False,
) -> None:
    """``compare DIR DIR ...``: results folders of ``run``, compared without running; the
    comparison is written to a folder like any other (``--out``)."""
    from ..loaded import compared_folders

    for option, value in given.items():
        if value not in (None, False, [], ()):
            raise ScenarioError(
                option, "", "does not apply when comparing results folders (nothing is run)"
            )
    result, out = compared_folders(folders, job(out, None, no_plots))
    if format_ == Format.csv:
        print_csv(result.table)
        say_results(out, format_)
        return
    print_comparison(result)
    for _, row in result.table.iterrows():
        console.print(
            f"{printable(row['arm'])}: {printable(row['description'])}, seed {row['seed']} "
            f"({printable(row['folder'])})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    say_results(out, format_)


@app.command(
    epilog=examples(
        "ceasefire compare scenarios/baseline.yaml --given seeds/record-2025.yaml",
        "ceasefire compare scenarios/baseline.yaml --runs 2000   (baseline vs every policy)",
        "ceasefire compare scenarios/baseline.yaml --policies us_aid_cut,nato_ruled_out",
        "ceasefire compare scenarios/baseline.yaml scenarios/other.yaml   (two files)",
        "ceasefire compare results/baseline-A/ results/baseline-B/   (two finished runs)",
        "ceasefire compare scenarios/baseline.yaml --format csv > comparison.csv",
    )
)
@run_command()
def compare(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            help="One scenario file (baseline vs its policies), several (the first is the "
            "reference), or two or more results folders of `run` (compared as they are).",
            show_default=False,
            metavar="FILE_OR_FOLDER",
        ),
    ],
    policies: Annotated[
        str | None,
        typer.Option("--policies", help="Comma-separated policies to compare (default: all)."),
    ] = None,
    out: OutOpt = None,
    set_: SetOpt = None,
    no_plots: NoPlotsOpt = False,
    resume: ResumeOpt = None,
    format_: FormatOpt = Format.table,
    record: GivenOpt = None,
    until: UntilOpt = None,
    options: RunOptions | None = None,
) -> None:
    """Compare policies (or scenario files) on common random numbers.

    Differences from the reference are paired, replicate by replicate. Given two or more results folders of `run` instead, compare them as they are, without running anything: differences are unpaired (the folders hold separate runs), and the comparison is written to a folder as any other (--out).
    """
    from ..scenarios import shipped

    scenarios = [shipped(p) for p in scenarios]  # a shipped scenario may be given by name
    if any(path.is_dir() for path in scenarios):
        given = {
            "--policies": policies,
            **{OPTIONS[k].flag: v for k, v in options.as_dict().items() if k in RUN_OPTIONS},
            "--set": set_,
            "--resume": resume,
            "--given": record,
            "--until": until,
        }
        _compare_folders(scenarios, format_, given, out, no_plots)
        return
    from ..analysis.compare import compare_folder

    check_given(record, until)
    names = None
    if policies is not None:
        names = [p.strip() for p in policies.split(",") if p.strip()]
        if not names:
            raise ScenarioError("--policies", "", "give policy names separated by commas")
    if record is not None:
        if resume is not None:  # the worlds given the record are not checkpointed
            raise ScenarioError("--resume", "", "cannot be combined with --given")
        _compare_given(scenarios, record, until, names, options, set_, out, no_plots)
        return
    result, out = compare_folder(scenarios, names, set_ or (), options, job(out, resume, no_plots))
    if format_ == Format.csv:
        print_csv(result.table)
    else:
        print_comparison(result)
    say_results(out, format_)


def _compare_given(scenarios, given, until, names, options, set_, out, no_plots):
    """``compare --given``: policies from the week after the record's last fact used."""
    from ..record.given_folders import compare_given_folder
    from .given import given_clock_table, print_given

    result, out = compare_given_folder(
        list(scenarios), given, until, names, tuple(set_ or ()), options, job(out, None, no_plots)
    )
    print_comparison(result.comparison)
    table_console().print(given_clock_table(result.clocks))
    print_given(result.given)
    for name, why in result.skipped.items():
        err_console.print(f"skipped policy {printable(name)}: {why}", markup=False, highlight=False)
    say_results(out)
