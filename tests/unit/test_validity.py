"""The simulation against closed forms, with statistical tolerances (4 standard deviations)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelab
from scorelab.core.streams import Streams
from scorelab.population import build_geography, generate_population
from scorelab.processes.events import waiting_days
from scorelab.scenario import load_scenario

PLAIN = """
extends: china-2022
name: validity
days: {days}
population: {{persons: {persons}, seed: {seed}, block_size: 4096}}
processes:
  driving: {{rate: {rate}, who: everyone, otherwise: traffic_offence}}
systems:
  recorder:
    kind: points
    jurisdiction: {{national: true}}
    base: 0
    grades: {{all: -32000}}
    rules:
      traffic_offence: {{coverage: {coverage}, points: 0}}
"""


def test_recorded_offences_match_the_binomial_expectation() -> None:
    persons, days, rate, coverage = 20_000, 120, 0.002, 0.6
    text = PLAIN.format(persons=persons, days=days, seed=3, rate=rate, coverage=coverage)
    result = scorelab.run(load_scenario(text=text))
    p = rate * coverage
    expected = persons * days * p
    sd = math.sqrt(persons * days * p * (1 - p))
    recorded = result.summary["systems"]["recorder"]["records"]
    assert abs(recorded - expected) < 4 * sd, (recorded, expected, sd)
    events = result.summary["events"]["traffic_offence"]
    sd_events = math.sqrt(persons * days * rate * (1 - rate))
    assert abs(events - persons * days * rate) < 4 * sd_events


def test_offences_with_heterogeneous_propensity_match_their_expectation() -> None:
    """With propensities, the expected count given the drawn population is days x sum(r_i)."""
    scenario = load_scenario(_small_path())
    result = scorelab.run(scenario)
    spec = scenario.population
    pop = generate_population(spec, build_geography(spec), Streams(spec.seed, spec.block_size))
    rates = (scenario.processes["driving"].rate
             * pop.propensity["offending"].astype(np.float64) * pop.adult)
    expected = scenario.days * rates.sum()
    sd = math.sqrt(scenario.days * (rates * (1 - rates)).sum())
    events = result.summary["events"]["traffic_offence"]
    assert abs(events - expected) < 4 * sd, (events, expected, sd)


def _small_path() -> str:
    return str(Path(__file__).parents[1] / "scenarios" / "small.yaml")


def _small_text() -> str:
    return Path(_small_path()).read_text(encoding="utf-8")


def test_waiting_days_are_geometric() -> None:
    u = np.random.default_rng(1).random(400_000)
    for rate in (0.5, 0.05, 0.002):
        days = waiting_days(u, np.full(u.size, rate))
        mean, var = (1 - rate) / rate, (1 - rate) / rate**2
        assert abs(days.mean() - mean) < 4 * math.sqrt(var / u.size)
        assert abs((days == 0).mean() - rate) < 4 * math.sqrt(rate * (1 - rate) / u.size)
    assert np.isinf(waiting_days(u[:3], np.zeros(3))).all()
    assert (waiting_days(u[:3], np.ones(3)) == 0).all()


@settings(max_examples=60, deadline=None)
@given(rate=st.one_of(st.sampled_from([0.0, 1.0, 1e-300, 0.5]), st.floats(0.0, 1.0)),
       seed=st.integers(0, 2**32 - 1))
def test_one_rate_for_all_gives_the_days_of_a_rate_each(rate: float, seed: int) -> None:
    """A process whose rate is the same for everyone passes one number, not an array of
    it: the same doubles, so the same days (a run's bytes must not move)."""
    u = np.random.default_rng(seed).random(500)
    u[:2] = 0.0, np.nextafter(1.0, 0.0)
    assert np.array_equal(waiting_days(u, rate), waiting_days(u, np.full(u.size, rate)),
                          equal_nan=True)


def test_full_coverage_means_no_wrongful_sanctions() -> None:
    text = _small_text().replace(
        "coverage: 0.6", "coverage: 1.0").replace("coverage: 0.8", "coverage: 1.0").replace(
        "coverage: 0.3", "coverage: 1.0")
    result = scorelab.run(load_scenario(text=text))
    strict = result.summary["systems"]["strict"]
    assert strict["sanctioned"] > 100
    assert strict["sanctioned_wrongly"] == 0
    assert strict["grades"] == strict["grades_truth"]


def test_missed_volunteering_is_what_wrongs_people() -> None:
    """Only positive events unseen can make a record worse than the truth: with every negative
    event fully covered, wrongful sanctions come only from missed volunteering."""
    base = _small_text()
    text = base.replace("coverage: 0.6", "coverage: 1.0").replace("coverage: 0.8",
                                                                   "coverage: 1.0")
    low = scorelab.run(load_scenario(text=text)).summary["systems"]["strict"]
    high = scorelab.run(load_scenario(text=text.replace("coverage: 0.3", "coverage: 0.9")))
    high_strict = high.summary["systems"]["strict"]
    assert low["sanctioned_wrongly"] > high_strict["sanctioned_wrongly"] > 0


def test_restriction_person_days_add_up_by_sanction() -> None:
    strict = scorelab.run(load_scenario(_small_path())).summary["systems"]["strict"]
    by = strict["restriction_person_days_by_sanction"]
    # 'watch' carries social_media; 'bad' carries loans and flights
    assert by["loans"] == by["flights"]
    assert strict["restriction_person_days"] == by["social_media"] + by["loans"]
    assert sum(strict["grades"].values()) == strict["covered"]
    assert sum(strict["grades_truth"].values()) == strict["covered"]


def test_records_count_on_the_day_of_the_event_not_of_arrival() -> None:
    """With full coverage and a delay longer than the run, every event is counted in the
    daily ``records`` column on its own day, although none reaches the system in the run."""
    text = PLAIN.format(persons=20_000, days=6, seed=4, rate=0.01, coverage=1.0).replace(
        "points: 0}", "points: -1, delay: 30}") + "warmup_days: 0\n"
    result = scorelab.run(load_scenario(text=text))
    daily = result.daily.filter(result.daily["name"] == "recorder").sort("day")
    assert daily["records"].sum() == result.summary["events"]["traffic_offence"]
    assert (daily["records"] > 0).all()
    assert result.summary["systems"]["recorder"]["scored"] == 0  # nothing has arrived yet
