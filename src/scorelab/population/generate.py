"""The synthetic population: one array per attribute, one row per person.

Persons are sorted by province and city: the number of persons in each (province, city)
cell is fixed by the census table (largest remainder), so a person's place follows from their
id alone. Every other attribute is drawn block by block from the block's own stream
(``population/<block>``), so a shard can build exactly its own persons and the result does not
depend on how the population is split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.streams import Streams
from ..scenario.schema import PopulationSpec
from . import identity

PROPENSITIES = ("offending", "defaulting", "volunteering", "tax_evasion")


@dataclass(frozen=True)
class Geography:
    """Provinces and cities of a scenario, and how many persons each cell holds."""

    province_names: tuple[str, ...]
    province_codes: np.ndarray  # uint8, ID-card province code
    city_names: tuple[str, ...]  # named cities, then "<province> (rest)" per province
    city_province: np.ndarray  # uint8 province index per city
    city_urban: np.ndarray  # float64 urban share per city
    city_minority: np.ndarray  # float64 minority share per city
    city_county_codes: tuple[tuple[int, ...], ...]
    city_starts: np.ndarray  # int64: first person id of each city cell (len = cities + 1)
    real_population: int

    @property
    def persons(self) -> int:
        return int(self.city_starts[-1])

    def city_range(self, name: str) -> tuple[int, int]:
        """The contiguous id range [start, stop) of a city's persons."""
        i = self.city_names.index(name)
        return int(self.city_starts[i]), int(self.city_starts[i + 1])

    def province_range(self, name: str) -> tuple[int, int]:
        """The contiguous id range [start, stop) of a province's persons."""
        p = self.province_names.index(name)
        cities = np.flatnonzero(self.city_province == p)
        return int(self.city_starts[cities[0]]), int(self.city_starts[cities[-1] + 1])


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``weights`` that add up to ``total`` exactly."""
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    # ties broken by position so the result is deterministic
    order = np.lexsort((np.arange(len(exact)), -(exact - counts)))
    counts[order[:short]] += 1
    return counts


def build_geography(spec: PopulationSpec) -> Geography:
    """Cells of (province, city) with their person counts, in id order."""
    names: list[str] = []
    provinces: list[int] = []
    urban: list[float] = []
    minority: list[float] = []
    counties: list[tuple[int, ...]] = []
    real: list[int] = []
    province_names = tuple(spec.provinces)
    for p, (pname, prov) in enumerate(spec.provinces.items()):
        prov_urban = spec.urban_share if prov.urban_share is None else prov.urban_share
        prov_minority = spec.minority_share if prov.minority_share is None else prov.minority_share
        named = [(c, s) for c, s in spec.cities.items() if s.province == pname]
        urban_people = prov_urban * prov.population
        rest = prov.population
        for cname, city in named:
            share = prov_urban if city.urban_share is None else city.urban_share
            names.append(cname)
            provinces.append(p)
            urban.append(share)
            minority.append(prov_minority)
            counties.append(tuple(city.county_codes))
            real.append(city.population)
            urban_people -= share * city.population
            rest -= city.population
        names.append(f"{pname} (rest)")
        provinces.append(p)
        # the remainder's urban share keeps the province's total as published
        urban.append(float(np.clip(urban_people / rest, 0.0, 1.0)) if rest > 0 else prov_urban)
        minority.append(prov_minority)
        counties.append(tuple(prov.code * 10_000 + 100 + k for k in range(1, 11)))
        real.append(rest)
    counts = _largest_remainder(np.asarray(real, dtype=np.float64), spec.persons)
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Geography(
        province_names=province_names,
        province_codes=np.array([p.code for p in spec.provinces.values()], dtype=np.uint8),
        city_names=tuple(names),
        city_province=np.asarray(provinces, dtype=np.uint8),
        city_urban=np.asarray(urban),
        city_minority=np.asarray(minority),
        city_county_codes=tuple(counties),
        city_starts=starts,
        real_population=int(sum(real)),
    )


@dataclass
class Population:
    """Persons ``start .. stop-1`` of a population, as columns.

    >>> from scorelab import load_scenario
    >>> from scorelab.engine.streams import Streams
    >>> spec = load_scenario(overrides={"population": {"persons": 1000}}).population
    >>> pop = generate_population(spec, build_geography(spec), Streams(spec.seed))
    >>> len(pop), pop.age.dtype.name
    (1000, 'uint8')
    """

    start: int
    stop: int
    geography: Geography
    province: np.ndarray  # uint8
    city: np.ndarray  # uint16
    urban: np.ndarray  # bool
    age: np.ndarray  # uint8, years at the reference date
    male: np.ndarray  # bool
    group: np.ndarray  # uint8: 0 majority, 1 minority (for disparate-impact audits)
    income: np.ndarray  # float32, yuan a year
    propensity: dict[str, np.ndarray] = field(default_factory=dict)  # float32, mean 1
    activism: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    phone: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    borrower: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    adult: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    surname: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint16))
    given_name: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint32))
    birth: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint32))  # YYYYMMDD
    address_code: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint32))
    id_sequence: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint16))

    def __len__(self) -> int:
        return self.stop - self.start

    def columns(self) -> dict[str, np.ndarray]:
        """All per-person arrays by name."""
        cols = {k: v for k, v in vars(self).items() if isinstance(v, np.ndarray)}
        cols.update({f"propensity_{k}": v for k, v in self.propensity.items()})
        return cols

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.columns().values())

    def resident_ids(self, rows: np.ndarray) -> np.ndarray:
        """18-character resident IDs (bytes) for some rows, computed on demand."""
        return identity.resident_ids(self.address_code[rows], self.birth[rows],
                                     self.id_sequence[rows])


def bytes_per_person() -> int:
    """Bytes each person's columns take (used for the memory estimate before a run)."""
    return 1 + 2 + 1 + 1 + 1 + 1 + 4 + 4 * len(PROPENSITIES) + 4 + 1 + 1 + 1 + 2 + 4 + 4 + 4 + 2


def _draw_block(spec: PopulationSpec, geo: Geography, rng: np.random.Generator,
                city: np.ndarray) -> dict[str, Any]:
    """All random attributes of the persons of one block, whose cities are given."""
    n = city.size
    urban = rng.random(n) < geo.city_urban[city]
    bands = spec.age_bands
    band = np.searchsorted(np.cumsum([b.share for b in bands]), rng.random(n), side="right")
    band = np.minimum(band, len(bands) - 1)
    low = np.array([b.low for b in bands])[band]
    high = np.array([b.high for b in bands])[band]
    age = (low + np.floor(rng.random(n) * (high - low))).astype(np.uint8)
    male = rng.random(n) < spec.male_share
    group = (rng.random(n) < geo.city_minority[city]).astype(np.uint8)
    median = np.where(urban, spec.income.median * spec.income.urban_multiplier, spec.income.median)
    income = (median * np.exp(spec.income.sigma * rng.standard_normal(n))).astype(np.float32)
    k = spec.propensity_shape
    propensity = {p: rng.gamma(k, 1.0 / k, n).astype(np.float32) for p in PROPENSITIES}
    activism = rng.beta(spec.activism.a, spec.activism.b, n).astype(np.float32)
    adult = age >= spec.adult_age
    phone = (age >= spec.phone_min_age) & (rng.random(n) < spec.phone_share)
    borrower = adult & (rng.random(n) < spec.borrower_share)
    surname = identity.draw_surnames(rng, n)
    given = identity.draw_given_names(rng, n, male)
    year = spec.reference_year - 1 - age.astype(np.uint32)
    month = rng.integers(1, 13, n, dtype=np.uint32)
    day = rng.integers(1, 29, n, dtype=np.uint32)
    birth = year * 10_000 + month * 100 + day
    pick = rng.random(n)
    address = np.empty(n, dtype=np.uint32)
    for c in np.unique(city):
        rows = np.flatnonzero(city == c)
        codes = np.asarray(geo.city_county_codes[c], dtype=np.uint32)
        address[rows] = codes[(pick[rows] * codes.size).astype(np.int64)]
    sequence = identity.sequence_codes(rng, male)
    return {"urban": urban, "age": age, "male": male, "group": group, "income": income,
                "propensity": propensity, "activism": activism, "adult": adult, "phone": phone,
                "borrower": borrower, "surname": surname, "given_name": given, "birth": birth,
                "address_code": address, "id_sequence": sequence}


def generate_population(spec: PopulationSpec, geo: Geography, streams: Streams,
                        start: int = 0, stop: int | None = None) -> Population:
    """Generate persons ``start .. stop-1`` (block-aligned), one block stream at a time."""
    stop = geo.persons if stop is None else stop
    size = streams.block_size
    if start % size or (stop % size and stop != geo.persons):
        raise ValueError("a population slice must start and end on block boundaries")
    n = stop - start
    # city cells are contiguous id ranges: fill them without a per-person search
    city = np.empty(n, dtype=np.uint16)
    for c in range(len(geo.city_names)):
        a = max(int(geo.city_starts[c]), start) - start
        b = min(int(geo.city_starts[c + 1]), stop) - start
        if a < b:
            city[a:b] = c
    pop = Population(
        start=start, stop=stop, geography=geo,
        province=geo.city_province[city], city=city,
        urban=np.empty(n, bool), age=np.empty(n, np.uint8), male=np.empty(n, bool),
        group=np.empty(n, np.uint8), income=np.empty(n, np.float32),
        propensity={p: np.empty(n, np.float32) for p in PROPENSITIES},
        activism=np.empty(n, np.float32), phone=np.empty(n, bool),
        borrower=np.empty(n, bool), adult=np.empty(n, bool),
        surname=np.empty(n, np.uint16), given_name=np.empty(n, np.uint32),
        birth=np.empty(n, np.uint32), address_code=np.empty(n, np.uint32),
        id_sequence=np.empty(n, np.uint16),
    )
    for block_start in range(start, stop, size):
        block_stop = min(block_start + size, stop)
        rows = slice(block_start - start, block_stop - start)
        rng = streams.block("population", 0, block_start // size)
        drawn = _draw_block(spec, geo, rng, city[rows])
        for name, values in drawn.items():
            if name == "propensity":
                for p, v in values.items():
                    pop.propensity[p][rows] = v
            else:
                getattr(pop, name)[rows] = values
    return pop
