"""Cutting a city off (social media, or all signal) for some days after a protest there.

Everyone in scope loses service: the measure flags no one, and its harm is person-days,
most of them of people who had nothing to do with the protest (collateral).
"""

from __future__ import annotations

import numpy as np

from ..engine.streams import Streams
from ..population.generate import Geography, Population
from ..processes.protests import Protest, ProtestState
from ..scenario.schema import ShutdownMeasure
from .base import MeasureState


class ShutdownCoordinator:
    """The global part: which cities are cut off on which days."""

    def __init__(self, spec: ShutdownMeasure, geo: Geography) -> None:
        self.spec = spec
        cells = len(geo.city_names)
        self.trigger = np.ones(cells, dtype=bool)
        if spec.cities:
            self.trigger[:] = False
            self.trigger[[geo.city_names.index(c) for c in spec.cities]] = True
        self.start = np.full(cells, -1, dtype=np.int64)
        self.stop = np.full(cells, -1, dtype=np.int64)

    def update(self, day: int, protests: list[Protest]) -> None:
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


class ShutdownState(MeasureState):
    kind = "shutdown"

    def __init__(self, name: str, spec: ShutdownMeasure, pop: Population,
                 protests: ProtestState | None, streams: Streams, days: int,
                 warmup: int) -> None:
        super().__init__(name, pop, protests, streams, days, warmup)
        self.spec = spec

    def step(self, day: int, cut_off: list[int]) -> None:
        i = self.observed(day)
        if i is None or self.protests is None:
            return
        for city in cut_off:
            rows = self.protests.city_rows(city)
            roles = self.protests.role[rows].astype(np.int64)
            self._add_restricted(i, roles)
            self.counts["person_days_cut"] += roles.size
