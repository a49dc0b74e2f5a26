"""Properties over many small scenarios: shard independence, determinism, invariants."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scorelab
from scorelab.core.streams import Streams
from scorelab.engine.backends import local
from scorelab.engine.run import shard_bounds
from scorelab.engine.shard import Shard
from scorelab.processes import events
from scorelab.processes.protests import ProtestCoordinator
from scorelab.report.files import daily_bytes, summary_bytes
from scorelab.scenario import load_scenario
from scorelab.scenario.plan import compile as compile_plan

TEMPLATE = """
extends: china-2022
name: prop
days: {days}
warmup_days: {warmup}
population: {{persons: {persons}, seed: {seed}, block_size: 512}}
systems:
  probe:
    kind: points
    jurisdiction: {{national: true}}
    base: {base}
    grades: {{high: {base}, mid: {mid}, low: -32000}}
    rules:
      traffic_offence: {{coverage: {c1}, points: -{p1}}}
      loan_late: {{coverage: {c2}, points: -{p2}}}
      volunteering: {{coverage: {c3}, points: {p3}}}
    sanctions: {{mid: [social_media], low: [loans, flights]}}
    appeals: {{rate: 0.5, capacity: {capacity}, latency: 2, success: 0.5}}
  court-list:
    appeals: {{rate: 1.0, capacity: {capacity}, latency: 1, success: 0.9}}
    entry: {{false_rate: 0.001, misattribution: 0.2}}
joint_punishment:
  - {{source: court-list, target: probe, sanctions: [public_jobs]}}
"""

scenarios = st.builds(
    lambda persons, days, warmup, capacity, seed, base, gap, c1, c2, c3, p1, p2, p3:
    TEMPLATE.format(persons=persons, days=days, warmup=warmup, capacity=capacity, seed=seed,
                    base=base, mid=base - gap, c1=c1, c2=c2, c3=c3, p1=p1, p2=p2, p3=p3),
    persons=st.integers(600, 3000), days=st.integers(1, 40), warmup=st.sampled_from([0, 7]),
    capacity=st.sampled_from([0, 50_000, 10**7]), seed=st.integers(0, 2**31),
    base=st.integers(-100, 100), gap=st.integers(1, 30),
    c1=st.sampled_from([0.0, 0.3, 1.0]), c2=st.sampled_from([0.5, 1.0]),
    c3=st.sampled_from([0.0, 0.5]), p1=st.integers(0, 20), p2=st.integers(0, 20),
    p3=st.integers(0, 20),
)

# SCORELAB_PROPERTY_EXAMPLES=200 for a longer hunt
SETTINGS = settings(max_examples=int(os.environ.get("SCORELAB_PROPERTY_EXAMPLES", "12")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=scenarios, shards=st.integers(2, 5))
def test_any_shard_count_gives_identical_outputs(text: str, shards: int) -> None:
    same_for_any_split(text, shards)


def same_for_any_split(text: str, shards: int) -> scorelab.Result:
    """Run with one shard and with several; the outputs must be byte-identical."""
    scenario = load_scenario(text=text)
    blocks = -(-scenario.population.persons // scenario.population.block_size)
    one = scorelab.run(scenario)
    many = scorelab.run(scenario, shards=min(shards, blocks))
    assert summary_bytes(one.summary) == summary_bytes(many.summary)
    assert daily_bytes(one.daily) == daily_bytes(many.daily)
    return one


@SETTINGS
@given(text=scenarios, lanes=st.integers(2, 4), span=st.sampled_from([1, 300, 1 << 16]))
def test_any_lane_count_gives_identical_outputs(text: str, lanes: int, span: int) -> None:
    """A shard's lanes (threads drawing its population by blocks and its processes' windows
    by spans of persons) change how fast it runs, never what it draws: one lane and several
    give byte-identical outputs."""
    scenario = load_scenario(text=text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(events, "SPAN", span)
        patch.setattr(local, "lanes_for", lambda shards: 1)
        one = scorelab.run(scenario)
        patch.setattr(local, "lanes_for", lambda shards: lanes)
        many = scorelab.run(scenario)
    assert summary_bytes(one.summary) == summary_bytes(many.summary)
    assert daily_bytes(one.daily) == daily_bytes(many.daily)


@SETTINGS
@given(text=scenarios)
def test_counts_are_consistent(text: str) -> None:
    result = scorelab.run(load_scenario(text=text))
    s = result.summary["systems"]["probe"]
    assert 0 <= s["sanctioned_wrongly"] <= s["sanctioned"] <= s["covered"]
    assert 0 <= s["scored"] <= s["covered"] == result.summary["persons"]
    assert sum(s["grades"].values()) == s["covered"] == sum(s["grades_truth"].values())
    daily = result.daily.filter(result.daily["name"] == "probe")
    assert (daily["sanctioned_wrongly"] <= daily["sanctioned"]).all()
    assert (daily["sanctioned"] <= s["covered"]).all()
    assert daily["restriction_person_days"].sum() == s["restriction_person_days"]
    assert daily["newly_sanctioned"].sum() == s["sanctioned"]
    assert daily["sanctioned_wrongly"].sum() == s["wrongful_person_days"]
    assert sum(s["sanctioned_wrongly_by_cause"].values()) == s["sanctioned_wrongly"]
    court = result.summary["systems"]["court-list"]
    assert 0 <= court["sanctioned_wrongly"] <= court["sanctioned"] == court["listed"]
    for name, system in (("court-list", court), ("probe", s)):
        # appeals are conserved: every filing is decided or still waiting at the end (filings
        # of the warm-up are decided in the reported days but were not counted as filed)
        assert 0 <= system["appeals_won"] <= system["appeals_decided"]
        settled = system["appeals_decided"] + system["appeal_backlog_at_end"]
        if result.scenario.warmup_days == 0:
            assert settled == system["appeals_filed"]
        else:
            assert settled >= system["appeals_filed"]
        rows = result.daily.filter(result.daily["name"] == name)
        assert rows["appeals_filed"].sum() == system["appeals_filed"]
        assert rows["appeals_won"].sum() == system["appeals_won"]
        assert rows["appeal_backlog"].max() == system["appeal_backlog_max"]
        assert rows["appeal_backlog"][-1] == system["appeal_backlog_at_end"]
    joint = s["joint_punishment"]["court-list"]
    assert joint["sanctioned"] <= court["sanctioned"]
    assert joint["sanctioned_wrongly"] <= joint["sanctioned"]
    by = s["restriction_person_days_by_sanction"]
    assert by.get("loans", 0) == by.get("flights", 0)


MEASURES = """
extends: china-2022
name: prop-measures
days: {days}
warmup_days: {warmup}
population: {{persons: {persons}, seed: {seed}, block_size: 512, scale: 1}}
protests:
  rate_per_million: 1000
  size_median: {size}
  bystanders_per_participant: 1
  photos_participant: 5
  forward_share: 0.5
  contacts: 5
measures:
  check:
    kind: checkpoint
    officers: {officers}
    shift_hours: 1
    minutes_per_search: 6
    present_share: 0.5
    action: {{restrict: [social_media], days: 3}}
  scan:
    kind: device_scan
    install_rate: 0.8
    photos_per_day: 10
    match_tpr: 0.9
    match_fpr: {fpr}
    burst_mean: 2
    threshold: 2
    window: 7
    scope: {{minority: 0.1, items: 2}}
    review: {{capacity: {capacity}, latency: 1, unreviewed: {unreviewed}}}
    action: {{restrict: [social_media], days: 5}}
  cut:
    kind: shutdown
    duration: 2
"""

measure_scenarios = st.builds(
    lambda persons, days, warmup, seed, size, officers, fpr, capacity, unreviewed:
    MEASURES.format(persons=persons, days=days, warmup=warmup, seed=seed, size=size,
                    officers=officers, fpr=fpr, capacity=capacity, unreviewed=unreviewed),
    persons=st.integers(3000, 8000), days=st.integers(1, 25), warmup=st.sampled_from([0, 3]),
    seed=st.integers(0, 2**31), size=st.sampled_from([2, 20]), officers=st.integers(0, 30),
    fpr=st.sampled_from([0.0, 0.01]), capacity=st.sampled_from([0, 5, 1000]),
    unreviewed=st.sampled_from(["wait", "act"]),
)


@SETTINGS
@given(text=measure_scenarios, shards=st.integers(2, 6))
def test_measures_give_identical_outputs_for_any_shard_count(text: str, shards: int) -> None:
    one = same_for_any_split(text, shards)
    for measure in one.summary["measures"].values():
        wrongly = sum(measure["flagged_wrongly"].values())
        assert measure["flagged_rightly"] + wrongly == measure["flagged"]
        assert measure["collateral_person_days"] <= measure["restriction_person_days_innocent"]
        assert measure["restriction_person_days_innocent"] <= measure["restriction_person_days"]


@SETTINGS
@given(text=measure_scenarios, shards=st.integers(1, 3))
def test_a_day_s_events_come_ascending(text: str, shards: int) -> None:
    """Each event's persons of a day come ascending (processes and protests alike), as
    ``SystemState.step`` promises: ``Coverage.select`` cuts them by binary search without
    checking."""
    plan = compile_plan(load_scenario(text=text))
    shards = [Shard(plan, a, b) for a, b in shard_bounds(plan.persons, plan.block_size, shards)]
    sums = [shard.city_sums() for shard in shards]
    total = sums[0]
    for more in sums[1:]:
        total = total + more
    protests = ProtestCoordinator(plan, Streams(plan.seed, plan.block_size, plan.streams), total)
    for day in range(plan.total_days):
        today = protests.today(day)
        for shard in shards:
            shard.truth(day, today, total.activism)
            for event, ids in shard.events.items():
                assert not np.count_nonzero(ids[1:] < ids[:-1]), (event, day)
            shard.records(day)
