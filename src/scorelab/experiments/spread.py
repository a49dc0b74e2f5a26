"""The spread of one figure over replicates: where runs fall, and how sure the mean is."""

from __future__ import annotations

import math

import numpy as np

from ..ledger.summary import Interval


def interval(values: np.ndarray) -> Interval:
    """Median and the 2.5-97.5 percentile range of the values (where 95% of runs fall), and
    the mean with its 95% Student-t confidence interval (how sure the expected value is)."""
    from scipy import stats

    values = np.asarray(values, dtype=np.float64)
    n = values.size
    mean = float(values.mean())
    half = 0.0
    if n > 1:
        half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n))
    low, median, high = np.percentile(values, [2.5, 50, 97.5])
    floor = 0.0 if values.min() >= 0 else -math.inf  # a mean of counts is not negative
    return Interval(median=float(median), low=float(low), high=float(high), mean=mean,
                    mean_low=max(mean - half, floor), mean_high=mean + half)
