"""The appeal desk of one system: a first-in, first-out queue with a daily capacity.

Filings from all shards join the queue in (filing day, person id) order, and each decision
is a draw keyed by the person, so decisions do not depend on the split; each is sent back to
the shard that holds the person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.queue import Queue
from ..core.streams import Streams
from ..core.tunable import Tunable
from ..scenario.plan import Plan, SystemPlan
from ..scenario.schema import SystemSpec


@dataclass
class AppealTotals:
    """What one system's appeal desk did over the run (it is global: nothing to add up)."""

    filed: int
    decided: int
    won: int
    backlog_max: int
    backlog_at_end: int
    daily: dict[str, np.ndarray]  # by column of DAILY

    def summary_fields(self) -> dict[str, int]:
        """The appeal fields of the system's summary entry."""
        return {"appeals_filed": self.filed, "appeals_decided": self.decided,
                "appeals_won": self.won, "appeal_backlog_max": self.backlog_max,
                "appeal_backlog_at_end": self.backlog_at_end}


DAILY = ("appeals_filed", "appeals_decided", "appeals_won", "appeal_backlog")


class AppealDesk(Tunable):
    """Reviewers who decide ``capacity`` appeals a day (real people), each at least
    ``latency`` days old; a share ``success`` of them win. Its spec is the system's (a
    schedule changes the system), of which it reads ``appeals``."""

    def __init__(self, plan: Plan, system: SystemPlan, streams: Streams) -> None:
        assert system.spec.appeals is not None
        self.spec = system.spec
        self.appeals = spec = system.spec.appeals
        self.warmup = plan.warmup
        self.queue = Queue(spec.capacity, spec.latency, plan.scale)
        self.scale = plan.scale
        self._decision = streams.claim(system.streams["appeal/decision"])
        days = plan.days
        self.daily = {k: np.zeros(days, dtype=np.int64) for k in DAILY}

    def configure(self, spec: SystemSpec) -> None:
        """New capacity, latency or success rate; the queue keeps who is waiting."""
        assert spec.appeals is not None  # (a schedule cannot add or remove appeals)
        self.spec, self.appeals = spec, spec.appeals
        self.queue.per_day = spec.appeals.capacity / self.scale
        self.queue.latency = spec.appeals.latency

    def file(self, day: int, ids: np.ndarray) -> None:
        self.queue.file(day, ids)
        if day >= self.warmup:
            self.daily["appeals_filed"][day - self.warmup] = ids.size

    def serve(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Decide today's appeals: (ids decided, which of them won)."""
        decided = self.queue.serve(day)
        won = self._decision.uniform(day, decided) < self.appeals.success
        if day >= self.warmup:
            i = day - self.warmup
            self.daily["appeals_decided"][i] = decided.size
            self.daily["appeals_won"][i] = int(won.sum())
            self.daily["appeal_backlog"][i] = self.queue.waiting
        return decided, won

    def totals(self) -> AppealTotals:
        d = self.daily
        return AppealTotals(filed=int(d["appeals_filed"].sum()),
                            decided=int(d["appeals_decided"].sum()),
                            won=int(d["appeals_won"].sum()),
                            backlog_max=int(d["appeal_backlog"].max(initial=0)),
                            backlog_at_end=self.queue.waiting, daily=dict(d))
