"""Phase 3: beliefs about the battlefield, learned from the fighting.

Each actor holds a normal belief about the front's weekly drift ``mu`` (Russia's gain per
week).  It starts at the true drift plus the actor's optimism and carries the weight of
``prior_weeks`` weeks of evidence.  Every week of fighting each actor reads the week's
change of the front through its own intelligence: ``x_i = dc + n_i sigma e_i`` with
``e_i`` standard normal and ``n_i`` its ``signal_noise``.  The belief is updated by Bayes'
rule for a normal mean with known variance, the reading counting as
``k_i = 1 / (1 + n_i^2)`` weeks of evidence.  With common, exact readings (``n = 0``)
beliefs that start apart converge as battles reveal information (Slantchev 2003; Filson &
Werner 2002); with private, noisy readings they can also drift apart (Smith & Stam 2004).

The outlook over ``T`` weeks is the predictive distribution of control,
``N(c + m T, sigma^2 T + sigma^2 T^2 / w)``: battlefield noise plus the uncertainty left in
the belief.  The value of fighting on is taken over this lottery with Gauss-Hermite
quadrature.
"""

from __future__ import annotations

import numpy as np

NODES, WEIGHTS = np.polynomial.hermite_e.hermegauss(7)
WEIGHTS = WEIGHTS / WEIGHTS.sum()


def update(
    mean: np.ndarray,
    weight: np.ndarray,
    observed_change: np.ndarray,
    evidence: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Bayesian update of the drift belief with one week's reading of the front.

    Parameters
    ----------
    mean, weight : ndarray, shape (R, N)
        Belief mean and its weight in weeks of evidence.
    observed_change : ndarray, shape (R,) or (R, N)
        The change of control as read: common to all actors, or each actor's own.
    evidence : ndarray, shape (R, N), or float
        What the reading is worth in weeks of exact evidence, ``1 / (1 + n^2)``.

    Returns
    -------
    (mean, weight) after the reading.
    """
    observed = observed_change if np.ndim(observed_change) == 2 else observed_change[:, None]
    new_weight = weight + evidence
    return (weight * mean + evidence * observed) / new_weight, new_weight


def evidence(signal_noise: np.ndarray) -> np.ndarray:
    """Weeks of exact evidence a reading with this noise (in units of the front's weekly
    volatility) is worth: its precision relative to an exact reading, ``1 / (1 + n^2)``."""
    return 1.0 / (1.0 + signal_noise**2)


def outlook(
    control: np.ndarray,
    mean: np.ndarray,
    weight: np.ndarray,
    volatility: np.ndarray,
    weeks: np.ndarray,
) -> np.ndarray:
    """Quadrature nodes of each actor's predicted control after ``weeks`` more weeks.

    Returns
    -------
    ndarray, shape (R, N, Q)
        Control at the quadrature nodes (weights :data:`WEIGHTS`), clipped to [0, 1].
    """
    t = weeks[:, None]
    sigma2 = (volatility**2)[:, None]
    centre = control[:, None] + mean * t
    spread = np.sqrt(sigma2 * t + sigma2 * t * t / weight)
    return np.clip(centre[..., None] + spread[..., None] * NODES, 0.0, 1.0)
