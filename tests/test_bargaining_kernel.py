"""The compiled bargaining round equals the NumPy reference.

``sim.mechanics.bargaining_kernel.bargaining_round_fast`` is a numba twin of
``sim.mechanics.bargaining.bargaining_round`` (default ``selection="closest"``).
Every test here compares the two on the same inputs, with the coarse grids,
co-located actors, zero capabilities/saliences, out-of-domain values and
``q < 1`` cases that exercise the exact-tie and threshold rules.

The kernel reproduces the reference's arithmetic operation by operation, but
they are two implementations: NumPy's SIMD ``exp``/``log``/``power`` (AVX-512,
NEON) are not the libm functions numba's LLVM code calls, so the last bit may
differ (1.9e-17 seen on an AVX-512 machine).  Every comparison between the two
is therefore made within :data:`RTOL`/:data:`ATOL`; bit identity is asked only
of the same code path (a row against its batch, repeated batches).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.mechanics.bargaining import bargaining_round, resolve_offers  # noqa: E402
from sim.mechanics.bargaining_kernel import bargaining_round_fast  # noqa: E402
from sim.validation import data as vd

# A RuntimeWarning from either implementation (division by zero...) is a failure.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

# Tolerances between the kernel and the reference: positions live in [0, 1], so a few
# ulps of libm disagreement is ~1e-16; 1e-12 leaves room for a handful of rounding steps
# compounding over several rounds while still catching any real disagreement of the rules.
RTOL = 1e-12
ATOL = 1e-12

QS = [1.0, 0.8, 0.5, 0.25, 0.0]
TS = [1.0, 0.5, 0.0]


def assert_same(x, c, s, q=1.0, t=1.0) -> np.ndarray:
    fast = bargaining_round_fast(x, c, s, q, t)
    ref = bargaining_round(x, c, s, q, t)
    assert fast.shape == ref.shape
    assert fast.dtype == np.float64
    np.testing.assert_allclose(fast, ref, rtol=RTOL, atol=ATOL)
    return fast


# --------------------------------------------------------------------------- Masad's EC case

# Masad's table eg_agent_data: capability, position and salience of the ten EC members.
EC_C, EC_X, EC_S = vd.EC_C, vd.EC_X, vd.EC_S
GREECE, UK, NETHERLANDS, DENMARK = 9, 6, 0, 8


def test_ec_case_matches_reference_and_masad() -> None:
    new = assert_same(EC_X, EC_C, EC_S)
    assert new.shape == (10,)
    # Masad's narrative: Greece reneges (Denmark compromised with it), the UK
    # gets no credible offer, the Netherlands loses its conflict with Belgium
    # in expectation, Denmark takes a small step towards Greece.
    # Greece and the UK stay where they are (no arithmetic: exact in both implementations)
    assert new[GREECE] == 0.5 and new[UK] == 1.0
    assert new[NETHERLANDS] == pytest.approx(0.5 * 0.2145 / 0.3385)
    assert 0.0 < new[DENMARK] < 0.05
    # a different implementation (NumPy's resolve_offers): within tolerance, not bit for bit
    reference = resolve_offers(EC_X, EC_C, EC_S).new_position
    np.testing.assert_allclose(new, reference, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("q,t", [(1.0, 1.0), (0.5, 0.5), (0.0, 1.0), (0.8, 0.0)])
def test_ec_case_iterated(q, t) -> None:
    # Several rounds, feeding each output back in, as the simulator does.
    x_fast = x_ref = EC_X
    for _ in range(8):
        x_fast = bargaining_round_fast(x_fast, EC_C, EC_S, q, t)
        x_ref = bargaining_round(x_ref, EC_C, EC_S, q, t)
        np.testing.assert_allclose(x_fast, x_ref, rtol=RTOL, atol=ATOL)


# --------------------------------------------------------------------------- seeded batches


REGIMES = ["uniform", "grid", "coarse", "outside"]


def _batch(rng: np.random.Generator, r: int, n: int, regime: str):
    x = rng.random((r, n))
    c = rng.random((r, n))
    s = rng.random((r, n))
    if regime == "grid":  # multiples of 0.1: exact ties in distances and votes
        x = np.round(x * 10.0) / 10.0
        c = np.round(c * 4.0) / 4.0  # includes zero capabilities
        s = np.round(s * 5.0) / 5.0  # includes zero saliences
    elif regime == "coarse":  # a handful of positions, duplicated actors, edges
        x = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], size=(r, n))
        if n > 1:
            x[:, 1] = x[:, 0]
        c[rng.random((r, n)) < 0.2] = 0.0
        s[rng.random((r, n)) < 0.2] = 0.0
        s[rng.random((r, n)) < 0.2] = 1.0
    elif regime == "outside":  # out-of-domain values are clipped by both
        x = x * 1.4 - 0.2
        c = c - 0.2
        s = s * 1.4 - 0.2
    return x, c, s


@pytest.mark.parametrize("n", range(1, 13))
@pytest.mark.parametrize("regime", REGIMES)
def test_seeded_batches(n, regime) -> None:
    rng = np.random.default_rng([n, len(regime)])
    x, c, s = _batch(rng, 50, n, regime)
    for q in QS:
        t = TS[int(rng.integers(len(TS)))]
        assert_same(x, c, s, q, t)


def test_large_batch_at_simulator_size() -> None:
    rng = np.random.default_rng(2024)
    for regime in ("uniform", "grid", "coarse"):
        x, c, s = _batch(rng, 400, 11, regime)
        assert_same(x, c, s)


# --------------------------------------------------------------------------- hypothesis

grid = st.integers(0, 10).map(lambda k: k / 10.0)
unit = st.one_of(grid, st.floats(0.0, 1.0), st.sampled_from([0.0, 0.25, 0.5, 1.0]))
position_el = st.one_of(unit, st.sampled_from([-0.05, 1.2]))
capability_el = st.one_of(st.just(0.0), grid, st.floats(0.0, 10.0), st.just(-0.5))
salience_el = st.one_of(st.just(0.0), unit, st.just(1.3))


@st.composite
def games(draw):
    """A few replicates drawn element by element, stacked on up to 46 seeded ones."""
    n = draw(st.integers(1, 12))
    r = draw(st.integers(1, 4))
    x = draw(hnp.arrays(np.float64, (r, n), elements=position_el))
    c = draw(hnp.arrays(np.float64, (r, n), elements=capability_el))
    s = draw(hnp.arrays(np.float64, (r, n), elements=salience_el))
    extra = draw(st.integers(0, 46))
    if extra:
        regime = draw(st.sampled_from(REGIMES))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        more = _batch(rng, extra, n, regime)
        x, c, s = (np.concatenate([a, b]) for a, b in zip((x, c, s), more, strict=True))
    if n > 1 and draw(st.booleans()):  # co-locate two actors in every replicate
        i, j = draw(st.permutations(range(n)))[:2]
        x[:, j] = x[:, i]
    q = draw(st.sampled_from(QS))
    t = draw(st.sampled_from(TS))
    return x, c, s, q, t


@settings(max_examples=100, deadline=None)
@given(games())
def test_matches_reference_hypothesis(game) -> None:
    x, c, s, q, t = game
    assert_same(x, c, s, q, t)


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(1, 12), elements=unit),
    st.data(),
)
def test_single_game_shape(x, data) -> None:
    n = len(x)
    c = data.draw(hnp.arrays(np.float64, n, elements=capability_el))
    s = data.draw(hnp.arrays(np.float64, n, elements=salience_el))
    new = assert_same(x, c, s)
    assert new.shape == (n,)


# --------------------------------------------------------------------------- rows


def test_rows_are_independent() -> None:
    rng = np.random.default_rng(5)
    x, c, s = _batch(rng, 12, 9, "grid")
    for q, t in [(1.0, 1.0), (0.5, 0.5)]:
        batch = bargaining_round_fast(x, c, s, q, t)
        for r in range(x.shape[0]):
            np.testing.assert_array_equal(bargaining_round_fast(x[r], c[r], s[r], q, t), batch[r])
        x2, c2, s2 = x.copy(), c.copy(), s.copy()
        x2[1:] = 0.5  # wreck every other replicate, including into degenerate states
        c2[1:] = 0.0
        s2[2:] = 1.0
        np.testing.assert_array_equal(bargaining_round_fast(x2, c2, s2, q, t)[0], batch[0])


def test_broadcasting_and_inputs_untouched() -> None:
    rng = np.random.default_rng(11)
    x = rng.random((6, 5))
    c = rng.random(5)  # shared capabilities, broadcast over replicates
    s = np.asfortranarray(rng.random((6, 5)))
    copies = [v.copy() for v in (x, c, s)]
    assert_same(x, c, s, 0.5, 0.5)
    for v, w in zip((x, c, s), copies, strict=True):
        np.testing.assert_array_equal(v, w)


@pytest.mark.parametrize(
    "x,c,s",
    [
        ([0.3, 0.3, 0.3, 0.3], [1.0, 2.0, 3.0, 4.0], [0.5, 0.6, 0.7, 0.8]),  # one position
        ([0.0, 0.4, 1.0], [0.0, 0.0, 0.0], [0.5, 0.6, 0.7]),  # no capability
        ([0.0, 0.4, 1.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]),  # no salience
        ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),  # nothing at all
        ([0.7], [1.0], [0.5]),  # N = 1
        ([0.2, 0.9], [1.0, 3.0], [0.9, 0.4]),  # N = 2
        ([0.2, 0.2], [1.0, 3.0], [0.9, 0.4]),  # N = 2, co-located
        ([0.0, 1.0], [1.0, 1.0], [1.0, 1.0]),  # symmetric pair at the edges
        ([0.1, 0.7, 0.3], [0.1, 0.0, 0.5], [1.0, 0.4, 0.9]),  # capitulation + compromise
        ([1.0, 0.2, 0.2, 0.2, 0.2], [100.0, 1.0, 2.0, 1.0, 3.0], [1.0, 0.3, 0.5, 0.8, 0.6]),
    ],
)
@pytest.mark.parametrize("q,t", [(1.0, 1.0), (0.5, 0.5), (0.0, 0.0)])
def test_degenerate_inputs(x, c, s, q, t) -> None:
    new = assert_same(x, c, s, q, t)
    assert np.isfinite(new).all()
    batch = bargaining_round_fast(np.tile(x, (3, 1)), np.tile(c, (3, 1)), np.tile(s, (3, 1)), q, t)
    np.testing.assert_array_equal(batch, np.tile(new, (3, 1)))


def test_bad_arguments_raise_like_the_reference() -> None:
    with pytest.raises(ValueError):
        bargaining_round_fast([0.1, 0.2], [1.0, 1.0], [0.5, 0.5], q=1.5)
    with pytest.raises(ValueError):
        bargaining_round_fast([0.1, 0.2], [1.0, 1.0], [0.5, 0.5], t=-0.1)
    with pytest.raises(ValueError):
        bargaining_round_fast([0.1, np.nan], [1.0, 1.0], [0.5, 0.5])
    with pytest.raises(ValueError):
        bargaining_round_fast(np.zeros((2, 2, 2)), np.ones((2, 2, 2)), np.ones((2, 2, 2)))
    with pytest.raises(ValueError):
        bargaining_round_fast(np.zeros((2, 0)), np.zeros((2, 0)), np.zeros((2, 0)))
