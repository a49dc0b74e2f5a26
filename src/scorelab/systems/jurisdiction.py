"""Whom a system covers, as contiguous person-id ranges.

Persons are sorted by province and city, so any jurisdiction (nation, provinces, cities) is
a short list of id ranges. A system keeps its per-person state only for the persons it covers.
"""

from __future__ import annotations

import numpy as np

from ..scenario.plan import IdRanges


class Coverage:
    """The persons of one shard ``[start, stop)`` that a jurisdiction covers, from the plan's
    global id ranges (sorted and merged).

    ``local(ids)`` maps global ids to rows of the system's own arrays (``-1`` if not covered).
    """

    def __init__(self, ranges: IdRanges, start: int, stop: int) -> None:
        clipped = [(max(a, start), min(b, stop)) for a, b in ranges]
        merged = [(a, b) for a, b in clipped if a < b]
        self.starts = np.array([a for a, _ in merged], dtype=np.int64)
        self.stops = np.array([b for _, b in merged], dtype=np.int64)
        sizes = self.stops - self.starts
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.size = int(self.offsets[-1])

    def local(self, ids: np.ndarray) -> np.ndarray:
        """Row in the system's arrays for each global id, ``-1`` where not covered."""
        if self.starts.size == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        k = np.searchsorted(self.starts, ids, side="right") - 1
        k0 = np.maximum(k, 0)
        inside = (k >= 0) & (ids < self.stops[k0])
        return np.where(inside, ids - self.starts[k0] + self.offsets[k0], -1)

    def segments(self) -> list[tuple[slice, int, int]]:
        """(rows of the system's arrays, first global id, last global id + 1) per run."""
        return [(slice(int(o), int(o + b - a)), int(a), int(b))
                for o, a, b in zip(self.offsets[:-1], self.starts, self.stops)]

    def global_of(self, rows: np.ndarray) -> np.ndarray:
        """Global ids of some of the system's rows."""
        if rows.size == 0:
            return np.empty(0, dtype=np.int64)
        k = np.searchsorted(self.offsets, rows, side="right") - 1
        return rows - self.offsets[k] + self.starts[k]
