"""A first-in, first-out desk with a daily capacity (appeals, human review of flags).

Global, one per system or measure: filings from all shards join in (day, person id) order,
which does not depend on the split. ``capacity`` is in real people a day; a synthetic person
stands for ``scale`` real ones, so the desk serves ``capacity / scale`` a day, carrying the
fraction over: capacity a day cannot use (nothing ripe to decide) is lost, not banked.
"""

from __future__ import annotations

from collections import deque

import numpy as np


class Queue:
    def __init__(self, capacity: float, latency: int, scale: float) -> None:
        self.per_day = capacity / scale
        self.latency = latency
        self.budget = 0.0
        self.items: deque[tuple[int, np.ndarray]] = deque()
        self.waiting = 0

    def file(self, day: int, ids: np.ndarray) -> None:
        if ids.size:
            self.items.append((day, np.sort(ids)))
            self.waiting += ids.size

    def serve(self, day: int) -> np.ndarray:
        """Ids decided today, oldest first."""
        self.budget += self.per_day
        budget = int(self.budget + 1e-9)
        taken = []
        while budget > 0 and self.items and self.items[0][0] + self.latency <= day:
            filed, ids = self.items.popleft()
            if ids.size > budget:
                self.items.appendleft((filed, ids[budget:]))
                ids = ids[:budget]
            taken.append(ids)
            budget -= ids.size
        decided = np.concatenate(taken) if taken else np.empty(0, dtype=np.int64)
        self.waiting -= decided.size
        self.budget -= int(self.budget + 1e-9)  # today's whole decisions: used or lost
        return decided
