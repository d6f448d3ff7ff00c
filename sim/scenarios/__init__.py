"""The scenarios shipped with the package (copies of the repository's ``scenarios/``,
held equal by ``tests/test_shipped_scenarios.py``), so that ``ceasefire run baseline``
works from an installed wheel, with no checkout beside it.

A scenario argument that is no file and names no folder (``baseline``, ``us_disengages``)
is looked up here by :func:`shipped`.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    """The shipped scenarios' names (file stems)."""
    return sorted(p.stem for p in HERE.glob("*.yaml"))


def shipped(path: str | Path) -> Path:
    """``path`` itself, or the shipped scenario it names: a bare name (no folder, no file of
    that name here) such as ``baseline`` or ``baseline.yaml``."""
    given = Path(path)
    if given.exists() or len(given.parts) != 1:
        return given
    candidate = HERE / (given.name if given.suffix in (".yaml", ".yml") else f"{given.name}.yaml")
    return candidate if candidate.is_file() else given
