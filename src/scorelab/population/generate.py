"""The synthetic population: one array per attribute, one row per person.

Persons are sorted by province and city: the number of persons in each (province, city)
cell is fixed by the census table (largest remainder), so a person's place follows from their
id alone. Every other attribute is drawn block by block from the block's own stream
(``population/<block>``), so a shard can build exactly its own persons and the result does not
depend on how the population is split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.columns import Column, allocate, bytes_per_row
from ..core.streams import Streams
from ..scenario.geography import Geography, build_geography
from ..scenario.schema import PopulationSpec
from .schemes import scheme

__all__ = ["COLUMNS", "PROPENSITIES", "Geography", "Population", "build_geography",
           "bytes_per_person", "generate_population"]

PROPENSITIES = ("offending", "defaulting", "volunteering", "tax_evasion")


#: every per-person column of the population, declared once: it allocates the arrays, sizes
#: the memory estimate, and must match the fields of ``Population``
COLUMNS: tuple[Column, ...] = (
    Column("province", np.uint8),
    Column("city", np.uint16),
    Column("urban", np.bool_),
    Column("age", np.uint8),  # years at the reference date
    Column("male", np.bool_),
    Column("group", np.uint8),  # 0 majority, 1 minority (for disparate-impact audits)
    Column("income", np.float32),  # a year, in the country's currency
    *(Column(f"propensity_{p}", np.float32, 1.0) for p in PROPENSITIES),  # mean 1
    Column("activism", np.float32),
    Column("phone", np.bool_),
    Column("borrower", np.bool_),
    Column("adult", np.bool_),
    Column("surname", np.uint16),
    Column("given_name", np.uint32),
    Column("birth", np.uint32),  # YYYYMMDD
    Column("address_code", np.uint32),
    Column("id_sequence", np.uint16),
)


@dataclass
class Population:
    """Persons ``start .. stop-1`` of a population, as columns (see ``COLUMNS``).

    >>> from scorelab import load_scenario
    >>> from scorelab.core.streams import Streams
    >>> spec = load_scenario(overrides={"population": {"persons": 1000}}).population
    >>> pop = generate_population(spec, build_geography(spec), Streams(spec.seed))
    >>> len(pop), pop.age.dtype.name
    (1000, 'uint8')
    """

    start: int
    stop: int
    geography: Geography
    province: np.ndarray
    city: np.ndarray
    urban: np.ndarray
    age: np.ndarray
    male: np.ndarray
    group: np.ndarray
    income: np.ndarray
    propensity_offending: np.ndarray
    propensity_defaulting: np.ndarray
    propensity_volunteering: np.ndarray
    propensity_tax_evasion: np.ndarray
    activism: np.ndarray
    phone: np.ndarray
    borrower: np.ndarray
    adult: np.ndarray
    surname: np.ndarray
    given_name: np.ndarray
    birth: np.ndarray
    address_code: np.ndarray
    id_sequence: np.ndarray

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def propensity(self) -> dict[str, np.ndarray]:
        """The four propensities by name (views of their columns)."""
        return {p: getattr(self, f"propensity_{p}") for p in PROPENSITIES}

    def columns(self) -> dict[str, np.ndarray]:
        """All per-person arrays by name."""
        return {c.name: getattr(self, c.name) for c in COLUMNS}

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.columns().values())

    def resident_ids(self, rows: np.ndarray) -> np.ndarray:
        """National ID numbers (bytes; 18-character resident IDs for china) for some rows,
        computed on demand; ValueError where the identity scheme has no ID number."""
        return scheme(self.geography.identity).ids(self.address_code[rows], self.birth[rows],
                                                   self.id_sequence[rows])

    def names(self, rows: np.ndarray) -> list[str]:
        """Full names of some rows, as text (for the few persons a report shows)."""
        return scheme(self.geography.identity).render(self.surname[rows],
                                                      self.given_name[rows])


def bytes_per_person() -> int:
    """Bytes each person's columns take (used for the memory estimate before a run)."""
    return bytes_per_row(COLUMNS)


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
    propensity = {f"propensity_{p}": rng.gamma(k, 1.0 / k, n).astype(np.float32)
                  for p in PROPENSITIES}
    activism = rng.beta(spec.activism.a, spec.activism.b, n).astype(np.float32)
    adult = age >= spec.adult_age
    phone = (age >= spec.phone_min_age) & (rng.random(n) < spec.phone_share)
    borrower = adult & (rng.random(n) < spec.borrower_share)
    names = scheme(geo.identity)
    surname = names.draw_surnames(rng, n)
    given = names.draw_given_names(rng, n, male)
    year = spec.reference_year - 1 - age.astype(np.uint32)
    month = rng.integers(1, 13, n, dtype=np.uint32)
    day = rng.integers(1, 29, n, dtype=np.uint32)
    birth = year * 10_000 + month * 100 + day
    address, sequence = names.draw_id_parts(rng, city, geo, male)
    return {"urban": urban, "age": age, "male": male, "group": group, "income": income,
                **propensity, "activism": activism, "adult": adult, "phone": phone,
                "borrower": borrower, "surname": surname, "given_name": given, "birth": birth,
                "address_code": address, "id_sequence": sequence}


def generate_population(spec: PopulationSpec, geo: Geography, streams: Streams,
                        start: int = 0, stop: int | None = None) -> Population:
    """Generate persons ``start .. stop-1`` (block-aligned), one block stream at a time."""
    stop = geo.persons if stop is None else stop
    size = streams.block_size
    if start % size or (stop % size and stop != geo.persons):
        raise ValueError("a population slice must start and end on block boundaries")
    columns = allocate(COLUMNS, stop - start)
    # city cells are contiguous id ranges: fill them without a per-person search
    city = columns["city"]
    for c in range(len(geo.city_names)):
        a = max(int(geo.city_starts[c]), start) - start
        b = min(int(geo.city_starts[c + 1]), stop) - start
        if a < b:
            city[a:b] = c
    columns["province"][:] = geo.city_province[city]
    pop = Population(start=start, stop=stop, geography=geo, **columns)
    stream = streams.claim(spec.stream_names()["population"])
    for block_start in range(start, stop, size):
        block_stop = min(block_start + size, stop)
        rows = slice(block_start - start, block_stop - start)
        rng = stream.block(0, block_start // size)
        for name, values in _draw_block(spec, geo, rng, city[rows]).items():
            columns[name][rows] = values
    return pop
