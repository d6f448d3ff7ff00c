"""Compiled (numba) twin of :func:`sim.mechanics.bargaining.bargaining_round`.

The NumPy implementation in :mod:`sim.mechanics.bargaining` makes many
``(R, N, N)`` passes per round; this module runs the same round replicate by
replicate in one compiled loop, with every per-replicate step fused and ``O(N^2)``
scratch allocated once per call. It reproduces the reference operation by
operation (same formulas, same association of sums and products, same
summation order over actors, same thresholds), so the two agree to rounding --
in practice bit for bit; ``tests/test_bargaining_kernel.py`` holds them equal.

Points worth knowing when editing either implementation:

* Sums over voters ``k`` (the NumPy ``einsum`` calls) and over challengers
  (``e1.sum(axis=1)``) are accumulated sequentially in index order from
  ``0.0``, which is what NumPy does for these reductions; a different order
  could flip the exact-tie and sign tests on coarse inputs.
* Every utility ``2 - 4 b**r`` is computed as ``exp(r * log b)``, like the
  reference, and ``0.5**r`` with ``pow`` (see ``half`` in ``_round_kernel``).
  The kernel calls the platform libm; NumPy does too for float64 on CPUs
  without AVX-512 (checked here: x86-64-v3). On AVX-512 machines NumPy may use
  its own SIMD exp/log/power, which can differ in the last ulp: results then
  still agree to ~1e-15, but an exact-tie or sign test could in principle
  resolve differently.
* The thresholds ``_EU_EPS`` and ``_TIE_TOL`` are passed to the kernel as
  arguments rather than read as globals, so the on-disk cache can never keep
  stale copies of them.
* No ``fastmath`` (it would allow re-association and FMA contraction) and no
  ``parallel``: the simulator parallelises over processes.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanics.bargaining import _EU_EPS, _TIE_TOL, _check_prob, _prepare

__all__ = ["bargaining_round_fast"]

# Local copies of the offer categories (plain ints are frozen into the kernel).
_CONFLICT = 1
_COMPROMISE = 2
_CAPITULATION = 3


@numba.njit(cache=True, error_model="numpy")
def _group(xr, ux, gid):
    """Group co-located actors: ``ux[:count]`` the distinct positions in order of first
    appearance, ``gid[i]`` the group of actor ``i``; returns ``count``.

    Groups are by exact equality (``==``, as the reference's ``same`` test), so every
    quantity that depends on positions alone is the same for all actors of a group.
    """
    count = 0
    for i in range(xr.shape[0]):
        g = -1
        for u in range(count):
            if xr[i] == ux[u]:
                g = u
                break
        if g < 0:
            ux[count] = xr[i]
            g = count
            count += 1
        gid[i] = g
    return count


@numba.njit(cache=True, error_model="numpy")
def _same_powers(i, gid, risk):
    """The first actor before ``i`` in ``i``'s group with exactly ``i``'s risk exponent (its
    powers ``b ** r`` against every group are ``i``'s), or -1."""
    for k in range(i):
        if gid[k] == gid[i] and risk[k] == risk[i]:
            return k
    return -1


# error_model="numpy": every division is guarded exactly as in the reference,
# so numba's Python-style zero-division checks would be dead weight.
@numba.njit(cache=True, error_model="numpy")
def _round_kernel(x, c, s, q, t, eu_eps, tie_tol, half, out):
    """Write the new positions of every replicate of ``x`` into ``out``.

    ``x``, ``c``, ``s`` are ``(R, N)`` float64 arrays already passed through
    ``bargaining._prepare`` (clipped); ``out`` has the same shape. ``half``
    must be 0.5: it is an argument only so that LLVM cannot see a constant
    base in ``pow(0.5, r)`` and rewrite it as ``exp2(-r)``, which rounds
    differently from the libm ``pow`` that ``np.power`` calls.

    Actors often share a position (a capitulation moves one onto another), so
    whatever depends on positions only -- distances, win probabilities, the
    logs of the utility bases, and for each challenger its utilities against a
    position -- is computed once per distinct position (``G`` of them) and
    read per actor: the same operations on the same operands, hence the same
    bits, in ``O(G^2 N)`` instead of ``O(N^3)`` and with ``N G`` calls to
    ``exp`` instead of ``N^2``. Co-located challengers whose risk exponents are
    equal (about one in five) share those powers too (``_same_powers``).
    """
    n_rep, n = x.shape
    q_lt_1 = q < 1.0

    # Scratch, allocated once per call and reused by every replicate.
    xr = np.empty(n)
    sr = np.empty(n)
    w = np.empty(n)
    ux = np.empty(n)  # the distinct positions (groups)
    gid = np.empty(n, dtype=np.int64)  # each actor's group
    udist = np.empty((n, n))  # udist[u, v] = |ux_u - ux_v| (symmetric)
    gdist = np.empty((n, n))  # gdist[k, v] = |x_k - ux_v|: actor k to group v
    acc_f = np.empty(n)
    acc_b = np.empty(n)
    pg = np.empty((n, n))  # win probability of group u over group v
    p = np.empty((n, n))  # win probability of actor i over actor j
    p_to = np.empty((n, n))  # p_to[j, i] = p[i, j]: read by target j, contiguously
    l_s = np.empty((n, n))  # logs of the bases, by pair of groups
    l_f = np.empty((n, n))
    l_b = np.empty((n, n))
    l_w = np.empty((n, n))
    u1_s = np.empty((n, n))  # r = 1 utilities, by pair of groups
    u1_f = np.empty((n, n))
    corr1 = np.empty((n, n))
    x_s = np.empty((n, n))  # x_s[i, v] = exp(r_i * log base) of challenger i against group v
    x_f = np.empty((n, n))
    x_b = np.empty((n, n))
    x_w = np.empty((n, n))
    e1 = np.empty((n, n))  # expected utility with r = 1
    e = np.empty((n, n))  # E[i, j], challenger's exponent r_i
    e_to = np.empty((n, n))  # e_to[j, i] = E[i, j], by target
    seen_by = np.empty((n, n))  # seen_by[j, i]: E[i, j] as seen by target j, exponent r_j
    a = np.empty(n)
    m_mu = np.empty(n)
    danger = np.empty(n)
    risk = np.empty(n)
    u_sq = np.empty(n)
    move_size = np.empty(n)
    ratio_buf = np.empty(n)
    chosen = np.empty(n, dtype=np.int64)
    kind = np.empty(n, dtype=np.int64)
    proposed = np.empty(n)
    reneged = np.empty(n, dtype=np.bool_)

    for r in range(n_rep):
        for i in range(n):
            xr[i] = x[r, i]
            sr[i] = s[r, i]
            w[i] = c[r, i] * s[r, i]
        g = _group(xr, ux, gid)
        for u in range(g):
            for v in range(g):
                udist[u, v] = abs(ux[u] - ux[v])
        for k in range(n):
            for v in range(g):
                gdist[k, v] = udist[gid[k], v]

        # ---- win probability: pos[i, j] = sum_k w_k max(|x_k-x_j| - |x_k-x_i|, 0),
        # accumulated in k order from 0.0 like the einsum (for each pair of groups; the
        # inner loop runs over the second group, so each sum keeps its k order). The
        # vote of k on (j, i) is exactly minus its vote on (i, j), so one subtraction
        # serves both sums.
        for u in range(g):
            for v in range(u + 1, g):
                acc_f[v] = 0.0
                acc_b[v] = 0.0
            for k in range(n):
                wk = w[k]
                dku = gdist[k, u]
                for v in range(u + 1, g):
                    d = gdist[k, v] - dku
                    acc_f[v] += wk * max(d, 0.0)
                    acc_b[v] += wk * max(-d, 0.0)
            pg[u, u] = 0.0
            for v in range(u + 1, g):
                pij = acc_f[v]
                pji = acc_b[v]
                den = pij + pji  # == pji + pij exactly
                if not den > 0.0:
                    pg[u, v] = 0.0
                    pg[v, u] = 0.0
                else:
                    pg[u, v] = pij / den
                    pg[v, u] = pji / den
        for i in range(n):
            for j in range(n):
                p[i, j] = pg[gid[i], gid[j]]
                p_to[j, i] = p[i, j]

        # ---- median voter position (bargaining._median)
        for v in range(g):
            a[v] = 0.0
        for k in range(n):
            wk = w[k]
            for v in range(g):
                a[v] += wk * gdist[k, v]
        lo = a[0]
        for v in range(1, g):
            if a[v] < lo:
                lo = a[v]
        thr = lo + tie_tol * max(1.0, abs(lo))
        mu = xr[0]
        for i in range(n):
            if a[gid[i]] <= thr:
                mu = xr[i]
                break

        # ---- logs of the utility bases (bargaining._Bases), symmetric, by groups
        if q_lt_1:
            for v in range(g):
                m_mu[v] = abs(ux[v] - mu)
        for u in range(g):
            for v in range(u + 1, g):
                d = udist[u, v]
                b_s = max(0.5 - 0.5 * d, 0.0)
                b_f = 0.5 + 0.5 * d
                ls = math.log(b_s) if b_s > 0.0 else -math.inf  # exp(r * -inf) = 0
                lf = math.log(b_f)
                l_s[u, v] = ls
                l_s[v, u] = ls
                l_f[u, v] = lf
                l_f[v, u] = lf
                # r = 1 utilities use the bases themselves (no exp/log round trip)
                u1_s[u, v] = u1_s[v, u] = 2.0 - 4.0 * b_s
                u1_f[u, v] = u1_f[v, u] = 2.0 - 4.0 * b_f
                if q_lt_1:
                    m = 0.25 * (m_mu[u] + m_mu[v])
                    b_b = max(0.5 - m, 0.0)
                    b_w = 0.5 + m
                    lb = math.log(b_b) if b_b > 0.0 else -math.inf
                    lw = math.log(b_w)
                    l_b[u, v] = lb
                    l_b[v, u] = lb
                    l_w[u, v] = lw
                    l_w[v, u] = lw
                    cr = (1.0 - q) * (t * (2.0 - 4.0 * b_b) + (1.0 - t) * (2.0 - 4.0 * b_w))
                    corr1[u, v] = corr1[v, u] = cr

        # ---- r = 1 expected utilities, per pair of actors
        # u_sq = 2 - 4 * 0.5 = 0 for r = 1, kept as in the reference.
        sq = q * (2.0 - 4.0 * 0.5)
        for i in range(n):
            e1[i, i] = 0.0
            gi = gid[i]
            for j in range(i + 1, n):
                gj = gid[j]
                if gi == gj:  # no contest: E = 0
                    e1[i, j] = 0.0
                    e1[j, i] = 0.0
                    continue
                u_s = u1_s[gi, gj]
                u_f = u1_f[gi, gj]
                # e1[i, j] (target j) and e1[j, i] (target i).
                f = sr[j] * (1.0 - p[i, j])
                v1 = u_s * (1.0 - f) + u_f * f - sq
                f = sr[i] * (1.0 - p[j, i])
                v2 = u_s * (1.0 - f) + u_f * f - sq
                if q_lt_1:
                    cr = corr1[gi, gj]
                    v1 -= cr
                    v2 -= cr
                e1[i, j] = v1
                e1[j, i] = v2

        # ---- risk exponents from the r = 1 pass (column sums, in row order)
        for k in range(n):
            danger[k] = 0.0
        for i in range(n):
            for k in range(n):
                danger[k] += e1[i, k]
        hi = danger[0]
        lo = danger[0]
        for k in range(1, n):
            if danger[k] > hi:
                hi = danger[k]
            if danger[k] < lo:
                lo = danger[k]
        spread = hi - lo
        flat = spread <= 1e-12 * max(1.0, max(abs(hi), abs(lo)))
        for k in range(n):
            if flat:
                big_r = 0.0
            else:
                big_r = (2.0 * danger[k] - hi - lo) / spread
            big_r = min(max(big_r, -1.0), 1.0)
            rk = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
            risk[k] = rk
            u_sq[k] = 2.0 - 4.0 * math.pow(half, rk)

        # ---- E (challenger's exponent) and the E seen by the target (its
        # exponent). The utilities of the ordered pair (i, j) with exponent r_i
        # serve both E[i, j] and E[j, i] as seen by i (seen_by[i, j]); they
        # depend on j only through its group. E is also stored by target
        # (e_to) for the offer selection below.
        for i in range(n):
            ri = risk[i]
            sq = q * u_sq[i]
            gi = gid[i]
            # an earlier challenger at the same position with the same exponent has the
            # same powers (the same exp of the same operands): read them, not recompute
            same = _same_powers(i, gid, risk)
            for v in range(g):
                if v == gi:
                    continue
                if same >= 0:
                    x_s[i, v] = x_s[same, v]
                    x_f[i, v] = x_f[same, v]
                    if q_lt_1:
                        x_b[i, v] = x_b[same, v]
                        x_w[i, v] = x_w[same, v]
                    continue
                x_s[i, v] = math.exp(ri * l_s[gi, v])
                x_f[i, v] = math.exp(ri * l_f[gi, v])
                if q_lt_1:
                    x_b[i, v] = math.exp(ri * l_b[gi, v])
                    x_w[i, v] = math.exp(ri * l_w[gi, v])
            for j in range(n):
                gj = gid[j]
                if gj == gi:
                    e[i, j] = 0.0
                    e_to[j, i] = 0.0
                    seen_by[i, j] = 0.0
                    continue
                u_s = 2.0 - 4.0 * x_s[i, gj]
                u_f = 2.0 - 4.0 * x_f[i, gj]
                f = sr[j] * (1.0 - p[i, j])
                v1 = u_s * (1.0 - f) + u_f * f - sq
                f = sr[i] * (1.0 - p[j, i])
                v2 = u_s * (1.0 - f) + u_f * f - sq
                if q_lt_1:
                    u_b = 2.0 - 4.0 * x_b[i, gj]
                    u_w = 2.0 - 4.0 * x_w[i, gj]
                    corr = (1.0 - q) * (t * u_b + (1.0 - t) * u_w)
                    v1 -= corr
                    v2 -= corr
                e[i, j] = v1
                e_to[j, i] = v1
                seen_by[i, j] = v2

        # ---- each target j picks one offer: smallest move, then highest
        # perceived sender EU, then lowest sender index. The first loop is
        # written so that it compiles without data-dependent branches (they
        # mispredict) and reads its operands contiguously, by target (so that
        # it can be vectorised; the smallest move is taken in a loop of its
        # own); the octant of the chosen offer is recomputed afterwards with the
        # same arithmetic.
        for j in range(n):
            xj = xr[j]
            for i in range(n):
                es = seen_by[j, i]
                own = e[j, i]  # the target's EU of challenging the sender
                pij = p_to[j, i]
                # Only read for offers (es > eu_eps > 0); elsewhere inf/nan are
                # harmless (error_model="numpy"). Storing it stops LLVM from
                # sinking the division into a branch.
                ratio = abs(own) / es
                ratio_buf[i] = ratio
                frac = pij if own > 0.0 else min(ratio, 1.0)
                ms = abs((xj + frac * (xr[i] - xj)) - xj)
                # Offer test E_ij > eps and e_seen_ij > eps. The reference also
                # requires i, j not co-located, where E_ij = 0 < eps already.
                ms = ms if min(e_to[j, i], es) > eu_eps else math.inf
                move_size[i] = ms
            best_move = math.inf
            for i in range(n):
                best_move = min(move_size[i], best_move)
            if best_move == math.inf:  # no credible offer
                chosen[j] = -1
                kind[j] = 0
                proposed[j] = xj
                continue
            lim_move = best_move + tie_tol
            best_key = math.inf
            for i in range(n):
                key = -seen_by[j, i]
                key = key if move_size[i] <= lim_move else math.inf
                best_key = min(key, best_key)
            lim_key = best_key + tie_tol
            pick = 0
            for i in range(n):
                if move_size[i] <= lim_move and -seen_by[j, i] <= lim_key:
                    pick = i
                    break
            own = e[j, pick]
            if own > 0.0:
                frac = p[pick, j]
                kd = _CONFLICT
            else:
                ratio = abs(own) / seen_by[j, pick]
                if ratio <= 1.0:
                    frac = ratio
                    kd = _COMPROMISE
                else:
                    frac = 1.0
                    kd = _CAPITULATION
            chosen[j] = pick
            kind[j] = kd
            proposed[j] = xj + frac * (xr[pick] - xj)

        # ---- reneging and called-off conflicts
        for i in range(n):
            reneged[i] = False
        for j in range(n):
            if chosen[j] >= 0 and (kind[j] == _COMPROMISE or kind[j] == _CAPITULATION):
                reneged[chosen[j]] = True
        for j in range(n):
            new = xr[j]
            if chosen[j] >= 0 and not reneged[j]:
                i = chosen[j]
                if kind[j] != _CONFLICT:
                    new = proposed[j]
                elif not reneged[i] and chosen[i] == j and kind[i] == _CONFLICT:
                    new = proposed[j]  # a conflict is fought only when mutual
            out[r, j] = min(max(new, 0.0), 1.0)
    return out


def bargaining_round_fast(
    position: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    q: float = 1.0,
    t: float = 1.0,
) -> NDArray[np.float64]:
    """One round of EUM offers and their resolution on one issue, compiled.

    This is the compiled (numba) twin of
    :func:`sim.mechanics.bargaining.bargaining_round` with its default
    ``selection="closest"``: same inputs, same validation and clipping (it uses
    the reference's ``_prepare``), same rules and thresholds, same result;
    ``tests/test_bargaining_kernel.py`` holds the two equal (to ``1e-12``,
    in practice bit for bit). Replicates are processed one after another in
    compiled code, so each row's result depends only on that row.

    Parameters
    ----------
    position : array_like, shape (N,) or (R, N)
        Positions in ``[0, 1]``.
    capability : array_like, same shape
        Non-negative capabilities.
    salience : array_like, same shape
        Saliences in ``[0, 1]``.
    q, t : float, default 1.0
        Status-quo beliefs, see :func:`sim.mechanics.bargaining.eum_analysis`.

    Returns
    -------
    ndarray, same shape as ``position``
        New positions, clipped to ``[0, 1]``.

    Raises
    ------
    ValueError
        On arrays that are not ``(N,)`` or ``(R, N)`` with ``N >= 1``, non-finite
        inputs, or ``q``/``t`` outside ``[0, 1]`` (as the reference does).

    See Also
    --------
    sim.mechanics.bargaining.bargaining_round : the NumPy reference.
    sim.mechanics.bargaining.resolve_offers : the same round, with who accepted what.
    """
    q = _check_prob("q", q)
    t = _check_prob("t", t)
    x, c, s, single = _prepare(position, capability, salience)
    x = np.ascontiguousarray(x)
    c = np.ascontiguousarray(c)
    s = np.ascontiguousarray(s)
    out = np.empty_like(x)
    _round_kernel(x, c, s, q, t, float(_EU_EPS), float(_TIE_TOL), 0.5, out)
    return out[0] if single else out
