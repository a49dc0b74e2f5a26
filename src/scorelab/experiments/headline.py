"""Headline figures of a summary as flat dotted paths, and their spread over replicates."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ledger.summary import Interval, Summary

#: settings of the run, not findings: never summarised over replicates
SETTINGS = frozenset({"schema_version", "seed", "persons", "days", "warmup_days", "scale"})


def headline(summary: Summary) -> dict[str, float]:
    """Every number a reader compares between runs: the top-level totals, true events, and
    the scalar figures of each system and measure (with a measure's costs), by dotted path
    (``systems.court-list.sanctioned_wrongly``)."""
    data = summary.as_dict()
    out: dict[str, float] = {}
    for key, value in data.items():
        if key not in SETTINGS and _number(value):
            out[key] = float(value)
    for event, count in data.get("events", {}).items():
        out[f"events.{event}"] = float(count)
    for section in ("systems", "measures"):
        for name, part in (data.get(section) or {}).items():
            for key, value in part.items():
                if _number(value):
                    out[f"{section}.{name}.{key}"] = float(value)
            for key, value in (part.get("costs") or {}).items():
                if _number(value):
                    out[f"{section}.{name}.costs.{key}"] = float(value)
    protests = data.get("protests") or {}
    for key, value in protests.items():
        if _number(value):
            out[f"protests.{key}"] = float(value)
    return out


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


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
