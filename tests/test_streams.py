"""Keyed random streams: a replicate's numbers depend only on (seed, purpose, index)."""

from __future__ import annotations

import numpy as np

from sim.streams import uniforms


def test_blocks_match_whatever_the_split():
    whole = uniforms(3, "battlefield", 0, 1000, 104)
    pieces = np.vstack(
        [uniforms(3, "battlefield", a, min(a + 137, 1000), 104) for a in range(0, 1000, 137)]
    )
    np.testing.assert_array_equal(whole, pieces)
    np.testing.assert_array_equal(whole[999:], uniforms(3, "battlefield", 999, 1000, 104))


def test_streams_are_open_unit_interval_and_independent_by_key_and_seed():
    a = uniforms(3, "battlefield", 0, 2000, 7)
    assert a.min() > 0 and a.max() < 1
    assert abs(a.mean() - 0.5) < 0.01
    b = uniforms(3, "durability", 0, 2000, 7)
    c = uniforms(4, "battlefield", 0, 2000, 7)
    assert (
        abs(np.corrcoef(a.ravel(), b.ravel())[0, 1]) < 0.035
    )  # four standard errors at n = 14,000
    assert (
        abs(np.corrcoef(a.ravel(), c.ravel())[0, 1]) < 0.035
    )  # four standard errors at n = 14,000
