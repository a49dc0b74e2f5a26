"""Identity schemes: the registry, name draws that follow their tables, IDs or none."""

from __future__ import annotations

import numpy as np
import pytest

from scorelab.core.streams import Streams
from scorelab.population import build_geography, generate_population, identity_us
from scorelab.population import identity as china
from scorelab.population.names import fitted_tail
from scorelab.population.schemes import SCHEMES, scheme
from scorelab.scenario import load_scenario
from scorelab.scenario.schema import IDENTITY_SCHEMES, IdentitySchemeName

N = 400_000


def within_binomial(counts: np.ndarray, p: np.ndarray, n: int, z: float = 5.0) -> bool:
    """Every count within ``z`` binomial standard deviations of ``n p``."""
    return bool(np.all(np.abs(counts - n * p) <= z * np.sqrt(n * p * (1 - p)) + 1))


def test_registry_matches_the_schema() -> None:
    assert set(SCHEMES) == set(IDENTITY_SCHEMES) == set(IdentitySchemeName.__args__)
    with pytest.raises(KeyError, match="known: china"):
        scheme("atlantis")


@pytest.mark.parametrize("name", list(SCHEMES))
def test_surname_draws_follow_the_table(name: str) -> None:
    table = SCHEMES[name].surnames()
    codes = SCHEMES[name].draw_surnames(np.random.default_rng(1), N)
    assert codes.dtype == np.uint16 and int(codes.max()) < len(table.labels)
    counts = np.bincount(codes, minlength=len(table.labels))
    top = np.argsort(table.probabilities)[::-1][:50]
    assert within_binomial(counts[top], table.probabilities[top], N)


@pytest.mark.parametrize("name", ["united-states", "none"])
def test_given_name_draws_follow_each_sex_table(name: str) -> None:
    s = SCHEMES[name]
    male = np.random.default_rng(2).random(N) < 0.5
    codes = s.draw_given_names(np.random.default_rng(3), N, male)
    assert codes.dtype == np.uint32
    for sex in (False, True):
        table = s.given_names(sex)
        offset = len(s.given_names(False).labels) if sex else 0
        rows = codes[male == sex].astype(np.int64) - offset
        assert rows.min() >= 0 and rows.max() < len(table.labels)
        counts = np.bincount(rows, minlength=len(table.labels))
        top = np.arange(30)
        assert within_binomial(counts[top], table.probabilities[top], int((male == sex).sum()))
    # labels round-trip: the most common names of each sex
    assert s.given_name_label(0) == s.given_names(False).labels[0]
    assert s.given_name_label(len(s.given_names(False).labels)) == s.given_names(True).labels[0]


def test_china_scheme_draws_exactly_what_identity_draws() -> None:
    s = scheme("china")
    male = np.random.default_rng(4).random(5000) < 0.5
    assert np.array_equal(s.draw_surnames(np.random.default_rng(5), 5000),
                          china.draw_surnames(np.random.default_rng(5), 5000))
    assert np.array_equal(s.draw_given_names(np.random.default_rng(6), 5000, male),
                          china.draw_given_names(np.random.default_rng(6), 5000, male))


def test_us_tables_hold_the_published_figures() -> None:
    s = scheme("united-states")
    surnames = s.surnames()
    assert surnames.labels[:5] == ("Smith", "Johnson", "Williams", "Brown", "Jones")
    assert surnames.probabilities[0] == pytest.approx(0.0082819, rel=1e-4)
    assert len(surnames.labels) <= 65_535  # the surname column is uint16
    # the fitted tail meets the published share of the top 1,000 and sums to 100%
    assert surnames.probabilities[:1000].sum() == pytest.approx(0.4095651, abs=1e-6)
    assert surnames.probabilities.sum() == pytest.approx(1.0)
    men, women = s.given_names(True), s.given_names(False)
    assert men.labels[0] == "James" and women.labels[0] == "Mary"
    assert men.probabilities[:1219].sum() == pytest.approx(0.90040, abs=1e-6)
    assert women.probabilities[:4275].sum() == pytest.approx(0.90024, abs=1e-6)
    assert len(identity_us.TOP_SURNAMES) == len(identity_us.TOP_MALE_FIRST) == 100


def test_fitted_tail_meets_its_anchor_and_remainder() -> None:
    tail = fitted_tail(0.2, 100, 40.0, 1000, 30.0, 100_000)
    assert tail[:900].sum() == pytest.approx(30.0, rel=1e-6)
    assert tail.sum() == pytest.approx(40.0)
    assert np.all(np.diff(tail[:-1]) <= 0) and tail[0] < 0.2


def test_namesakes_follow_the_tables() -> None:
    us, cn = scheme("united-states"), scheme("china")
    # Chinese full names collide far more often than American ones (surname concentration)
    assert cn.namesakes(0.5124) > 5 * us.namesakes(0.491)
    # and the figure is what a sample of full names gives
    rng = np.random.default_rng(7)
    n = 1_000_000
    male = rng.random(n) < 0.491
    full = us.draw_surnames(rng, n).astype(np.int64) << 32 | us.draw_given_names(rng, n, male)
    _, counts = np.unique(full, return_counts=True)
    pairs = float(np.sum(counts * (counts - 1))) / (n * (n - 1))
    assert pairs == pytest.approx(us.namesakes(0.491), rel=0.05)


def test_us_persons_carry_no_id_number() -> None:
    spec = load_scenario(preset="united-states-2020",
                         overrides={"population": {"persons": 3000, "block_size": 1024}}
                         ).population
    geo = build_geography(spec)
    pop = generate_population(spec, geo, Streams(spec.seed, block_size=1024))
    assert not pop.address_code.any() and not pop.id_sequence.any()
    with pytest.raises(ValueError, match="no national ID number"):
        pop.resident_ids(np.arange(3))
    names = pop.names(np.arange(3))
    assert all(len(n.split(" ")) == 2 for n in names)
    assert scheme("united-states").id_format is None


def test_china_persons_carry_valid_ids_through_the_scheme() -> None:
    spec = load_scenario(overrides={"population": {"persons": 3000, "block_size": 1024}}
                         ).population
    geo = build_geography(spec)
    pop = generate_population(spec, geo, Streams(spec.seed, block_size=1024))
    ids = pop.resident_ids(np.arange(3000))
    assert scheme("china").valid_ids(ids).all()
    assert pop.names(np.arange(2))[0] == china.render_identities(pop.surname[:1],
                                                                 pop.given_name[:1])[0]
