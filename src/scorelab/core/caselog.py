"""A part's log of the rare decisions it takes on persons, for the case files.

Decisions are rare next to the persons they could touch (a few wrongful listings, flags or
appeals a day against a population), so a part logs each one as it happens, for everyone,
as a row of five integers: ``(day, person id, code, a, b)`` (the meaning of ``a`` and ``b``
is the code's). What people did (truth events) is not logged: it is a pure keyed function of
(seed, process, day, person), recomputed afterwards for the few persons whose case is told
(``scorelab.cases``). A run with ``report.cases: 0`` logs nothing.

The log is plain data (a list of integer arrays), so it travels in a checkpoint with its part.
"""

from __future__ import annotations

import numpy as np

# --- systems: a (what it is) and b (more) by code ----------------------------------------
WRONG_FIRST = 1  # first wronged in the reported days: a = cause (index into WRONG_CAUSES)
WRONG_START = 2  # a wrongful sanction (or listing) begins: a = grade on the record (-1: none)
WRONG_END = 3  # it ends (from day: the first day not counted)
APPEAL_FILED = 4
APPEAL_DECIDED = 5  # a = 1 if won
RECORD_FALSE = 6  # a false record written on them: a = event index (plan.events)
RECORD_NAMESAKE = 7  # someone else's event written on them: a = event index, b = whose
# --- measures ---------------------------------------------------------------------------
SEARCHED = 10  # a: 1 protest photos found, 2 an app found, 3 both, 0 nothing
FLAGGED = 11  # a = protest role when flagged
DETAINED = 12  # a = days
RESTRICTED = 13  # a = restricted before this day
LIFTED = 14
REVIEWED = 15  # a = 1 if confirmed
CUT_OFF = 16  # a whole city cell cut off for the day: id -1 (no one person), a = the cell

WIDTH = 5
_COMPACT = 512  # chunks kept before they are joined into one


class CaseLog:
    """The decisions one part took on the persons of one shard (see the module docstring).

    >>> log = CaseLog(on=True)
    >>> log.add(3, np.array([7, 9]), FLAGGED, np.array([0, 2]))
    >>> log.table().tolist()
    [[3, 7, 11, 0, 0], [3, 9, 11, 2, 0]]
    """

    def __init__(self, on: bool) -> None:
        self.on = on
        self.chunks: list[np.ndarray] = []
        #: 1 while a decision taken after the day was counted is logged (an appeal won):
        #: a sanction lifted then still counted that day
        self.late = 0

    def add(self, day: int, ids: np.ndarray, code: int, a: np.ndarray | int = 0,
            b: np.ndarray | int = 0) -> None:
        """Log one decision on each person of ``ids`` (global ids)."""
        if not self.on or ids.size == 0:
            return
        chunk = np.empty((ids.size, WIDTH), dtype=np.int64)
        chunk[:, 0] = day
        chunk[:, 1] = ids
        chunk[:, 2] = code
        chunk[:, 3] = a
        chunk[:, 4] = b
        self.chunks.append(chunk)
        if len(self.chunks) >= _COMPACT:
            self.chunks = [np.concatenate(self.chunks)]

    def table(self) -> np.ndarray:
        """Every row logged, in the order logged."""
        if not self.chunks:
            return np.empty((0, WIDTH), dtype=np.int64)
        self.chunks = [np.concatenate(self.chunks)]
        return self.chunks[0]

    def of(self, ids: np.ndarray) -> np.ndarray:
        """The rows about some persons, in the order logged."""
        table = self.table()
        return table[np.isin(table[:, 1], ids)]
