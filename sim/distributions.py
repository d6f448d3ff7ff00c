"""Uncertain inputs: the distributions a scenario may give instead of a number.

Each distribution turns uniform numbers in (0, 1) into samples by its inverse CDF, so a
replicate's value depends only on its own uniform (see :mod:`sim.streams`).

numpy (and scipy, for the normal quantile) are imported where a distribution is sampled,
not when this module is: the scenario schema uses these classes, and reading or validating
a scenario (``ceasefire validate``) needs no numerical library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * u

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def to_yaml(self) -> dict:
        return {"uniform": [self.low, self.high]}


@dataclass(frozen=True)
class Normal:
    """Normal distribution, clipped to the field's bounds (stored in ``low``/``high``)."""

    mean: float
    sd: float
    low: float = -math.inf
    high: float = math.inf

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np
        from scipy.special import ndtri

        return np.clip(self.mean + self.sd * ndtri(u), self.low, self.high)

    @property
    def support(self) -> tuple[float, float]:
        return self.mean, self.mean  # only the mean is checked; tails are clipped

    def to_yaml(self) -> dict:
        return {"normal": {"mean": self.mean, "sd": self.sd}}


@dataclass(frozen=True)
class Triangular:
    low: float
    mode: float
    high: float

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full_like(u, a)
        cut = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < cut, left, right)

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def to_yaml(self) -> dict:
        return {"triangular": [self.low, self.mode, self.high]}


@dataclass(frozen=True)
class Choice:
    values: tuple[float, ...]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        index = np.minimum((u * len(self.values)).astype(np.int64), len(self.values) - 1)
        return np.asarray(self.values, dtype=np.float64)[index]

    @property
    def support(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def to_yaml(self) -> dict:
        return {"choice": list(self.values)}


Distribution = Uniform | Normal | Triangular | Choice
"""Any of the uncertain-input distributions."""

Param = float | Distribution
"""A numeric scenario parameter: a number, or a distribution sampled once per replicate."""
