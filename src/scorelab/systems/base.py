"""What every system kind shares: counters in preallocated daily slots, appeal filings,
and the flags that say who was ever sanctioned, wronged or rewarded."""

from __future__ import annotations

import numpy as np

from ..engine.streams import Streams
from ..scenario.schema import REWARDS, SANCTIONS, AppealSpec

# bits of a system's per-person ``flags``
SCORED, EVER_SANCTIONED, EVER_WRONG, WRONG_NOW, HAS_FALSE, HAS_IDENTITY, EVER_REWARDED, \
    IN_APPEAL = (np.uint8(1 << k) for k in range(8))

WRONG_CAUSES = ("false_record", "identity", "stale_record", "incomplete_record")

DAILY_COLUMNS = ("records", "listed", "sanctioned", "sanctioned_wrongly", "newly_sanctioned",
                 "newly_wronged", "restriction_person_days", "rewarded")


class SystemState:
    """Base of a system over the persons of one shard.

    Days are internal days (warm-up included); counters are written only for observed days
    ``warmup .. warmup + days - 1``, at index ``day - warmup``.
    """

    kind = ""

    def __init__(self, name: str, appeals: AppealSpec | None, streams: Streams, days: int,
                 warmup: int, n: int) -> None:
        self.name = name
        self.appeals = appeals
        self.streams = streams
        self.warmup = warmup
        self.daily = {k: np.zeros(days, dtype=np.int64) for k in DAILY_COLUMNS}
        self.flags = np.zeros(n, dtype=np.uint8)
        self.person_days_by_sanction = np.zeros(len(SANCTIONS), dtype=np.int64)
        self.person_days_by_reward = np.zeros(len(REWARDS), dtype=np.int64)
        self.wrong_by_cause = np.zeros(len(WRONG_CAUSES), dtype=np.int64)
        self.filings: list[np.ndarray] = []  # global ids filing an appeal today
        self._appeal_file = f"system/{name}/appeal/file"

    @staticmethod
    def appeal_streams(name: str) -> list[str]:
        return [f"system/{name}/appeal/file", f"system/{name}/appeal/decision"]

    def observed(self, day: int) -> int | None:
        """Index into the daily slots, or None during the warm-up."""
        return day - self.warmup if day >= self.warmup else None

    def _file_appeals(self, day: int, rows: np.ndarray, ids: np.ndarray) -> None:
        """Persons newly wronged today appeal with probability ``appeals.rate``."""
        if self.appeals is None or rows.size == 0:
            return
        waiting = (self.flags[rows] & IN_APPEAL) != 0
        rows, ids = rows[~waiting], ids[~waiting]
        filing = self.streams.uniform(self._appeal_file, day, ids) < self.appeals.rate
        self.flags[rows[filing]] |= IN_APPEAL
        self.filings.append(ids[filing])

    def take_filings(self) -> np.ndarray:
        ids = np.concatenate(self.filings) if self.filings else np.empty(0, dtype=np.int64)
        self.filings = []
        return ids

    def _mark_wrong(self, rows: np.ndarray, causes: np.ndarray, day: int) -> None:
        """Count persons wronged for the first time in the observed window, by cause."""
        if self.observed(day) is None or rows.size == 0:
            return
        first = (self.flags[rows] & EVER_WRONG) == 0
        self.flags[rows[first]] |= EVER_WRONG
        np.add.at(self.wrong_by_cause, causes[first], 1)

    def base_summary(self, covered: int) -> dict[str, object]:
        d = self.daily
        return {
            "covered": covered,
            "scored": int(np.count_nonzero(self.flags & SCORED)),
            "records": int(d["records"].sum()),
            "sanctioned": int(np.count_nonzero(self.flags & EVER_SANCTIONED)),
            "sanctioned_wrongly": int(self.wrong_by_cause.sum()),
            "sanctioned_wrongly_by_cause": {c: int(v) for c, v in
                                            zip(WRONG_CAUSES, self.wrong_by_cause)},
            "rewarded": int(np.count_nonzero(self.flags & EVER_REWARDED)),
            "restriction_person_days": int(d["restriction_person_days"].sum()),
            "wrongful_person_days": int(d["sanctioned_wrongly"].sum()),
            "restriction_person_days_by_sanction": {
                s: int(v) for s, v in zip(SANCTIONS, self.person_days_by_sanction)},
            "reward_person_days_by_reward": {
                r: int(v) for r, v in zip(REWARDS, self.person_days_by_reward)},
        }
