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
        #: the whole shard is covered (a national system): rows are ids less the start
        self.whole = self.starts.size == 1 and (int(self.starts[0]), int(self.stops[0])) == (
            start, stop)
        self._start = start
        # for ``select``: each range's ends, and the shift from an id to its row
        self._bounds = np.stack([self.starts, self.stops], axis=1)
        self._shifts = (self.offsets[:-1] - self.starts).tolist()
        self._one = self._bounds[0] if self.starts.size == 1 else None  # (a city's system)

    def local(self, ids: np.ndarray) -> np.ndarray:
        """Row in the system's arrays for each global id, ``-1`` where not covered."""
        if self.starts.size == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        k = np.searchsorted(self.starts, ids, side="right") - 1
        k0 = np.maximum(k, 0)
        inside = (k >= 0) & (ids < self.stops[k0])
        return np.where(inside, ids - self.starts[k0] + self.offsets[k0], -1)

    def select(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The covered ones of some global ids of the shard's persons, ascending (a day's
        events, as ``SystemState.step`` promises), and their rows: ``(rows[inside],
        ids[inside])`` of ``local``, cut at the ranges' ends by binary search instead of
        looked up one by one. (No check that they ascend: it would cost each recorder a pass
        over the day's events of the whole shard, every day.)"""
        if self.whole:  # every id of the shard is covered, in its own row
            return ids - self._start, ids
        if self._one is not None:
            a, b = ids.searchsorted(self._one).tolist()
            chosen = ids[a:b]
            return chosen + self._shifts[0], chosen
        cuts = np.searchsorted(ids, self._bounds)
        parts = [(ids[a:b], shift) for (a, b), shift in zip(cuts.tolist(), self._shifts,
                                                            strict=True) if a < b]
        if not parts:
            return np.empty(0, dtype=np.int64), ids[:0]
        if len(parts) == 1:
            chosen, shift = parts[0]
            return chosen + shift, chosen
        chosen = np.concatenate([p for p, _ in parts])
        return chosen + np.repeat([d for _, d in parts], [p.size for p, _ in parts]), chosen

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
