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
