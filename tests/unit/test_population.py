"""The synthetic population against the tables it is built from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scorelab.core.streams import Streams
from scorelab.population import build_geography, generate_population
from scorelab.population.generate import COLUMNS, IDENTITY, bytes_per_person
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
    pop.columns()  # every column, the identity columns included
    assert pop.nbytes == bytes_per_person() * len(pop)
    assert bytes_per_person() < 80


def test_identity_columns_are_drawn_when_read_and_move_no_other_column() -> None:
    """A population built without its identity columns (the default: only an integrated
    score reads them) has every other column as an eager build has it, takes less memory
    until one is read, and then draws them to the same values."""
    spec = load_scenario(overrides={"population": {"persons": 70_000,
                                                   "block_size": 16_384}}).population
    geo = build_geography(spec)
    eager = generate_population(spec, geo, Streams(spec.seed, spec.block_size),
                                identity=True)
    lazy = generate_population(spec, geo, Streams(spec.seed, spec.block_size))
    assert lazy.nbytes == bytes_per_person(identity=False) * len(lazy)
    assert bytes_per_person(identity=False) < bytes_per_person()
    identity = {c.name for c in IDENTITY}
    for column in COLUMNS:
        if column.name not in identity:
            assert np.array_equal(getattr(lazy, column.name), getattr(eager, column.name))
    assert lazy.nbytes == bytes_per_person(identity=False) * len(lazy)  # still none drawn
    for name in identity:
        assert np.array_equal(getattr(lazy, name), getattr(eager, name)), name
    assert lazy.nbytes == eager.nbytes == bytes_per_person() * len(lazy)


def test_slices_equal_the_whole(population) -> None:  # type: ignore[no-untyped-def]
    spec, whole = population
    geo = build_geography(spec)
    streams = Streams(spec.seed, spec.block_size)
    part = generate_population(spec, geo, streams, spec.block_size, 2 * spec.block_size)
    rows = slice(spec.block_size, 2 * spec.block_size)
    for name, column in part.columns().items():
        assert np.array_equal(column, whole.columns()[name][rows]), name
