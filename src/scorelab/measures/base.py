"""What every control measure shares: who it flagged (by their true role), who it restricted
and for how long, and what it cost. Counters are integers, added up over shards."""

from __future__ import annotations

import numpy as np

from ..engine.streams import Streams
from ..population.generate import Population
from ..processes.events import NEVER
from ..processes.protests import PARTICIPANT, ROLES, UNINVOLVED, ProtestState

COSTS = ("officer_hours", "reviewer_hours", "images_scanned", "device_flops", "energy_kwh",
         "upload_bytes", "detention_days", "economic_usd")
#: integer counts behind the costs; the ledger turns their totals into costs, so that float
#: sums never depend on how the population was split
COUNTS = ("searches", "hits", "matches", "reviews", "protest_images", "detention_days", "installed",
          "person_days_cut")
DAILY = ("searches", "flagged", "flagged_wrongly", "restricted", "restricted_innocent",
         "collateral", "review_backlog")
FLAGGED = np.uint8(1)


class MeasureState:
    """A measure over the persons of one shard."""

    kind = ""

    def __init__(self, name: str, pop: Population, protests: ProtestState | None,
                 streams: Streams, days: int, warmup: int) -> None:
        self.name = name
        self.pop = pop
        self.protests = protests
        self.streams = streams
        self.warmup = warmup
        n = len(pop)
        self.flags = np.zeros(n, dtype=np.uint8)
        self.until = np.zeros(n, dtype=np.uint16)  # restricted before this day
        self.active = np.empty(0, dtype=np.int64)  # rows ever restricted
        self.flagged_by_role = np.zeros(len(ROLES), dtype=np.int64)
        self.daily = {k: np.zeros(days, dtype=np.int64) for k in DAILY}
        self.person_days = np.zeros(len(ROLES), dtype=np.int64)  # restricted, by role
        self.counts = {k: 0 for k in COUNTS}

    def observed(self, day: int) -> int | None:
        return day - self.warmup if day >= self.warmup else None

    def role(self, rows: np.ndarray) -> np.ndarray:
        if self.protests is None:
            return np.zeros(rows.size, dtype=np.int64)
        return self.protests.role[rows].astype(np.int64)

    def flag(self, day: int, rows: np.ndarray) -> np.ndarray:
        """Mark persons flagged today; return those flagged for the first time."""
        i = self.observed(day)
        fresh = rows[(self.flags[rows] & FLAGGED) == 0]
        if i is None:
            return fresh
        self.flags[fresh] |= FLAGGED
        roles = self.role(fresh)
        np.add.at(self.flagged_by_role, roles, 1)
        self.daily["flagged"][i] += fresh.size
        self.daily["flagged_wrongly"][i] += int((roles != PARTICIPANT).sum())
        return fresh

    def restrict(self, day: int, rows: np.ndarray, days: int) -> None:
        if days <= 0 or rows.size == 0:
            return
        self.until[rows] = np.maximum(self.until[rows], min(day + days, int(NEVER)))
        self.active = np.union1d(self.active, rows)

    def lift(self, day: int, rows: np.ndarray) -> None:
        self.until[rows] = np.minimum(self.until[rows], day + 1)

    def count_restricted(self, day: int) -> None:
        """Today's restricted persons, by their true role."""
        i = self.observed(day)
        if i is None or self.active.size == 0:
            return
        rows = self.active[self.until[self.active] > day]
        self._add_restricted(i, self.role(rows))

    def _add_restricted(self, i: int, roles: np.ndarray) -> None:
        counts = np.bincount(roles, minlength=len(ROLES))
        self.person_days += counts
        self.daily["restricted"][i] += int(counts.sum())
        self.daily["restricted_innocent"][i] += int(counts.sum() - counts[PARTICIPANT])
        self.daily["collateral"][i] += int(counts[UNINVOLVED])

    def summary(self) -> dict[str, object]:
        by = self.flagged_by_role
        participants = 0
        if self.protests is not None:
            participants = int(np.count_nonzero(self.protests.role == PARTICIPANT))
        return {
            "flagged": int(by.sum()),
            "flagged_rightly": int(by[PARTICIPANT]),
            "flagged_wrongly": {"bystander": int(by[2]), "recipient": int(by[1]),
                                "uninvolved": int(by[0])},
            "participants": participants,
            "restriction_person_days": int(self.person_days.sum()),
            "restriction_person_days_innocent": int(self.person_days.sum()
                                                    - self.person_days[PARTICIPANT]),
            "collateral_person_days": int(self.person_days[UNINVOLVED]),
            "counts": {k: int(v) for k, v in self.counts.items()},
        }
