"""The package layout: what an installed wheel needs is inside ``sim``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.validation import checks

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("packaged", "original"),
    [
        (checks.MINI, ROOT / "tests" / "data" / "mini.yaml"),
        (checks.BASELINE, ROOT / "scenarios" / "baseline.yaml"),
    ],
    ids=["mini", "baseline"],
)
def test_packaged_scenarios_are_copies_of_the_repository_ones(packaged, original):
    """`ceasefire reproduce` runs the copies in sim/validation/scenarios/ (package data);
    edit the original, then copy it there."""
    assert packaged.read_bytes() == original.read_bytes(), f"cp {original} {packaged}"


def test_validation_needs_nothing_outside_the_package():
    package = Path(checks.__file__).resolve().parent
    for path in (checks.DUEL, checks.MINI, checks.BASELINE):
        assert path.is_file() and path.resolve().is_relative_to(package), path
