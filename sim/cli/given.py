"""What ``run``, ``compare`` and ``deal`` print when given the record (``--given``).

Only the app's helpers are imported here, so every command module may use it.
"""

from __future__ import annotations

from ..errors import printable, printable_markup
from .app import table_console


def _pct(x: float) -> str:
    return "-" if x != x else f"{x:.1%}"


def print_given(given) -> None:
    """The record a result is given, and the outcome clocks from its last fact."""
    console = table_console()
    console.print(printable(given.message()), markup=False, highlight=False, soft_wrap=True)
    for weeks, (p, lo, hi) in given.clocks.items():
        console.print(
            f"P(a ceasefire in force within {weeks} weeks after {given.last_date}): "
            f"{_pct(p)} [{_pct(lo)}, {_pct(hi)}]",
            markup=False,
            highlight=False,
        )


def given_clock_table(clocks):
    """``compare --given``: per arm, P(a ceasefire within 26 / 52 weeks after the last
    fact) and the paired difference from the reference."""
    from rich.table import Table

    table = Table(title="Given the record: from the last fact used", header_style="bold")
    table.add_column("Arm", overflow="fold")
    keys = [c for c in clocks.columns if c.startswith("p_within_") and c.count("_") == 2]
    for key in keys:
        weeks = key.removeprefix("p_within_")
        table.add_column(f"P(ceasefire within {weeks} weeks)", justify="right")
        table.add_column("Difference [95%]", justify="right")
    for _, r in clocks.iterrows():
        cells = [printable_markup(r["arm"])]
        for key in keys:
            cells.append(f"{_pct(r[key])} [{_pct(r[key + '_lo'])}, {_pct(r[key + '_hi'])}]")
            d = r[key + "_diff"]
            cells.append(
                "reference"
                if d != d
                else f"{d * 100:+.1f} pp [{r[key + '_diff_lo'] * 100:+.1f}, "
                f"{r[key + '_diff_hi'] * 100:+.1f}]"
            )
        table.add_row(*cells)
    return table
