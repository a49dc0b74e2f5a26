"""Cutting a city off (social media, or all signal) for some days after a protest there.

Everyone in scope loses service: the measure flags no one, and its harm is person-days,
most of them of people who had nothing to do with the protest (collateral).
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from ..core.streams import Streams
from ..processes.protests import Protest
from ..scenario.plan import MeasurePlan, Plan
from ..scenario.schema import MAX_DAYS, MAX_ITEMS, MeasureSpec, Probability, Text
from .base import Coordinator, MeasureState, Shards


class ShutdownMeasure(MeasureSpec):
    """Cutting a city off (social media, or all signal) after a protest there."""

    after_protests: ClassVar[bool] = True

    kind: Literal["shutdown"]
    description: Text = ""
    #: cities whose protests trigger a shutdown of themselves (default all)
    cities: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    duration: int = Field(ge=1, le=MAX_DAYS)
    start_after: int = Field(default=0, ge=0, le=365)
    cuts: Literal["social_media", "all_signal"] = "social_media"
    forwarding_factor: Probability = 0.2  # share of forwarding that still gets through
    cost_per_person_day: float = Field(default=2.1, ge=0, le=1e9)  # US$; GSMA lower anchor

    def named_cities(self) -> list[str]:
        return self.cities


class ShutdownCoordinator(Coordinator):
    """The global part: which cities are cut off on which days."""

    def __init__(self, plan: Plan, measure: MeasurePlan, streams: Streams) -> None:
        super().__init__(plan, measure, streams)
        cells = len(plan.geography.city_names)
        self.trigger = plan.cells_mask(measure.cells)
        self.start = np.full(cells, -1, dtype=np.int64)
        self.stop = np.full(cells, -1, dtype=np.int64)

    def on_protests(self, day: int, protests: list[Protest]) -> None:
        for protest in protests:
            c = protest.city
            if not self.trigger[c]:
                continue
            begin = day + self.spec.start_after
            if self.stop[c] >= begin:  # still cut off (or about to be): extend
                self.stop[c] = max(self.stop[c], begin + self.spec.duration)
            else:
                self.start[c], self.stop[c] = begin, begin + self.spec.duration

    def cut_off(self, day: int) -> list[int]:
        return [int(c) for c in np.flatnonzero((self.start <= day) & (day < self.stop))]

    def forwarding(self, day: int) -> dict[int, float]:
        factor = 0.0 if self.spec.cuts == "all_signal" else self.spec.forwarding_factor
        return {c: factor for c in self.cut_off(day)}

    def act(self, day: int, shards: Shards) -> None:
        shards.call("step", day, self.cut_off(day))

    def costs(self, counts: dict[str, int]) -> dict[str, float]:
        return {"economic_usd": counts["person_days_cut"] * self.spec.cost_per_person_day}


class ShutdownState(MeasureState):
    kind: ClassVar[str] = "shutdown"
    Spec: ClassVar[type[ShutdownMeasure]] = ShutdownMeasure
    Coordinator: ClassVar[type[ShutdownCoordinator]] = ShutdownCoordinator
    shard_methods = MeasureState.shard_methods | {"step"}
    spec: ShutdownMeasure

    def step(self, day: int, cut_off: list[int]) -> None:
        i = self.observed(day)
        if i is None or self.protests is None:
            return
        for city in cut_off:
            rows = self.protests.city_rows(city)
            roles = self.protests.role[rows].astype(np.int64)
            self._add_restricted(i, roles)
            self.counts["person_days_cut"] += roles.size
