"""Schedules: changes land exactly on their days, follow their ramps, and change nothing else."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from killing import killed_at

import scorelab
from scorelab.cli import main
from scorelab.scenario import ScenarioError, load_scenario
from scorelab.scenario.plan import compile as compile_plan

TWIN = """
extends: china-2022
name: twin
days: {days}
warmup_days: {warmup}
start_date: 2020-01-01
population: {{persons: {persons}, seed: 4, block_size: 4096}}
processes:
  driving: {{rate: 0.01, who: everyone, otherwise: traffic_offence}}
systems:
  full:
    kind: points
    jurisdiction: {{national: true}}
    base: 0
    grades: {{all: -32000}}
    rules:
      traffic_offence: {{coverage: 1.0, points: 0}}
  ramped:
    kind: points
    jurisdiction: {{national: true}}
    base: 100
    grades: {{good: 100, watch: 90, bad: -32000}}
    rules:
      traffic_offence: {{coverage: 0.2, points: -5}}
    sanctions: {{bad: [loans]}}
schedule:
{schedule}
"""

RAMP = "  - {at: 10, until: 70, set: systems.ramped.rules.traffic_offence.coverage, to: 0.9}"


def twin(schedule: str = RAMP, days: int = 90, warmup: int = 0, persons: int = 20_000) -> str:
    return TWIN.format(days=days, warmup=warmup, persons=persons, schedule=schedule)


def coverage_line(day: int) -> float:
    """The ramp of RAMP as a closed form: 0.2 until day 10, 0.9 from day 70, linear between."""
    return 0.2 + 0.7 * min(max(day - 10, 0), 60) / 60


def test_a_ramp_changes_the_parameter_exactly_on_the_scheduled_days() -> None:
    plan = compile_plan(load_scenario(text=twin(warmup=5)))
    assert sorted(plan.steps) == [5 + d for d in range(11, 71)]  # internal days
    ramped = plan.system_names.index("ramped")
    for internal, step in plan.steps.items():
        spec = dict(step.systems)[ramped]
        day = internal - 5
        assert spec.rules["traffic_offence"].coverage == pytest.approx(coverage_line(day))  # type: ignore[attr-defined]


def test_daily_records_follow_the_ramp_within_binomial_noise() -> None:
    """``full`` records every offence; ``ramped`` records each with the day's coverage, so its
    records on day d are Binomial(full's records, coverage(d)), checked day by day and in sum."""
    result = scorelab.run(load_scenario(text=twin(persons=40_000)))
    daily = result.daily
    full = daily.filter(pl.col("name") == "full").sort("day")["records"].to_numpy()
    ramped = daily.filter(pl.col("name") == "ramped").sort("day")["records"].to_numpy()
    p = np.array([coverage_line(d) for d in range(len(full))])
    mean, var = full * p, full * p * (1 - p)
    assert full.min() > 100  # enough offences a day for the test to bite
    z = (ramped - mean) / np.sqrt(var)
    assert np.abs(z).max() < 4.5, z  # 90 days: a 4.5 sd day is a 1-in-1,700 event
    z_sum = (ramped.sum() - mean.sum()) / math.sqrt(var.sum())
    assert abs(z_sum) < 4, z_sum
    # and the ramp is visible: the last 20 days record far more than the first 10
    assert ramped[70:].sum() / full[70:].sum() > 0.85
    assert ramped[:10].sum() / full[:10].sum() < 0.25


def _outputs(out: Path) -> tuple[bytes, dict[str, object]]:
    import json

    summary = json.loads((out / "summary.json").read_text())
    summary.pop("scenario_sha256")
    summary.pop("schedule", None)  # the scenario's own words, not a figure of the run
    return (out / "daily.parquet").read_bytes(), summary


def test_setting_a_parameter_to_its_current_value_changes_no_output_byte(tmp_path: Path) -> None:
    same = ("  - {at: 5, set: systems.ramped.rules.traffic_offence.coverage, to: 0.2}\n"
            "  - {at: 9, until: 20, set: processes.driving.rate, to: 0.01}\n"
            "  - {at: 12, set: systems.ramped.sanctions, to: {bad: [loans]}}")
    plain = scorelab.run(load_scenario(text=twin(schedule="  []", days=30)),
                         out=tmp_path / "plain")
    scheduled = scorelab.run(load_scenario(text=twin(schedule=same, days=30)),
                             out=tmp_path / "same")
    assert not compile_plan(scheduled.scenario).steps  # nothing to change on any day
    assert _outputs(tmp_path / "plain") == _outputs(tmp_path / "same")
    assert plain.summary["scenario_sha256"] != scheduled.summary["scenario_sha256"]


def test_a_change_on_day_zero_equals_starting_with_the_new_value(tmp_path: Path) -> None:
    """Without a warm-up, a change before day 0 is the scenario written with that value: the
    trial rate is redrawn from the same start draws, the grades apply from the start."""
    change = ("  - {at: 0, set: processes.driving.rate, to: 0.02}\n"
              "  - {at: 0, set: systems.ramped.sanctions, to: {watch: [flights], bad: [loans]}}")
    scheduled = scorelab.run(load_scenario(text=twin(schedule=change, days=30)),
                             out=tmp_path / "scheduled")
    written = twin(schedule="  []", days=30).replace("rate: 0.01", "rate: 0.02").replace(
        "sanctions: {bad: [loans]}", "sanctions: {watch: [flights], bad: [loans]}")
    scorelab.run(load_scenario(text=written), out=tmp_path / "written")
    assert _outputs(tmp_path / "scheduled") == _outputs(tmp_path / "written")
    assert scheduled.summary["systems"]["ramped"]["sanctioned"] > 0


def test_new_sanctions_act_on_everyone_in_the_grade_at_once() -> None:
    change = "  - {at: 40, set: systems.ramped.sanctions.watch, to: [flights]}"
    result = scorelab.run(load_scenario(text=twin(schedule=change, days=60)))
    daily = result.daily.filter(pl.col("name") == "ramped").sort("day")
    sanctioned = daily["sanctioned"].to_numpy()
    newly = daily["newly_sanctioned"].to_numpy()
    summary = result.summary["systems"]["ramped"]
    # before day 40 only "bad" is sanctioned; on day 40 "watch" joins at once
    assert sanctioned[40] - sanctioned[39] > 10 * max(1, int(np.abs(np.diff(sanctioned[:40])).max()))
    assert newly[40] >= sanctioned[40] - sanctioned[39]
    assert summary["restriction_person_days_by_sanction"]["flights"] > 0


def test_the_same_bytes_on_every_split_and_backend(tmp_path: Path) -> None:
    text = twin(days=40, warmup=3, schedule=RAMP.replace("until: 70", "until: 30") + "\n"
                "  - {at: 20, set: systems.ramped.grades.watch, to: 95}\n"
                "  - {at: 25, until: 35, set: processes.driving.rate, to: 0.03}")
    scenario = load_scenario(text=text)
    scorelab.run(scenario, out=tmp_path / "one")
    scorelab.run(scenario, shards=3, out=tmp_path / "three")
    scorelab.run(scenario, shards=2, backend="processes", out=tmp_path / "processes")
    one = _outputs(tmp_path / "one")
    assert one == _outputs(tmp_path / "three") == _outputs(tmp_path / "processes")


def test_a_resumed_run_takes_the_specs_in_force(tmp_path: Path) -> None:
    """Killed after the checkpoint of day 19 (mid-ramp, after a change of grades), resumed
    through the real entry point: the bytes of the uninterrupted run."""
    text = twin(days=40, warmup=2, schedule=RAMP.replace("until: 70", "until: 30") + "\n"
                "  - {at: 15, set: systems.ramped.grades.watch, to: 95}")
    (tmp_path / "s.yaml").write_text(text)
    scorelab.run(load_scenario(text=text), out=tmp_path / "whole")
    killed_at(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "cut"),
               "--checkpoint-every", "7", "--quiet"], "day:23", tmp_path)
    assert main(["resume", str(tmp_path / "cut"), "--quiet"]) == 0
    assert _outputs(tmp_path / "whole") == _outputs(tmp_path / "cut")


# --- bad input -------------------------------------------------------------------------------

BAD = [
    (("  - {at: 50, set: processes.driving.rate, to: 0.1}\n"
      "  - {at: 40, set: processes.driving.rate, to: 0.2}"),
     "schedule[1].at", "date order"),
    ("  - {at: 2019-12-01, set: processes.driving.rate, to: 0.1}",
     "schedule[0].at", "before the run"),
    ("  - {at: 2021-06-01, set: processes.driving.rte, to: 0.1}",  # checked, though not reached
     "schedule[0].set", "did you mean 'rate'"),
    ("  - {at: 10, until: 5, set: processes.driving.rate, to: 0.1}",
     "schedule[0].until", "must end after it starts"),
    ("  - {at: 10, set: processes.driving.rte, to: 0.1}",
     "schedule[0].set", "did you mean 'rate'"),
    ("  - {at: 10, set: systems.nowhere.base, to: 1}",
     "schedule[0].set", "systems has no 'nowhere'"),
    ("  - {at: 10, set: processes.driving.rate, to: fast}",
     "schedule[0].to", "valid number"),
    ("  - {at: 10, set: processes.driving.rate, to: 1.5}",
     "schedule[0].to", "less than or equal to 1"),
    ("  - {at: 10, set: systems.ramped.jurisdiction, to: {cities: [Rongcheng]}}",
     "schedule[0].set", "fixed for the run"),
    ("  - {at: 10, set: population.persons, to: 5}",
     "schedule[0].set", "cannot change during a run"),
    ("  - {at: 10, until: 20, set: systems.ramped.sanctions.bad, to: [flights]}",
     "schedule[0].to", "a ramp needs a number"),
    ("  - {at: 10, set: systems.ramped.sanctions.nobody, to: [flights]}",
     "schedule[0].to", "unknown grade 'nobody'"),
    ("  - {at: 10, set: systems.ramped.sanctions, to: {nobody: [flights]}}",
     "schedule[0].to", "unknown grade"),
    (("  - {at: 10, until: 30, set: processes.driving.rate, to: 0.1}\n"
      "  - {at: 20, set: processes.driving.rate, to: 0.2}"),
     "schedule[1].at", "still ramping"),
]


@pytest.mark.parametrize(("schedule", "where", "message"), BAD)
def test_bad_schedules_are_located_errors(schedule: str, where: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(text=twin(schedule=schedule, days=90))
    text = str(caught.value)
    assert where in text and message in text, text
    assert "<text>:" in text  # located in the input


def test_a_run_shorter_than_its_schedule_stops_before_the_later_changes(tmp_path: Path
                                                                        ) -> None:
    """A change dated after the last day is not reached and a ramp ending after it stops part
    way, on the same line: the short run's days are the long run's first days, and its
    summary says so once."""
    schedule = RAMP + "\n  - {at: 2020-03-21, set: processes.driving.rate, to: 0.05}"
    whole = scorelab.run(load_scenario(text=twin(schedule=schedule, days=90, persons=5_000)))
    short = scorelab.run(load_scenario(text=twin(schedule=schedule, days=40, persons=5_000)))
    assert short.daily.equals(whole.daily.filter(pl.col("day") < 40))
    notes = [w for w in short.summary.warnings if w.startswith("schedule:")]
    assert notes == [("schedule: the run ends on day 39 (2020-02-09), so 1 change "
                      "(schedule[1]) dated after it is not reached and 1 ramp (schedule[0]) "
                      "ending after it stops part way (of 2 changes)")]
    assert not [w for w in whole.summary.warnings if w.startswith("schedule:")]


def test_plan_2014_runs_shorter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--preset", "plan-2014", "--days", "60", "--persons", "3000",
                 "--out", str(tmp_path / "plan")])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert printed.err.count("warning: schedule: the run ends on day 59 (2014-08-29)") == 1
    assert (tmp_path / "plan" / "report.html").is_file()


def test_a_date_needs_a_start_date() -> None:
    text = twin(schedule="  - {at: 2020-02-01, set: processes.driving.rate, to: 0.1}")
    with pytest.raises(ScenarioError, match="start_date"):
        load_scenario(text=text.replace("start_date: 2020-01-01\n", ""))


def test_the_cli_says_where_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(twin(schedule="  - {at: 10, set: processes.driving.rate, to: fast}"))
    done = subprocess.run([sys.executable, "-m", "scorelab", "validate", str(path)],
                          check=False, capture_output=True, text=True)
    assert done.returncode == 2
    assert f"{path}:" in done.stderr and "schedule[0].to" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_summary_and_the_report_list_the_schedule() -> None:
    from scorelab.report.view import build_page

    result = scorelab.run(load_scenario(text=twin(days=90, schedule=RAMP + "\n"
                          "  - {at: 2020-02-15, set: systems.ramped.sanctions.watch, "
                          "to: [flights]}")))
    assert result.summary["schedule"] == [
        {"set": "systems.ramped.rules.traffic_offence.coverage", "to": 0.9, "at": 10,
         "until": 70, "at_date": "2020-01-11", "until_date": "2020-03-11"},
        {"set": "systems.ramped.sanctions.watch", "to": ["flights"], "at": 45,
         "at_date": "2020-02-15"}]
    page = build_page(result.summary, result.daily)
    section = next(s for s in page.sections if s.id == "schedule")
    rows = [[c.text for c in row.cells] for row in section.tables[0].rows]
    assert rows == [["2020-01-11 to 2020-03-11", "systems.ramped.rules.traffic_offence.coverage",
                     "ramped linearly to", "0.9"],
                    ["2020-02-15", "systems.ramped.sanctions.watch", "set to", "flights"]]
    plain = scorelab.run(load_scenario(text=twin(days=5, schedule="  []")))
    assert "schedule" not in plain.summary.as_dict()
    assert all(s.id != "schedule" for s in build_page(plain.summary, plain.daily).sections)
