"""The synthetic population: one array per attribute, one row per person.

Persons are sorted by province and city: the number of persons in each (province, city)
cell is fixed by the census table (largest remainder), so a person's place follows from their
id alone. Every other attribute is drawn block by block from the block's own stream
(``population/<block>``), so a shard can build exactly its own persons and the result does not
depend on how the population is split.

The identity columns (names, birth date, ID parts) are read only by the identity records of
an integrated score; they are drawn last in a block, so a population is built without them
and every other column is drawn alike. A part that reads one anyway gets it then: the blocks
are drawn again from their streams, to the same values (``Population.identity``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.columns import Column, allocate, bytes_per_row
from ..core.lanes import ONE, Lanes
from ..core.streams import Streams
from ..scenario.geography import Geography, build_geography
from ..scenario.schema import PopulationSpec
from .schemes import scheme

__all__ = ["COLUMNS", "PROPENSITIES", "Geography", "Population", "build_geography",
           "bytes_per_person", "generate_population"]

PROPENSITIES = ("offending", "defaulting", "volunteering", "tax_evasion")


#: the identity columns, drawn last in each block and only when read (see the module docstring)
IDENTITY: tuple[Column, ...] = (
    Column("surname", np.uint16),
    Column("given_name", np.uint32),
    Column("birth", np.uint32),  # YYYYMMDD
    Column("address_code", np.uint32),
    Column("id_sequence", np.uint16),
)
#: every per-person column of the population, declared once: it allocates the arrays, sizes
#: the memory estimate, and must match the fields of ``Population`` (the identity columns:
#: its properties)
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
    *IDENTITY,
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
    #: the spec and streams the identity columns are drawn from when first read
    spec: PopulationSpec | None = None
    streams: Streams | None = None
    _identity: dict[str, np.ndarray] | None = field(default=None, init=False, repr=False)

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def identity(self) -> dict[str, np.ndarray]:
        """The identity columns by name, drawn the first time any is read (each block
        again from its stream: the values an eager build gives)."""
        if self._identity is None:
            if self.spec is None or self.streams is None:
                raise ValueError("this population was built without its identity columns")
            self._identity = allocate(IDENTITY, len(self))
            _draw_blocks(self, self.spec, self.streams, self._identity, identity=True,
                         only=self._identity)
        return self._identity

    @property
    def surname(self) -> np.ndarray:
        return self.identity["surname"]

    @property
    def given_name(self) -> np.ndarray:
        return self.identity["given_name"]

    @property
    def birth(self) -> np.ndarray:
        return self.identity["birth"]

    @property
    def address_code(self) -> np.ndarray:
        return self.identity["address_code"]

    @property
    def id_sequence(self) -> np.ndarray:
        return self.identity["id_sequence"]

    @property
    def propensity(self) -> dict[str, np.ndarray]:
        """The four propensities by name (views of their columns)."""
        return {p: getattr(self, f"propensity_{p}") for p in PROPENSITIES}

    def columns(self) -> dict[str, np.ndarray]:
        """All per-person arrays by name (the identity columns drawn if they were not)."""
        return {c.name: getattr(self, c.name) for c in COLUMNS}

    @property
    def nbytes(self) -> int:
        """Bytes the columns built so far take (no identity columns until one is read)."""
        held = [c for c in COLUMNS if c not in IDENTITY or self._identity is not None]
        return sum(getattr(self, c.name).nbytes for c in held)

    def resident_ids(self, rows: np.ndarray) -> np.ndarray:
        """National ID numbers (bytes; 18-character resident IDs for china) for some rows,
        computed on demand; ValueError where the identity scheme has no ID number."""
        return scheme(self.geography.identity).ids(self.address_code[rows], self.birth[rows],
                                                   self.id_sequence[rows])

    def names(self, rows: np.ndarray) -> list[str]:
        """Full names of some rows, as text (for the few persons a report shows)."""
        return scheme(self.geography.identity).render(self.surname[rows],
                                                      self.given_name[rows])


def bytes_per_person(identity: bool = True) -> int:
    """Bytes each person's columns take (used for the memory estimate before a run); the
    identity columns are counted unless ``identity`` is false."""
    return bytes_per_row(COLUMNS if identity else
                         tuple(c for c in COLUMNS if c not in IDENTITY))


def _draw_block(spec: PopulationSpec, geo: Geography, rng: np.random.Generator,
                city: np.ndarray, identity: bool) -> dict[str, Any]:
    """The random attributes of the persons of one block, whose cities are given; the
    identity columns (drawn last, so the others do not depend on them) if ``identity``."""
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
    drawn = {"urban": urban, "age": age, "male": male, "group": group, "income": income,
             **propensity, "activism": activism, "adult": adult, "phone": phone,
             "borrower": borrower}
    if not identity:
        return drawn
    names = scheme(geo.identity)
    surname = names.draw_surnames(rng, n)
    given = names.draw_given_names(rng, n, male)
    year = spec.reference_year - 1 - age.astype(np.uint32)
    month = rng.integers(1, 13, n, dtype=np.uint32)
    day = rng.integers(1, 29, n, dtype=np.uint32)
    birth = year * 10_000 + month * 100 + day
    address, sequence = names.draw_id_parts(rng, city, geo, male)
    return {**drawn, "surname": surname, "given_name": given, "birth": birth,
            "address_code": address, "id_sequence": sequence}


def generate_population(spec: PopulationSpec, geo: Geography, streams: Streams,
                        start: int = 0, stop: int | None = None, identity: bool = False,
                        lanes: Lanes = ONE) -> Population:
    """Generate persons ``start .. stop-1`` (block-aligned), one block stream at a time
    (blocks side by side on ``lanes``); the identity columns now if ``identity``, else when
    first read."""
    stop = geo.persons if stop is None else stop
    size = streams.block_size
    if start % size or (stop % size and stop != geo.persons):
        raise ValueError("a population slice must start and end on block boundaries")
    columns = allocate([c for c in COLUMNS if c not in IDENTITY], stop - start)
    # city cells are contiguous id ranges: fill them without a per-person search
    city = columns["city"]
    for c in range(len(geo.city_names)):
        a = max(int(geo.city_starts[c]), start) - start
        b = min(int(geo.city_starts[c + 1]), stop) - start
        if a < b:
            city[a:b] = c
    columns["province"][:] = geo.city_province[city]
    pop = Population(start=start, stop=stop, geography=geo, spec=spec, streams=streams,
                     **columns)
    if identity:
        pop._identity = allocate(IDENTITY, stop - start)
        columns.update(pop._identity)
    _draw_blocks(pop, spec, streams, columns, identity, lanes=lanes)
    return pop


def _draw_blocks(pop: Population, spec: PopulationSpec, streams: Streams,
                 columns: dict[str, np.ndarray], identity: bool,
                 only: dict[str, np.ndarray] | None = None, lanes: Lanes = ONE) -> None:
    """Draw every block of ``pop`` from its stream into ``columns`` (``only`` those); each
    block has its own generator and rows, so blocks run side by side on ``lanes``."""
    size = streams.block_size
    stream = streams.claim(spec.stream_names()["population"])

    def draw(block_start: int) -> None:
        block_stop = min(block_start + size, pop.stop)
        rows = slice(block_start - pop.start, block_stop - pop.start)
        rng = stream.block(0, block_start // size)
        for name, values in _draw_block(spec, pop.geography, rng, pop.city[rows],
                                        identity).items():
            if only is None or name in only:
                columns[name][rows] = values

    lanes.map(draw, range(pop.start, pop.stop, size))
