"""The model's assumptions with their sources, read from the scenario text itself.

The shipped scenario files say where each number comes from in a YAML comment beside it
(``capability: 1.49   # [SIPRI] 2024 military expenditure $149 bn``); the tags in brackets
are rows of the source table in ``seeds/README.md``.  :func:`commented_fields` pairs each
commented field with its dotted path and value, :func:`source_rows` finds the rows of the
README's tables that the tags name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

_KEY = re.compile(
    r"""^(?P<indent>\s*)(?P<dash>-\s+)?"""
    r"""(?P<key>(?!-\s)[^\s#:'"{}\[\],][^:#{}\[\]]*?|"[^"]*"|'[^']*')\s*:(?:\s+|$)(?P<rest>.*)$"""
)
_TAG = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)\]")
MAX_VALUE = 80
"""Longest value shown beside a field (longer ones are cut with an ellipsis)."""


@dataclass(frozen=True)
class Field:
    """A scenario field with the comment that gives its source."""

    path: str
    value: str
    comment: str
    line: int

    @property
    def tags(self) -> list[str]:
        return _TAG.findall(self.comment)


def split_comment(line: str) -> tuple[str, str]:
    """``(text, comment)`` of a YAML line: the comment starts at a ``#`` outside quotes that
    begins the line or follows a space."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def header_comments(text: str) -> list[str]:
    """The comment lines at the top of the file, before its first field."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            if out:
                out.append("")
            continue
        if not stripped.startswith("#"):
            break
        out.append(stripped.lstrip("#").strip())
    while out and not out[-1]:
        out.pop()
    return out


def commented_fields(text: str) -> list[Field]:
    """Every field of a scenario text that has a comment beside it or on the lines above.

    The dotted path follows the indentation (``actors.Russia.capability``); list items are
    ``events[]``.  Block scalars (``description: >``) are skipped over.  The header comments
    (:func:`header_comments`) are left out.
    """
    fields: list[Field] = []
    stack: list[tuple[int, str]] = []
    pending: list[str] = []
    block_indent: int | None = None
    started = False
    for number, raw in enumerate(text.splitlines(), start=1):
        indent = len(raw) - len(raw.lstrip())
        if block_indent is not None:
            if not raw.strip() or indent > block_indent:
                continue
            block_indent = None
        body, comment = split_comment(raw)
        if not body.strip():
            if _words(comment) and started:
                pending.append(comment)
            elif not raw.strip() and pending and not started:
                pending = []
            continue
        started = True
        match = _KEY.match(body)
        if match is None:  # a list item without a key, a flow continuation
            if comment or pending:
                while stack and stack[-1][0] > indent:
                    stack.pop()
                value = body.strip().removeprefix("-").strip()
                fields.append(_field(_join(stack) + "[]", value, pending, comment, number))
            pending = []
            continue
        key = match["key"].strip().strip("'\"")
        if match["dash"]:
            while stack and (stack[-1][0] > indent or stack[-1] == (indent, "[]")):
                stack.pop()
            stack.append((indent, "[]"))
            level = indent + len(match["dash"])
        else:
            level = indent
        while stack and stack[-1][0] >= level:
            stack.pop()
        path = _join([*stack, (level, key)])
        stack.append((level, key))
        value = match["rest"].strip()
        if value[:1] in (">", "|"):
            block_indent = level
            value = "(text)"
        if _words(comment) or pending:
            fields.append(_field(path, value, pending, comment, number))
        pending = []
    return fields


def _words(comment: str) -> bool:
    """Whether a comment says something (a rule of dashes does not)."""
    return any(ch.isalnum() for ch in comment)


def _join(stack: list[tuple[int, str]]) -> str:
    path = ""
    for _, key in stack:
        path = path + key if key == "[]" else (f"{path}.{key}" if path else key)
    return path


def _field(path: str, value: str, pending: list[str], comment: str, line: int) -> Field:
    if len(value) > MAX_VALUE:
        value = value[: MAX_VALUE - 1] + "…"
    text = " ".join([*pending, comment]).strip()
    return Field(path=path, value=value, comment=text, line=line)


def find_seeds_readme(sources: Iterable[str], bases: Iterable[Path]) -> Path | None:
    """``seeds/README.md`` beside the scenario files' folder or one of its parents (the
    sources taken relative to each of ``bases``), if there is one."""
    tried: set[Path] = set()
    for base in bases:
        for source in sources:
            start = (Path(base) / source).parent
            for folder in (start, *list(start.parents)[:3]):
                candidate = folder / "seeds" / "README.md"
                if candidate in tried:
                    continue
                tried.add(candidate)
                if candidate.is_file():
                    return candidate.resolve()
    return None


def source_rows(readme: str, tags: Iterable[str]) -> dict[str, list[str]]:
    """For each tag, the rows of the README's Markdown tables whose first cell names it
    (``| `[SIPRI]` | ...``), each row as its cells after the first, joined by `` — ``."""
    wanted = set(tags)
    found: dict[str, list[str]] = {}
    for line in readme.splitlines():
        if not line.startswith("|"):
            continue
        cells = [_plain(c) for c in line.strip().strip("|").split("|")]
        if not cells:
            continue
        for tag in _TAG.findall(cells[0]):
            if tag in wanted:
                found.setdefault(tag, []).append(" — ".join(c for c in cells[1:] if c))
    return found


def _plain(cell: str) -> str:
    """A Markdown table cell as plain text (backticks and emphasis removed)."""
    return re.sub(r"[`*]", "", cell).strip()


def texts_in_order(texts: Mapping[str, str], source: str | None) -> list[tuple[str, str]]:
    """The scenario texts with the named source first (its ``extends:`` parents after)."""
    items = list(texts.items())
    items.sort(key=lambda kv: kv[0] != source)
    return items
