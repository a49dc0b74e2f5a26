"""Who is "scored": one rule for every system kind, and every sanctioned person is scored.

The rule (docs/outputs.md): a person is scored by a system once a record on them has reached
it (after the record's delay) at any time of the run, warm-up included; a list's listings
from before the run and a credit file stand on records the system already holds.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_text import WITHOUT_PRESET_SYSTEMS

import scorelab
from scorelab.core.streams import Streams
from scorelab.population import generate_population
from scorelab.scenario import load_scenario
from scorelab.scenario.plan import compile as compile_plan
from scorelab.systems.base import SCORED
from scorelab.systems.lists import ListState

GOLDEN = Path(__file__).parents[1] / "golden"

#: every kind at once: the preset's court list (listed before the run, a delay), a point
#: system, a bureau and a commercial score, and a redlist that only rewards
ALL_KINDS = """
extends: china-2022
name: scored
days: {days}
warmup_days: {warmup}
population: {{persons: {persons}, seed: {seed}, block_size: 1024}}
systems:
  court-list:
    entry: {{delay: {delay}}}
  strict:
    kind: points
    jurisdiction: {{national: true}}
    base: 100
    grades: {{good: 100, watch: 90, bad: -32000}}
    rules:
      traffic_offence: {{coverage: 0.6, points: -5, delay: {delay}}}
      loan_late: {{coverage: 0.8, points: -10}}
      volunteering: {{coverage: 0.3, points: 0}}
    sanctions: {{watch: [social_media], bad: [loans, flights]}}
  honours:
    kind: list
    polarity: red
    jurisdiction: {{national: true}}
    entry: {{event: volunteering, coverage: 0.5, delay: {delay}}}
    exit: {{after_days: 20}}
    rewards: [discounts]
  bureau:
    kind: bureau
    jurisdiction: {{national: true}}
    file_coverage: {{no_file: 0.2, who: everyone}}
    payments:
      loan_late: {{counts_as: late, coverage: 0.9, delay: {delay}}}
      loan_defaulted: {{counts_as: default, coverage: 0.9}}
    grades: {{good: 600, poor: 300}}
    sanctions: {{poor: [loans]}}
  sesame:
    kind: commercial
    jurisdiction: {{national: true}}
    file_coverage: {{no_file: 0.4}}
    payments:
      loan_late: {{counts_as: late, coverage: 0.5}}
    grades: {{good: 600, poor: 350}}
    sanctions: {{poor: [luxury_spending]}}
"""


def check_scored(summary: dict[str, object]) -> None:
    """Every sanctioned (or listed) person is scored, and the histogram counts the same."""
    systems = summary["systems"]
    assert isinstance(systems, dict)
    for name, s in systems.items():
        assert s["sanctioned"] <= s["scored"] <= s["covered"], name
        assert s.get("listed", 0) <= s["scored"], name
        if "files" in s:  # a credit file is the record a score stands on
            assert s["scored"] == s["files"], name
    hist = summary["scored_histogram"]
    assert isinstance(hist, dict)
    memberships = hist["1"] + 2 * hist["2"] + 3 * hist["3+"]
    # the histogram counts the separate systems, not an integrated score built on them
    total = sum(s["scored"] for s in systems.values() if s["kind"] != "composite")
    assert memberships <= total and (hist["3+"] > 0 or memberships == total)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.iterdir()
                                        if (p / "summary.json").exists()))
def test_every_preset_scores_whom_it_sanctions(name: str) -> None:
    """The goldens are every preset's run (test_golden keeps them equal to the code)."""
    check_scored(json.loads((GOLDEN / name / "summary.json").read_text()))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(persons=st.integers(1000, 4000), days=st.integers(1, 30),
       warmup=st.sampled_from([0, 5, 40]), delay=st.sampled_from([0, 3, 20]),
       seed=st.integers(0, 2**31))
def test_sanctioned_persons_are_scored_by_every_kind(persons: int, days: int, warmup: int,
                                                     delay: int, seed: int) -> None:
    text = ALL_KINDS.format(persons=persons, days=days, warmup=warmup, delay=delay, seed=seed)
    check_scored(scorelab.run(load_scenario(text=text)).summary)


ONE_DAY = """
extends: china-2022
name: one-day
days: 1
warmup_days: 0
population: {{persons: {persons}, seed: 9, block_size: 4096}}
processes:
  roll_call: {{rate: 1.0, who: everyone, otherwise: called}}
""" + WITHOUT_PRESET_SYSTEMS + """
  points:
    kind: points
    jurisdiction: {{national: true}}
    base: 0
    grades: {{all: -32000}}
    rules: {{called: {{coverage: {coverage}, points: 0, delay: {delay}}}}}
  roll:
    kind: list
    jurisdiction: {{national: true}}
    entry: {{event: called, coverage: {coverage}, delay: {delay}}}
    exit: {{after_days: 5}}
    sanctions: [flights]
"""


def test_scored_share_is_the_coverage() -> None:
    """Everyone acts once on the one day: with coverage c and no delay, each kind scores a
    Binomial(persons, c) number of them (4 standard deviations)."""
    persons, coverage = 20_000, 0.3
    summary = scorelab.run(load_scenario(text=ONE_DAY.format(
        persons=persons, coverage=coverage, delay=0))).summary
    assert summary["events"]["called"] == persons
    sd = math.sqrt(persons * coverage * (1 - coverage))
    for name in ("points", "roll"):
        scored = summary["systems"][name]["scored"]
        assert abs(scored - persons * coverage) < 4 * sd, (name, scored)
    # a record with no delay lists its person the same day: the list scores whom it lists
    assert summary["systems"]["roll"]["scored"] == summary["systems"]["roll"]["listed"]


def test_a_record_still_on_its_way_scores_nobody() -> None:
    """A record arrives after its delay: one due after the run's end scores no one, for a
    list as for a point system (and the list lists no one)."""
    summary = scorelab.run(load_scenario(text=ONE_DAY.format(
        persons=5000, coverage=1.0, delay=3))).summary
    for name in ("points", "roll"):
        system = summary["systems"][name]
        assert system["records"] == 5000 and system["scored"] == 0, name
    assert summary["systems"]["roll"]["listed"] == 0
    assert summary["scored_histogram"]["0"] == 5000


def test_a_record_worth_no_points_still_scores() -> None:
    summary = scorelab.run(load_scenario(text=ONE_DAY.format(
        persons=5000, coverage=1.0, delay=0))).summary
    assert summary["systems"]["points"]["scored"] == 5000


def test_persons_listed_before_the_run_are_scored() -> None:
    """china-2022's court list starts at its published size: those listed stand on records
    the list holds, so they are scored like those listed in the run."""
    result = scorelab.run(preset="china-2022", persons=20_000, days=2, seed=3)
    court = result.summary["systems"]["court-list"]
    assert court["listed"] > 100
    assert court["sanctioned"] == court["listed"] <= court["scored"]


LIST = """
extends: china-2022
population: {persons: 1000, block_size: 1024}
""" + WITHOUT_PRESET_SYSTEMS + """\
  l:
    kind: list
    jurisdiction: {national: true}
    entry: {event: traffic_offence, coverage: 0.5, delay: 2}
    exit: {after_days: 30}
    sanctions: [loans]
"""


def test_a_list_holds_only_the_records_that_reached_it() -> None:
    """What an integrated score reads of a list (its holdings) follows the same rule: not
    the persons listable only in truth, nor records still on their way."""
    plan = compile_plan(load_scenario(text=LIST))
    streams = Streams(plan.seed, plan.block_size, plan.streams)
    pop = generate_population(plan.population, plan.geography, streams)
    state = ListState(plan, plan.systems[0], pop, streams)
    ids = np.arange(0, 1000, 4)
    state.step(0, {"traffic_offence": ids})
    assert state.holdings(0).ids.size == 0  # recorded, not arrived; the rest never recorded
    state.step(1, {})
    state.step(2, {})
    holdings = state.holdings(2)
    held, standing = holdings.ids, holdings.standing
    assert 0.3 * ids.size < held.size < 0.7 * ids.size
    assert np.isin(held, ids).all() and (standing == 0.0).all()  # listed from day 2
    assert np.array_equal(held, state.coverage.global_of(
        np.flatnonzero(state.flags & SCORED)))
