"""Clipping state fields into their bounds in place, in one compiled pass.

:func:`sim.model.clip_to_bounds` clips every field events may change, every week; almost
every value is already inside, so a pass that only reads (and writes the rare value out of
bounds) does the work of ``np.clip(a, low, high, out=a)`` without its ufunc machinery.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def _clip_flat(values, low, high):
    """Clip a 1-d float64 array in place, value by value as ``np.clip`` does: a value below
    ``low`` becomes ``low``, then one above ``high`` becomes ``high``; NaN stays NaN (both
    tests are false) and a signed zero keeps its sign, as NumPy's loop leaves them."""
    for i in range(values.shape[0]):
        v = values[i]
        if v < low:
            v = low
        if v > high:
            v = high
        if v != values[i]:  # only what was out of bounds is written
            values[i] = v


def clip_in_place(values: np.ndarray, low: float, high: float) -> None:
    """``np.clip(values, low, high, out=values)``, bit for bit, in one compiled pass where
    ``values`` is a C-contiguous float64 array (else NumPy's own clip)."""
    if values.dtype == np.float64 and values.flags.c_contiguous:
        _clip_flat(values.reshape(-1), float(low), float(high))
    else:
        np.clip(values, low, high, out=values)
