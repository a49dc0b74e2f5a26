"""How many random pairs the linkage samples for u: 2 a record between a floor and a cap (the
cap wins), and at the floor a level's u is known within its binomial sampling error."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from test_integration import records

from scorelab.integration.linkage import U_PAIRS_PER_RECORD, link, u_pairs
from scorelab.scenario.schema import LinkageSpec

PAIRS = st.integers(1_000, 10**9)


@given(st.integers(0, 10**8), st.integers(0, 10**8), PAIRS, PAIRS)
def test_u_pairs_grow_with_the_records_between_the_floor_and_the_cap(
        n: int, m: int, floor: int, cap: int) -> None:
    spec = LinkageSpec(u_min_pairs=floor, u_max_pairs=cap)
    pairs = u_pairs(spec, n)
    assert min(floor, cap) <= pairs <= cap
    if floor <= U_PAIRS_PER_RECORD * n <= cap:
        assert pairs == U_PAIRS_PER_RECORD * n
    assert n > m or pairs <= u_pairs(spec, m)  # more records, never fewer pairs


def test_at_the_floor_u_of_a_level_is_within_its_sampling_error() -> None:
    """Births are uniform over 672 dates (2 years x 12 months x 28 days), so two different
    persons share one with u = 1/672; 40,000 records sample the floor's 200,000 pairs, which
    see the level about 300 times: the estimate is within 4 binomial errors of 1/672."""
    rec = records(20_000, 1.0, 0.0, seed=3)
    spec = LinkageSpec()
    pairs = u_pairs(spec, len(rec))
    assert pairs == spec.u_min_pairs
    model = json.loads(link(rec, spec, seed=1, threads=1).model)
    birth = next(c for c in model["comparisons"] if c["output_column_name"] == "birth")
    exact = next(level for level in birth["comparison_levels"] if not level.get("is_null_level"))
    u = 1 / 672
    error = np.sqrt(u * (1 - u) / pairs)
    assert abs(exact["u_probability"] - u) < 4 * error, (exact["u_probability"], u, error)


def test_a_comparison_with_its_own_pairs_keeps_every_other_u_to_the_last_digit() -> None:
    """The default ID comparison estimates u from 20,000 pairs, the others from the
    linkage's: their u are those of one sample of every comparison, digit for digit. The ID's
    agreeing levels come only from the same person's records drawn into the random sample
    (two persons' random IDs are never within two edits), and its u from 20,000 pairs is
    within the sampling error of 20,000 pairs of the u from all of them."""
    from scorelab.records.identity import IdentityRecords
    from scorelab.scenario.integration import ID_U_PAIRS

    rec = records(6_000, 1.0, 0.0, seed=5)
    digits = np.random.default_rng(8).integers(0, 10, (6_000, 18)).astype(np.uint32) + ord("0")
    rec = IdentityRecords(**{**vars(rec), "id_number": digits.view("U18").reshape(-1)[
        rec.person]})
    split = LinkageSpec()
    assert [c.u_pairs for c in split.comparisons if c.field == "id_number"] == [ID_U_PAIRS]
    one = LinkageSpec(comparisons=[c.model_copy(update={"u_pairs": None})
                                   for c in split.comparisons])

    def u_of(spec: LinkageSpec) -> dict[str, list[float]]:
        model = json.loads(link(rec, spec, seed=2, threads=1).model)
        return {c["output_column_name"]: [level.get("u_probability") or 0.0
                                          for level in c["comparison_levels"]]
                for c in model["comparisons"]}

    together, apart = u_of(one), u_of(split)
    id_together, id_apart = together.pop("id_number"), apart.pop("id_number")
    assert together == apart
    for u, estimate in zip(id_together[1:], id_apart[1:], strict=True):
        error = np.sqrt(u * (1 - u) / ID_U_PAIRS) + 1 / ID_U_PAIRS
        assert abs(estimate - u) < 4 * error, (estimate, u, error)
