"""Helpers for the test suite (they need its extra dependencies, e.g. hypothesis):
:mod:`sim.testing.strategies`, hypothesis strategies drawn from the scenario schema's
declared bounds."""
