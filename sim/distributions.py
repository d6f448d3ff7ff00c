"""Uncertain inputs: the distributions a scenario may give instead of a number.

Each distribution turns uniform numbers in (0, 1) into samples by its inverse CDF, so a
replicate's value depends only on its own uniform (see :mod:`sim.streams`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri


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
    low: float = -np.inf
    high: float = np.inf

    def ppf(self, u: np.ndarray) -> np.ndarray:
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
