"""Reading scenario files: a safe YAML 1.2 loader (no object tags, no duplicate keys, no
alias bombs), size and depth limits, and ``extends:`` inheritance.
"""

from __future__ import annotations

import copy
import errno
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError
from .schema import DISTRIBUTION_KINDS, MAX_EXTENDS_DEPTH, MAX_FILE_BYTES

MAX_YAML_NODES = 100_000
"""Most values (mappings, lists and scalars) a document may hold once its aliases are
expanded.  Hand-written scenarios hold a few hundred; the bound stops an alias bomb
("billion laughs": a few lines that expand to billions of values) before anything walks it."""

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"

# Numbers by the YAML 1.2 core schema.  PyYAML implements YAML 1.1, where `052` is octal
# (42), `1:30` is base 60 (90), `1_000` is 1000 and `1e-3` (no dot) is text: all surprises
# in a hand-written file.  Under 1.2, `052` is 52, `0o52` is octal, `0x2A` hexadecimal, and
# `1:30` and `1_000` are text (then refused by the schema as "must be a number").
_YAML12_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_YAML12_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def _yaml12_resolvers() -> dict:
    """SafeLoader's implicit resolvers without its YAML 1.1 int and float rules."""
    return {
        first: [(tag, rx) for tag, rx in rules if tag not in (_INT_TAG, _FLOAT_TAG)]
        for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe loader for scenarios: YAML 1.2 numbers, no duplicate keys, bounded aliases."""

    yaml_implicit_resolvers = _yaml12_resolvers()

    def compose_document(self) -> yaml.Node:
        # the node graph shares aliased nodes, so it is small even for an alias bomb;
        # measure what it would expand to before anything constructs or walks it
        node = super().compose_document()
        _check_expansion(node)
        return node


def _check_expansion(root: yaml.Node, limit: int = MAX_YAML_NODES) -> None:
    """Refuse a node graph that expands to more than ``limit`` values, or that contains
    itself (an alias inside its own anchor), without expanding it."""
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > limit:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"aliases expand to more than {limit:,} values",
                    node.start_mark,
                )
            continue
        if key in size:
            continue
        if key in open_:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to a node that contains it", node.start_mark
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _construct_int(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if not _YAML12_INT.match(text):  # e.g. `!!int 1:30`: no YAML 1.1 forms, even tagged
        raise yaml.constructor.ConstructorError(
            None, None, f"not a whole number: {text!r}", node.start_mark
        )
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)  # `052` is 52, never octal


def _construct_float(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node)
    if not _YAML12_FLOAT.match(text) and not _YAML12_INT.match(text):
        raise yaml.constructor.ConstructorError(
            None, None, f"not a number: {text!r}", node.start_mark
        )
    lowered = text.lower()
    if lowered.endswith((".inf", ".nan")):
        sign = -1.0 if lowered.startswith("-") else 1.0
        return sign * math.inf if lowered.endswith("inf") else math.nan
    if text.startswith(("0o", "0x")):
        return float(_construct_int(loader, node))
    return float(text)


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:  # `<<: *anchor` merges; its keys may be overridden
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # a list or mapping used as a key
            raise yaml.constructor.ConstructorError(
                None, None, "keys must be plain text or numbers", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor(_INT_TAG, _construct_int)
_UniqueKeyLoader.add_constructor(_FLOAT_TAG, _construct_float)
_UniqueKeyLoader.add_implicit_resolver(_INT_TAG, _YAML12_INT, list("-+0123456789"))
_UniqueKeyLoader.add_implicit_resolver(_FLOAT_TAG, _YAML12_FLOAT, list("-+0123456789."))


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text safely; errors become one-line :class:`ScenarioError`."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as err:  # a character YAML does not allow
        before = text[: err.position]
        where = f"line {before.count(chr(10)) + 1}, column {len(before.rsplit(chr(10), 1)[-1]) + 1}"
        char = err.character if isinstance(err.character, str) else chr(err.character)
        problem = f"character {ord(char):#06x} is not allowed in YAML"
        raise ScenarioError(source, where, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        if "could not determine a constructor" in str(err):
            problem = "YAML tags that build objects are not allowed"
        raise ScenarioError(source, where, f"invalid YAML: {problem}") from None
    except RecursionError:
        raise ScenarioError(source, "", "invalid YAML: nested too deeply") from None
    except ValueError as err:  # e.g. an integer longer than Python converts
        raise ScenarioError(source, "", f"invalid YAML: {str(err).split(';')[0]}") from None


def read_text(path: Path) -> str:
    """Read a scenario file as UTF-8 text with a size limit."""
    try:
        size = path.stat().st_size
    except OSError as err:
        problem = "file not found" if err.errno == errno.ENOENT else _os_problem(err)
        raise ScenarioError(str(path), "", problem) from None
    if not path.is_file():
        raise ScenarioError(str(path), "", "not a file")
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            str(path), "", f"file is {size:,} bytes; scenario files are limited to 1 MB"
        )
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(str(path), "", f"not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise ScenarioError(str(path), "", f"cannot read: {err.strerror}") from None


def _os_problem(err: OSError | RuntimeError) -> str:
    """A path the system cannot follow, in words (no exception names, no traceback)."""
    if isinstance(err, RuntimeError) or getattr(err, "errno", None) == errno.ELOOP:
        return "cannot read: symbolic link loop"  # Python < 3.13 raises RuntimeError
    return f"cannot read: {(err.strerror or str(err)).lower()}"


def resolve_path(path: Path, source: str, field: str = "") -> Path:
    """``path.resolve()``, with a symlink loop or an over-long name as a ScenarioError."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as err:
        raise ScenarioError(source, field, _os_problem(err)) from None


def is_distribution(value: Any) -> bool:
    """Whether a raw YAML value is written as a distribution (``{uniform: [a, b]}``, ...)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    kind, args = next(iter(value.items()))
    if kind == "normal":
        return isinstance(args, Mapping)
    return kind in DISTRIBUTION_KINDS and isinstance(args, list)


def deep_merge(base: Mapping, override: Mapping) -> dict:
    """Merge ``override`` into ``base``: mappings merge key by key, anything else replaces.

    A distribution is one value, not a section: on either side it replaces the other's
    value wholesale, so a child's ``{triangular: ...}`` replaces a parent's ``{uniform: ...}``.
    """
    merged = dict(copy.deepcopy(base))
    for key, value in override.items():
        old = merged.get(key)
        if is_distribution(value) or is_distribution(old):
            merged[key] = copy.deepcopy(value)
        elif isinstance(value, Mapping) and isinstance(old, Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


MAX_DEPTH = 24
"""Deepest nesting of mappings and lists a scenario document may have."""


def check_depth(doc: Any, source: str, limit: int = MAX_DEPTH) -> None:
    """Refuse documents nested deeper than ``limit`` (also catches self-referencing aliases)."""
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, dict):
            items: Iterable = ((f"{where}.{k}" if where else str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            items = ((f"{where}[{i}]", v) for i, v in enumerate(node))
        else:
            continue
        if depth >= limit:
            top = re.split(r"[.\[]", where, maxsplit=1)[0]
            raise ScenarioError(source, top, f"nested more than {limit} levels deep")
        stack.extend((child, path, depth + 1) for path, child in items)


def _load_document(
    path: Path,
    chain: tuple[Path, ...],
    texts: dict[str, str],
    read: Callable[[Path], str] | None = None,
) -> dict:
    """The merged document of ``path`` and its ``extends:`` parents, their texts recorded in
    ``texts``.  ``read`` (default: the file system) gives a file's text: a scenario's own
    record of its texts can be read again this way (:func:`sim.snapshot.snapshot_of`)."""
    source = str(path)
    text = read_text(path) if read is None else read(path)
    texts[source] = text
    doc = parse_yaml(text, source)
    if doc is None:
        raise ScenarioError(source, "", "file is empty")
    if not isinstance(doc, dict):
        raise ScenarioError(
            source, "", f"expected a mapping at top level, got {type(doc).__name__}"
        )
    check_depth(doc, source)
    parent = doc.pop("extends", None)
    if parent is None:
        return doc
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(source, "extends", f"must be a file name, got {parent!r}")
    if Path(parent).suffix.lower() not in {".yaml", ".yml"}:
        raise ScenarioError(
            source, "extends", f"must name a .yaml or .yml scenario file, got {parent!r}"
        )
    # relative to the extending file's folder, never to the working directory
    parent_path = resolve_path(path.parent / parent, source, "extends")
    if parent_path in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent_path))
        raise ScenarioError(source, "extends", f"inheritance cycle: {cycle}")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            source, "extends", f"more than {MAX_EXTENDS_DEPTH} files in the extends chain"
        )
    if read is None:
        try:
            found = parent_path.is_file()
        except OSError as err:  # e.g. a name longer than the system allows
            raise ScenarioError(source, "extends", _os_problem(err)) from None
        if not found:
            raise ScenarioError(source, "extends", f"parent file not found: {parent}")
    return deep_merge(_load_document(parent_path, (*chain, parent_path), texts, read), doc)
