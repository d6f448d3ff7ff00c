"""The ``deal`` command: table a package in given weeks and report who accepts it.

The command parses its options, calls :func:`sim.deals.deal_folder` (or, with ``--given``,
:func:`sim.record.given_folders.deal_given_folder`) and prints.  Every check (the deal or
the terms, the weeks, the options, the results folder) is made before any replicate runs;
the folder is reserved up front and written atomically.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import ScenarioError, printable, printable_markup
from ..options import RunOptions
from .app import (
    Format,
    FormatOpt,
    GivenOpt,
    NoPlotsOpt,
    OutOpt,
    PolicyOpt,
    ResumeOpt,
    ScenarioArg,
    SetOpt,
    UntilOpt,
    app,
    check_given,
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

DEFAULT_WEEKS = "1,26,52"
"""``--weeks`` when not given (with ``--given``: the week after the last fact, 26 and 52
weeks later)."""


def _pct(p: float, lo: float, hi: float) -> str:
    if p != p:  # NaN: no replicate to estimate from
        return "-"
    return f"{p:.1%}\n[{lo:.1%}, {hi:.1%}]"


def deal_table(result) -> Table:
    """The deal's figures as a rich table, one row per week."""
    from rich.table import Table

    from ..dates import week_label
    from ..deals import describe_terms

    t = result.table
    horizon = result.scenario.spec.horizon
    runs = int(t["runs"].iloc[0])
    table = Table(
        title=printable_markup(
            f"Deal '{result.deal}' ({describe_terms(result.terms)}) on "
            f"{result.scenario.label}: {runs:,} runs per week, seed {result.seed}"
        ),
        caption="Estimates with 95% Wilson intervals. Issues the deal does not name stay at "
        "their status quo. Blocker shares are of all runs; 'holds' is among runs where all "
        "accept.",
        header_style="bold",
    )
    table.add_column("Week", justify="right", overflow="fold")
    for actor in result.vetoes:
        table.add_column(f"{printable_markup(actor)} accepts", justify="right", overflow="fold")
    table.add_column("All accept", justify="right", overflow="fold")
    for actor in result.vetoes:
        table.add_column(f"Blocked by {printable_markup(actor)}", justify="right", overflow="fold")
    table.add_column(f"Holds to week {horizon}\n(if all accept)", justify="right", overflow="fold")
    for _, row in t.iterrows():
        cells = [week_label(int(row["week"]), result.scenario.spec.start)]
        for actor in result.vetoes:
            key = f"p_accept_{actor}"
            cells.append(_pct(row[key], row[f"{key}_lo"], row[f"{key}_hi"]))
        cells.append(_pct(row["p_all_accept"], row["p_all_accept_lo"], row["p_all_accept_hi"]))
        cells += [f"{row[f'blocker_{actor}']:.1%}" for actor in result.vetoes]
        held = int(round(row["p_all_accept"] * row["runs"]))
        cells.append(
            _pct(row["p_held"], row["p_held_lo"], row["p_held_hi"]) + f"\n({held:,} signed)"
            if held
            else "no ceasefire"
        )
        table.add_row(*cells, end_section=True)
    return table


@app.command(
    "deal",
    epilog=examples(
        "ceasefire deal scenarios/baseline.yaml --deal freeze --weeks 1,26,52",
        "ceasefire deal scenarios/baseline.yaml --terms territory=line,nato=0,troops=0.2",
        "ceasefire deal scenarios/baseline.yaml --deal freeze --weeks 2025-03-11,2025-11-21",
        "ceasefire deal scenarios/baseline.yaml --deal freeze --format csv > deal.csv",
    ),
)
@run_command()
def deal_command(
    scenario: ScenarioArg,
    deal: Annotated[
        str | None,
        typer.Option(
            "--deal", "-d", help="A deal named in the scenario's deals:.", show_default=False
        ),
    ] = None,
    terms: Annotated[
        str | None,
        typer.Option(
            "--terms",
            help="Or the terms: ISSUE=VALUE[,ISSUE=VALUE...], VALUE in [0, 1] or 'line' "
            "(territory: the line of contact that week); other issues stay at status quo.",
            show_default=False,
        ),
    ] = None,
    weeks: Annotated[
        str,
        typer.Option(
            "--weeks",
            help="Weeks to table the deal in, comma-separated: numbers, or dates "
            "(YYYY-MM-DD) when the scenario sets start:.",
        ),
    ] = DEFAULT_WEEKS,  # with --given: after the last fact (see the docstring)
    policy: PolicyOpt = None,
    set_: SetOpt = None,
    out: OutOpt = None,
    resume: ResumeOpt = None,
    no_plots: NoPlotsOpt = False,
    format_: FormatOpt = Format.table,
    record: GivenOpt = None,
    until: UntilOpt = None,
    options: RunOptions | None = None,
) -> None:
    """Table a deal in given weeks: who accepts it, how likely, and does it hold?

    With --given, the deal is tabled at the end of weeks after the record's last fact used (default: the week after it, 26 and 52 weeks later), in the worlds consistent with it.
    """
    from ..deals import deal_folder, parse_terms
    from ..snapshot import read_snapshot

    if (deal is None) == (terms is None):
        raise ScenarioError(
            "--deal", "", "give exactly one of --deal NAME or --terms ISSUE=VALUE,..."
        )
    parsed_terms = parse_terms(terms) if terms is not None else None
    check_given(record, until)
    snapshot = read_snapshot(scenario)  # the one read of the file: every week runs this text
    if record is not None:
        if resume is not None:  # the worlds given the record are not checkpointed
            raise ScenarioError("--resume", "", "cannot be combined with --given")
        _deal_given(
            snapshot,
            record,
            until,
            deal,
            parsed_terms,
            weeks,
            options,
            policy,
            set_,
            out,
            no_plots,
            format_,
        )
        return
    # weeks may be dates on the scenario's calendar: read with its start: (sim.deals)
    result, out = deal_folder(
        snapshot,
        deal,
        parsed_terms,
        [part.strip() for part in weeks.split(",")],
        policy,
        set_ or (),
        options,
        job(out, resume, no_plots),
    )
    for note in result.notes:  # on stderr: stdout may carry the CSV
        err_console.print(f"note: {printable(note)}", markup=False, highlight=False, soft_wrap=True)
    if format_ == Format.csv:
        print_csv(result.table)
        say_results(out, format_)
        return
    table_console().print(deal_table(result))
    say_results(out)


def _deal_given(
    snapshot, record, until, deal, terms, weeks, options, policy, set_, out, no_plots, format_
) -> None:  # fmt: skip
    """``deal --given``: the deal tabled after the record's last fact, in its worlds."""
    from ..record.given_folders import deal_given_folder
    from .given import print_given

    explicit = None if weeks == DEFAULT_WEEKS else weeks
    made, out = deal_given_folder(
        snapshot, record, until, deal, terms, explicit, policy, tuple(set_ or ()), options,
        job(out, None, no_plots),
    )  # fmt: skip
    if format_ == Format.csv:
        print_csv(made.deal.table)
        say_results(out, format_)
        return
    table_console().print(deal_table(made.deal))
    print_given(made.given)
    say_results(out)
