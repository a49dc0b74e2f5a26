"""Police stopping people to search their phones in the days after a protest.

Each day a checkpoint is active in a city (the ``days_after`` days following a protest
there), its officers make ``officers x shift_hours x 60 / minutes_per_search`` searches
(officers are real people; the count is divided by ``scale``), capped by the people there:
first among people who were present at the protest, then among the city's phone owners at
large. Who is stopped is the same whatever the split: each shard proposes its persons with the
smallest keyed draws, and the coordinator keeps the smallest overall.
"""

from __future__ import annotations

import numpy as np

from ..engine.streams import Streams
from ..population.generate import Geography, Population
from ..processes.events import NEVER
from ..processes.protests import Protest, ProtestState
from ..scenario.schema import CheckpointMeasure
from .base import MeasureState


class CheckpointCoordinator:
    """The global part: where checkpoints stand today, and whom they stop."""

    def __init__(self, name: str, spec: CheckpointMeasure, geo: Geography, scale: float
                 ) -> None:
        self.spec = spec
        self.scale = scale
        cells = len(geo.city_names)
        self.allowed = np.ones(cells, dtype=bool)
        if spec.cities:
            self.allowed[:] = False
            self.allowed[[geo.city_names.index(c) for c in spec.cities]] = True
        self.last_protest = np.full(cells, -(10**9), dtype=np.int64)
        self.budget = np.zeros(cells)
        self.searches_per_day = (spec.officers * spec.shift_hours * 60.0
                                 / spec.minutes_per_search / scale)
        self.officer_hours = 0.0  # in synthetic units, like every count (x scale: real)

    def update(self, day: int, protests: list[Protest]) -> None:
        for protest in protests:
            if self.allowed[protest.city]:
                self.last_protest[protest.city] = day

    def active(self, day: int) -> list[int]:
        since = day - self.last_protest
        return [int(c) for c in np.flatnonzero((since >= 1) & (since <= self.spec.days_after))]

    def quotas(self, day: int, observed: bool) -> dict[int, tuple[int, int]]:
        """Searches per active city today: (aimed at people present, at the city at large)."""
        out = {}
        for city in self.active(day):
            if observed:
                self.officer_hours += self.spec.officers * self.spec.shift_hours / self.scale
            self.budget[city] += self.searches_per_day
            n = int(self.budget[city] + 1e-9)
            self.budget[city] -= n
            present = round(n * self.spec.present_share)
            out[city] = (present, n - present)
        return out

    @staticmethod
    def pick(proposals: list[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray:
        """The n persons with the smallest draws among all shards' proposals."""
        ids = np.concatenate([p[0] for p in proposals]) if proposals else np.empty(0, np.int64)
        keys = np.concatenate([p[1] for p in proposals]) if proposals else np.empty(0)
        if ids.size <= n:
            return np.sort(ids)
        order = np.lexsort((ids, keys))[:n]
        return np.sort(ids[order])


class CheckpointState(MeasureState):
    kind = "checkpoint"

    def __init__(self, name: str, spec: CheckpointMeasure, pop: Population,
                 protests: ProtestState | None, streams: Streams, days: int,
                 warmup: int) -> None:
        super().__init__(name, pop, protests, streams, days, warmup)
        self.spec = spec
        self._stop = f"measure/{name}/stop"
        self._apps = f"measure/{name}/apps"
        self.searched = np.zeros(0, dtype=np.int64)

    @staticmethod
    def stream_names(name: str) -> list[str]:
        return [f"measure/{name}/stop", f"measure/{name}/apps"]

    def propose(self, day: int, city: int, present: bool, n: int, exclude: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """This shard's n best candidates (ids, draws) in a city's pool."""
        assert self.protests is not None
        rows = self.protests.city_rows(city)
        idx = np.arange(rows.start, rows.stop)
        pool = idx[self.pop.phone[rows]]
        if present:
            seen = self.protests.day_present[pool].astype(np.int64)
            pool = pool[(seen != NEVER) & (seen >= day - self.spec.days_after) & (seen < day)]
        ids = pool + self.pop.start
        if exclude.size:
            ids = ids[~np.isin(ids, exclude)]
        keys = self.streams.uniform(self._stop, day, ids, draw=int(present))
        if ids.size > n:
            keep = np.lexsort((ids, keys))[:n]
            ids, keys = ids[keep], keys[keep]
        return ids, keys

    def search(self, day: int, ids: np.ndarray) -> None:
        """Search the phones of the persons stopped today and act on what is found."""
        if ids.size == 0:
            return
        assert self.protests is not None
        rows = ids - self.pop.start
        spec = self.spec
        found = np.zeros(ids.size, dtype=bool)
        if spec.find_photos:
            found |= self.protests.photos[rows] > 0
        if spec.find_apps:
            found |= self.streams.uniform(self._apps, 0, ids) < spec.app_prevalence
        i = self.observed(day)
        if i is not None:
            self.daily["searches"][i] += ids.size
            self.counts["searches"] += ids.size
        hit = rows[found]
        if i is not None:
            self.counts["hits"] += hit.size
        self.flag(day, hit)
        if i is not None:
            self.counts["detention_days"] += hit.size * spec.action.detention_days
        self.restrict(day, hit, spec.action.days)
