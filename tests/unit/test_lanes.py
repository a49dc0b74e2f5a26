"""A shard's lanes: spans that cover the rows once, results in order, the cores shared out."""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorelab.core import lanes as lanes_module
from scorelab.core.lanes import CAP, Lanes, cap, lanes_for, one_lane, rest_all


@given(threads=st.integers(1, 6), n=st.integers(0, 10_000), least=st.integers(1, 5_000))
def test_spans_cover_the_rows_once_in_order(threads: int, n: int, least: int) -> None:
    spans = Lanes(threads).spans(n, least)
    assert spans[0][0] == 0 and spans[-1][1] == n
    assert all(a[1] == b[0] for a, b in pairwise(spans))
    assert 1 <= len(spans) <= threads
    if len(spans) > 1:
        assert min(b - a for a, b in spans) >= least
        assert max(b - a for a, b in spans) - min(b - a for a, b in spans) <= 1


def test_map_keeps_the_order_and_runs_on_the_lanes() -> None:
    lanes = Lanes(3)
    seen: set[int] = set()

    def work(k: int) -> int:
        seen.add(threading.get_ident())
        return k * k

    assert lanes.map(work, range(40)) == [k * k for k in range(40)]
    assert threading.get_ident() not in seen
    lanes.close()
    seen.clear()
    assert lanes.map(work, range(3)) == [0, 1, 4]  # (closed: in the caller's thread)
    assert seen == {threading.get_ident()}


def test_resting_lanes_stop_their_threads_until_next_needed() -> None:
    """A shard's lanes rest before it forks (``engine.ahead``): no thread of theirs is left
    running, and the next map starts them again."""
    def lane_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("scorelab-lane")]

    before = len(lane_threads())
    lanes = Lanes(2)
    assert len(lane_threads()) == before  # (no thread until the lanes are needed)
    assert lanes.map(lambda k: k + 1, range(4)) == [1, 2, 3, 4]
    assert len(lane_threads()) > before
    lanes.rest()
    assert len(lane_threads()) == before and lanes.threads == 2
    seen: set[int] = set()
    assert lanes.map(lambda k: seen.add(threading.get_ident()) or k, range(8)) == list(range(8))
    assert threading.get_ident() not in seen  # (on the lanes again)
    other = Lanes(3)
    assert other.map(lambda k: k, range(6)) == list(range(6))
    assert len(lane_threads()) > before
    rest_all()  # (every shard's lanes in the process, before a fork)
    assert len(lane_threads()) == before and (lanes.threads, other.threads) == (2, 3)
    lanes.close()
    other.close()


def test_an_error_in_a_lane_reaches_the_caller() -> None:
    def fail(k: int) -> int:
        raise ValueError(f"lane {k}")

    with pytest.raises(ValueError, match="lane"):
        Lanes(2).map(fail, range(4))


def test_the_cores_are_shared_out_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lanes_module, "cores", lambda: 8)
    monkeypatch.delenv(CAP, raising=False)
    assert [lanes_for(s) for s in (1, 2, 3, 8, 20)] == [8, 4, 2, 1, 1]
    monkeypatch.setenv(CAP, "3")
    assert lanes_for(1) == 3 and lanes_for(4) == 2
    monkeypatch.setenv(CAP, "nonsense")  # (not a count: no cap)
    assert lanes_for(1) == 8
    monkeypatch.setenv(CAP, "2")
    cap(5)  # (a lower cap already set stays)
    assert lanes_for(1) == 2
    cap(1)
    assert lanes_for(1) == 1
    monkeypatch.delenv(CAP)
    assert one_lane(lambda _: lanes_for(1), None) == 1  # (a task among others: one lane)
