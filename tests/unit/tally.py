"""A toy system kind, added the way any kind is: this one module, and one registry line
(``SYSTEM_KINDS.register(Tally)``, which the tests run). It counts the events of one type in
its jurisdiction and sanctions no one; docs/architecture.md walks through it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from scorelab.core.results import Totals
from scorelab.scenario.schema import SystemSpec
from scorelab.systems.base import SCORED, SystemState
from scorelab.systems.summary import SystemSummary


class TallySpec(SystemSpec):
    """A toy kind: it counts the events of one type in its jurisdiction, sanctioning no one."""

    kind: Literal["tally"]
    event: str

    def events(self) -> list[str]:
        return [self.event]  # the plan declares the streams that record it


class TallySummary(SystemSummary):
    """The toy kind's entry in the summary: what every system has, and its own count."""

    kind: Literal["tally"]
    tallied: int = Field(description="events tallied in the reported days")


@dataclass
class TallyTotals(Totals):
    """The toy kind's own count over one shard (it adds up over shards)."""

    tallied: int

    def summary_fields(self) -> dict[str, Any]:
        return {"tallied": self.tallied}


class Tally(SystemState):
    """The toy kind over the persons of one shard."""

    kind: ClassVar[str] = "tally"
    Spec: ClassVar[type[TallySpec]] = TallySpec
    Summary: ClassVar[type[SystemSummary]] = TallySummary

    def step(self, day: int, events: dict[str, np.ndarray]) -> None:
        rows = self.coverage.local(events.get(self.spec.event, np.empty(0, np.int64)))
        rows = rows[rows >= 0]
        self.flags[rows] |= SCORED
        if (i := self.observed(day)) is not None:
            self.daily["records"][i] = rows.size

    def resolve_appeals(self, day: int, ids: np.ndarray, won: np.ndarray) -> None:
        pass

    def own_totals(self) -> TallyTotals:
        return TallyTotals(int(self.daily["records"].sum()))
