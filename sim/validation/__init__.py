"""The validation table (``ceasefire reproduce``, ``docs/validation.md``).

- ``checks.py``: one check per row of the table, grouped by section;
- ``data.py``: the published numbers the checks reproduce;
- ``scenarios/``: the scenario files the checks run, shipped as package data so that
  ``ceasefire reproduce`` works from an installed wheel.
"""

from .checks import CHECKS, Row, run_all, run_check

__all__ = ["CHECKS", "Row", "run_all", "run_check"]
