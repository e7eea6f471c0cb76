"""Confidence intervals for survey proportions: a pure calculator.

The Wilson score interval (Wilson 1927), not the normal ("Wald") approximation: with the
small samples of one queue in one month (often fewer than 10 answers, sometimes all
satisfied) Wald gives intervals that pass 100% or collapse to zero width, while Wilson stays
within [0, 1] and keeps close to its nominal coverage. Newcombe (1998), method 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution


@dataclass(frozen=True)
class Interval:
    """A proportion's interval, as fractions from 0 to 1."""

    low: float
    high: float


def wilson_interval(successes: int, n: int, *, z: float = Z_95) -> Interval | None:
    """The Wilson score interval for ``successes`` of ``n``; None when ``n`` is 0.

    centre = (p + z²/2n) / (1 + z²/n);  half-width = z/(1 + z²/n) × √(p(1−p)/n + z²/4n²)
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"{successes} successes of {n} is not a proportion")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At 0 or n the bound is exactly 0 or 1 (the formula gives it up to rounding).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(low=low, high=high)
