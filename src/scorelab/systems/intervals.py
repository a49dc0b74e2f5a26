"""A list's intervals of internal days, one a person on the record and one in truth:
``[start, end)`` with ``NEVER`` for none. A new interval merges into a person's as a list
would keep it."""

from __future__ import annotations

import numpy as np

from ..processes.events import NEVER

NONE = np.int64(NEVER)  # no day (no remedy, no end)


def merge(a: np.ndarray, b: np.ndarray, rows: np.ndarray, start: np.ndarray, end: np.ndarray,
          today: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge new intervals into (a, b): one that overlaps or touches the old one, or arrives
    while the old one has not ended yet, joins it (one interval a person: a gap between two
    pending listings is counted as listed, in record and truth alike); otherwise it replaces a
    finished one. Returns the rows merged (each once) and which of them joined an old one."""
    rows, first = np.unique(rows, return_index=True)
    start = np.minimum(start[first], NONE)
    end = np.minimum(end[first], NONE)
    old_a, old_b = a[rows].astype(np.int64), b[rows].astype(np.int64)
    overlaps = (start <= old_b) & (end >= old_a)
    pending = old_b > today
    joined = (old_a != NEVER) & (overlaps | pending)
    a[rows] = np.where(joined, np.minimum(old_a, start), start)
    b[rows] = np.where(joined, np.maximum(old_b, end), end)
    return rows, joined
