"""Changing a raw scenario document by dotted path: policies' ``set:`` and ``--set``."""

from __future__ import annotations

from typing import Any

from ..errors import ScenarioError
from .fields import OPTIONAL_SECTIONS
from .reading import parse_yaml


def set_path(doc: dict, path: str, value: Any, source: str) -> None:
    """Set a dotted ``path`` in a raw scenario document.

    Creates the last key, and an optional section the file left out; any other missing
    step is an error naming it.
    """
    keys = path.split(".")
    if not path or any(not k for k in keys):
        raise ScenarioError(source, repr(path), "not a valid field path")
    node: Any = doc
    for depth, key in enumerate(keys[:-1]):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
            continue
        if depth == 0 and key in OPTIONAL_SECTIONS and isinstance(node, dict):
            node.setdefault(key, {})  # a section left to its defaults can still be set
        if depth == 1 and keys[0] == "durability" and key == "tripwire":
            node.setdefault(key, {})
        if not isinstance(node, dict) or key not in node:
            raise ScenarioError(source, path, f"no such field: {'.'.join(keys[: depth + 1])}")
        node = node[key]
    if isinstance(node, list) and keys[-1].isdigit() and int(keys[-1]) < len(node):
        node[int(keys[-1])] = value
    elif isinstance(node, dict):
        node[keys[-1]] = value
    else:
        raise ScenarioError(source, path, "no such field")


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``PATH=VALUE`` from the command line; the value is read as a YAML scalar."""
    if "=" not in text:
        raise ScenarioError("--set", text, "expected PATH=VALUE")
    path, raw = text.split("=", 1)
    return path.strip(), parse_yaml(raw, f"--set {path.strip()}")
