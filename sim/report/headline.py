"""The headline numbers of a run: ``summary.json`` as tables, every number with its
interval, whatever keys the file has (known keys get their registry label, unknown ones a
derived one)."""

from __future__ import annotations

from collections.abc import Mapping

from .page import Table, finite, fmt, humanize, is_share, label_of, num, pct


def run_headline(summary: Mapping, labels: Mapping[str, str]) -> list[Table]:
    """The headline numbers of ``summary.json``: every number with its interval, whatever
    keys the file has (known keys get their registry label, unknown ones a derived one)."""
    horizon = summary.get("horizon_weeks")
    rows = []
    if finite(summary.get("runs")):
        rows.append([["Runs"], [f"{int(summary['runs']):,}"], [""]])
    if finite(horizon):
        rows.append([["Horizon"], [f"{int(horizon)} weeks"], [""]])
    tables: list[Table] = []
    blocks: list[tuple[str, Mapping]] = []
    for key, value in summary.items():
        if key in ("runs", "horizon_weeks") or _interval_key(key, summary):
            continue
        if isinstance(value, Mapping):
            blocks.append((key, value))
            continue
        if isinstance(value, list | str | bool) or (value is not None and not finite(value)):
            continue
        lo, hi = summary.get(f"{key}_lo"), summary.get(f"{key}_hi")
        share = is_share(key, [value, lo, hi])
        interval = f"{fmt(key, lo, share)} – {fmt(key, hi, share)}" if lo is not None else ""
        rows.append([[label_of(key, horizon, labels)], [fmt(key, value, share)], [interval]])
    tables.append(Table("Headline outcomes", ["Outcome", "Estimate", "95% interval"], rows))
    for key, block in blocks:
        table = _block(key, block, horizon, labels)
        if table is not None:
            tables.append(table)
    return tables


def _interval_key(key: str, mapping: Mapping) -> bool:
    return key.endswith(("_lo", "_hi")) and key[:-3] in mapping


_QUANTILE_HEAD = {"q05": "5%", "q25": "25%", "q50": "median", "q75": "75%", "q95": "95%"}


def _block(key: str, block: Mapping, horizon: object, labels: Mapping[str, str]) -> Table | None:
    """A nested block of ``summary.json`` as a table: quantiles per issue, shares with or
    without intervals, or any mapping of numbers."""
    title = label_of(key, horizon, labels)
    if key == "terms":
        title = "Agreed terms (0-1 scale, over the runs that reached a ceasefire)"
    elif key == "final_control_quantiles":
        title = "Russia's final control (quantiles over runs)"
    elif key == "blockers":
        title = "Who blocked the last package (share of all runs)"
    if block and all(k in _QUANTILE_HEAD for k in block):  # one set of quantiles
        block = {"over all runs": block}
    values = list(block.values())
    if values and all(v is None or isinstance(v, Mapping) for v in values):
        quantiles = [v for v in values if v]
        if quantiles and all(set(v) <= set(_QUANTILE_HEAD) for v in quantiles):
            cols = [q for q in _QUANTILE_HEAD if any(q in v for v in quantiles)]
            rows = [
                [[str(name)], *([num(v.get(q))] if v else ["-"] for q in cols)]
                for name, v in block.items()
            ]
            return Table(title, ["", *(_QUANTILE_HEAD[q] for q in cols)], rows)
        rows = []
        for name, sub in block.items():
            rows.extend(_flat_rows(labels.get(str(name), str(name)), sub or {}, key))
        return Table(title, ["", "Estimate", "95% interval"], rows) if rows else None
    block = {labels.get(str(k), str(k)): v for k, v in block.items()}  # e.g. "accident"
    rows = _flat_rows("", block, key)
    return Table(title, ["", "Estimate", "95% interval"], rows) if rows else None


def _flat_rows(prefix: str, block: Mapping, parent: str) -> list[list[list[str]]]:
    """Rows of a mapping of numbers: ``x`` with ``x_lo``/``x_hi`` siblings, or a mapping
    with ``lo`` and ``hi`` and one estimate, shown with its interval; deeper mappings
    flattened with ``›``."""
    rows = []
    numbers = [v for v in block.values() if finite(v)]
    share_block = is_share("", numbers, parent) or (
        numbers and all(0 <= float(v) <= 1 for v in numbers) and "p_" in parent
    )
    if {"lo", "hi"} <= set(block) and len(block) >= 3:
        est_key = next((k for k in block if k not in ("lo", "hi")), None)
        value, lo, hi = block.get(est_key), block["lo"], block["hi"]
        share = is_share(str(est_key), [value, lo, hi], parent) or share_block
        f = pct if share else num
        return [[[prefix or humanize(str(est_key))], [f(value)], [f"{f(lo)} – {f(hi)}"]]]
    for name, value in block.items():
        name = str(name)
        label = f"{prefix} › {humanize(name)}" if prefix else humanize(name)
        if _interval_key(name, block):
            continue
        if isinstance(value, Mapping):
            rows.extend(_flat_rows(label, value, parent))
        elif finite(value) or value is None:
            lo, hi = block.get(f"{name}_lo"), block.get(f"{name}_hi")
            f = pct if share_block or is_share(name, [value, lo, hi], parent) else num
            rows.append([[label], [f(value)], [f"{f(lo)} – {f(hi)}" if lo is not None else ""]])
    return rows
