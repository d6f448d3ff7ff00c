"""The ``calibrate`` and ``backtest`` commands: the scenario's worlds against the record.

The commands parse their options, call :mod:`sim.record` and print.  Every check (the
record file against the scenario, ``--until``, the options, the results folder) is made
before any replicate runs; the folder is reserved up front and written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import printable, printable_markup
from ..options import RunOptions
from .app import (
    NoPlotsOpt,
    OutOpt,
    PolicyOpt,
    ScenarioArg,
    SetOpt,
    UntilOpt,
    app,
    err_console,
    examples,
    job,
    run_command,
    say_results,
    table_console,
)

RecordArg = Annotated[
    Path, typer.Argument(help="Record file of dated facts (docs/record.md).", show_default=False)
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout instead of the tables.")
]


def _score(x: float | None) -> str:
    return "-" if x is None or x != x else f"{x:.3f}"


def _pct(x: float) -> str:
    return "-" if x != x else f"{x:.1%}"


def _prepare(scenario: Path, record: Path, policy, set_, until=None):
    """Every check before a replicate runs: the scenario, the record, ``--until``."""
    from ..record.facts import check_until, load_record
    from ..scenario import load_scenario

    loaded = load_scenario(scenario, policy=policy, overrides=set_ or ())
    bound = load_record(record, loaded.spec)
    return loaded, bound, check_until(bound, until)


@app.command(
    epilog=examples(
        "ceasefire calibrate scenarios/baseline.yaml seeds/record-2025.yaml --runs 20000",
        "ceasefire calibrate scenarios/baseline.yaml seeds/record-2025.yaml --until 2025-09-30",
        "ceasefire calibrate scenarios/baseline.yaml seeds/record-2025.yaml --json",
    )
)
@run_command()
def calibrate(
    scenario: ScenarioArg,
    record: RecordArg,
    until: UntilOpt = None,
    policy: PolicyOpt = None,
    set_: SetOpt = None,
    out: OutOpt = None,
    json_: JsonOpt = False,
    no_plots: NoPlotsOpt = False,
    options: RunOptions | None = None,
) -> None:
    """Keep the prior worlds in which the record's facts hold: what do they say?

    Prints how many worlds pass, each fact's share among the prior worlds and (held out) among the kept ones, and each uncertain input's prior and posterior; writes a results folder (the kept replicates, facts.csv, inputs.csv, plots, report.html).
    """
    from ..record.calibrate import calibrate_folder

    loaded, bound, until = _prepare(scenario, record, policy, set_, until)
    result, out = calibrate_folder(loaded, bound, until, options, job(out, None, no_plots))
    if json_:
        typer.echo(json.dumps(result.to_json(), allow_nan=False))
        err_console.print(printable(result.message()), markup=False, highlight=False)
        err_console.print(
            f"Results: {printable(out)}", markup=False, highlight=False, soft_wrap=True
        )
        return
    console = table_console()
    console.print(printable(result.message()), markup=False, highlight=False, soft_wrap=True)
    console.print(_facts_table(result))
    console.print(_inputs_table(result))
    say_results(out)


def _facts_table(result):
    from rich.table import Table

    table = Table(
        title="Facts: share among the prior worlds and among the kept worlds",
        caption="A held-out fact below 50% among the kept worlds is flagged.",
        header_style="bold",
    )
    for col in ("Fact", "Date", "Use", "Prior", "Among kept"):
        table.add_column(
            col, justify="left" if col in ("Fact", "Use") else "right", overflow="fold"
        )
    for r in result.facts.itertuples():
        use = "used" if r.used else ("held out  FLAGGED" if r.flagged else "held out")
        table.add_row(printable_markup(r.name), r.date, use, _pct(r.prior), _pct(r.posterior))
    return table


def _inputs_table(result, top: int = 12):
    from rich.table import Table

    table = Table(
        title=f"Uncertain inputs (the {top} that moved most)",
        caption="Shift: the posterior mean minus the prior mean, in prior standard deviations.",
        header_style="bold",
    )
    for col in ("Input", "Prior mean", "Prior sd", "Posterior mean", "Posterior sd", "Shift"):
        table.add_column(col, justify="left" if col == "Input" else "right", overflow="fold")
    ranked = result.inputs.assign(size=result.inputs["shift_sd"].abs()).sort_values(
        "size", ascending=False, na_position="last"
    )
    for r in ranked.head(top).itertuples():
        cells = [
            f"{v:.4g}" if v == v else "-"
            for v in (r.prior_mean, r.prior_sd, r.posterior_mean, r.posterior_sd)
        ]
        shift = f"{r.shift_sd:+.2f}" if r.shift_sd == r.shift_sd else "-"
        table.add_row(printable_markup(r.path), *cells, shift)
    return table


@app.command(
    epilog=examples(
        "ceasefire backtest scenarios/baseline.yaml seeds/record-2025.yaml --runs 20000",
        "ceasefire backtest scenarios/baseline.yaml seeds/record-2025.yaml --json",
    )
)
@run_command()
def backtest(
    scenario: ScenarioArg,
    record: RecordArg,
    policy: PolicyOpt = None,
    set_: SetOpt = None,
    out: OutOpt = None,
    json_: JsonOpt = False,
    no_plots: NoPlotsOpt = False,
    options: RunOptions | None = None,
) -> None:
    """Score the model's forecasts of the record's questions (Brier and log scores).

    Each question's probability is among the worlds in which the facts dated before it was asked hold; references (other forecasts of the same question) are scored alike.
    """
    from ..record.backtest import backtest_folder

    loaded, bound, _ = _prepare(scenario, record, policy, set_)
    result, out = backtest_folder(loaded, bound, options, job(out, None, no_plots))
    if json_:
        typer.echo(json.dumps(result.to_json(), allow_nan=False))
        err_console.print(
            f"Results: {printable(out)}", markup=False, highlight=False, soft_wrap=True
        )
        return
    table_console().print(_questions_table(result))
    for line in result.warnings():
        err_console.print(printable(line), markup=False, highlight=False)
    say_results(out)


def _questions_table(result):
    from rich.table import Table

    refs = result.references()
    table = Table(
        title="Forecasts of the record's questions and their scores (lower is better)",
        caption="Brier: (p - outcome)^2. Log: -ln of the probability given to what happened.",
        header_style="bold",
    )
    for col in ("Question", "Asked", "By", "Model P", "Kept", "Outcome", "Brier", "Log"):
        table.add_column(col, justify="left" if col == "Question" else "right", overflow="fold")
    for name in refs:
        table.add_column(f"{printable_markup(name)} P (Brier)", justify="right", overflow="fold")
    for _, row in result.questions.iterrows():
        cells = [
            printable_markup(row["name"]),
            row["asked"],
            row["ceasefire_by"],
            _pct(row["p"]),
            f"{int(row['kept']):,}",
            "yes" if row["outcome"] else "no",
            _score(row["brier"]),
            _score(row["log"]),
        ]
        for name in refs:
            p, b = row[f"ref:{name}"], row[f"ref_brier:{name}"]
            cells.append("-" if p != p else f"{p:.0%} ({b:.3f})")
        table.add_row(*cells)
    means = result.to_json()
    table.add_row(
        "Mean",
        *[""] * 5,
        _score(means["brier"]),
        _score(means["log"]),
        *(f"({_score(means['reference_brier'][n])})" for n in refs),
    )
    return table
