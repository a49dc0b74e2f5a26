"""Control measures against closed forms (4 standard deviations)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
import scenario_text

import scorelab
from scorelab.core.streams import Streams
from scorelab.population import build_geography, generate_population
from scorelab.scenario import load_scenario


def bare(days: int = 30, persons: int = 20_000, seed: int = 1, scale: float = 1.0,
         systems: str = "") -> str:
    return scenario_text.bare("measures", days, persons, seed, scale) + systems


def run(text: str) -> scorelab.Result:
    return scorelab.run(load_scenario(text=text))


def poisson_tail(lam: float, k: int) -> float:
    """P(Poisson(lam) >= k)."""
    return 1.0 - sum(math.exp(-lam) * lam**j / math.factorial(j) for j in range(k))


def compound_tail(lam: float, mean_burst: float, k: int) -> float:
    """P(S >= k), S a Poisson(lam) number of bursts, each geometric on 1, 2, ... with the
    given mean (Panjer's recursion for the compound Poisson law)."""
    p = 1.0 / mean_burst
    burst = [0.0] + [p * (1 - p) ** (j - 1) for j in range(1, k + 1)]
    pmf = [math.exp(-lam)]
    for s in range(1, k):
        pmf.append(lam / s * sum(j * burst[j] * pmf[s - j] for j in range(1, s + 1)))
    return 1.0 - sum(pmf)


def scanner(fpr: float, threshold: int, window: int, burst: float = 1.0, photos: float = 12,
            extra: str = "") -> str:
    return f"""
measures:
  scan:
    kind: device_scan
    install_rate: 0.7
    photos_per_day: {photos}
    match_tpr: 0.9
    match_fpr: {fpr}
    burst_mean: {burst}
    threshold: {threshold}
    window: {window}
{extra}"""


@pytest.mark.parametrize(("fpr", "threshold", "window"),
                         [(0.001, 1, 10), (0.002, 3, 30), (0.01, 5, 20), (0.0005, 2, 60)])
def test_false_flags_match_the_poisson_tail(fpr: float, threshold: int, window: int) -> None:
    summary = run(bare(days=window) + scanner(fpr, threshold, window)).summary
    scan = summary["measures"]["scan"]
    p = poisson_tail(12 * window * fpr, threshold)
    n = scan["installed"]
    assert n > 10_000
    expected, sd = n * p, math.sqrt(n * p * (1 - p))
    assert abs(scan["flagged"] - expected) < 4 * sd + 1, (scan["flagged"], expected)
    assert scan["flagged_wrongly"]["uninvolved"] == scan["flagged"]


def test_bursts_follow_the_compound_model_not_the_independent_one() -> None:
    fpr, threshold, window, burst = 0.0005, 4, 30, 4.0
    scan = run(bare(days=window) + scanner(fpr, threshold, window, burst)).summary[
        "measures"]["scan"]
    lam = 12 * window * fpr
    n = scan["installed"]
    compound = n * compound_tail(lam, burst, threshold)
    independent = n * poisson_tail(lam * burst, threshold)  # same mean number of matches
    sd = math.sqrt(compound)
    assert abs(scan["flagged"] - compound) < 4 * sd, (scan["flagged"], compound)
    assert abs(scan["flagged"] - independent) > 4 * sd, (scan["flagged"], independent)


PROTESTS = """
protests:
  cities: [Hangzhou]
  rate_per_million: 1000
  size_median: {size}
  size_sigma: 0.0
  bystanders_per_participant: {bystanders}
  photos_participant: 10
  photos_bystander: {bystander_photos}
  forward_share: {forward}
  contacts: 10
  deletion: 0.0
"""


def protests(size: float = 15, bystanders: float = 1, bystander_photos: float = 2,
             forward: float = 0.3) -> str:
    return PROTESTS.format(size=size, bystanders=bystanders, bystander_photos=bystander_photos,
                           forward=forward)


def test_a_perfect_scanner_flags_no_one_wrongly() -> None:
    text = bare(persons=100_000, days=60) + protests(bystander_photos=0, forward=0.0) + scanner(
        0.0, 1, 30, extra="    scope: {majority: 0.0, minority: 0.0, items: 5}\n")
    result = run(text)
    scan = result.summary["measures"]["scan"]
    assert scan["flagged_rightly"] > 5
    assert scan["flagged_wrongly"] == {"bystander": 0, "recipient": 0, "uninvolved": 0}
    assert scan["precision"] == 1.0


def test_list_scope_flags_people_who_never_protested() -> None:
    text = bare(days=10) + scanner(
        0.0, 3, 30, extra="    scope: {majority: 0.0, minority: 0.2, items: 5}\n")
    result = run(text)
    scan = result.summary["measures"]["scan"]
    minority = result.summary["population"]["minority"]
    assert scan["flagged"] == scan["flagged_wrongly"]["uninvolved"] > 0
    # about 0.2 x 0.7 (installed) x phone share of the minority
    assert scan["flagged"] < 0.2 * minority


def checkpoint(officers: int, present_share: float = 0.0, apps: float = 0.2,
               photos: bool = False) -> str:
    return f"""
measures:
  check:
    kind: checkpoint
    officers: {officers}
    shift_hours: 8
    minutes_per_search: 6
    days_after: 2
    present_share: {present_share}
    find_photos: {str(photos).lower()}
    find_apps: true
    app_prevalence: {apps}
"""


def test_checkpoint_searches_and_hits() -> None:
    officers, apps = 5, 0.2
    text = bare(persons=100_000, days=60) + protests() + checkpoint(officers, apps=apps)
    scenario = load_scenario(text=text)
    result = scorelab.run(scenario)
    check = result.summary["measures"]["check"]
    daily = result.daily.filter(pl.col("name") == "check")
    per_day = officers * 8 * 60 / 6  # scale 1: real officers = synthetic persons
    active = daily.filter(pl.col("searches") > 0)
    assert active.height > 5
    assert (active["searches"] == per_day).all()
    # hits: the searched are drawn without replacement from Hangzhou's phone owners, K of
    # whom have suspicious apps: a hypergeometric count per day
    spec = scenario.population
    pop = generate_population(spec, build_geography(spec), Streams(spec.seed, spec.block_size))
    a, b = pop.geography.city_range("Hangzhou")
    ids = np.arange(a, b)[pop.phone[a:b]]
    holders = Streams(spec.seed).claim("measure/check/apps").uniform(0, ids) < apps
    big_n, k = ids.size, int(holders.sum())
    n = check["searches"]
    expected = n * k / big_n
    var_day = per_day * (k / big_n) * (1 - k / big_n) * (big_n - per_day) / (big_n - 1)
    sd = math.sqrt(var_day * active.height)
    assert abs(check["search_hits"] - expected) < 4 * sd, (check["search_hits"], expected)


def test_checkpoint_searches_are_capped_by_the_people_there() -> None:
    text = bare(persons=100_000, days=20) + protests() + checkpoint(officers=10**6)
    scenario = load_scenario(text=text)
    daily = scorelab.run(scenario).daily.filter(pl.col("name") == "check")
    spec = scenario.population
    pop = generate_population(spec, build_geography(spec), Streams(spec.seed, spec.block_size))
    a, b = pop.geography.city_range("Hangzhou")
    owners = int(pop.phone[a:b].sum())
    assert daily["searches"].max() == owners


def test_shutdown_collateral_is_the_uninvolved_in_scope() -> None:
    text = bare(persons=100_000, days=40) + protests(bystanders=0, forward=0.0) + """
measures:
  cut:
    kind: shutdown
    cities: [Hangzhou]
    duration: 5
"""
    scenario = load_scenario(text=text)
    result = scorelab.run(scenario)
    cut = result.summary["measures"]["cut"]
    daily = result.daily.filter(pl.col("name") == "cut")
    geo = build_geography(scenario.population)
    a, b = geo.city_range("Hangzhou")
    residents = b - a
    cut_days = daily.filter(pl.col("restricted") > 0)
    assert cut_days.height >= 5
    assert (cut_days["restricted"] == residents).all()
    participants = result.summary["protests"]["participants"]
    # collateral: everyone in scope who was uninvolved that day
    assert (cut_days["collateral"] >= residents - participants).all()
    assert cut["collateral_person_days"] == cut_days["collateral"].sum()
    assert cut["restriction_person_days"] == residents * cut_days.height
    assert cut["flagged"] == 0
    assert cut["cost"]["economic_usd"] == pytest.approx(2.1 * residents * cut_days.height)


def test_shutdown_cuts_forwarding() -> None:
    base = bare(persons=100_000, days=60) + protests(forward=0.5)
    free = run(base).summary["protests"]["recipients"]
    cut = run(base + """
measures:
  cut: {kind: shutdown, cities: [Hangzhou], duration: 5, cuts: all_signal}
""").summary["protests"]["recipients"]
    assert free > 20 and cut == 0


def test_a_system_punishing_protest_records_shows_its_precision() -> None:
    text = bare(persons=100_000, days=60, systems="""\
  dissent:
    kind: points
    jurisdiction: {national: true}
    base: 0
    grades: {clean: 0, marked: -32000}
    rules:
      protest_participation: {coverage: 0.5, points: -1}
      protest_presence: {coverage: 0.5, points: -1}
    sanctions: {marked: [flights]}
""") + protests(bystanders=3)
    result = run(text)
    dissent = result.summary["systems"]["dissent"]
    roles = dissent["sanctioned_by_role"]
    assert sum(roles.values()) == dissent["sanctioned"] > 10
    assert roles["participant"] > 0 and roles["bystander"] > 0
    assert roles["uninvolved"] == roles["recipient"] == 0
    assert 0 < dissent["precision_participants"] < 1
    # records of presence are true records: by the system's own rules, nobody is wronged
    assert dissent["sanctioned_wrongly"] == 0


WAVE = """
protests: {cities: [Suzhou], rate_per_million: 1000, size_median: 300}
measures:
  check: {kind: checkpoint, cities: [Suzhou], officers: 1000, shift_hours: 8,
          minutes_per_search: 5, days_after: 3, present_share: 0, find_photos: false,
          app_prevalence: 0.1}
"""


def test_a_protest_wave_keeps_checkpoints_running() -> None:
    """Suzhou protests every day (its daily chance is capped at 1): the checkpoint is active
    on every day after the first, and its searches follow the formula, the fraction of a
    search carried from day to day."""
    days, persons = 10, 200_000
    result = run(bare(days=days, persons=persons, seed=71, scale=7000) + WAVE)
    assert result.summary["protests"]["protests"] == days
    daily = result.daily.filter(pl.col("name") == "check").sort("day")
    searches = daily["searches"].to_list()
    per_day = 1000 * 8 * 60 / 5 / 7000
    assert searches[0] == 0 and all(s > 0 for s in searches[1:])
    assert sum(searches) == int((days - 1) * per_day + 1e-9)
    assert result.summary["measures"]["check"]["cost"]["officer_hours"] == pytest.approx(
        (days - 1) * 1000 * 8 / 7000)


def test_checkpoints_are_active_in_the_days_after_each_protest() -> None:
    """Exact days, on the coordinator: one protest arms a city for ``days_after`` days; a
    wave keeps it armed until ``days_after`` days after its last protest."""
    from scorelab.measures.checkpoint import CheckpointCoordinator
    from scorelab.processes.protests import Protest
    from scorelab.scenario.plan import compile as compile_plan

    plan = compile_plan(load_scenario(text=bare(days=40, persons=5000) + WAVE))
    suzhou = plan.geography.city_names.index("Suzhou")
    other = plan.geography.city_names.index("Hangzhou")

    def active_days(protest_days: set[int], city: int = suzhou) -> list[int]:
        coordinator = CheckpointCoordinator(plan, plan.measures[0], Streams(plan.seed))
        out = []
        for day in range(40):
            today = [Protest(city, 10.0, 10.0)] if day in protest_days else []
            coordinator.on_protests(day, today)
            if suzhou in coordinator.active(day):
                out.append(day)
        return out

    assert active_days({5}) == [6, 7, 8]
    assert active_days(set(range(10, 20))) == list(range(11, 23))
    assert active_days({5, 7}) == [6, 7, 8, 9, 10]
    assert active_days({5}, city=other) == []  # the checkpoint stands in Suzhou only


ONE_PROTEST = scenario_text.ONE_PROTEST + """\
measures:
  check:
    kind: checkpoint
    officers: 5
    shift_hours: 8
    minutes_per_search: 6
    days_after: 1
    present_share: 0.5
    find_photos: false
    find_apps: true
    app_prevalence: 1.0
    action: {action}
"""


@pytest.mark.parametrize(("action", "held", "restricted"),
                         [("{detention_days: 3}", 3, 3),
                          ("{detention_days: 2, restrict: [social_media], days: 5}", 2, 5),
                          ("{detention_days: 4, restrict: [social_media], days: 1}", 4, 4)])
def test_detention_is_a_restriction_counted_by_role(action: str, held: int,
                                                    restricted: int) -> None:
    """One protest on day 0 arms the checkpoint for day 1 only, so each person is searched
    at most once; every search hits (app prevalence 1) and detains. Each detained person is
    then restricted for max(detention, restriction) days from day 1, by their true role
    (no photos travel, so roles stay as they were on day 0)."""
    result = run(bare(persons=100_000, days=10) + ONE_PROTEST.format(action=action))
    check = result.summary["measures"]["check"]
    daily = result.daily.filter(pl.col("name") == "check").sort("day")
    searches = check["searches"]
    assert searches == daily["searches"][1] == check["search_hits"] == check["flagged"] == 400
    wrongly = check["flagged_wrongly"]
    assert check["flagged_rightly"] > 0 and wrongly["bystander"] > 0
    assert wrongly["uninvolved"] > 0 and wrongly["recipient"] == 0
    assert check["cost"]["detention_days"] == searches * held
    assert check["restriction_person_days"] == searches * restricted
    assert check["restriction_person_days_innocent"] == check["flagged_wrongly_total"] * restricted
    assert check["collateral_person_days"] == wrongly["uninvolved"] * restricted
    on = [0] + [1] * restricted + [0] * (10 - 1 - restricted)
    assert daily["restricted"].to_list() == [searches * k for k in on]
    assert daily["restricted_innocent"].to_list() == [check["flagged_wrongly_total"] * k
                                                      for k in on]
    assert daily["collateral"].to_list() == [wrongly["uninvolved"] * k for k in on]
