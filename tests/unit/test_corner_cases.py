"""Corner cases of the desks, draws and point records, checked against exact expectations."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from scenario_text import WITHOUT_PRESET_SYSTEMS

import scorelab
from scorelab.core import draws
from scorelab.core.queue import Queue
from scorelab.core.streams import Streams
from scorelab.population import generate_population
from scorelab.scenario import load_scenario
from scorelab.scenario.plan import compile as compile_plan
from scorelab.systems.points import PointsState


def test_reviewers_do_not_bank_time_while_filings_ripen() -> None:
    queue = Queue(capacity=10, latency=30, scale=1.0)
    queue.file(0, np.arange(1000))
    decided = [queue.serve(day).size for day in range(33)]
    assert decided[:30] == [0] * 30
    assert decided[30:] == [10, 10, 10]


def test_fractional_capacity_carries_over() -> None:
    queue = Queue(capacity=1, latency=0, scale=4.0)  # a quarter of a decision a day
    queue.file(0, np.arange(100))
    assert sum(queue.serve(day).size for day in range(40)) == 10


def test_draws_for_large_means() -> None:
    u = np.random.default_rng(3).random(50_000)
    big = draws.poisson(u, 800.0)
    assert abs(big.mean() - 800) < 4 * np.sqrt(800 / u.size) and abs(big.var() / 800 - 1) < 0.05
    many = draws.binomial(u, np.full(u.size, 400), 0.9)
    assert abs(many.mean() - 360) < 4 * np.sqrt(36 / u.size)
    assert abs(many.var() / 36 - 1) < 0.05


def _points(text: str) -> PointsState:
    plan = compile_plan(load_scenario(text=text))
    streams = Streams(plan.seed, plan.block_size, plan.streams)
    pop = generate_population(plan.population, plan.geography, streams)
    return PointsState(plan, plan.systems[plan.system_names.index("p")], pop, streams)


SYSTEM = """
extends: china-2022
population: {persons: 1000, block_size: 1024}
""" + WITHOUT_PRESET_SYSTEMS + """\
  p:
    kind: points
    jurisdiction: {national: true}
    base: 100
    grades: {ok: 80, low: -32000}
    rules: {traffic_offence: {points: -50, coverage: 0.0}}
    sanctions: {low: [loans]}
    expiry_days: 10
"""


def test_two_records_on_one_day_both_count() -> None:
    state = _points(SYSTEM)
    state.schedule[0].append((np.array([7, 7, 9]), -5, 0, False))
    state.step(0, {})
    assert state.score[7] == 90 and state.score[9] == 95


def test_a_corrected_record_keeps_following_the_truth() -> None:
    state = _points(SYSTEM)
    ids = np.array([3, 4])
    state.step(0, {"traffic_offence": ids})  # true events the system does not see
    assert (state.truth[ids] == 50).all() and (state.score[ids] == 100).all()
    state.resolve_appeals(1, ids, np.array([True, True]))  # corrected to the truth
    assert (state.score[ids] == 50).all()
    for day in range(2, 20):  # the truth's points lapse on day 10: the record must follow
        state.step(day, {})
        assert (state.score[ids] == state.truth[ids]).all(), day
    assert (state.score[ids] == 100).all()


def test_confirmed_scanner_flags_are_restricted_from_the_day_of_review() -> None:
    text = """
extends: china-2022
days: 20
warmup_days: 5
population: {persons: 20000, block_size: 4096, scale: 1}
joint_punishment: []
systems: {court-list: null, rongcheng: null, hangzhou: null, xiamen: null, fuzhou: null}
measures:
  scan:
    kind: device_scan
    install_rate: 0.9
    photos_per_day: 0
    match_tpr: 0.9
    match_fpr: 0.0
    threshold: 2
    window: 30
    scope: {minority: 0.3, items: 3}
    review: {capacity: 1000000, accuracy: 1.0, latency: 0}
    action: {restrict: [social_media], days: 1}
"""
    result = scorelab.run(load_scenario(text=text))
    scan = result.summary["measures"]["scan"]
    # the library scan runs on the first reported day, despite the warm-up
    assert scan["flagged"] > 100 and scan["confirmed"] == scan["flagged"]
    # one day of restriction each, counted on the day of the review
    assert scan["restriction_person_days"] == scan["confirmed"]
    daily = result.daily.filter(pl.col("name") == "scan")
    assert daily["restricted"][0] == scan["confirmed"]


@given(members=st.sets(st.integers(0, 10_000), max_size=200),
       ids=st.lists(st.integers(0, 10_000), max_size=50))
def test_add_sorted_is_union1d(members: set[int], ids: list[int]) -> None:
    from scorelab.core.sets import add_sorted

    base = np.array(sorted(members), dtype=np.int64)
    new = np.array(ids, dtype=np.int64)
    got = add_sorted(base, new)
    assert got.dtype == np.int64
    assert np.array_equal(got, np.union1d(base, new))
