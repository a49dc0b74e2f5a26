"""Cutting a city off (social media, or all signal) for some days after a protest there.

Everyone in scope loses service: the measure flags no one, and its harm is person-days,
most of them of people who had nothing to do with the protest (collateral).

Which protest cities are cut off: those among ``cities`` (default every city) that a keyed
draw, one per city cell for the whole run, puts within ``share``. A city drawn out is never cut
off however often it protests, and a city drawn in is cut off at each protest, so the cities
cut off are a share of the cities that protest (in expectation ``share`` of them, binomially),
the same whatever the split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..core.caselog import CUT_OFF
from ..core.results import Totals
from ..core.streams import Streams
from ..population.generate import Population
from ..processes.protests import Protest, ProtestState
from ..scenario.plan import MeasurePlan, Plan
from ..scenario.schema import MAX_DAYS, MAX_ITEMS, MeasureSpec, Probability, Text
from .base import Coordinator, CoordinatorTotals, Costs, MeasureState, MeasureTotals, Shards
from .summary import MeasureSummary


class ShutdownMeasure(MeasureSpec):
    """Cutting a city off (social media, or all signal) after a protest there."""

    after_protests: ClassVar[bool] = True

    kind: Literal["shutdown"]
    description: Text = ""
    #: cities whose protests trigger a shutdown of themselves (default all)
    cities: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    duration: int = Field(ge=1, le=MAX_DAYS)
    start_after: int = Field(default=0, ge=0, le=365)
    #: share of protest cities that a protest there cuts off (a keyed draw per city)
    share: Probability = 1.0
    cuts: Literal["social_media", "all_signal"] = "social_media"
    forwarding_factor: Probability = 0.2  # share of forwarding that still gets through
    cost_per_person_day: float = Field(default=2.1, ge=0, le=1e9)  # US$; GSMA lower anchor

    def named_cities(self) -> list[str]:
        return self.cities

    def stream_names(self, name: str) -> dict[str, str]:
        return {"share": f"measure/{name}/share"}


class ShutdownSummary(MeasureSummary):
    """A shutdown's entry in the summary: it flags nobody; its harm is person-days."""

    LABEL: ClassVar[str] = "shutdown (city cut off)"
    NEVER_FIRED: ClassVar[str] = "never fired: no city was cut off, so nobody was restricted"

    LATE: ClassVar[tuple[str, ...]] = ("cities_cut_off",)
    FIGURES: ClassVar[dict[str, tuple[str, str, bool | None]]] = {
        "cities_cut_off": ("city cells cut off", "cities", True)}

    kind: Literal["shutdown"]
    cities_cut_off: int = Field(description="city cells cut off on at least one reported day")

    def nobody_flagged(self, person_days: str) -> str:
        return ("nobody flagged: the shutdown restricted everyone in the city instead "
                f"({person_days} person-days)")


@dataclass
class CutCounts(Totals):
    """Person-days cut off over one shard (the economic cost)."""

    person_days_cut: int


@dataclass(kw_only=True)
class ShutdownTotals(CoordinatorTotals[CutCounts]):
    """The economic cost of a person-day cut off (the spec's at the end), the cities cut off,
    and the kind's rule."""

    cost_per_person_day: float
    cities_cut_off: int

    def summary_fields(self, counted: MeasureTotals[CutCounts]) -> dict[str, Any]:
        return {"cities_cut_off": self.cities_cut_off}

    def costs(self, counted: MeasureTotals[CutCounts]) -> Costs:
        return Costs(economic_usd=counted.own.person_days_cut * self.cost_per_person_day)


class ShutdownCoordinator(Coordinator["ShutdownState"]):
    """The global part: which cities are cut off on which days."""

    def __init__(self, plan: Plan, measure: MeasurePlan, streams: Streams) -> None:
        super().__init__(plan, measure, streams)
        cells = len(plan.geography.city_names)
        self.trigger = plan.cells_mask(measure.cells)
        # one draw per city cell for the run: the city is cut off when it is below the share
        self.draw = streams.claim(measure.streams["share"]).uniform(
            0, np.arange(cells, dtype=np.int64))
        self.start = np.full(cells, -1, dtype=np.int64)
        self.stop = np.full(cells, -1, dtype=np.int64)
        self.ever = np.zeros(cells, dtype=bool)  # cut off on a reported day

    def on_protests(self, day: int, protests: list[Protest]) -> None:
        for protest in protests:
            c = protest.city
            if not self.trigger[c] or self.draw[c] >= self.spec.share:
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

    def act(self, day: int, shards: Shards[ShutdownState]) -> None:
        cut = self.cut_off(day)
        self.ever[cut] = True
        shards.call(ShutdownState.step, day, cut)

    def totals(self) -> ShutdownTotals:
        return ShutdownTotals(cost_per_person_day=self.spec.cost_per_person_day,
                              cities_cut_off=int(self.ever.sum()))


class ShutdownState(MeasureState):
    kind: ClassVar[str] = "shutdown"
    Spec: ClassVar[type[ShutdownMeasure]] = ShutdownMeasure
    Summary: ClassVar[type[MeasureSummary]] = ShutdownSummary
    Coordinator: ClassVar[type[ShutdownCoordinator]] = ShutdownCoordinator
    spec: ShutdownMeasure

    def __init__(self, plan: Plan, measure: MeasurePlan, pop: Population,
                 protests: ProtestState | None, streams: Streams) -> None:
        super().__init__(plan, measure, pop, protests, streams)
        self.person_days_cut = 0

    def own_totals(self) -> CutCounts:
        return CutCounts(self.person_days_cut)

    def step(self, day: int, cut_off: list[int]) -> None:
        i = self.observed(day)
        if i is None or self.protests is None:
            return
        self.cases.add(day, np.full(len(cut_off), -1, dtype=np.int64), CUT_OFF,
                       np.array(cut_off, dtype=np.int64))
        for city in cut_off:
            rows = self.protests.city_rows(city)
            roles = self.protests.role[rows].astype(np.int64)
            self._add_restricted(i, rows, roles)
            self.person_days_cut += roles.size
