"""Area measures where protests break out: a shutdown of a share of protest cities and a
signal jammer at the protest site, against answers worked by hand and a binomial law; the
area-control-2022 preset fires both; bad settings are located errors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import polars as pl
import pytest
import scenario_text

import scorelab
from scorelab.cli import main
from scorelab.core.results import Totals
from scorelab.core.streams import Streams
from scorelab.ledger.catalogue import MEASURE, figure_of
from scorelab.ledger.reading import resolve
from scorelab.measures.base import (
    Coordinator,
    CoordinatorTotals,
    MeasureState,
    MeasureTotals,
    Shards,
)
from scorelab.measures.shutdown import ShutdownCoordinator
from scorelab.measures.summary import MeasureSummary
from scorelab.population import build_geography, generate_population
from scorelab.processes.protests import Protest, ProtestCoordinator, ProtestState
from scorelab.scenario import load_scenario
from scorelab.scenario.plan import compile as compile_plan
from scorelab.scenario.schema import MeasureSpec


def bare(days: int = 10, persons: int = 100_000, seed: int = 1, scale: float = 1.0) -> str:
    return scenario_text.bare("area", days, persons, seed, scale)


#: protests everywhere at the checkpoints-2022 rate, and a shutdown of a share of their cities
SHUTDOWN = """
protests: {{rate_per_million: 0.0048, size_median: 300}}
measures:
  cut: {{kind: shutdown, share: {share}, duration: 3}}
"""

#: one protest in Hangzhou on day 0 (its daily chance is 1, then 0), no photos forwarded
ONE_PROTEST = scenario_text.ONE_PROTEST + """\
measures:
  jam: {{kind: jammer, passers_by_per_participant: {passers}, duration: {duration}}}
"""


def coordinator(share: float, seed: int) -> ShutdownCoordinator:
    text = bare(days=30, persons=5000, seed=seed) + SHUTDOWN.format(share=share)
    plan = compile_plan(load_scenario(text=text))
    return ShutdownCoordinator(plan, plan.measures[0], Streams(plan.seed))


def test_with_share_one_every_protest_city_is_cut_off() -> None:
    """Exact, on the coordinator: each city that protests is cut off from that day for the
    duration (3 days), and a later protest extends its cut."""
    cut = coordinator(1.0, seed=3)
    cells = len(cut.trigger)
    protests = {0: [2, 7], 1: [7], 5: [30]}
    seen = []
    for day in range(10):
        cut.on_protests(day, [Protest(c, 1.0, 1.0) for c in protests.get(day, [])])
        seen.append(cut.cut_off(day))
    assert seen == [[2, 7], [2, 7], [2, 7], [7], [], [30], [30], [30], [], []]
    assert cells > 30


def test_the_cities_cut_off_are_a_binomial_share_of_the_protest_cities() -> None:
    """Every city protests on day 0 and again on day 5: over 200 seeds the cities cut off
    follow Binomial(200 x cells, share) (4 standard deviations), and a city drawn out on day
    0 stays out on day 5 (one draw per city for the run)."""
    share, seeds = 0.3, 200
    total = trials = 0
    for seed in range(seeds):
        cut = coordinator(share, seed)
        cells = len(cut.trigger)
        everyone = [Protest(c, 1.0, 1.0) for c in range(cells)]
        cut.on_protests(0, everyone)
        first = cut.cut_off(0)
        cut.on_protests(5, everyone)
        assert cut.cut_off(5) == first
        total += len(first)
        trials += cells
    sd = math.sqrt(trials * share * (1 - share))
    assert abs(total - trials * share) < 4 * sd, (total, trials * share)


def protest_cities(text: str) -> set[int]:
    """The city cells with a protest in the run, drawn as the engine draws them."""
    plan = compile_plan(load_scenario(text=text))
    spec = load_scenario(text=text).population
    pop = generate_population(spec, build_geography(spec), Streams(spec.seed, spec.block_size))
    protests = ProtestCoordinator(plan, Streams(plan.seed), ProtestState.city_sums(pop))
    return {p.city for day in range(plan.warmup + plan.days) for p in protests.today(day)}


@pytest.mark.parametrize("share", [1.0, 0.0])
def test_a_run_cuts_off_every_protest_city_or_none(share: float) -> None:
    text = bare(days=30, persons=20_000, scale=70_000) + SHUTDOWN.format(share=share)
    cities = protest_cities(text)
    assert len(cities) > 10
    cut = scorelab.run(load_scenario(text=text)).summary["measures"]["cut"]
    assert cut["cities_cut_off"] == (len(cities) if share == 1.0 else 0)
    assert (cut["restriction_person_days"] > 0) is (share == 1.0)


@pytest.mark.parametrize(("passers", "duration"), [(2, 3), (0, 1), (1.5, 2)])
def test_jammer_person_days_by_hand(passers: float, duration: int) -> None:
    """One protest, jammed on its day: everyone there (P participants, B bystanders) and
    round(passers x P) residents passing by lose signal for ``duration`` days; without
    forwarding the passers-by are uninvolved, so they are the collateral."""
    result = scorelab.run(load_scenario(
        text=bare(days=10) + ONE_PROTEST.format(passers=passers, duration=duration)))
    protests = result.summary["protests"]
    p, b = protests["participants"], protests["bystanders"]
    assert p > 5 and b > 5 and protests["recipients"] == 0
    n = math.floor(passers * p + 0.5)
    jam = result.summary["measures"]["jam"]
    assert jam["passers_by"] == n and jam["sites_jammed"] == 1
    assert jam["restriction_person_days"] == (p + b + n) * duration
    assert jam["restriction_person_days_innocent"] == (b + n) * duration
    assert jam["collateral_person_days"] == n * duration
    assert jam["participants_reached"] == p and jam["flagged"] == 0
    assert jam["cost"]["economic_usd"] == pytest.approx(2.1 * (p + b + n) * duration)
    daily = result.daily.filter(pl.col("name") == "jam").sort("day")
    assert daily["restricted"].to_list() == [p + b + n] * duration + [0] * (10 - duration)
    figures = resolve(result.summary)
    assert figures[MEASURE.innocent_days_per_participant_reached.at("jam")] == pytest.approx(
        (b + n) * duration / p)


def test_the_jammer_is_the_same_for_any_split() -> None:
    text = bare(days=5) + ONE_PROTEST.format(passers=3, duration=2)
    one = scorelab.run(load_scenario(text=text)).summary["measures"]["jam"]
    four = scorelab.run(load_scenario(text=text), shards=4).summary["measures"]["jam"]
    assert one == four and one["passers_by"] > 0


def test_the_default_area_control_run_fires_the_shutdown_and_the_jammer() -> None:
    """At its own size (1,000,000 persons, 30 days), both area measures act, and each of the
    three measures reaches participants, so their innocents' person-days per participant
    reached are all in the summary (the report and the claims page compare them)."""
    summary = scorelab.run(preset="area-control-2022").summary
    measures = summary["measures"]
    kinds = {name: m["kind"] for name, m in measures.items()}
    assert sorted(kinds.values()) == ["checkpoint", "jammer", "shutdown"]
    figures = resolve(summary)
    per_reached = {}
    for name in measures:
        assert measures[name]["restriction_person_days"] > 0, name
        assert measures[name]["participants_reached"] > 0, name
        per_reached[kinds[name]] = figures[
            MEASURE.innocent_days_per_participant_reached.at(name)]
    assert measures["city-shutdowns"]["cities_cut_off"] > 0
    assert measures["site-jammers"]["sites_jammed"] == summary["protests"]["protests"]
    # a shutdown cuts off a whole city for every participant it reaches
    assert per_reached["shutdown"] > 100 * per_reached["jammer"]
    assert np.isfinite(list(per_reached.values())).all()


AREA = "extends: area-control-2022\npopulation: {persons: 2000}\nmeasures:\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (AREA + "  city-shutdowns:\n    share: 1.5\n",
         ["scenario.yaml:5:12:", "measures.city-shutdowns.share:", "less than or equal to 1",
          "1.5"]),
        (AREA + "  city-shutdowns:\n    share: -0.1\n",
         ["scenario.yaml:5:12:", "measures.city-shutdowns.share:",
          "greater than or equal to 0"]),
        (AREA + "  site-jammers:\n    passers_by_per_participant: -2\n",
         ["scenario.yaml:5:33:", "measures.site-jammers.passers_by_per_participant:",
          "greater than or equal to 0", "-2"]),
        (AREA + "  site-jammers:\n    duration: 0\n",
         ["scenario.yaml:5:15:", "measures.site-jammers.duration:",
          "greater than or equal to 1"]),
        (AREA + "  site-jammers:\n    passersby: 2\n",
         ["scenario.yaml:5:5:", "unknown key 'passersby'",
          "valid keys: kind, description, cities, passers_by_per_participant"]),
        (AREA + "  site-jammers:\n    cities: [Urumchi]\n",
         ["measures.site-jammers.cities[0]:", "unknown city 'Urumchi'",
          "did you mean 'Urumqi'"]),
        ("extends: china-2022\nmeasures:\n  jam: {kind: jammer}\n",
         ["measures.jam.kind:", "a jammer acts after protests: add a protests: section"]),
    ],
)
def test_bad_area_settings_are_located(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       text: str, expected: list[str]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", str(path), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    message = captured.err + captured.out
    assert code == 2, message
    assert "Traceback" not in message
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert not out.exists()


def test_the_area_measures_claim_compares_the_three_measures() -> None:
    """The claims page's area-measures experiment runs area-control-2022 with enough persons
    that each measure reaches participants: every figure has a median and a range over the
    replicates, the innocents' person-days per participant reached stand side by side for
    checkpoints, shutdown and jammer, and the robustness varies the new assumptions."""
    from scorelab.experiments.claims import run_claims

    results = run_claims(["area-measures"], persons=2000, replicates=2, samples=2)
    assert results["runs"]["area-control-2022"]["persons"] == 500_000
    (claim,) = results["claims"]
    per = MEASURE.innocent_days_per_participant_reached
    assert [f["path"] for f in claim["figures"] if figure_of(f["path"]) == per] == [
        per.at("checkpoints"), per.at("city-shutdowns"), per.at("site-jammers")]
    for f in claim["figures"]:
        assert f["median"] is not None and f["low"] <= f["median"] <= f["high"], f
    assert claim["finding"]["holds"] is True
    robustness = claim["robustness"]
    assert {a["path"] for a in robustness["assumptions"]} >= {
        "measures.city-shutdowns.share", "measures.site-jammers.passers_by_per_participant"}
    assert robustness["drives"] is not None and robustness["undefined"] == 0


# --- a measure kind is one module and one registry line ---------------------------------------


class HeadcountSpec(MeasureSpec):
    after_protests: ClassVar[bool] = True
    kind: Literal["headcount"]


class HeadcountSummary(MeasureSummary):
    FIGURES: ClassVar[dict[str, tuple[str, str, bool | None]]] = {
        "counted": ("protesters counted", "persons", None)}
    kind: Literal["headcount"]
    counted: int


@dataclass
class Counted(Totals):
    counted: int


@dataclass(kw_only=True)
class HeadcountTotals(CoordinatorTotals[Counted]):
    def summary_fields(self, counted: MeasureTotals[Counted]) -> dict[str, Any]:
        return {"counted": counted.own.counted}


class HeadcountCoordinator(Coordinator["Headcount"]):
    def act(self, day: int, shards: Shards[Headcount]) -> None:
        shards.call(Headcount.count, day)

    def totals(self) -> HeadcountTotals:
        return HeadcountTotals()


class Headcount(MeasureState):
    """Counts today's protest participants, and does nothing to them."""

    kind: ClassVar[str] = "headcount"
    Spec: ClassVar[type[MeasureSpec]] = HeadcountSpec
    Summary: ClassVar[type[MeasureSummary]] = HeadcountSummary
    Coordinator: ClassVar[type[HeadcountCoordinator]] = HeadcountCoordinator
    counted = 0

    def own_totals(self) -> Counted:
        return Counted(self.counted)

    def count(self, day: int) -> None:
        if self.protests is not None and self.observed(day) is not None:
            self.counted += self.protests.participants_today.size


def test_a_new_measure_kind_needs_one_module_and_one_registry_line() -> None:
    """A kind declared here (its spec, part, coordinator, totals, summary and the figures of
    its own fields) and registered in one line runs, is summarised, has its own figures in
    the catalogue and its section in the report."""
    from scorelab.measures.registry import MEASURE_KINDS
    from scorelab.report.view import build_page

    MEASURE_KINDS.register(Headcount)  # the registry line
    try:
        text = bare(days=5) + ONE_PROTEST.format(passers=1, duration=1) + \
            "  heads: {kind: headcount}\n"
        result = scorelab.run(load_scenario(text=text))
        heads = result.summary.measures["heads"]  # type: ignore[index]
        assert isinstance(heads, HeadcountSummary)
        assert heads.counted == result.summary["protests"]["participants"] > 0
        found = figure_of("measures.heads.counted")
        assert found is not None and found.label == "protesters counted"
        assert resolve(result.summary)["measures.heads.counted"] == heads.counted
        page = build_page(result.summary, result.daily)
        (section,) = [s for s in page.sections if s.title == "Measure: heads"]
        assert any(row.cells[0].text == "Protesters counted"
                   for card in section.cards for row in card.rows)
    finally:
        MEASURE_KINDS.unregister("headcount")
    assert figure_of("measures.heads.counted") is None
