"""Who stands on a list, kept by the difference: the persons a day must re-read.

A person's standing on a list (listed on the record, listable in truth) changes only on a day
one of their interval ends falls on, or when their intervals are rewritten (a new listing, a
won appeal). ``Standing`` holds the persons by those days in a calendar queue
(``core.calendar``), the persons rewritten since the last count, and who was listed on the
record at the last count, so a day counts only the persons whose standing may have moved
instead of everyone ever listed.
"""

from __future__ import annotations

import numpy as np

from ..core.calendar import Calendar, sorted_unique
from ..core.sets import add_sorted


class Standing:
    """The persons of one list whose standing may move, by day (see the module docstring)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = horizon
        #: rows listed on the record at the last count (ascending)
        self.on_list = np.empty(0, dtype=np.int64)
        #: rows by the days their interval ends fall on (within the window)
        self.calendar = Calendar()
        #: rows whose intervals were rewritten since the last count
        self.touched: list[np.ndarray] = []

    def queue(self, rows: np.ndarray, *ends: np.ndarray) -> None:
        """Rows (ascending, unique) rewritten, with the new days their interval ends fall
        on: counted at the next count, and again on those days."""
        if rows.size:
            self.touched.append(rows)
            for days in ends:
                self.calendar.add(rows, days)

    def touch(self, rows: np.ndarray) -> None:
        """Rows rewritten after today's count (counted at the next)."""
        if rows.size:
            self.touched.append(rows)

    def changed(self, day: int, active: np.ndarray, columns: tuple[np.ndarray, ...]
                ) -> np.ndarray:
        """Rows whose standing may have moved since the last count: an interval end of
        ``columns`` falls today, or they were rewritten (ascending). A day past the window
        opens the next from one pass over ``active`` (everyone who ever had an interval)."""
        calendar = self.calendar
        if not calendar.covers(day):
            calendar.open(day, np.empty(0, np.int64), np.empty(0, np.int64), self.horizon)
            for column in columns:
                days = column[active]
                near = (days >= day) & (days < calendar.hi)
                calendar.add(active[near], days[near])
        changed = sorted_unique([calendar.take(day), *self.touched])
        self.touched = []
        return changed

    def was_listed(self, rows: np.ndarray) -> np.ndarray:
        """Which of some rows (ascending) were listed on the record at the last count."""
        at = np.searchsorted(self.on_list, rows)
        was = np.zeros(rows.size, dtype=bool)
        inside = at < self.on_list.size
        was[inside] = self.on_list[at[inside]] == rows[inside]
        return was

    def move(self, rows: np.ndarray, listed: np.ndarray, was: np.ndarray) -> None:
        """Today's count of some rows: who joined the list, who left it."""
        left = was & ~listed
        if np.count_nonzero(left):
            self.on_list = np.delete(self.on_list, np.searchsorted(self.on_list, rows[left]))
        self.on_list = add_sorted(self.on_list, rows[listed & ~was])
