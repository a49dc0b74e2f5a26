"""Case files (``cases.parquet``): who is chosen, and that each trail agrees with the daily
table and the summary of the same run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import scorelab
from scorelab.cases.choose import bottom, choose
from scorelab.cases.truth import truth_events
from scorelab.cli import main
from scorelab.engine.shard import Shard
from scorelab.scenario import load_scenario
from scorelab.scenario.plan import compile as compile_plan

SCENARIOS = Path(__file__).parents[1] / "scenarios"
CASES = SCENARIOS / "cases.yaml"  # every wronged person of it gets a case (report.cases: 100)


@pytest.fixture(scope="module")
def run() -> scorelab.Result:
    return scorelab.run(CASES)


def _part(result: scorelab.Result, component: str, name: str) -> pl.DataFrame:
    assert result.cases is not None
    return result.cases.filter((pl.col("component") == component) & (pl.col("name") == name))


def _open_days(trail: pl.DataFrame, start: str, end: str, days: int) -> np.ndarray:
    """Per reported day, 1 while the trail's wrongful sanction stands (from its start to the
    day of its end, the first day not counted)."""
    on = np.zeros(days, dtype=np.int64)
    opened = None
    for entry, day in trail.select("entry", "day").iter_rows():
        if entry == start and opened is None:
            opened = day
        elif entry == end and opened is not None:
            on[max(opened, 0):max(day, 0)] = 1
            opened = None
    if opened is not None:
        on[max(opened, 0):] = 1
    return on


def test_every_wronged_person_of_a_system_replays_the_daily_table_and_summary(
        run: scorelab.Result) -> None:
    summary = run.summary.as_dict()
    daily = run.daily
    told = 0
    for name, entry in summary["systems"].items():
        cases = _part(run, "system", name)
        wronged = entry["sanctioned_wrongly"]
        assert cases["case"].n_unique() == wronged  # each one told (fewer than the bound)
        if not wronged:
            continue
        told += 1
        costs = cases.filter(pl.col("entry") == "cost")
        # the cause each trail gives is the cause the summary counts it under
        assert dict(Counter(costs["cause"].to_list())) == {
            c: n for c, n in entry["sanctioned_wrongly_by_cause"].items() if n}
        assert costs["person_days"].sum() == entry["wrongful_person_days"]
        # day by day, the trails' standing wrongful sanctions are the daily table's count
        standing = np.zeros(summary["days"], dtype=np.int64)
        for _, trail in cases.group_by("case", maintain_order=True):
            wrongful = trail.filter(pl.col("entry") == "sanctioned wrongly")
            assert wrongful.height >= 1
            # a wrongful sanction carries the cause the summary counts
            assert set(wrongful["cause"]) == {trail["cause"][-1]}
            assert wrongful["wrongful"].all()
            standing += _open_days(trail, "sanctioned wrongly", "sanction lifted",
                                   summary["days"])
        rows = daily.filter(pl.col("name") == name).sort("day")
        assert standing.tolist() == rows["sanctioned_wrongly"].to_list()
        # appeals in the trails are the desk's
        filed = cases.filter((pl.col("entry") == "appeal filed") & (pl.col("day") >= 0))
        assert filed.height == entry.get("appeals_filed", 0)
        won = cases.filter(pl.col("entry") == "appeal won")
        assert won.height == entry.get("appeals_won", 0)
    assert told


def test_the_integrated_score_s_cases_replay_its_summary() -> None:
    result = scorelab.run(preset="integrated", persons=20_000, days=30, seed=5)
    composite = next(n for n, s in result.summary.as_dict()["systems"].items()
                     if s["kind"] == "composite")
    entry = result.summary.as_dict()["systems"][composite]
    cases = _part(result, "system", composite)
    assert 0 < cases["case"].n_unique() == min(entry["sanctioned_wrongly"], 10)
    costs = cases.filter(pl.col("entry") == "cost")
    assert set(costs["cause"]) <= {c for c, n in entry["sanctioned_wrongly_by_cause"].items()
                                   if n}
    if entry["sanctioned_wrongly"] <= 10:  # every one told: their days are the summary's
        assert costs["person_days"].sum() == entry["wrongful_person_days"]
    # told after the systems of the scenario, before the measures
    components = result.cases.select("component", "name").unique(maintain_order=True)
    after = components.slice(components["name"].to_list().index(composite) + 1)
    assert set(after["component"]) <= {"measure"}


def test_the_causes_of_the_records_are_in_the_trails(run: scorelab.Result) -> None:
    cases = _part(run, "system", "strict")
    by_cause = run.summary.as_dict()["systems"]["strict"]["sanctioned_wrongly_by_cause"]
    entries = set(cases["entry"])
    assert by_cause["false_record"] > 0 and "false record" in entries
    assert by_cause["identity"] > 0 and "namesake's record" in entries
    assert {"did", "recorded", "not recorded"} <= entries
    # a namesake's record names whose event it was, a person other than the case
    namesake = cases.filter(pl.col("entry") == "namesake's record")
    for person, detail in namesake.select("person", "detail").iter_rows():
        other = int(detail.split("'s")[0].removeprefix("person "))
        assert other != person


def test_measure_cases_replay_the_daily_table_and_summary(run: scorelab.Result) -> None:
    summary = run.summary.as_dict()
    cut_any = False
    for name, entry in summary["measures"].items():
        cases = _part(run, "measure", name)
        rows = run.daily.filter(pl.col("name") == name).sort("day")
        flagged = cases.filter(pl.col("entry") == "flagged")
        assert flagged["case"].n_unique() == entry["flagged_wrongly_total"]
        assert flagged["wrongful"].all()
        per_day = np.bincount(flagged["day"].to_numpy(), minlength=summary["days"])
        assert per_day.tolist() == rows["flagged_wrongly"].to_list()
        # every innocent told: their days are the measure's innocent person-days
        days = cases.filter(pl.col("entry") == "cost")["person_days"]
        assert days.sum() == entry["restriction_person_days_innocent"]
        cut = cases.filter(pl.col("entry") == "cut off")
        if cut.height:  # a city cut off: each day, every innocent resident is a case
            cut_any = True
            on = np.zeros(summary["days"], dtype=np.int64)
            for day, detail in cut.select("day", "detail").iter_rows():
                last = int(detail.split("to day ")[1].split(":")[0])
                on[day:last + 1] += 1
            assert on.tolist() == rows["restricted_innocent"].to_list()
    assert cut_any


def test_area_measures_cases_add_up_to_their_innocent_person_days() -> None:
    """A jammer restricts without flagging; when every innocent it reached is told, their
    days are its innocent person-days (a shutdown's, told in part, stay below its own)."""
    scenario = load_scenario(preset="area-control-2022", overrides={
        "population": {"persons": 20_000, "seed": 3}, "days": 60, "report": {"cases": 100}})
    result = scorelab.run(scenario)
    summary = result.summary.as_dict()
    checked = 0
    for name, entry in summary["measures"].items():
        cases = _part(result, "measure", name)
        days = cases.filter(pl.col("entry") == "cost")["person_days"].sum()
        if cases["case"].n_unique() < 100:
            assert days == entry["restriction_person_days_innocent"], name
            checked += entry["kind"] == "jammer"
        else:
            assert days <= entry["restriction_person_days_innocent"], name
    assert checked


def test_truth_recomputed_for_everyone_is_the_run_s_truth() -> None:
    """The replay of the processes' draws gives the events the run counted."""
    scenario = load_scenario(CASES)
    plan = compile_plan(scenario)
    shard = Shard(plan, 0, plan.persons)
    events = truth_events(plan, shard.processes, 0, np.arange(plan.persons), set(plan.events))
    counted = Counter(e for day, _, e in events if day >= plan.warmup)
    result = scorelab.run(scenario)
    assert {k: v for k, v in result.summary.as_dict()["events"].items() if v} == dict(counted)


def test_same_cases_for_any_split_and_backend(run: scorelab.Result) -> None:
    assert run.cases is not None and run.cases.height > 0
    for shards, backend in ((3, "local"), (2, "processes")):
        other = scorelab.run(CASES, shards=shards, backend=backend)
        assert other.cases is not None
        assert other.cases.equals(run.cases), (shards, backend)


def test_cases_are_the_smallest_priorities_whatever_the_split() -> None:
    rng = np.random.default_rng(1)
    ids = rng.permutation(1000).astype(np.int64)
    keys = rng.random(1000)
    whole = choose([[bottom(ids, keys, 10)]], 10)[0]
    cuts = [(0, 300), (300, 301), (301, 1000)]
    parts = [[bottom(ids[a:b], keys[a:b], 10)] for a, b in cuts]
    assert choose(parts, 10)[0].tolist() == whole.tolist()
    assert whole.tolist() == ids[np.argsort(keys)[:10]].tolist()


def test_bound_and_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("extends: china-2022\npopulation: {persons: 2000, block_size: 1024}\n"
                    "days: 3\nreport:\n  cases: 101\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:5" in err and "report.cases" in err and "100" in err
    assert not out.exists()
    off = scorelab.run(CASES, days=5)
    assert off.cases is not None
    none = load_scenario(CASES, overrides={"report": {"cases": 0}, "days": 5})
    assert scorelab.run(none).cases is None


def test_written_beside_the_other_files(tmp_path: Path, run: scorelab.Result) -> None:
    files = scorelab.Result(run.scenario, run.summary, run.daily, run.cases).write(
        tmp_path / "out")
    assert pl.read_parquet(files["cases.parquet"]).equals(run.cases)
    page = files["report.html"].read_text(encoding="utf-8")
    assert 'id="cases"' in page and "synthetic" in page
