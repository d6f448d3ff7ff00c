"""Phase 3: beliefs about the battlefield, learned from the fighting.

Each actor holds a normal belief about the front's weekly drift ``mu`` (Russia's gain per
week).  It starts at the true drift plus the actor's optimism and carries the weight of
``prior_weeks`` weeks of evidence; every week of fighting reveals one noisy observation of
``mu`` and the belief is updated by Bayes' rule for a normal mean with known variance.
Beliefs of actors who start apart therefore converge as battles reveal information
(Slantchev 2003; Smith & Stam 2004; Filson & Werner 2002).

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
    mean: np.ndarray, weight: np.ndarray, observed_change: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bayesian update of the drift belief with one week's observed change of control.

    Parameters
    ----------
    mean, weight : ndarray, shape (R, N)
        Belief mean and its weight in weeks of evidence.
    observed_change : ndarray, shape (R,)

    Returns
    -------
    (mean, weight) after the observation.
    """
    new_weight = weight + 1.0
    return (weight * mean + observed_change[:, None]) / new_weight, new_weight


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
