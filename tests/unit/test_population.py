"""The synthetic population against the tables it is built from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scorelab.core.streams import Streams
from scorelab.population import build_geography, generate_population
from scorelab.population.generate import bytes_per_person
from scorelab.population.identity import is_valid_resident_id
from scorelab.scenario import load_scenario


@pytest.fixture(scope="module")
def population():  # type: ignore[no-untyped-def]
    spec = load_scenario(overrides={"population": {"persons": 200_000}}).population
    return spec, generate_population(spec, build_geography(spec), Streams(spec.seed))


def test_provinces_follow_the_census_exactly(population) -> None:  # type: ignore[no-untyped-def]
    spec, pop = population
    total = sum(p.population for p in spec.provinces.values())
    counts = np.bincount(pop.province, minlength=len(spec.provinces))
    for count, prov in zip(counts, spec.provinces.values()):
        # largest remainder over cities: at most one person per cell off the exact share
        assert abs(count - prov.population / total * len(pop)) <= 8


def test_sorted_by_province_and_city(population) -> None:  # type: ignore[no-untyped-def]
    _, pop = population
    assert (np.diff(pop.city.astype(np.int64)) >= 0).all()
    assert (np.diff(pop.province.astype(np.int64)) >= 0).all()
    a, b = pop.geography.city_range("Rongcheng")
    assert b - a == round(714_355 / pop.geography.real_population * len(pop))


def test_shares_match_the_census(population) -> None:  # type: ignore[no-untyped-def]
    spec, pop = population
    n = len(pop)

    def close(observed: float, p: float) -> None:
        assert abs(observed - p) < 4 * math.sqrt(p * (1 - p) / n), (observed, p)

    close(pop.male.mean(), 0.5124)
    close((pop.age < 15).mean(), 0.1795)
    close((pop.age >= 65).mean(), 0.1350)
    close(pop.urban.mean(), 0.6389)
    close(pop.group.mean(), 0.0889)
    tibet = pop.province == list(spec.provinces).index("Tibet")
    assert abs(pop.group[tibet].mean() - 0.8785) < 0.05


def test_propensities_have_mean_one(population) -> None:  # type: ignore[no-untyped-def]
    spec, pop = population
    k = spec.propensity_shape
    for values in pop.propensity.values():
        assert abs(values.mean() - 1) < 4 * math.sqrt(1 / k / len(pop))


def test_resident_ids_are_valid_and_match_the_person(population) -> None:  # type: ignore[no-untyped-def]
    spec, pop = population
    rows = np.arange(0, len(pop), 997)
    ids = pop.resident_ids(rows)
    codes = {p.code for p in spec.provinces.values()}
    for row, rid in zip(rows, ids):
        text = rid.decode()
        assert is_valid_resident_id(text)
        assert int(text[:2]) in codes
        assert int(text[:2]) == pop.geography.province_codes[pop.province[row]]
        assert int(text[6:14]) == pop.birth[row]
        assert (int(text[16]) % 2 == 1) == bool(pop.male[row])


def test_columns_stay_within_the_memory_budget(population) -> None:  # type: ignore[no-untyped-def]
    _, pop = population
    assert pop.nbytes == bytes_per_person() * len(pop)
    assert bytes_per_person() < 80


def test_slices_equal_the_whole(population) -> None:  # type: ignore[no-untyped-def]
    spec, whole = population
    geo = build_geography(spec)
    streams = Streams(spec.seed, spec.block_size)
    part = generate_population(spec, geo, streams, spec.block_size, 2 * spec.block_size)
    rows = slice(spec.block_size, 2 * spec.block_size)
    for name, column in part.columns().items():
        assert np.array_equal(column, whole.columns()[name][rows]), name
