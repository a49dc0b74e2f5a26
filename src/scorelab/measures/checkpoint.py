"""Police stopping people to search their phones in the days after a protest.

A city's checkpoints are active on day ``d`` when a protest there fell in
``[d - days_after, d - 1]`` (so a wave of daily protests keeps them running, and a single
protest arms them for exactly ``days_after`` days). Each active day its officers make
``officers x shift_hours x 60 / minutes_per_search`` searches (officers are real people; the
count is divided by ``scale``), capped by the people there: first among people who were
present at a protest in the city in ``[d - days_after, d]``, then among the city's phone
owners at large. Who is stopped is the same whatever the split: each shard proposes its persons with the
smallest keyed draws, and the coordinator keeps the smallest overall.

A search that finds something detains the person (``action.detention_days``), a restriction
counted by their true role like any other, and restricts them (``action.restrict``, ``days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..core.caselog import SEARCHED
from ..core.results import Totals
from ..core.streams import Streams
from ..population.generate import Population
from ..processes.events import NEVER
from ..processes.protests import Protest, ProtestState
from ..scenario.plan import MeasurePlan, Plan
from ..scenario.schema import MAX_ITEMS, MeasureAction, MeasureSpec, Probability, Text
from .base import (
    Coordinator,
    CoordinatorTotals,
    Costs,
    MeasureState,
    MeasureTotals,
    Shards,
    best,
    smallest,
)
from .summary import MeasureSummary


class CheckpointMeasure(MeasureSpec):
    """Police stopping people to search their phones in the days after a protest."""

    after_protests: ClassVar[bool] = True

    kind: Literal["checkpoint"]
    description: Text = ""
    cities: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)  # where (default: every city with a protest)
    officers: int = Field(ge=0, le=10**8)  # per city with an active checkpoint, real people
    shift_hours: float = Field(gt=0, le=24)
    minutes_per_search: float = Field(ge=0.01, le=10_000)
    days_after: int = Field(default=3, ge=1, le=365)
    present_share: Probability = 0.5  # share of searches aimed at people present at the protest
    find_photos: bool = True
    find_apps: bool = True
    app_prevalence: Probability = 0.1  # VPNs, foreign messengers among phone owners
    action: MeasureAction = MeasureAction()

    def stream_names(self, name: str) -> dict[str, str]:
        return {"stop": f"measure/{name}/stop", "apps": f"measure/{name}/apps"}

    def named_cities(self) -> list[str]:
        return self.cities


class CheckpointSummary(MeasureSummary):
    """A checkpoint measure's entry in the summary."""

    LABEL: ClassVar[str] = "checkpoint (phone searches)"
    LATE: ClassVar[tuple[str, ...]] = ("searches", "search_hits")

    kind: Literal["checkpoint"]
    searches: int = Field(description="phones searched")
    search_hits: int = Field(description="searches that found something")


@dataclass
class SearchCounts(Totals):
    """Searches over one shard, and those that found something."""

    searches: int
    hits: int


@dataclass(kw_only=True)
class CheckpointTotals(CoordinatorTotals[SearchCounts]):
    """The officers' hours (in synthetic units), and the kind's summary rule."""

    officer_hours: float

    def summary_fields(self, counted: MeasureTotals[SearchCounts]) -> dict[str, Any]:
        return {"searches": counted.own.searches, "search_hits": counted.own.hits}

    def costs(self, counted: MeasureTotals[SearchCounts]) -> Costs:
        return Costs(officer_hours=self.officer_hours)


class CheckpointCoordinator(Coordinator["CheckpointState"]):
    """The global part: where checkpoints stand today, and whom they stop."""

    def __init__(self, plan: Plan, measure: MeasurePlan, streams: Streams) -> None:
        super().__init__(plan, measure, streams)
        spec = self.spec
        self.scale = plan.scale
        cells = len(plan.geography.city_names)
        self.allowed = plan.cells_mask(measure.cells)
        # the last protest day of each city up to today, and the one before it: checkpoints
        # act on the protests of the days before, whether or not the city protests again today
        self.last_protest = np.full(cells, -(10**9), dtype=np.int64)
        self.previous_protest = np.full(cells, -(10**9), dtype=np.int64)
        self.budget = np.zeros(cells)
        self.configure(spec)
        self.officer_hours = 0.0  # in synthetic units, like every count (x scale: real)

    def configure(self, spec: CheckpointMeasure) -> None:
        self.spec = spec
        self.searches_per_day = (spec.officers * spec.shift_hours * 60.0
                                 / spec.minutes_per_search / self.scale)

    def on_protests(self, day: int, protests: list[Protest]) -> None:
        for protest in protests:
            c = protest.city
            if self.allowed[c] and self.last_protest[c] != day:
                self.previous_protest[c] = self.last_protest[c]
                self.last_protest[c] = day

    def active(self, day: int) -> list[int]:
        """Cities with a protest in the ``days_after`` days before ``day``."""
        before = np.where(self.last_protest < day, self.last_protest, self.previous_protest)
        since = day - before
        return [int(c) for c in np.flatnonzero(since <= self.spec.days_after)]

    def quotas(self, day: int) -> dict[int, tuple[int, int]]:
        """Searches per active city today: (aimed at people present, at the city at large)."""
        out = {}
        for city in self.active(day):
            self.officer_hours += self.spec.officers * self.spec.shift_hours / self.scale
            self.budget[city] += self.searches_per_day
            n = int(self.budget[city] + 1e-9)
            self.budget[city] -= n
            present = round(n * self.spec.present_share)
            out[city] = (present, n - present)
        return out

    def act(self, day: int, shards: Shards[CheckpointState]) -> None:
        """Stop and search: first people present at the protest, then the city at large."""
        for city, (n_present, n_large) in self.quotas(day).items():
            none = np.empty(0, np.int64)
            present = smallest(shards.call(CheckpointState.propose, day, city, True,
                                           n_present, none), n_present)
            n_large += n_present - present.size
            large = smallest(shards.call(CheckpointState.propose, day, city, False, n_large,
                                         present), n_large)
            shards.scatter(CheckpointState.search, day, np.concatenate([present, large]))
        shards.call(CheckpointState.count_restricted, day)

    def totals(self) -> CheckpointTotals:
        return CheckpointTotals(officer_hours=self.officer_hours)



class CheckpointState(MeasureState):
    kind: ClassVar[str] = "checkpoint"
    Spec: ClassVar[type[CheckpointMeasure]] = CheckpointMeasure
    Summary: ClassVar[type[MeasureSummary]] = CheckpointSummary
    Coordinator: ClassVar[type[CheckpointCoordinator]] = CheckpointCoordinator
    spec: CheckpointMeasure

    def __init__(self, plan: Plan, measure: MeasurePlan, pop: Population,
                 protests: ProtestState | None, streams: Streams) -> None:
        super().__init__(plan, measure, pop, protests, streams)
        self.searches = self.hits = 0

    def own_totals(self) -> SearchCounts:
        return SearchCounts(self.searches, self.hits)

    def propose(self, day: int, city: int, present: bool, n: int, exclude: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """This shard's n best candidates (ids, draws) in a city's pool."""
        assert self.protests is not None
        rows = self.protests.city_rows(city)
        idx = np.arange(rows.start, rows.stop)
        pool = idx[self.pop.phone[rows]]
        if present:
            seen = self.protests.day_present[pool].astype(np.int64)
            # present at a protest in the window, today's included (in a wave people come back)
            pool = pool[(seen != NEVER) & (seen >= day - self.spec.days_after) & (seen <= day)]
        ids = pool + self.pop.start
        if exclude.size:
            ids = ids[~np.isin(ids, exclude)]
        keys = self.rng["stop"].uniform(day, ids, draw=int(present))
        return best(ids, keys, n)

    def search(self, day: int, ids: np.ndarray) -> None:
        """Search the phones of the persons stopped today and act on what is found."""
        if ids.size == 0:
            return
        assert self.protests is not None
        rows = ids - self.pop.start
        spec = self.spec
        photos = np.zeros(ids.size, dtype=bool)
        apps = np.zeros(ids.size, dtype=bool)
        if spec.find_photos:
            photos = self.protests.photos[rows] > 0
        if spec.find_apps:
            apps = self.rng["apps"].uniform(0, ids) < spec.app_prevalence
        found = photos | apps
        i = self.observed(day)
        if i is not None:
            self.daily["searches"][i] += ids.size
            self.searches += ids.size
        hit = rows[found]
        self.cases.add(day, ids, SEARCHED, photos + 2 * apps)
        if i is not None:
            self.hits += hit.size
        self.flag(day, hit)
        self.detain(day, hit, spec.action.detention_days, spec.action.days)
