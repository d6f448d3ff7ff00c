"""What every check of the validation table shares: its :class:`Row`, the scenario files it
runs (shipped with the package) and the paired-effect threshold."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
"""The scenario files the checks run, shipped with the package (so ``ceasefire reproduce``
works from a wheel): ``duel.yaml`` lives only here; ``mini.yaml`` and ``baseline.yaml`` are
copies of ``tests/data/mini.yaml`` and ``scenarios/baseline.yaml``, which
``tests/test_layout.py`` holds equal."""
DUEL = SCENARIOS / "duel.yaml"
MINI = SCENARIOS / "mini.yaml"
BASELINE = SCENARIOS / "baseline.yaml"

T_MIN = 3.0
"""A paired effect counts only if its mean is at least this many standard errors from 0."""


@dataclass(frozen=True)
class Row:
    """One line of the validation table.

    Attributes
    ----------
    key : str
        Short identifier (the test and the CLI use it).
    reference : str
        The published source.
    claim : str
        What the source establishes, in a few words.
    ours : str
        Our figure.
    theirs : str
        Their figure, or the expected sign/band.
    passed : bool
        Whether ours reproduces theirs (for a documented departure: whether the departure
        is as documented).
    departure : str
        Empty, or why this row departs from the source on purpose.
    """

    key: str
    reference: str
    claim: str
    ours: str
    theirs: str
    passed: bool
    departure: str = ""
