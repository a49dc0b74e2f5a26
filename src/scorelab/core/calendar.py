"""A calendar queue: rows due on each day of a rolling window, so a day touches only its own.

A part whose persons carry the day something next happens to them (a trial, a list entry or
exit) would otherwise find today's persons by scanning the whole column every day. The
calendar holds, for each day of a window ``[lo, hi)`` of ``width`` days, the row arrays due
that day, appended as the part draws or sets new days. When a day falls outside the window
the part opens a new one from a single scan of its column (``open``): one scan every
``width`` days instead of one a day, and only the persons due within the window are held, so
the memory is a few per cent of the column's.

The calendar holds positions, not the days themselves: the part's column stays the truth. A
day beyond the window is not queued (the next ``open`` finds it); a row queued on a day its
column no longer holds is harmless for a part that re-reads its column (``lists``), and never
happens for one that moves a row's day only through the calendar (``processes``). ``take``
returns a day's rows sorted and unique, in the order a scan (``np.flatnonzero``) gives, so
whatever follows draws and writes exactly as before.

>>> cal = Calendar(width=4)
>>> due = np.array([2, 0, 5, 2, 1], dtype=np.uint16)
>>> cal.open(0, np.flatnonzero(due < 4), due[due < 4])
>>> cal.take(2).tolist()
[0, 3]
>>> cal.add(np.array([1]), np.array([3]))
>>> cal.take(3).tolist(), cal.covers(4)
([1], False)
"""

from __future__ import annotations

import numpy as np

#: days a window holds: one column scan every ``WIDTH`` days, and only the rows due within
#: it queued (a wider window scans less often and holds more rows); up to 256 days, a row's
#: offset in the window sorts as a byte. 16 measured fastest (bench/RESULTS.md): china-2022's
#: day loop 3% faster than 32 and 7% faster than 8; 64 and 128 slower still
WIDTH = 16


class Calendar:
    """Rows due on each day of the window ``[lo, hi)`` (see the module docstring)."""

    def __init__(self, width: int = WIDTH) -> None:
        self.width = width
        self.lo = self.hi = 0  # an empty window: the first ``take`` needs an ``open``
        self.days: list[list[np.ndarray]] = []

    def covers(self, day: int) -> bool:
        """Whether ``day`` is in the open window (else the part must ``open`` one)."""
        return self.lo <= day < self.hi

    def close(self) -> None:
        """Forget the window (the part's days were redrawn): the next day opens a new one."""
        self.lo = self.hi = 0
        self.days = []

    def end(self, day: int, last: int) -> int:
        """The end of a window opened on ``day``: ``width`` days, never past ``last``."""
        return min(day + self.width, last)

    def open(self, day: int, rows: np.ndarray, days: np.ndarray, last: int | None = None
             ) -> None:
        """A window from ``day``: ``rows`` (ascending) due on ``days``; those outside
        ``[day, end)`` are left for a later window. ``last`` caps the window's end (a day
        value that means "never")."""
        self.lo = day
        self.hi = self.end(day, last if last is not None else day + self.width)
        self.days = [[] for _ in range(self.hi - self.lo)]
        self.add(rows, days)

    def add(self, rows: np.ndarray, days: np.ndarray) -> None:
        """Queue ``rows`` on ``days`` (rows ascending, days at or after today); days outside
        the window are not queued."""
        if rows.size == 0:
            return
        # most new days fall past the window (found by the next ``open``): compare in the
        # days' own type and convert only the few kept
        inside = days < self.hi
        if self.lo > 0 or days.dtype.kind != "u":
            inside &= days >= self.lo
        if np.count_nonzero(inside) < inside.size:
            kept = np.flatnonzero(inside)
            if kept.size == 0:
                return
            rows, days = rows[kept], days[kept]
        offset = days - self.lo  # in the days' own type: they are at or after ``lo`` now
        if rows.size == 1 or not np.count_nonzero(offset != offset[0]):
            self.days[int(offset[0])].append(rows)
            return
        # a stable sort keeps rows ascending within a day; on bytes it is a radix sort
        key = offset.astype(np.uint8 if self.width <= 256 else np.uint16)
        order = np.argsort(key, kind="stable")
        counts = np.bincount(offset, minlength=self.hi - self.lo)
        ordered = rows[order]
        at = 0
        for k, count in enumerate(counts.tolist()):
            if count:
                self.days[k].append(ordered[at:at + count])
                at += count

    def take(self, day: int) -> np.ndarray:
        """The rows due on ``day`` (in the window), ascending and unique; they leave the
        queue."""
        k = day - self.lo
        parts = self.days[k]
        self.days[k] = []
        if not parts:
            return np.empty(0, dtype=np.int64)
        return parts[0] if len(parts) == 1 else sorted_unique(parts)


def sorted_unique(parts: list[np.ndarray]) -> np.ndarray:
    """The rows of some arrays, ascending and unique (``np.unique`` of their concatenation,
    without its hash table: the arrays here are a day's few rows)."""
    if not parts:
        return np.empty(0, dtype=np.int64)
    rows = np.sort(np.concatenate(parts), kind="stable")  # merges the ascending runs
    if rows.size > 1:
        fresh = np.empty(rows.size, dtype=bool)
        fresh[0] = True
        np.not_equal(rows[1:], rows[:-1], out=fresh[1:])
        if np.count_nonzero(fresh) < fresh.size:
            rows = rows[fresh]
    return rows
