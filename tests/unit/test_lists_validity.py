"""Lists, records, appeals and overlaps against closed forms (4 standard deviations)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scenario_text import WITHOUT_PRESET_SYSTEMS

import scorelab
from scorelab.population import build_geography
from scorelab.scenario import load_scenario

BARE = """
extends: china-2022
name: lists
days: {days}
warmup_days: 0
population: {{persons: {persons}, seed: {seed}, block_size: 4096, scale: 1}}
processes:
  arrests: {{rate: {rate}, who: everyone, otherwise: arrested, remedies: {{arrested: {remedy}}}}}
""" + WITHOUT_PRESET_SYSTEMS


def bare(days: int = 200, persons: int = 20_000, seed: int = 1, rate: float = 0.002,
         remedy: float = 0.0) -> str:
    return BARE.format(days=days, persons=persons, seed=seed, rate=rate, remedy=remedy)


def run(text: str) -> scorelab.Result:
    return scorelab.run(load_scenario(text=text))


def listed_series(result: scorelab.Result, name: str) -> np.ndarray:
    daily = result.daily.filter(pl.col("name") == name)
    return daily["listed"].to_numpy()


def test_fixed_term_list_reaches_littles_steady_state() -> None:
    persons, rate, term = 20_000, 0.002, 50
    text = bare(persons=persons, rate=rate) + f"""
  watch:
    kind: list
    jurisdiction: {{national: true}}
    entry: {{event: arrested}}
    exit: {{after_days: {term}}}
    sanctions: [flights]
"""
    result = run(text)
    listed = listed_series(result, "watch")[100:]
    # listed on day t iff an event fell in the last `term` days (a new event extends the stay)
    p = 1 - (1 - rate) ** term
    expected, sd = persons * p, math.sqrt(persons * p * (1 - p))
    assert abs(listed.mean() - expected) < 4 * sd, (listed.mean(), expected)
    # Little's law, entry rate x mean duration, holds to first order
    assert abs(listed.mean() / (persons * rate * term) - 1) < 0.1


def test_perfect_records_wrong_nobody() -> None:
    text = bare(rate=0.003, remedy=0.02) + """
  court:
    kind: list
    jurisdiction: {national: true}
    entry: {event: arrested, remedy_days: 10}
    exit: {on_remedy: true, min_days: 5}
    sanctions: [flights]
  score:
    kind: points
    jurisdiction: {national: true}
    base: 10
    grades: {ok: 10, bad: -32000}
    rules: {arrested: {points: -1}}
    sanctions: {bad: [loans]}
"""
    summary = run(text).summary["systems"]
    assert summary["court"]["listed"] > 300
    assert summary["court"]["sanctioned_wrongly"] == 0
    assert summary["score"]["sanctioned"] > 300
    assert summary["score"]["sanctioned_wrongly"] == 0


def test_stale_remedies_wrong_people_for_the_expected_time() -> None:
    """A remedy learned `delay` days late keeps each remedied person listed `delay` days too
    long: wrongful person-days = remedies seen in the window x delay."""
    delay = 6
    text = bare(rate=0.003, remedy=0.02, days=300) + f"""
  court:
    kind: list
    jurisdiction: {{national: true}}
    entry: {{event: arrested}}
    exit: {{on_remedy: true, remedy_delay: {delay}}}
    sanctions: [flights]
"""
    result = run(text)
    court = result.summary["systems"]["court"]
    causes = court["sanctioned_wrongly_by_cause"]
    assert causes["stale_record"] == court["sanctioned_wrongly"] > 0
    assert causes["false_record"] == causes["identity"] == 0
    # each stale episode lasts exactly `delay` days, except those cut short by the end of the
    # run or by a new arrest (a few percent here)
    episodes = result.daily.filter(pl.col("name") == "court")["newly_wronged"].sum()
    assert episodes >= court["sanctioned_wrongly"]
    assert 0.95 * delay * episodes <= court["wrongful_person_days"] <= delay * episodes


def test_false_records_wrong_the_expected_number() -> None:
    persons, days, false_rate = 20_000, 100, 1e-4
    text = bare(persons=persons, days=days, rate=0.0) + f"""
  court:
    kind: list
    jurisdiction: {{national: true}}
    entry: {{event: arrested, false_rate: {false_rate}}}
    exit: {{after_days: 1000}}
    sanctions: [flights]
"""
    court = run(text).summary["systems"]["court"]
    expected = persons * (1 - (1 - false_rate) ** days)
    assert abs(court["sanctioned_wrongly"] - expected) < 4 * math.sqrt(expected)
    assert court["sanctioned_wrongly_by_cause"]["false_record"] == court["sanctioned_wrongly"]
    assert court["sanctioned"] == court["sanctioned_wrongly"]


def test_misattribution_wrongs_namesakes() -> None:
    persons, days, rate, share = 20_000, 100, 0.001, 0.1
    text = bare(persons=persons, days=days, rate=rate) + f"""
  court:
    kind: list
    jurisdiction: {{national: true}}
    entry: {{event: arrested, misattribution: {share}}}
    exit: {{after_days: 30}}
    sanctions: [flights]
"""
    result = run(text)
    court = result.summary["systems"]["court"]
    moved = result.summary["events"]["arrested"] * share
    identity = court["sanctioned_wrongly_by_cause"]["identity"]
    # a namesake already listed in truth is not wronged: at most a few percent here
    assert abs(identity - moved * 0.97) < 4 * math.sqrt(moved) + 0.03 * moved
    assert court["sanctioned_wrongly"] == identity


def _appeal_run(capacity: float, latency: int = 0) -> tuple[np.ndarray, float]:
    persons, false_rate = 20_000, 0.0005
    text = bare(persons=persons, days=100, rate=0.0) + f"""
  court:
    kind: list
    jurisdiction: {{national: true}}
    entry: {{event: arrested, false_rate: {false_rate}}}
    exit: {{after_days: 5000}}
    sanctions: [flights]
    appeals: {{rate: 1.0, capacity: {capacity}, latency: {latency}, success: 1.0}}
"""
    daily = run(text).daily.filter(pl.col("name") == "court")
    return daily["appeal_backlog"].to_numpy(), persons * false_rate


def test_appeal_backlog_stays_bounded_when_capacity_exceeds_arrivals() -> None:
    backlog, arrivals = _appeal_run(capacity=30.0)  # three times the arrival rate
    assert backlog.max() < 4 * arrivals
    assert backlog[-30:].mean() < arrivals


def test_appeal_backlog_grows_linearly_when_arrivals_exceed_capacity() -> None:
    capacity = 4.0
    backlog, arrivals = _appeal_run(capacity=capacity)
    days = np.arange(backlog.size) + 1
    expected = (arrivals - capacity) * days
    sd = np.sqrt(arrivals * days)
    assert (np.abs(backlog - expected)[20:] < 4 * sd[20:]).all()
    slope = np.polyfit(days[20:], backlog[20:], 1)[0]
    assert abs(slope - (arrivals - capacity)) < 0.15 * (arrivals - capacity)


def test_overlap_matches_the_jurisdictions() -> None:
    text = bare(days=3) + """
  court:
    kind: list
    jurisdiction: {national: true}
    entry: {event: arrested}
    exit: {after_days: 10}
  shandong:
    kind: points
    jurisdiction: {provinces: [Shandong]}
    base: 0
    grades: {all: -32000}
    rules: {arrested: {points: -1}}
  rc:
    kind: points
    jurisdiction: {cities: [Rongcheng]}
    base: 0
    grades: {all: -32000}
    rules: {arrested: {points: -1}}
"""
    scenario = load_scenario(text=text)
    summary = scorelab.run(scenario).summary
    geo = build_geography(scenario.population)
    a, b = geo.city_range("Rongcheng")
    c, d = geo.province_range("Shandong")
    rongcheng, shandong = b - a, d - c - (b - a)
    assert rongcheng > 0
    assert summary["coverage_histogram"] == {
        "0": 0, "1": scenario.population.persons - rongcheng - shandong, "2": shandong,
        "3+": rongcheng}


def test_conflicting_grades_count_top_grade_persons_on_a_blacklist() -> None:
    text = bare(days=5) + """
  court:
    kind: list
    jurisdiction: {national: true}
    entry: {event: arrested}
    exit: {after_days: 100}
    initial_share: 0.3
  merit:
    kind: points
    jurisdiction: {national: true}
    base: 100
    grades: {top: 100, bottom: -32000}
    rules: {arrested: {coverage: 0.0, points: -1}}
"""
    summary = run(text).summary
    listed = summary["systems"]["court"]["listed_at_end"]
    assert listed > 1000
    assert summary["conflicting_grades"] == listed


def test_expiry_keeps_only_recent_points() -> None:
    persons, rate, expiry = 20_000, 0.01, 40
    text = bare(persons=persons, rate=rate, days=120) + f"""
  merit:
    kind: points
    jurisdiction: {{national: true}}
    base: 0
    grades: {{"hi": 2, "mid": 1, "lo": -32000}}
    rules: {{arrested: {{points: 1}}}}
    expiry_days: {expiry}
"""
    result = run(text)
    grades = result.summary["systems"]["merit"]["grades"]
    # score = events in the last `expiry` days ~ Binomial(expiry, rate) per person
    p0 = (1 - rate) ** expiry
    p1 = expiry * rate * (1 - rate) ** (expiry - 1)
    for observed, p in ((grades["lo"], p0), (grades["mid"], p1)):
        assert abs(observed - persons * p) < 4 * math.sqrt(persons * p * (1 - p))


def test_caps_and_rewards() -> None:
    text = bare(rate=0.05, days=60) + """
  merit:
    kind: points
    jurisdiction: {national: true}
    base: 0
    ceiling: 3
    grades: {star: 3, "no": -32000}
    rules: {arrested: {points: 2}}
    rewards: {star: [discounts]}
"""
    result = run(text)
    merit = result.summary["systems"]["merit"]
    daily = result.daily.filter(pl.col("name") == "merit")
    assert merit["rewarded"] > 0 and merit["sanctioned"] == 0
    assert merit["reward_person_days_by_reward"]["discounts"] == daily["rewarded"].sum()
    # two events reach the ceiling of 3, never beyond it: the top grade's floor is 3
    assert merit["grades"]["star"] + merit["grades"]["no"] == merit["covered"]


def test_records_that_never_arrive_change_nothing() -> None:
    text = bare(rate=0.05, days=30) + """
  merit:
    kind: points
    jurisdiction: {national: true}
    base: 0
    grades: {"up": 1, "down": -32000}
    rules: {arrested: {points: 1, delay: 30}}
"""
    merit = run(text).summary["systems"]["merit"]
    assert merit["records"] > 0 and merit["scored"] == 0
    assert merit["grades"]["up"] == 0 and merit["grades_truth"]["up"] > 0


def test_disparity_adds_up() -> None:
    summary = run(bare(days=20) + """
  court:
    kind: list
    jurisdiction: {provinces: [Xinjiang, Tibet]}
    entry: {event: arrested}
    exit: {after_days: 30}
    sanctions: [flights]
""").summary
    disparity = summary["disparity"]
    group = disparity["group"]
    assert group["majority"]["sanctioned"] + group["minority"]["sanctioned"] == \
        summary["sanctioned_any"]
    assert sum(p["sanctioned"] for p in disparity["province"].values()) == \
        summary["sanctioned_any"]
    # a list only in minority-heavy provinces sanctions minorities at a higher rate
    assert group["ratio_minority_to_majority"] > 3


def test_count_rule_lists_after_k_events_within_the_window() -> None:
    """Entry on 2 events within W days: compare the persons ever listed with an independent
    Monte Carlo of the same Bernoulli process."""
    persons, rate, window, days = 20_000, 0.01, 10, 60
    text = bare(persons=persons, rate=rate, days=days) + f"""
  repeat:
    kind: list
    jurisdiction: {{national: true}}
    entry: {{event: arrested, count: 2, window: {window}}}
    exit: {{after_days: 1}}
    sanctions: [flights]
"""
    listed = run(text).summary["systems"]["repeat"]["listed"]
    rng = np.random.default_rng(0)
    trials = 200_000
    events = rng.random((trials, days)) < rate
    # listed iff two events fall at most window-1 days apart
    hit = np.zeros(trials, dtype=bool)
    for gap in range(1, window):
        hit |= (events[:, gap:] & events[:, :-gap]).any(axis=1)
    p = hit.mean()
    sd = math.sqrt(persons * p * (1 - p) + (persons**2) * p * (1 - p) / trials)
    assert abs(listed - persons * p) < 4 * sd, (listed, persons * p)
