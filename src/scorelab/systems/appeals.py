"""The appeal desk of one system: a first-in, first-out queue with a daily capacity.

The desk is global (one per system, not per shard): filings from all shards join the queue
in the order (filing day, person id), which does not depend on the split, and each decision
is a draw keyed by the person. Decisions are sent back to the shard that holds the person.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..engine.streams import Streams
from ..scenario.schema import AppealSpec


class AppealDesk:
    """Reviewers who decide ``capacity`` appeals a day, each at least ``latency`` days old.

    ``capacity`` is in real people (a review office's throughput); a synthetic person stands
    for ``scale`` real ones, so the desk decides ``capacity / scale`` synthetic appeals a day,
    carrying the fraction over to the next day.
    """

    def __init__(self, name: str, spec: AppealSpec, streams: Streams, days: int,
                 warmup: int, scale: float = 1.0) -> None:
        self.spec = spec
        self.per_day = spec.capacity / scale
        self.budget = 0.0
        self.streams = streams
        self.warmup = warmup
        self._decision = f"system/{name}/appeal/decision"
        self.queue: deque[tuple[int, np.ndarray]] = deque()  # (filing day, ids in id order)
        self.waiting = 0
        self.daily = {k: np.zeros(days, dtype=np.int64)
                      for k in ("appeals_filed", "appeals_decided", "appeals_won",
                                "appeal_backlog")}

    def file(self, day: int, ids: np.ndarray) -> None:
        if ids.size:
            self.queue.append((day, np.sort(ids)))
            self.waiting += ids.size
        if day >= self.warmup:
            self.daily["appeals_filed"][day - self.warmup] = ids.size

    def serve(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Decide today's appeals: (ids decided, which of them won)."""
        self.budget += self.per_day
        budget = int(self.budget + 1e-9)
        taken = []
        while budget > 0 and self.queue and self.queue[0][0] + self.spec.latency <= day:
            filed, ids = self.queue.popleft()
            if ids.size > budget:
                self.queue.appendleft((filed, ids[budget:]))
                ids = ids[:budget]
            taken.append(ids)
            budget -= ids.size
        decided = np.concatenate(taken) if taken else np.empty(0, dtype=np.int64)
        self.waiting -= decided.size
        self.budget -= decided.size
        if not self.queue:  # reviewers with nothing to do cannot bank their time
            self.budget = min(self.budget, self.per_day)
        won = self.streams.uniform(self._decision, day, decided) < self.spec.success
        if day >= self.warmup:
            i = day - self.warmup
            self.daily["appeals_decided"][i] = decided.size
            self.daily["appeals_won"][i] = int(won.sum())
            self.daily["appeal_backlog"][i] = self.waiting
        return decided, won

    def summary(self) -> dict[str, int]:
        d = self.daily
        return {
            "appeals_filed": int(d["appeals_filed"].sum()),
            "appeals_decided": int(d["appeals_decided"].sum()),
            "appeals_won": int(d["appeals_won"].sum()),
            "appeal_backlog_max": int(d["appeal_backlog"].max()) if d["appeal_backlog"].size
            else 0,
            "appeal_backlog_at_end": self.waiting,
        }
