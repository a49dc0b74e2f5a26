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

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..core import draws
from ..core.calendar import Calendar
from ..core.caselog import REVIEWED
from ..core.columns import Column
from ..core.queue import Queue
from ..core.results import Totals
from ..core.streams import Streams
from ..processes.events import NEVER, waiting_days
from ..processes.protests import PARTICIPANT, ROLES
from ..scenario.plan import MeasurePlan, Plan
from ..scenario.schema import (
    MAX_CAPACITY,
    MAX_DAYS,
    MeasureAction,
    MeasureSpec,
    Probability,
    Strict,
    Text,
)
from .base import (
    Coordinator,
    CoordinatorTotals,
    Costs,
    MeasureState,
    MeasureTotals,
    Shards,
)
from .summary import MeasureSummary


class ReviewSpec(Strict):
    """Human review of a scanner's flags."""

    capacity: float = Field(ge=0, le=MAX_CAPACITY)  # decisions a day, real people (/ scale)
    accuracy: Probability = 0.95
    latency: int = Field(default=0, ge=0, le=3650)
    unreviewed: Literal["wait", "act"] = "wait"
    minutes_per_review: float = Field(default=2.0, gt=0, le=1e6)



class ScanCost(Strict):
    flops_per_image: float = Field(default=4.3e8, ge=0, le=1e18)  # MobileNetV3-Large: 217 M MACs
    joules_per_image: float = Field(default=0.03, ge=0, le=1e9)
    upload_bytes_per_match: float = Field(default=50_000, ge=0, le=1e12)


class ListScope(Strict):
    """What the target list holds beyond protest photos: ordinary religious or cultural
    material that some people keep, by group (a share of each group holds ``items`` listed
    files, found at the first scan)."""

    majority: Probability = 0.0
    minority: Probability = 0.0
    items: int = Field(default=5, ge=0, le=100_000)



class DeviceScanMeasure(MeasureSpec):
    """A (hypothetical) scanner on every phone matching photos against a target list."""

    kind: Literal["device_scan"]
    description: Text = ""
    install_rate: Probability
    photos_per_day: float = Field(ge=0, le=10_000)
    match_tpr: Probability
    match_fpr: Probability
    burst_mean: float = Field(default=1.0, ge=1, le=1000)  # near-duplicates per false match
    threshold: int = Field(ge=1, le=100_000)
    window: int = Field(ge=1, le=MAX_DAYS)
    scope: ListScope = ListScope()
    review: ReviewSpec | None = None
    action: MeasureAction = MeasureAction()
    cost: ScanCost = ScanCost()

    def stream_names(self, name: str) -> dict[str, str]:
        return {part: f"measure/{name}/{part}" for part in
                ("install", "start", "false", "true", "scope", "review")}

    def fixed_shape(self) -> tuple[Any, ...]:
        """A review desk exists for the whole run or not at all (its settings may change)."""
        return (self.review is None,)


class DeviceScanSummary(MeasureSummary):
    """A scanner's entry in the summary."""

    LABEL: ClassVar[str] = "device scan (on-phone scanning)"
    LATE: ClassVar[tuple[str, ...]] = ("installed", "matches", "review_backlog_max")

    kind: Literal["device_scan"]
    confirmed: int = Field(description="flagged persons the reviewers confirmed")
    confirmed_wrongly: int = Field(description="of them, persons who did not participate")
    installed: int = Field(description="phones with the scanner installed")
    matches: int = Field(description="images matched")
    review_backlog_max: int | None = Field(
        default=None, description="with review: the most flagged persons waiting on one day")


@dataclass
class ScanCounts(Totals):
    """What the scanners of one shard counted: the integers behind the costs, and the
    persons confirmed by reviewers, by protest role."""

    installed: int
    matches: int
    reviews: int
    protest_images: int
    confirmed_by_role: np.ndarray


@dataclass(kw_only=True)
class ScanTotals(CoordinatorTotals[ScanCounts]):
    """The spec in force at the end (its costs), the reported days and the review backlog,
    and the kind's summary rule."""

    spec: DeviceScanMeasure
    days: int
    backlog_max: int | None  # with review

    def summary_fields(self, counted: MeasureTotals[ScanCounts]) -> dict[str, Any]:
        own = counted.own
        by = own.confirmed_by_role
        out: dict[str, Any] = {"confirmed": int(by.sum()),
                               "confirmed_wrongly": int(by.sum() - by[PARTICIPANT]),
                               "installed": own.installed, "matches": own.matches}
        if self.backlog_max is not None:
            out["review_backlog_max"] = self.backlog_max
        return out

    def costs(self, counted: MeasureTotals[ScanCounts]) -> Costs:
        spec, own = self.spec, counted.own
        images = own.installed * spec.photos_per_day * self.days + own.protest_images
        out = Costs(images_scanned=images, device_flops=images * spec.cost.flops_per_image,
                    energy_kwh=images * spec.cost.joules_per_image / 3.6e6,
                    upload_bytes=own.matches * spec.cost.upload_bytes_per_match)
        if spec.review is not None:
            out.reviewer_hours = own.reviews * spec.review.minutes_per_review / 60
        return out


HAS_TRUE_MATCH = np.uint8(2)  # a match this window that is really on the list
IN_REVIEW = np.uint8(4)
FILED_REAL = np.uint8(8)  # the flag under review came with a match really on the list


class ScanCoordinator(Coordinator["DeviceScanState"]):
    """The global part: the human review desk, and the costs of scanning."""

    def __init__(self, plan: Plan, measure: MeasurePlan, streams: Streams) -> None:
        super().__init__(plan, measure, streams)
        self.review: Queue | None = None
        self.backlog = np.zeros(plan.days, dtype=np.int64)
        if self.spec.review is not None:
            self.review = Queue(self.spec.review.capacity, self.spec.review.latency, plan.scale)

    def configure(self, spec: DeviceScanMeasure) -> None:
        """New review capacity or latency; the desk keeps who is waiting."""
        self.spec = spec
        if self.review is not None and spec.review is not None:
            self.review.per_day = spec.review.capacity / self.plan.scale
            self.review.latency = spec.review.latency

    def act(self, day: int, shards: Shards[DeviceScanState]) -> None:
        shards.call(DeviceScanState.step, day)
        if self.review is not None:
            self.review.file(day, np.concatenate(shards.call(DeviceScanState.take_filings)))
            shards.scatter(DeviceScanState.decide, day, self.review.serve(day))
            self.backlog[day - self.plan.warmup] = self.review.waiting
        # after review: confirmed today counts today
        shards.call(DeviceScanState.count_restricted, day)

    def totals(self) -> ScanTotals:
        return ScanTotals(daily={"review_backlog": self.backlog} if self.review is not None else {},
                          spec=self.spec, days=self.plan.days,
                          backlog_max=(int(self.backlog.max(initial=0))
                                       if self.review is not None else None))


class DeviceScanState(MeasureState):
    kind: ClassVar[str] = "device_scan"
    Spec: ClassVar[type[DeviceScanMeasure]] = DeviceScanMeasure
    Summary: ClassVar[type[MeasureSummary]] = DeviceScanSummary
    Coordinator: ClassVar[type[ScanCoordinator]] = ScanCoordinator
    spec: DeviceScanMeasure

    # matches in the current window, which window it is, the next false-match day
    count: np.ndarray
    window_of: np.ndarray
    next_day: np.ndarray

    @classmethod
    def columns(cls, spec: Any) -> tuple[Column, ...]:
        return (Column("count", np.uint16, 0), Column("window_of", np.uint16, 0),
                Column("next_day", np.uint16, NEVER))

    def __init__(self, plan: Plan, measure: MeasurePlan, pop: Any, protests: Any,
                 streams: Streams) -> None:
        super().__init__(plan, measure, pop, protests, streams)
        spec = self.spec
        warmup = plan.warmup
        self.configure(spec)
        self.installed_count = 0
        self.matches = self.reviews = self.protest_images = 0
        self.confirmed_by_role = np.zeros(len(ROLES), dtype=np.int64)
        self.filed: list[np.ndarray] = []
        #: the phones due a false match on each day of a window (``next_day`` stays the truth)
        self.calendar = Calendar()
        self._install(warmup, 0)

    def configure(self, spec: DeviceScanMeasure) -> None:
        self.spec = spec
        self.lam = spec.photos_per_day * spec.match_fpr
        self.p_day = -np.expm1(-self.lam)  # chance of at least one false match in a day

    def reconcile(self, day: int, old: DeviceScanMeasure) -> None:
        """A new install rate or false-match rate: phones are installed afresh (the same
        draws, so a higher rate adds phones and a lower one removes some) and every next
        false match is drawn anew from ``day`` (memoryless). The install count behind the
        scanning costs becomes the new one."""
        spec = self.spec
        if (old.install_rate, old.photos_per_day, old.match_fpr) != (
                spec.install_rate, spec.photos_per_day, spec.match_fpr):
            self._install(max(day, self.warmup), day)

    def _install(self, first_day: int, stream_day: int) -> None:
        """Which phones run the scanner, and the day of each one's next false match on or
        after ``first_day`` (block by block: small temporaries)."""
        pop, n = self.pop, len(self.pop)
        self.installed_count = 0
        size = self.streams.block_size
        for a in range(0, n, size):
            b = min(a + size, n)
            ids = np.arange(pop.start + a, pop.start + b)
            inst = self.installed(ids)
            self.installed_count += int(inst.sum())
            self.next_day[a:b] = NEVER
            if self.p_day > 0:
                first = first_day + waiting_days(self.rng["start"].uniform(stream_day, ids),
                                                 np.full(b - a, self.p_day))
                self.next_day[a:b] = np.where(inst, np.minimum(first, NEVER), NEVER)
        self.calendar.close()

    def installed(self, ids: np.ndarray) -> np.ndarray:
        rows = ids - self.pop.start
        out: np.ndarray = self.pop.phone[rows] & (
            self.rng["install"].uniform(0, ids) < self.spec.install_rate)
        return out

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
            self.matches += int(matches.sum())
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

    def _due(self, day: int) -> np.ndarray:
        """The phones whose next false match is today, ascending (as
        ``np.flatnonzero(next_day == day)``), from the calendar: no daily column scan."""
        calendar = self.calendar
        if not calendar.covers(day):
            rows = np.flatnonzero(self.next_day < calendar.end(day, NEVER))
            calendar.open(day, rows, self.next_day[rows], NEVER)
        return calendar.take(day)

    def step(self, day: int) -> None:
        spec = self.spec
        pop = self.pop
        if day == self.warmup and spec.scope.items > 0 and (spec.scope.majority
                                                            or spec.scope.minority):
            self._scan_library(day)
        rows = self._due(day)
        if rows.size:
            ids = rows + pop.start
            events = draws.poisson_positive(self.rng["false"].uniform(day, ids), self.lam)
            matches = events.copy()
            if spec.burst_mean > 1:  # each event brings a geometric burst of near-duplicates
                matches[:] = 0
                for j in range(int(events.max(initial=0))):
                    more = events > j
                    u = self.rng["false"].uniform(day, ids, draw=2 + j)
                    matches += np.where(more, draws.geometric_positive(u, spec.burst_mean), 0)
            gap = waiting_days(self.rng["false"].uniform(day, ids, draw=1),
                               np.full(rows.size, self.p_day))
            self.next_day[rows] = np.minimum(day + 1 + gap, NEVER)
            self.calendar.add(rows, self.next_day[rows])
            self._add(day, rows, matches, true=False)
        if self.protests is not None:
            ids, photos = self.protests.new_photos()
            inst = self.installed(ids)
            ids, photos = ids[inst], photos[inst]
            if self.observed(day) is not None:
                self.protest_images += int(photos.sum())
            hits = draws.binomial(self.rng["true"].uniform(day, ids), photos,
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
                self.rng["scope"].uniform(0, ids) < share)
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
        u = self.rng["review"].uniform(day, ids)
        confirmed = np.where(real, u < accuracy, u >= accuracy)
        self.cases.add(day, ids, REVIEWED, confirmed)
        if self.observed(day) is not None:
            self.reviews += ids.size
            self.confirmed_by_role += np.bincount(self.role(rows[confirmed]),
                                                  minlength=len(ROLES))
        if self.spec.review.unreviewed == "act":
            self.lift(day, rows[~confirmed])
        else:
            self.restrict(day, rows[confirmed], self.spec.action.days)

    def own_totals(self) -> ScanCounts:
        return ScanCounts(self.installed_count, self.matches, self.reviews,
                          self.protest_images, self.confirmed_by_role.copy())
