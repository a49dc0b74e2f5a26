"""End to end: files, determinism across runs and shard counts, re-running scenario.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import scorelab
from scorelab.cases.table import CASE_COLUMNS
from scorelab.cli import main
from scorelab.ledger.summary import Summary

FILES = ("summary.json", "daily.parquet", "report.html", "scenario.yaml", "cases.parquet")


def run_to(tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / name
    assert main(["run", *args, "--out", str(out), "--quiet"]) == 0
    return out


def read_all(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("baseline")
    return run_to(tmp, "a", str(Path(__file__).parents[1] / "scenarios" / "small.yaml"))


def test_outputs_follow_the_contract(baseline: Path) -> None:
    assert sorted(p.name for p in baseline.iterdir()) == sorted(FILES)  # no temporaries left
    summary = json.loads((baseline / "summary.json").read_text())
    for key in ("scenario", "seed", "persons", "days", "scale", "systems"):
        assert key in summary
    assert summary["persons"] == 20_000 and summary["days"] == 60
    assert summary["scale"] == pytest.approx(1_409_778_724 / 20_000)
    for name, system in summary["systems"].items():
        for key in ("covered", "scored", "sanctioned", "sanctioned_wrongly",
                    "restriction_person_days"):
            assert isinstance(system[key], int), (name, key)
    daily = pl.read_parquet(baseline / "daily.parquet")
    assert daily.height == 60 * len(summary["systems"])
    assert set(daily["name"].unique()) == set(summary["systems"])
    assert set(daily["component"].unique()) == {"system"}
    # the daily table adds up to the summary
    for name, system in summary["systems"].items():
        rows = daily.filter(pl.col("name") == name)
        assert rows["restriction_person_days"].sum() == system["restriction_person_days"]
        assert rows["records"].sum() == system["records"]
        assert rows["newly_sanctioned"].sum() <= system["sanctioned"]
    html = (baseline / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "Who was wronged" in html
    # the case files, in the columns and types docs/outputs.md gives
    cases = pl.read_parquet(baseline / "cases.parquet")
    assert dict(cases.schema) == CASE_COLUMNS
    assert set(cases["name"]) <= set(summary["systems"])
    assert 'id="cases"' in html


def test_same_seed_same_bytes(baseline: Path, tmp_path: Path) -> None:
    again = run_to(tmp_path, "b", str(Path(__file__).parents[1] / "scenarios" / "small.yaml"))
    assert read_all(again) == read_all(baseline)


def test_shards_give_identical_bytes(baseline: Path, tmp_path: Path) -> None:
    sharded = run_to(tmp_path, "c", str(Path(__file__).parents[1] / "scenarios" / "small.yaml"),
                     "--shards", "3")
    assert read_all(sharded) == read_all(baseline)


def test_resolved_scenario_repeats_the_run(baseline: Path, tmp_path: Path) -> None:
    again = run_to(tmp_path, "d", str(baseline / "scenario.yaml"))
    assert read_all(again) == read_all(baseline)


def test_another_seed_changes_the_numbers(baseline: Path, tmp_path: Path) -> None:
    other = run_to(tmp_path, "e", str(Path(__file__).parents[1] / "scenarios" / "small.yaml"),
                   "--seed", "12")
    assert (other / "summary.json").read_bytes() != (baseline / "summary.json").read_bytes()


def test_python_api_matches_cli(baseline: Path) -> None:
    result = scorelab.run(Path(__file__).parents[1] / "scenarios" / "small.yaml")
    text = (baseline / "summary.json").read_text()
    assert result.summary.as_dict() == json.loads(text)
    # the file reads back into the typed summary it was written from
    assert Summary.model_validate_json(text) == result.summary
    assert result.daily.equals(pl.read_parquet(baseline / "daily.parquet"))


def test_default_preset_runs_small(tmp_path: Path) -> None:
    out = run_to(tmp_path, "f", "--persons", "5000", "--days", "20")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "china-2022"
    assert set(summary["systems"]) == {"court-list", "rongcheng", "hangzhou", "xiamen",
                                       "fuzhou"}


@pytest.mark.parametrize("preset", ["china-2022", "checkpoints-2022", "phone-scanner",
                                    "hash-threshold"])
def test_every_preset_runs(tmp_path: Path, preset: str) -> None:
    out = run_to(tmp_path, preset, "--preset", preset, "--persons", "20000", "--days", "15")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == preset
    if preset != "china-2022":
        assert summary["measures"] and summary["protests"]["protests"] > 0
        daily = pl.read_parquet(out / "daily.parquet")
        assert set(daily["kind"].unique()) >= {"list", "points"}


def test_a_result_prints_in_one_line() -> None:
    result = scorelab.run(preset="china-2022", persons=2000, days=5, seed=1)
    assert repr(result) == ("Result(china-2022: 2,000 persons x 5 days, seed 1; 5 systems, "
                            f"0 measures, {len(result.summary.warnings)} warnings; .summary, "
                            ".daily: 25 rows x 17 columns)")
    assert repr(result.summary).startswith("Summary(china-2022: 2,000 persons")


def test_a_start_date_gives_dates_and_yearly_totals(tmp_path: Path) -> None:
    import datetime

    from scorelab.scenario import load_scenario

    text = ("extends: phone-scanner\nstart_date: 2022-12-20\nwarmup_days: 5\ndays: 30\n"
            "population: {persons: 20000, block_size: 4096}\n")
    result = scorelab.run(load_scenario(text=text), out=tmp_path / "a")
    daily = result.daily
    assert daily.columns[:3] == ["day", "date", "component"]
    start = datetime.date(2022, 12, 20)
    assert all(d == start + datetime.timedelta(days=n)
               for n, d in zip(daily["day"].to_list(), daily["date"].to_list()))
    yearly = result.summary.yearly
    assert yearly is not None and list(yearly) == ["2022", "2023"]
    for name, column in (("court-list", "newly_sanctioned"), ("scanner", "flagged")):
        rows = daily.filter(pl.col("name") == name)
        first = rows.filter(pl.col("date") < datetime.date(2023, 1, 1))[column].sum()
        assert yearly["2022"][name][column] == first  # the 12 days of 2022
        assert yearly["2022"][name][column] + yearly["2023"][name][column] == rows[column].sum()
    assert result.summary.start_date == "2022-12-20"
    report = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert '"title":{"text":"date"}' in report and '"2023-01-18"' in report  # the last day
    assert '"title":{"text":"day"}' not in report
    # the resolved scenario keeps the date (as ISO text) and repeats the run byte for byte
    again = scorelab.run(tmp_path / "a" / "scenario.yaml", out=tmp_path / "b")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert again.summary.yearly == yearly
