"""Where persons live: provinces and city cells, and how many persons each cell holds.

Compiled from the population section alone: persons are sorted by province and city, and the
number of persons in each (province, city) cell is fixed by the census table (largest
remainder), so every jurisdiction is a contiguous run of ids and a person's place follows from
their id alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schema import PopulationSpec


@dataclass(frozen=True)
class Geography:
    """Provinces and cities of a scenario, and how many persons each cell holds."""

    province_names: tuple[str, ...]
    province_codes: np.ndarray  # uint8, the region's ID code (0 where the scheme has none)
    city_names: tuple[str, ...]  # named cities, then "<province> (rest)" per province
    city_province: np.ndarray  # uint8 province index per city
    city_urban: np.ndarray  # float64 urban share per city
    city_minority: np.ndarray  # float64 minority share per city
    city_county_codes: tuple[tuple[int, ...], ...]
    city_starts: np.ndarray  # int64: first person id of each city cell (len = cities + 1)
    real_population: int
    #: the identity scheme (``population.identity``): which names and ID format persons get
    identity: str = "china"

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


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``weights`` that add up to ``total`` exactly."""
    exact = weights / weights.sum() * total
    counts: np.ndarray = np.floor(exact).astype(np.int64)
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
        # the remainder's synthetic county codes, where the scheme's IDs carry a region code
        counties.append(() if prov.code is None else
                        tuple(prov.code * 10_000 + 100 + k for k in range(1, 11)))
        real.append(rest)
    counts = largest_remainder(np.asarray(real, dtype=np.float64), spec.persons)
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Geography(
        province_names=province_names,
        province_codes=np.array([p.code or 0 for p in spec.provinces.values()], dtype=np.uint8),
        city_names=tuple(names),
        city_province=np.asarray(provinces, dtype=np.uint8),
        city_urban=np.asarray(urban),
        city_minority=np.asarray(minority),
        city_county_codes=tuple(counties),
        city_starts=starts,
        real_population=int(sum(real)),
        identity=spec.identity_scheme,
    )
