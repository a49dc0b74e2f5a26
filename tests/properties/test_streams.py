"""Draws that a part takes a cheaper way are still the numbers of the plain way."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scorelab.core.streams import Stream, _unit_few, stream_key

KEYS = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 40)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), keys=KEYS, n=st.integers(1, 10**6),
       p=st.floats(0.0, 1.0))
def test_a_generator_keyed_again_draws_as_a_new_one(seed: int, keys: list[tuple[int, int]],
                                                     n: int, p: float) -> None:
    """``block_again`` re-keys one generator in place: each (day, block) draws what a new
    ``block`` generator draws, whatever was drawn from the generator before (binomials,
    integers, 32-bit floats that leave half a word buffered)."""
    again = Stream(seed, "system/x/false/e", 4096)
    for day, block in keys:
        new = again.block(day, block)
        reused = again.block_again(day, block)
        assert reused.binomial(n, p) == new.binomial(n, p)
        assert reused.integers(0, n, 5).tolist() == new.integers(0, n, 5).tolist()
        assert reused.random(3, dtype=np.float32).tolist() == \
            new.random(3, dtype=np.float32).tolist()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), first=st.integers(0, 5000), draw=st.integers(0, 3),
       offsets=st.lists(st.integers(0, 40), min_size=0, max_size=50),
       ids=st.lists(st.integers(0, 2**40), min_size=50, max_size=50))
def test_uniforms_of_a_window_are_each_day_s(seed: int, first: int, draw: int,
                                             offsets: list[int], ids: list[int]) -> None:
    """``uniform_on`` draws, for persons of different days, each person's ``uniform`` of
    their day, to the bit."""
    stream = Stream(seed, "process/p/gap", 4096)
    at = np.array(offsets, dtype=np.intp)
    who = np.array(ids[:len(offsets)], dtype=np.int64)
    got = stream.uniform_on(first, at, who, draw)
    want = [stream.uniform(first + int(k), who[i:i + 1], draw)[0] for i, k in enumerate(at)]
    assert got.tobytes() == np.array(want, dtype=np.float64).tobytes()


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31), day=st.integers(0, 5000), draw=st.integers(0, 3),
       ids=st.lists(st.integers(0, 2**40), min_size=1, max_size=30))
def test_a_few_ids_hashed_in_python_draw_numpy_s_numbers(seed: int, day: int, draw: int,
                                                         ids: list[int]) -> None:
    """``uniform`` hashes a few ids in Python integers: the same doubles as the numpy hash,
    to the bit, on both sides of the cut-over."""
    stream = Stream(seed, "system/x/record/e", 4096)
    who = np.array(ids, dtype=np.int64)
    key = np.uint64(stream_key(seed, stream.name, day, draw))
    assert stream.uniform(day, who, draw).tobytes() == Stream._unit(who, key).tobytes()
    assert _unit_few(who, int(key)).tobytes() == Stream._unit(who, key).tobytes()
