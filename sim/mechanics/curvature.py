"""The curvature of utilities: ``distance ** risk``, with a shortcut for risk neutrality."""

from __future__ import annotations

import numpy as np


def curved(distance: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """``distance ** risk``, the loss of utility at a distance from an ideal point.

    Where every risk attitude is exactly 1 (risk neutral, the baseline's veto players and
    the mediator's tilt) the distance itself is returned, not a copy: ``x ** 1.0`` is ``x``
    bit for bit, and the power is the costliest step of these utilities.  Callers only read
    the result.
    """
    risk = np.asarray(risk)
    if distance.shape == np.broadcast_shapes(distance.shape, risk.shape) and np.all(risk == 1.0):
        return distance
    return distance**risk
