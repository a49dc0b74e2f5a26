"""Identity records: exact without noise, each kind of error where and as often as asked,
keyed so that any split of the persons writes the same records."""

from __future__ import annotations

import numpy as np
import pytest

from scorelab.core.streams import Streams
from scorelab.population.generate import generate_population
from scorelab.population.identity import valid_resident_ids
from scorelab.population.schemes import scheme
from scorelab.records.identity import (
    PINYIN_VARIANTS,
    IdentityRecords,
    birth_text,
    write_identities,
)
from scorelab.scenario import load_scenario
from scorelab.scenario.geography import build_geography
from scorelab.scenario.schema import IdentityNoise

STREAM = "integration/identity/test"


def population(preset: str = "china-2022", persons: int = 8192, start: int = 0,
               stop: int | None = None):  # type: ignore[no-untyped-def]
    spec = load_scenario(preset=preset, overrides={
        "population": {"persons": persons, "block_size": 1024}}).population
    streams = Streams(spec.seed, 1024, ["population", STREAM])
    pop = generate_population(spec, build_geography(spec), streams, start,
                              persons if stop is None else stop)
    return pop, streams.claim(STREAM), scheme(spec.identity_scheme)


def written(noise: IdentityNoise, preset: str = "china-2022") -> tuple[IdentityRecords,
                                                                       IdentityRecords]:
    pop, stream, sch = population(preset)
    ids = np.arange(pop.start, pop.stop, dtype=np.int64)
    clean = write_identities(pop, sch, ids, 0, IdentityNoise(), stream, 3)
    return clean, write_identities(pop, sch, ids, 0, noise, stream, 3)


def test_without_noise_records_are_the_true_identities() -> None:
    pop, stream, sch = population()
    ids = np.arange(pop.start, pop.stop, dtype=np.int64)
    rec = write_identities(pop, sch, ids, 2, IdentityNoise(), stream, 0)
    assert len(rec) == ids.size and (rec.source == 2).all() and (rec.person == ids).all()
    assert valid_resident_ids(rec.id_number).all()
    assert rec.birth[0] == f"{pop.birth[0] // 10000:04d}-{pop.birth[0] // 100 % 100:02d}-" \
                          f"{pop.birth[0] % 100:02d}"
    assert set(rec.city) <= set(pop.geography.city_names)
    # namesakes are the population's: same codes, same written names
    same = (pop.surname[:, None] == pop.surname[None, :200]) & \
        (pop.given_name[:, None] == pop.given_name[None, :200])
    same_text = (rec.surname[:, None] == rec.surname[None, :200]) & \
        (rec.given[:, None] == rec.given[None, :200])
    assert (same <= same_text).all()  # pinyin can only merge surnames, never split them


def test_any_split_writes_the_same_records() -> None:
    noise = IdentityNoise(typo=0.2, pinyin=0.3, swap_day_month=0.2, id_digit=0.1, missing=0.05)
    whole, stream, sch = population()
    parts = []
    for a, b in ((0, 3072), (3072, 8192)):
        part, _, _ = population(start=a, stop=b)
        parts.append(write_identities(part, sch, np.arange(a, b, dtype=np.int64), 1, noise,
                                      stream, 9))
    one = write_identities(whole, sch, np.arange(0, 8192, dtype=np.int64), 1, noise, stream, 9)
    both = IdentityRecords.concat(parts)
    for name in ("person", "surname", "given", "birth", "id_number", "city"):
        assert (getattr(one, name) == getattr(both, name)).all(), name


def test_a_typo_changes_one_character_of_the_given_name() -> None:
    clean, noisy = written(IdentityNoise(typo=0.3))
    changed = clean.given != noisy.given
    assert abs(changed.mean() - 0.3) < 0.03
    a = clean.given[changed].astype("U2").view(np.uint32).reshape(-1, 2)
    b = noisy.given[changed].astype("U2").view(np.uint32).reshape(-1, 2)
    assert ((a != b).sum(axis=1) == 1).all()
    assert (clean.surname == noisy.surname).all()


def test_a_wrong_id_digit_fails_the_check_character() -> None:
    clean, noisy = written(IdentityNoise(id_digit=0.2))
    changed = clean.id_number != noisy.id_number
    assert abs(changed.mean() - 0.2) < 0.03
    assert not valid_resident_ids(noisy.id_number[changed]).any()  # MOD 11-2 catches one digit
    a = clean.id_number[changed].view(np.uint32).reshape(-1, 18)
    b = noisy.id_number[changed].view(np.uint32).reshape(-1, 18)
    assert ((a != b).sum(axis=1) == 1).all()


def test_day_and_month_swap_only_where_both_could_be_a_month() -> None:
    clean, noisy = written(IdentityNoise(swap_day_month=1.0))
    day = clean.birth.astype("U10").view(np.uint32).reshape(-1, 10)
    dd = (day[:, 8] - 48) * 10 + day[:, 9] - 48
    mm = (day[:, 5] - 48) * 10 + day[:, 6] - 48
    swappable = (dd <= 12) & (dd != mm)
    assert (noisy.birth[swappable] != clean.birth[swappable]).all()
    assert (noisy.birth[~swappable] == clean.birth[~swappable]).all()
    assert (np.char.str_len(noisy.birth) == 10).all()


def test_pinyin_variants_only_for_surnames_that_have_them() -> None:
    clean, noisy = written(IdentityNoise(pinyin=1.0))
    has = np.isin(clean.surname, list(PINYIN_VARIANTS))
    assert (noisy.surname[~has] == clean.surname[~has]).all()
    assert (noisy.surname[has] != clean.surname[has]).all()
    assert set(noisy.surname[clean.surname == "lyu"]) <= {"lu", "lv"}


@pytest.mark.parametrize("share", [0.0, 0.1, 1.0])
def test_missing_fields_are_empty_at_the_stated_share(share: float) -> None:
    _, noisy = written(IdentityNoise(missing=share))
    for name in ("surname", "given", "birth", "id_number", "city"):
        empty = (np.char.str_len(getattr(noisy, name)) == 0).mean()
        assert abs(empty - share) < 0.03, name


def test_a_scheme_without_id_numbers_writes_none() -> None:
    clean, noisy = written(IdentityNoise(id_digit=1.0, typo=0.5), preset="united-states-2020")
    assert (np.char.str_len(noisy.id_number) == 0).all()
    assert (clean.given != noisy.given).mean() > 0.4
    assert clean.surname[0].isascii()


def test_birth_text_pads_every_part() -> None:
    assert birth_text(np.array([19700105, 20011231])).tolist() == ["1970-01-05", "2001-12-31"]
