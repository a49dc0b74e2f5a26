"""Protests: city-level events with participants, bystanders, photos and forwarding.

Whether a city has a protest today, and how big it is, is one global draw per (day, city).
Who joins is drawn per person (weighted by latent activism), so each shard picks its own
residents and the result does not depend on the split. Forwarding needs one global sum per
city (how many forward photos), which the engine adds up between two shard phases.

Truth per person (``role``, the most involved role so far): participant > bystander >
recipient (got protest photos forwarded) > uninvolved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import draws
from ..core.columns import Column, allocate_onto
from ..core.streams import Streams
from ..core.tunable import Tunable
from ..population.generate import Population
from ..scenario.plan import Plan
from ..scenario.schema import ProtestSpec
from .events import NEVER

UNINVOLVED, RECIPIENT, BYSTANDER, PARTICIPANT = 0, 1, 2, 3
ROLES = ("uninvolved", "recipient", "bystander", "participant")
_ACTIVISM_UNIT = float(1 << 24)  # activism summed as integers: exact in any order
#: per person: most involved role so far, protest photos held, last day present at a protest
COLUMNS = (Column("role", np.uint8, UNINVOLVED), Column("photos", np.uint16, 0),
           Column("day_present", np.uint16, NEVER))


@dataclass(frozen=True)
class CitySums:
    """Integer sums per city cell over some persons (they add up exactly over shards)."""

    activism: np.ndarray  # activism in units of 2**-24
    phones: np.ndarray
    residents: np.ndarray

    def __add__(self, other: CitySums) -> CitySums:
        return CitySums(self.activism + other.activism, self.phones + other.phones,
                        self.residents + other.residents)


@dataclass(frozen=True)
class Protest:
    """One protest today: its city cell and its expected size in synthetic persons."""

    city: int
    participants: float
    bystanders: float


class ProtestCoordinator(Tunable):
    """The global part: which cities protest today, and forwarding sums."""

    def __init__(self, plan: Plan, streams: Streams, sums: CitySums) -> None:
        assert plan.protests is not None
        spec = plan.protests
        self.warmup = plan.warmup
        names = spec.stream_names()
        self._occur = streams.claim(names["occur"])
        self._size = streams.claim(names["size"])
        self.scale = plan.scale
        geo = plan.geography
        self.real = np.diff(geo.city_starts).astype(np.float64) * plan.scale
        self.allowed = plan.cells_mask(plan.protest_cells)
        self.configure(spec)
        self.activism = sums.activism  # summed activism per city cell, in 2**-24 units
        self.phones = sums.phones
        self.residents = sums.residents
        self.cells = np.arange(len(geo.city_names), dtype=np.int64)

    def configure(self, spec: ProtestSpec) -> None:
        self.spec = spec
        self.rate = np.minimum(spec.rate_per_million * self.real / 1e6, 1.0) * self.allowed

    def today(self, day: int) -> list[Protest]:
        """Today's protests. Protests (and so control measures) run in the reported days
        only: the warm-up settles scores and lists, and every role starts uninvolved."""
        if day < self.warmup:
            return []
        u = self._occur.uniform(day, self.cells)
        cities = np.flatnonzero(u < self.rate)
        if cities.size == 0:
            return []
        z = draws.normal(self._size.uniform(day, cities), self._size.uniform(day, cities, draw=1))
        size = self.spec.size_median * np.exp(self.spec.size_sigma * z) / self.scale
        residents = self.residents[cities]
        size = np.minimum(size, residents)
        bystanders = np.minimum(size * self.spec.bystanders_per_participant, residents - size)
        return [Protest(int(c), float(s), float(b)) for c, s, b in zip(cities, size, bystanders)]

    def recipient_share(self, forwarders: dict[int, int], factor: dict[int, float]
                        ) -> dict[int, float]:
        """Chance that a resident with a phone gets photos, per city, from the forwarders."""
        out = {}
        for city, n in forwarders.items():
            phones = self.phones[city]
            if phones:
                out[city] = min(1.0, n * self.spec.contacts * factor.get(city, 1.0) / phones)
        return out


class ProtestState(Tunable):
    """The persons of one shard: their role, protest photos on their phone, last presence."""

    role: np.ndarray
    photos: np.ndarray
    day_present: np.ndarray

    def __init__(self, spec: ProtestSpec, pop: Population, streams: Streams) -> None:
        self.spec = spec
        self.pop = pop
        self.rng = {role: streams.claim(name) for role, name in spec.stream_names().items()}
        n = len(pop)
        allocate_onto(self, COLUMNS, n)
        self.participants_today = np.empty(0, dtype=np.int64)
        self.present_today = np.empty(0, dtype=np.int64)
        self._new: list[tuple[np.ndarray, np.ndarray]] = []  # today's new protest photos

    def city_rows(self, city: int) -> slice:
        """This shard's rows of a city cell (cells are contiguous runs of ids)."""
        geo, pop = self.pop.geography, self.pop
        a = max(int(geo.city_starts[city]), pop.start) - pop.start
        b = min(int(geo.city_starts[city + 1]), pop.stop) - pop.start
        return slice(a, max(a, b))

    @staticmethod
    def city_sums(pop: Population) -> CitySums:
        """Integer sums per city cell over a shard: activism, phone owners, residents."""
        cells = len(pop.geography.city_names)
        activism = np.zeros(cells, dtype=np.int64)
        np.add.at(activism, pop.city, np.round(pop.activism.astype(np.float64)
                                               * _ACTIVISM_UNIT).astype(np.int64))
        phones = np.bincount(pop.city, weights=pop.phone, minlength=cells).astype(np.int64)
        residents = np.bincount(pop.city, minlength=cells).astype(np.int64)
        return CitySums(activism, phones, residents)

    def gather(self, day: int, protests: list[Protest], activism: np.ndarray
               ) -> dict[int, int]:
        """Phase 1: who joins today's protests, who is there, who takes photos; returns the
        number of people forwarding photos per city."""
        pop, spec, rng = self.pop, self.spec, self.rng
        joined, present, forwarders = [], [], {}
        self._new = []
        for protest in protests:
            rows = self.city_rows(protest.city)
            ids = np.arange(rows.start, rows.stop) + pop.start
            if ids.size == 0:
                forwarders[protest.city] = 0
                continue
            total = activism[protest.city] / _ACTIVISM_UNIT
            k = protest.participants / total if total > 0 else 0.0
            u = rng["join"].uniform(day, ids)
            join = u < np.minimum(k * pop.activism[rows], 1.0)
            residents = max(int(np.diff(pop.geography.city_starts)[protest.city])
                            - protest.participants, 1.0)
            near = ~join & (rng["join"].uniform(day, ids, draw=1)
                            < protest.bystanders / residents)
            part_ids, near_ids = ids[join], ids[near]
            self._take_photos(day, part_ids, spec.photos_participant, PARTICIPANT)
            self._take_photos(day, near_ids, spec.photos_bystander, BYSTANDER)
            holders = np.concatenate([part_ids, near_ids])
            holders = holders[self.photos[holders - pop.start] > 0]
            sends = rng["forward"].uniform(day, holders) < spec.forward_share
            forwarders[protest.city] = int(sends.sum())
            joined.append(part_ids)
            present.append(np.concatenate([part_ids, near_ids]))
        self.participants_today = np.concatenate(joined) if joined else np.empty(0, np.int64)
        self.present_today = np.concatenate(present) if present else np.empty(0, np.int64)
        return forwarders

    def _take_photos(self, day: int, ids: np.ndarray, mean: float, role: int) -> None:
        rows = ids - self.pop.start
        self.role[rows] = np.maximum(self.role[rows], role)
        self.day_present[rows] = day
        n = draws.poisson(self.rng["photos"].uniform(day, ids), mean)
        n = n * self.pop.phone[rows]
        self.photos[rows] = np.minimum(self.photos[rows].astype(np.int64) + n, NEVER)
        self._new.append((ids, n))

    def new_photos(self) -> tuple[np.ndarray, np.ndarray]:
        """Global ids and counts of protest photos that reached a phone today (phase 2 done)."""
        if not self._new:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        ids = np.concatenate([i for i, _ in self._new])
        n = np.concatenate([c for _, c in self._new]).astype(np.int64)
        keep = n > 0
        return ids[keep], n[keep]

    def spread(self, day: int, share: dict[int, float]) -> None:
        """Phase 2: forwarded photos reach residents with a phone; participants who delete
        their photos do so at the end of the day."""
        pop, spec, rng = self.pop, self.spec, self.rng
        got, counts = [], []
        present = np.zeros(0, dtype=np.int64)
        if self.present_today.size:
            present = np.sort(self.present_today)
        for city, q in share.items():
            rows = self.city_rows(city)
            ids = np.arange(rows.start, rows.stop) + pop.start
            hit = (rng["receive"].uniform(day, ids) < q) & pop.phone[rows]
            ids = ids[hit]
            ids = ids[~np.isin(ids, present, assume_unique=False)]
            n = 1 + draws.poisson(rng["receive"].uniform(day, ids, draw=1),
                                  spec.photos_forwarded - 1)
            r = ids - pop.start
            self.role[r] = np.maximum(self.role[r], RECIPIENT)
            self.photos[r] = np.minimum(self.photos[r].astype(np.int64) + n, NEVER)
            got.append(ids)
            counts.append(n)
        self._new.extend(zip(got, counts))
        part = self.participants_today
        if part.size and spec.deletion > 0:
            gone = rng["delete"].uniform(day, part) < spec.deletion
            self.photos[part[gone] - pop.start] = 0
