"""The quantile estimator of the peer statistics: Harrell-Davis.

Linear interpolation (the textbook P25/median/P75) returns one factory's exact value at
many group sizes: the median of every odd n, all three quartiles at n = 5, 9, 13 ...
The Harrell-Davis estimator is a weighted mean of *every* order statistic, with weights
from the Beta((n+1)p, (n+1)(1-p)) distribution, so no published quantile is ever a
single factory's value, and it is a well-known, smooth, efficient estimator
(Harrell & Davis, Biometrika 1982). The result is rounded to the KPI's display
precision, so nothing finer than what a page shows is published.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy.special import betainc


@cache
def harrell_davis_weights(n: int, p: float) -> np.ndarray:
    """The weight of each order statistic (ascending) in the p-quantile of n values.
    Every weight is positive: all n values take part."""
    if n < 1:
        raise ValueError("no values")
    a, b = p * (n + 1), (1 - p) * (n + 1)
    edges = betainc(a, b, np.arange(n + 1) / n)
    weights = np.diff(edges)
    weights.setflags(write=False)
    return weights


def harrell_davis(values: np.ndarray | list[float], p: float) -> float:
    """The Harrell-Davis estimate of the p-quantile of ``values``."""
    return harrell_davis_of_sorted(np.sort(np.asarray(values, dtype=float)), p)


def harrell_davis_of_sorted(ordered: np.ndarray, p: float) -> float:
    """:func:`harrell_davis` of values already in ascending order (float64): the same
    weighted sum, without sorting again for each quantile of the same values."""
    return float(harrell_davis_weights(len(ordered), p) @ ordered)


def linear_interpolation(values: np.ndarray | list[float], p: float) -> float:
    """The textbook quantile (type 7). NOT used for publishing: it is here so that the
    attack suite can show what it would disclose."""
    return float(np.quantile(np.asarray(values, dtype=float), p))


ESTIMATORS = {"harrell_davis": harrell_davis, "linear_interpolation": linear_interpolation}


def round_to(value: float | None, decimals: int) -> float | None:
    """``value`` at the display precision of its KPI (``decimals`` after the point)."""
    if value is None:
        return None
    return round(float(value), decimals)
