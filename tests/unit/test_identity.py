"""Synthetic identities: ID check characters, sex parity, surname shares, namesakes, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from scorelab.population.identity import (
    CHAR_POOL,
    N_SURNAMES,
    NO_CHAR,
    SURNAMES,
    TOP_SURNAMES,
    check_characters,
    draw_given_names,
    draw_surnames,
    given_name_label,
    is_valid_resident_id,
    render_identities,
    resident_ids,
    sequence_codes,
    surname_label,
    surname_probabilities,
    valid_resident_ids,
)

WORKED_EXAMPLE = "11010519491231002X"  # GB 11643-1999 appendix


def _digits(s: str) -> np.ndarray:
    return np.frombuffer(s.encode("ascii"), dtype=np.uint8) - ord("0")


def _random_ids(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    male = rng.random(n) < 0.5124
    address = rng.choice(np.array([110105, 310115, 320508, 350203, 371082, 650102]), n)
    year = rng.integers(1930, 2009, n)
    birth = year * 10000 + rng.integers(1, 13, n) * 100 + rng.integers(1, 29, n)
    return resident_ids(address, birth, sequence_codes(rng, male)), male


# ------------------------------------------------------------------ resident IDs


def test_worked_example_validates_and_check_is_x() -> None:
    assert is_valid_resident_id(WORKED_EXAMPLE)
    assert is_valid_resident_id(WORKED_EXAMPLE.encode())
    assert check_characters(_digits(WORKED_EXAMPLE[:17]).reshape(1, 17)).tolist() == [10]
    built = resident_ids(
        np.array([110105], np.uint32), np.array([19491231], np.uint32), np.array([2], np.uint16)
    )
    assert built.dtype == np.dtype("S18")
    assert built[0].decode() == WORKED_EXAMPLE


def test_check_table_matches_published_mapping() -> None:
    # r = S mod 11 -> 1 0 X 9 8 7 6 5 4 3 2; position 8 has weight 1, so S = digit.
    body = np.zeros((11, 17), np.uint8)
    body[:, 7] = np.arange(11) % 10  # weight 1 at position 8
    body[10, 7], body[10, 6] = 0, 5  # r = 10 via weight 2 at position 7
    expected = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2]
    assert check_characters(body).tolist() == expected


def test_random_ids_validate_and_single_digit_mutation_invalidates() -> None:
    rng = np.random.default_rng(7)
    ids, _ = _random_ids(rng, 5_000)
    assert valid_resident_ids(ids).all()
    assert all(is_valid_resident_id(s) for s in ids[:200].tolist())
    # Change one body digit per ID to a different digit: MOD 11-2 catches every single substitution.
    m = ids.view(np.uint8).reshape(-1, 18).copy()
    rows = np.arange(m.shape[0])
    pos = rng.integers(0, 17, m.shape[0])
    m[rows, pos] = (m[rows, pos] - 48 + rng.integers(1, 10, m.shape[0])) % 10 + 48
    mutated = m.view("S18").ravel()
    # A mutated date digit may also make the date impossible; either way the ID must fail.
    assert not valid_resident_ids(mutated).any()
    assert not any(is_valid_resident_id(s) for s in mutated[:200].tolist())


@pytest.mark.parametrize(
    "bad",
    [
        "11010519491231002x",
        "1101051949123100X2",
        "11010519491231002",
        "11010519491231002XX",
        "11010519490231002X",
        "１1010519491231002X",
        "",
    ],
)
def test_malformed_ids_are_invalid(bad: str) -> None:
    assert not is_valid_resident_id(bad)


def test_vectorised_and_scalar_validators_agree() -> None:
    ids = np.array([WORKED_EXAMPLE, "110105194912310021", "11010519491331002X", "abc"])
    assert valid_resident_ids(ids).tolist() == [is_valid_resident_id(s) for s in ids]
    assert valid_resident_ids(ids).tolist() == [True, False, False, False]


def test_sequence_parity_encodes_sex() -> None:
    rng = np.random.default_rng(3)
    ids, male = _random_ids(rng, 20_000)
    seq_digit = ids.view(np.uint8).reshape(-1, 18)[:, 16] - 48
    assert np.array_equal(seq_digit % 2 == 1, male)
    seq = sequence_codes(rng, male)
    assert seq.dtype == np.uint16
    assert seq.min() >= 1 and seq.max() <= 999
    assert np.array_equal(seq % 2 == 1, male)


def test_resident_ids_reject_out_of_range() -> None:
    with pytest.raises(ValueError):
        resident_ids(np.array([11010]), np.array([19491231]), np.array([2]))
    with pytest.raises(ValueError):
        resident_ids(np.array([110105]), np.array([19491231]), np.array([1000]))


# ------------------------------------------------------------------ surnames


def test_surname_table_shape_and_cumulative_shares() -> None:
    assert len(TOP_SURNAMES) == 100 and len(SURNAMES) == N_SURNAMES == 1800
    p = surname_probabilities()
    assert p.dtype == np.float64 and p.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.diff(p) <= 0)  # tail continues the table downwards
    assert p[:100].sum() == pytest.approx(0.864, abs=0.001)  # published: top 100 = 86.4%
    assert p[:10].sum() == pytest.approx(0.435, abs=0.001)  # top 10 = 43.5%
    assert surname_label(0) == "王" and surname_label(100) == "S0101"
    assert all(py.isascii() and py.islower() for _, py, _ in SURNAMES if not py[1:].isdigit())


def test_drawn_surname_shares_match_table() -> None:
    n = 200_000
    s = draw_surnames(np.random.default_rng(11), n)
    assert s.dtype == np.uint16 and s.max() < N_SURNAMES
    counts = np.bincount(s, minlength=N_SURNAMES)
    p = surname_probabilities()
    sd = np.sqrt(n * p[:10] * (1 - p[:10]))
    assert np.all(np.abs(counts[:10] - n * p[:10]) < 4 * sd)
    assert counts[:100].sum() / n == pytest.approx(0.864, abs=0.004)


# ------------------------------------------------------------------ given names and namesakes


def test_given_name_codes_and_labels() -> None:
    rng = np.random.default_rng(5)
    n = 50_000
    male = rng.random(n) < 0.5
    g = draw_given_names(rng, n, male)
    assert g.dtype == np.uint32
    first, second = g >> 16, g & 0xFFFF
    assert first.max() < len(CHAR_POOL)
    assert np.all((second < len(CHAR_POOL)) | (second == NO_CHAR))
    single = second == NO_CHAR
    # published: 14% two-character full names
    assert single.mean() == pytest.approx(0.14, abs=0.01)
    assert all(len(given_name_label(c)) == 1 for c in g[single][:50])
    assert all(len(given_name_label(c)) == 2 for c in g[~single][:50])
    names = render_identities(np.array([2, 0]), g[:2])
    assert names[0].startswith("张") and names[1].startswith("王")
    assert len(set(CHAR_POOL)) == len(CHAR_POOL)


def test_single_share_can_vary_per_person() -> None:
    rng = np.random.default_rng(9)
    n = 40_000
    share = np.where(np.arange(n) < n // 2, 0.0, 1.0)
    g = draw_given_names(rng, n, np.ones(n, bool), single_share=share)
    single = (g & 0xFFFF) == NO_CHAR
    assert not single[: n // 2].any() and single[n // 2 :].all()


def test_namesakes_are_common_and_zhang_wei_is_a_peak() -> None:
    rng = np.random.default_rng(2024)
    n = 200_000
    male = rng.random(n) < 0.5124
    surname = draw_surnames(rng, n).astype(np.uint64)
    key = (surname << np.uint64(32)) | draw_given_names(rng, n, male)
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    namesake_rate = (counts[inverse] > 1).mean()
    # Observed: 0.49 of persons share their full name with someone in 200k (0.74 in 1M);
    # one-character names (张伟-type) almost always do.
    assert 0.35 < namesake_rate < 0.8
    zhang_wei = (np.uint64(2) << np.uint64(32)) | np.uint64((CHAR_POOL.index("伟") << 16) | NO_CHAR)
    share = np.mean(key == zhang_wei)
    # Facts §2.1/§2.3: 张伟 290,607 of ~1.4 bn = 0.021%; city counts reach ~0.03-0.05%.
    assert 0.0001 < share < 0.0005


def test_determinism_with_fixed_seed() -> None:
    def draw(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        male = rng.random(1_000) < 0.5
        ids = resident_ids(371082, 19800101, sequence_codes(rng, male))
        return draw_surnames(rng, 1_000), draw_given_names(rng, 1_000, male), ids

    a, b, c = draw(123), draw(123), draw(124)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
