"""Jamming every signal at a protest site, on the day of the protest.

A jammer cannot tell a protester from anyone else in range: it cuts the phones of everyone at
the site, participants and bystanders alike, and of the people who pass by while it runs. On
each day a city in ``cities`` (default every city) has a protest, everyone present at it
(``day_present`` is today) and ``passers_by_per_participant`` x its participants (rounded to
the nearest person) of the city's other residents lose all signal for ``duration`` days from
that day. The passers-by are the residents not present with the smallest keyed draws (each
shard proposes its own best, the coordinator keeps the best overall), so whom the jammer
reaches is the same whatever the split.

It flags no one; its harm is person-days, counted by each person's true role like every
measure's: participants, bystanders, and passers-by as whatever they were (mostly uninvolved:
collateral). Photos taken at the site still spread once their holders are out of range, so the
jammer leaves forwarding as it is (a shutdown with ``cuts: all_signal`` stops it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..core.results import Totals
from ..core.streams import Streams
from ..population.generate import Population
from ..processes.protests import Protest, ProtestState
from ..scenario.plan import MeasurePlan, Plan
from ..scenario.schema import MAX_DAYS, MAX_ITEMS, MeasureSpec, Text
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


class JammerMeasure(MeasureSpec):
    """Jamming all signal at a protest site: everyone there, and passers-by."""

    after_protests: ClassVar[bool] = True

    kind: Literal["jammer"]
    description: Text = ""
    #: cities whose protests are jammed (default all)
    cities: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    #: residents not at the protest who come within range, per participant present
    passers_by_per_participant: float = Field(default=1.0, ge=0, le=1000)
    #: days the persons reached stay without signal, from the day of the protest
    duration: int = Field(default=1, ge=1, le=MAX_DAYS)
    cost_per_person_day: float = Field(default=2.1, ge=0, le=1e9)  # US$; GSMA lower anchor

    def named_cities(self) -> list[str]:
        return self.cities

    def stream_names(self, name: str) -> dict[str, str]:
        return {"pass": f"measure/{name}/pass"}


class JammerSummary(MeasureSummary):
    """A jammer's entry in the summary: it flags nobody; its harm is person-days."""

    LABEL: ClassVar[str] = "signal jammer (protest site)"
    NEVER_FIRED: ClassVar[str] = ("never fired: no protest site was jammed, so nobody lost "
                                  "signal")
    LATE: ClassVar[tuple[str, ...]] = ("sites_jammed",)
    FIGURES: ClassVar[dict[str, tuple[str, str, bool | None]]] = {
        "passers_by": ("passers-by jammed", "persons", True),
        "sites_jammed": ("protest sites jammed", "protests", None)}

    kind: Literal["jammer"]
    passers_by: int = Field(description="passers-by jammed (a person once per protest)")
    sites_jammed: int = Field(description="protests whose site was jammed")

    def nobody_flagged(self, person_days: str) -> str:
        return ("nobody flagged: the jammer cut everyone at the site and passing by instead "
                f"({person_days} person-days)")


@dataclass
class PassCounts(Totals):
    """Passers-by jammed over one shard."""

    passers_by: int


@dataclass(kw_only=True)
class JammerTotals(CoordinatorTotals[PassCounts]):
    """The sites jammed, the cost of a person-day without signal, and the kind's rule."""

    sites_jammed: int
    cost_per_person_day: float

    def summary_fields(self, counted: MeasureTotals[PassCounts]) -> dict[str, Any]:
        return {"passers_by": counted.own.passers_by, "sites_jammed": self.sites_jammed}

    def costs(self, counted: MeasureTotals[PassCounts]) -> Costs:
        return Costs(economic_usd=int(counted.person_days.sum()) * self.cost_per_person_day)


class JammerCoordinator(Coordinator["JammerState"]):
    """The global part: which protest sites are jammed today, and who passes by."""

    def __init__(self, plan: Plan, measure: MeasurePlan, streams: Streams) -> None:
        super().__init__(plan, measure, streams)
        self.allowed = plan.cells_mask(measure.cells)
        self.today: list[int] = []  # city cells jammed today
        self.sites = 0

    def on_protests(self, day: int, protests: list[Protest]) -> None:
        self.today = [p.city for p in protests if self.allowed[p.city]]

    def passers_by(self, participants: int) -> int:
        """How many passers-by a site with this many participants reaches."""
        return int(np.floor(self.spec.passers_by_per_participant * participants + 0.5))

    def act(self, day: int, shards: Shards[JammerState]) -> None:
        for city in self.today:
            participants = sum(shards.call(JammerState.participants, day, city))
            n = self.passers_by(participants)
            passing = smallest(shards.call(JammerState.propose, day, city, n), n)
            shards.call(JammerState.jam, day, city, passing)
            self.sites += 1
        self.today = []
        shards.call(JammerState.count_restricted, day)

    def totals(self) -> JammerTotals:
        return JammerTotals(sites_jammed=self.sites,
                            cost_per_person_day=self.spec.cost_per_person_day)


class JammerState(MeasureState):
    kind: ClassVar[str] = "jammer"
    Spec: ClassVar[type[JammerMeasure]] = JammerMeasure
    Summary: ClassVar[type[MeasureSummary]] = JammerSummary
    Coordinator: ClassVar[type[JammerCoordinator]] = JammerCoordinator
    spec: JammerMeasure

    def __init__(self, plan: Plan, measure: MeasurePlan, pop: Population,
                 protests: ProtestState | None, streams: Streams) -> None:
        super().__init__(plan, measure, pop, protests, streams)
        self.passers = 0

    def own_totals(self) -> PassCounts:
        return PassCounts(self.passers)

    def _present(self, day: int, city: int) -> tuple[np.ndarray, np.ndarray]:
        """This shard's rows of a city, and which of them were at its protest today."""
        assert self.protests is not None
        span = self.protests.city_rows(city)
        rows = np.arange(span.start, span.stop)
        return rows, self.protests.day_present[rows] == day

    def participants(self, day: int, city: int) -> int:
        """This shard's persons who took part in the city's protest today."""
        assert self.protests is not None
        starts = self.pop.geography.city_starts
        today = self.protests.participants_today
        return int(np.count_nonzero((today >= starts[city]) & (today < starts[city + 1])))

    def propose(self, day: int, city: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """This shard's n best passers-by (ids, draws): residents not at the protest."""
        rows, here = self._present(day, city)
        ids = rows[~here] + self.pop.start
        return best(ids, self.rng["pass"].uniform(day, ids), n)

    def jam(self, day: int, city: int, passing: np.ndarray) -> None:
        """Cut everyone at the city's protest today, and this shard's passers-by."""
        rows, here = self._present(day, city)
        mine = passing[(passing >= self.pop.start) & (passing < self.pop.stop)] - self.pop.start
        if self.observed(day) is not None:
            self.passers += mine.size
        self.restrict(day, np.concatenate([rows[here], mine]), self.spec.duration)
