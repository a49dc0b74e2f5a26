"""A (hypothetical) scanner on every phone that matches photos against a target list.

No photo is materialised. Ordinary photos can only produce *false* matches: their count per
day is Poisson(photos_per_day x match_fpr), so each phone carries the day of its next false
match (a geometric gap, exact for a daily Poisson count) and a day touches only the phones
whose false match is due. A false match comes with a burst of near-duplicates that match too
(geometric, mean ``burst_mean``). Protest photos match with probability ``match_tpr`` when they
reach a phone. Listed ordinary material (``scope``: religious or cultural files some people
keep) matches at the first scan. Matches are counted in consecutive windows of ``window``
days; ``threshold`` matches in a window flag the phone. Flags go to human review (or are acted
on unreviewed), and confirmed flags restrict the owner.
"""

from __future__ import annotations

import numpy as np

from ..engine import draws
from ..engine.streams import Streams
from ..population.generate import Population
from ..processes.events import NEVER, waiting_days
from ..processes.protests import PARTICIPANT, ProtestState
from ..scenario.schema import DeviceScanMeasure
from .base import MeasureState

HAS_TRUE_MATCH = np.uint8(2)  # a match this window that is really on the list
IN_REVIEW = np.uint8(4)
FILED_REAL = np.uint8(8)  # the flag under review came with a match really on the list


class DeviceScanState(MeasureState):
    kind = "device_scan"

    def __init__(self, name: str, spec: DeviceScanMeasure, pop: Population,
                 protests: ProtestState | None, streams: Streams, days: int,
                 warmup: int) -> None:
        super().__init__(name, pop, protests, streams, days, warmup)
        self.spec = spec
        self._s = f"measure/{name}"
        n = len(pop)
        self.count = np.zeros(n, dtype=np.uint16)  # matches in the current window
        self.window_of = np.zeros(n, dtype=np.uint16)  # which window the count is for
        self.lam = spec.photos_per_day * spec.match_fpr
        self.p_day = -np.expm1(-self.lam)  # chance of at least one false match in a day
        self.next_day = np.full(n, NEVER, dtype=np.uint16)
        self.installed_count = 0
        self.confirmed_by_role = np.zeros(4, dtype=np.int64)
        self.filed: list[np.ndarray] = []
        size = streams.block_size
        for a in range(0, n, size):  # block by block: small temporaries
            b = min(a + size, n)
            ids = np.arange(pop.start + a, pop.start + b)
            inst = self.installed(ids)
            self.installed_count += int(inst.sum())
            if self.p_day > 0:
                first = warmup + waiting_days(streams.uniform(f"{self._s}/start", 0, ids),
                                              np.full(b - a, self.p_day))
                self.next_day[a:b] = np.where(inst, np.minimum(first, NEVER), NEVER)

    @staticmethod
    def stream_names(name: str) -> list[str]:
        return [f"measure/{name}/{s}" for s in
                ("install", "start", "false", "true", "scope", "review")]

    def installed(self, ids: np.ndarray) -> np.ndarray:
        rows = ids - self.pop.start
        return self.pop.phone[rows] & (
            self.streams.uniform(f"{self._s}/install", 0, ids) < self.spec.install_rate)

    def _add(self, day: int, rows: np.ndarray, matches: np.ndarray, true: bool) -> None:
        """Add matches to the current window; flag phones that reach the threshold."""
        keep = matches > 0
        rows, matches = rows[keep], matches[keep]
        if rows.size == 0:
            return
        spec = self.spec
        window = (day - self.warmup) // spec.window  # consecutive windows from day 0
        stale = self.window_of[rows] != window
        self.count[rows[stale]] = 0
        self.flags[rows[stale]] &= ~HAS_TRUE_MATCH
        self.window_of[rows] = window
        before = self.count[rows].astype(np.int64)
        self.count[rows] = np.minimum(before + matches, NEVER)
        if true:
            self.flags[rows] |= HAS_TRUE_MATCH
        if self.observed(day) is not None:
            self.counts["matches"] += int(matches.sum())
        crossed = rows[(before < spec.threshold) & (before + matches >= spec.threshold)]
        fresh = self.flag(day, crossed)
        if fresh.size == 0:
            return
        if spec.review is None:
            self.restrict(day, fresh, spec.action.days)
            return
        real = (self.flags[fresh] & HAS_TRUE_MATCH) != 0
        self.flags[fresh] |= IN_REVIEW
        self.flags[fresh[real]] |= FILED_REAL
        self.filed.append(fresh + self.pop.start)
        if spec.review.unreviewed == "act":
            self.restrict(day, fresh, spec.action.days)

    def step(self, day: int) -> None:
        spec = self.spec
        pop = self.pop
        if day == self.warmup and spec.scope.items > 0 and (spec.scope.majority
                                                            or spec.scope.minority):
            self._scan_library(day)
        rows = np.flatnonzero(self.next_day == day)
        if rows.size:
            ids = rows + pop.start
            events = draws.poisson_positive(self.streams.uniform(f"{self._s}/false", day, ids),
                                            self.lam)
            matches = events.copy()
            if spec.burst_mean > 1:  # each event brings a geometric burst of near-duplicates
                matches[:] = 0
                for j in range(int(events.max(initial=0))):
                    more = events > j
                    u = self.streams.uniform(f"{self._s}/false", day, ids, draw=2 + j)
                    matches += np.where(more, draws.geometric_positive(u, spec.burst_mean), 0)
            gap = waiting_days(self.streams.uniform(f"{self._s}/false", day, ids, draw=1),
                               np.full(rows.size, self.p_day))
            self.next_day[rows] = np.minimum(day + 1 + gap, NEVER)
            self._add(day, rows, matches, true=False)
        if self.protests is not None:
            ids, photos = self.protests.new_photos()
            inst = self.installed(ids)
            ids, photos = ids[inst], photos[inst]
            if self.observed(day) is not None:
                self.counts["protest_images"] += int(photos.sum())
            hits = draws.binomial(self.streams.uniform(f"{self._s}/true", day, ids), photos,
                                  spec.match_tpr)
            self._add(day, ids - pop.start, hits, true=True)

    def _scan_library(self, day: int) -> None:
        """The first scan finds listed ordinary material on the phones of those who keep it."""
        spec, pop = self.spec, self.pop
        size = self.streams.block_size
        for a in range(0, len(pop), size):
            b = min(a + size, len(pop))
            ids = np.arange(pop.start + a, pop.start + b)
            share = np.where(pop.group[a:b] == 1, spec.scope.minority, spec.scope.majority)
            holds = self.installed(ids) & (
                self.streams.uniform(f"{self._s}/scope", 0, ids) < share)
            rows = np.flatnonzero(holds) + a
            self._add(day, rows, np.full(rows.size, spec.scope.items, dtype=np.int64), True)

    def take_filings(self) -> np.ndarray:
        ids = np.concatenate(self.filed) if self.filed else np.empty(0, dtype=np.int64)
        self.filed = []
        return ids

    def decide(self, day: int, ids: np.ndarray) -> None:
        """Reviewers look at the matched images: real listed material is confirmed with
        probability ``accuracy``, false matches are rejected with the same probability."""
        assert self.spec.review is not None
        rows = ids - self.pop.start
        real = (self.flags[rows] & FILED_REAL) != 0
        self.flags[rows] &= ~(IN_REVIEW | FILED_REAL)
        accuracy = self.spec.review.accuracy
        u = self.streams.uniform(f"{self._s}/review", day, ids)
        confirmed = np.where(real, u < accuracy, u >= accuracy)
        if self.observed(day) is not None:
            self.counts["reviews"] += ids.size
            self.confirmed_by_role += np.bincount(self.role(rows[confirmed]), minlength=4)
        if self.spec.review.unreviewed == "act":
            self.lift(day, rows[~confirmed])
        else:
            self.restrict(day, rows[confirmed], self.spec.action.days)

    def summary(self) -> dict[str, object]:
        self.counts["installed"] = self.installed_count
        out = super().summary()
        by = self.confirmed_by_role
        out["confirmed"] = int(by.sum())
        out["confirmed_wrongly"] = int(by.sum() - by[PARTICIPANT])
        return out
