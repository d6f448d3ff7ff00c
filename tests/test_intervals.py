"""The closed-form and vectorised intervals of ``compare`` (sim.statistics).

Each method is checked against a reference: the scalar Wilson interval, scipy's bootstrap
on the same data (within a stated tolerance: the bootstrap has Monte Carlo error, and the
closed forms are asymptotic), a brute-force median over the same resampled indices
(exactly), and coverage over many simulated data sets with a known truth.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import bootstrap

import sim.statistics as iv
from sim.analysis import paired as cmp
from sim.outcomes import wilson


def _paired_binary(rng, n, p_ref, p_arm, flip):
    """Paired 0/1 outcomes as under common random numbers: the same luck ``u`` decides
    both arms; a share ``flip`` of the arm's replicates is redrawn independently."""
    u = rng.random(n)
    ref = (u < p_ref).astype(float)
    arm = (u < p_arm).astype(float)
    redraw = rng.random(n) < flip
    arm[redraw] = (rng.random(redraw.sum()) < p_arm).astype(float)
    return ref, arm


def test_wilson_interval_matches_the_scalar_one():
    for k, n in [(0, 10), (1, 10), (5, 10), (10, 10), (37, 400), (4999, 5000)]:
        lo, hi = iv.wilson_interval(k, n)
        assert (float(lo), float(hi)) == pytest.approx(wilson(k, n), abs=1e-15)
    lo, hi = iv.wilson_interval(np.array([0, 3]), np.array([10, 10]))
    assert lo.shape == (2,) and lo[0] == 0 and 0 < hi[0] < 0.35


def test_newcombe_paired_known_properties():
    # the difference, a non-empty interval around it, inside [-1, 1]
    d, lo, hi = iv.newcombe_paired(40, 12, 4, 44)
    assert d == pytest.approx(0.08) and lo < 0.08 < hi and -1 <= lo and hi <= 1
    # swapping the arms mirrors the interval
    d2, lo2, hi2 = iv.newcombe_paired(40, 4, 12, 44)
    assert (d2, lo2, hi2) == pytest.approx((-d, -hi, -lo))
    # phi = 0 (independent arms) gives Newcombe's unpaired hybrid score interval
    p1, p2, n = 0.3, 0.2, 100
    a = p1 * p2 * n  # a table with zero correlation
    b, c = p1 * n - a, p2 * n - a
    _, lo0, hi0 = iv.newcombe_paired(a, b, c, n - a - b - c)
    l1, u1 = wilson(30, 100)
    l2, u2 = wilson(20, 100)
    assert lo0 == pytest.approx(0.1 - np.hypot(p1 - l1, u2 - p2))
    assert hi0 == pytest.approx(0.1 + np.hypot(u1 - p1, p2 - l2))
    # positive correlation (most replicates agree) narrows the interval
    _, lo1, hi1 = iv.newcombe_paired(18, 12, 2, 68)
    assert hi1 - lo1 < hi0 - lo0


def test_paired_proportion_difference_degenerate_cases():
    zeros = np.zeros(100)
    assert iv.paired_proportion_difference(zeros, zeros) == (0.0, 0.0, 0.0)
    ones = zeros.copy()
    ones[:3] = 1
    d, lo, hi = iv.paired_proportion_difference(zeros, ones)
    # the reference never has the outcome: phi = 0, the unpaired hybrid interval
    assert d == pytest.approx(0.03) and -0.05 < lo < 0.03 < hi < 0.1
    d, lo, hi = iv.paired_proportion_difference(np.ones(50), np.zeros(50))
    assert d == -1 and lo == -1 and -1 < hi < -0.85


@pytest.mark.parametrize(
    ("n", "p_ref", "p_arm", "flip"),
    [
        (500, 0.50, 0.55, 0.0),  # CRN: the arm differs on 5% of replicates, all one way
        (500, 0.30, 0.30, 0.2),  # no effect, but discordant pairs both ways
        (1000, 0.03, 0.05, 0.1),  # rare outcome
        (200, 0.90, 0.80, 0.3),
    ],
)
def test_paired_proportion_interval_coverage(n, p_ref, p_arm, flip):
    """Over 20,000 simulated data sets the 95% interval holds the true difference in
    93.5%-97.5% of them (Newcombe 1998 reports method 10 close to nominal)."""
    rng = np.random.default_rng(11)
    # exact cell probabilities of the simulated design: the luck u and the redraw
    q = p_arm
    both = (1 - flip) * min(p_ref, p_arm) + flip * p_ref * q
    arm_only = (1 - flip) * max(p_arm - p_ref, 0) + flip * (1 - p_ref) * q
    ref_only = (1 - flip) * max(p_ref - p_arm, 0) + flip * p_ref * (1 - q)
    cells = np.array([both, arm_only, ref_only, 1 - both - arm_only - ref_only])
    counts = rng.multinomial(n, cells, size=20_000)
    _, lo, hi = iv.newcombe_paired(*counts.T)
    truth = p_arm - p_ref
    coverage = np.mean((lo <= truth) & (truth <= hi))
    assert 0.935 <= coverage <= 0.975, coverage
    # the simulator draws what the cells say
    ref, arm = _paired_binary(rng, 200_000, p_ref, p_arm, flip)
    assert arm.mean() - ref.mean() == pytest.approx(truth, abs=0.005)
    assert np.mean((arm == 1) & (ref == 0)) == pytest.approx(arm_only, abs=0.003)


def _scipy_paired(ref, arm, statistic, method="percentile", resamples=9999):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = bootstrap(
            (ref, arm),
            statistic,
            paired=True,
            vectorized=True,
            n_resamples=resamples,
            method=method,
            rng=np.random.default_rng(5),
        )
    return res.confidence_interval.low, res.confidence_interval.high


def test_paired_proportion_interval_agrees_with_the_paired_bootstrap():
    """At 2,000 replicates the closed form and scipy's paired BCa bootstrap (9,999
    resamples) agree within 0.4 percentage points on each limit."""
    rng = np.random.default_rng(3)
    ref, arm = _paired_binary(rng, 2000, 0.4, 0.45, 0.1)
    _, lo, hi = iv.paired_proportion_difference(ref, arm)
    blo, bhi = _scipy_paired(
        ref, arm, lambda x, y, axis=-1: y.mean(axis) - x.mean(axis), method="BCa"
    )
    assert lo == pytest.approx(blo, abs=0.004) and hi == pytest.approx(bhi, abs=0.004)


def test_paired_mean_difference_agrees_with_bootstrap_and_covers():
    rng = np.random.default_rng(4)
    luck = rng.beta(2, 5, 3000)
    ref, arm = luck, luck + 0.01 + 0.02 * rng.standard_normal(3000)
    d, lo, hi = iv.paired_mean_difference(ref, arm)
    assert d == pytest.approx(np.mean(arm - ref))
    blo, bhi = _scipy_paired(ref, arm, lambda x, y, axis=-1: y.mean(axis) - x.mean(axis))
    width = hi - lo
    assert lo == pytest.approx(blo, abs=0.05 * width) and hi == pytest.approx(bhi, abs=0.05 * width)
    # coverage of the paired t interval over 4,000 data sets of 300 skewed differences
    diffs = 0.01 + rng.exponential(0.02, size=(4000, 300)) - 0.02
    covered = [lo <= 0.01 <= hi for _, lo, hi in map(iv.mean_interval, diffs)]
    assert 0.935 <= np.mean(covered) <= 0.965
    # NaN on either side drops the pair
    r = np.array([1.0, np.nan, 3.0, 4.0])
    a = np.array([2.0, 5.0, np.nan, 6.0])
    assert iv.paired_mean_difference(r, a)[0] == pytest.approx(1.5)


def _brute_medians(columns, resamples, seed):
    n = len(columns[0])
    rng = np.random.default_rng(seed)
    rows = iv._block_rows(n, resamples)
    out = []
    for start in range(0, resamples, rows):
        index = rng.integers(0, n, size=(min(rows, resamples - start), n))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out.append(np.array([np.nanmedian(c[index], axis=1) for c in columns]))
    return np.concatenate(out, axis=1)


@pytest.mark.parametrize("window", [iv.WINDOW, 0.0])  # 0: every row takes the full path
def test_bootstrap_medians_equal_brute_force(monkeypatch, window):
    monkeypatch.setattr(iv, "WINDOW", window)
    monkeypatch.setattr(iv, "BLOCK_CELLS", 40_000)  # several blocks
    rng = np.random.default_rng(6)
    n = 800
    weeks = rng.integers(1, 105, n).astype(float)
    weeks[rng.random(n) < 0.4] = np.nan  # no ceasefire: skipped
    terms = rng.random(n)
    terms[np.isnan(weeks)] = np.nan
    few = np.full(n, np.nan)
    few[:3] = [1.0, 2.0, 7.0]  # most resamples hold 0-6 of them; some none: NaN
    columns = [weeks, terms, few, np.full(n, np.nan), rng.random(n)]
    got = iv.bootstrap_medians(columns, 300, seed=9)
    np.testing.assert_array_equal(got, _brute_medians(columns, 300, 9))
    assert np.isnan(got[3]).all() and np.isnan(got[2]).any()


def test_bootstrap_medians_are_deterministic_and_paired():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 60, 1000).astype(float)
    a = iv.bootstrap_medians([x, x + 2], 500, seed=1)
    b = iv.bootstrap_medians([x, x + 2], 500, seed=1)
    assert np.array_equal(a, b)  # bit for bit
    assert not np.array_equal(a, iv.bootstrap_medians([x, x + 2], 500, seed=2))
    # the same indices for every column: a shifted copy's medians shift exactly
    np.testing.assert_array_equal(a[1] - a[0], 2.0)


def test_median_difference_agrees_with_scipy_paired_bootstrap():
    """The percentile interval of the difference of medians from the shared resamples,
    against scipy's paired percentile bootstrap (its own resamples): within a tenth of
    the interval's width on each limit."""
    rng = np.random.default_rng(8)
    luck = rng.gamma(3.0, 10.0, 1000)
    ref = luck.copy()
    arm = luck * 0.9 + rng.normal(0, 2, 1000)
    d, lo, hi = cmp.difference(ref, arm, "median", seed=0, n_resamples=4000)
    assert d == pytest.approx(np.median(arm) - np.median(ref))
    blo, bhi = _scipy_paired(
        ref,
        arm,
        lambda x, y, axis=-1: np.median(y, axis=axis) - np.median(x, axis=axis),
        resamples=4000,
    )
    width = hi - lo
    assert lo == pytest.approx(blo, abs=0.1 * width) and hi == pytest.approx(bhi, abs=0.1 * width)


@pytest.mark.slow
def test_median_difference_coverage():
    """The paired bootstrap interval of a difference of medians holds the true difference
    in 92%-98% of 400 simulated comparisons (the percentile bootstrap of a median is
    slightly conservative at these sizes; 400 data sets: +-2.2 points of Monte Carlo
    error)."""
    rng = np.random.default_rng(10)
    hits = []
    for i in range(400):
        luck = rng.exponential(1.0, 600)
        ref, arm = luck, luck * 1.2  # medians ln 2 and 1.2 ln 2
        _, lo, hi = cmp.difference(ref, arm, "median", seed=i, n_resamples=1000)
        hits.append(lo <= 0.2 * np.log(2) <= hi)
    assert 0.92 <= np.mean(hits) <= 0.98


def test_estimate_uses_closed_forms():
    rng = np.random.default_rng(12)
    shares = (rng.random(1000) < 0.3).astype(float)
    p, lo, hi = cmp.estimate(shares, "proportion")
    assert (lo, hi) == pytest.approx(wilson(int(shares.sum()), 1000))
    values = rng.random(1000)
    m, lo, hi = cmp.estimate(values, "mean")
    half = 1.9623 * values.std(ddof=1) / np.sqrt(1000)  # t(0.975, 999)
    assert (lo, hi) == pytest.approx((m - half, m + half), abs=1e-4)
    weeks = rng.integers(1, 100, 1000).astype(float)
    med, lo, hi = cmp.estimate(weeks, "median")
    assert lo <= med <= hi and med == np.median(weeks)
