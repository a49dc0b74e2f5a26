"""What a run will cost: memory from the column tables, time from calibration runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorelab.cli import main
from scorelab.core.columns import bytes_per_row
from scorelab.engine.estimate import FIXED_BYTES, estimate, memory_per_person
from scorelab.engine.memory import LINKAGE_BYTES
from scorelab.engine.run import estimate_bytes
from scorelab.population.generate import COLUMNS
from scorelab.scenario import load_scenario, preset_names

BENCH = Path(__file__).parents[2] / "bench"


def test_memory_per_person_adds_up_the_column_tables() -> None:
    scenario = load_scenario(preset="china-2022")
    parts = memory_per_person(scenario)
    assert parts["population"] == bytes_per_row(COLUMNS) == 50
    assert parts["system court-list"] == 10  # 4 interval days (uint16), cause, flags
    assert parts["system rongcheng"] == 6  # record and true score (int16), grade, flags
    assert sum(v for k, v in parts.items() if k.startswith("process ")) == 2 * 5
    assert sum(parts.values()) == 118
    scanner = memory_per_person(load_scenario(preset="phone-scanner"))
    assert scanner["protests"] == 5 and scanner["measure scanner"] == 9
    assert "integration (linkage)" not in parts
    # the linkage holds no column table: its measured bytes a person (1.66 GiB at 1M persons)
    integrated = memory_per_person(load_scenario(preset="integrated"))
    assert integrated["integration (linkage)"] == LINKAGE_BYTES
    assert 1.6 * 2**30 < 1_000_000 * sum(integrated.values()) + FIXED_BYTES < 2.0 * 2**30


def test_the_memory_estimate_is_what_run_checks() -> None:
    scenario = load_scenario(BENCH / "national.yaml", overrides={
        "population": {"persons": 5_000_000}})
    result = estimate(scenario, calibrate=False)
    # measured (bench/RESULTS.md): 90 B a person between 1M and 5M persons
    assert result.bytes_per_person == 90
    assert result.total_bytes == 5_000_000 * 90 + FIXED_BYTES == estimate_bytes(scenario)
    assert result.shards_for(2**30) == 1
    assert result.shards_for(200 * 2**20) == 6  # 450 MB of persons in 80 MiB of room each
    assert result.shards_for(FIXED_BYTES) == 0


def test_calibration_predicts_the_time_of_a_run() -> None:
    import time

    import scorelab

    scenario = load_scenario(overrides={"population": {"persons": 150_000}, "days": 20,
                                        "warmup_days": 20})
    predicted = estimate(scenario).seconds
    start = time.perf_counter()
    scorelab.run(scenario)
    actual = time.perf_counter() - start
    assert predicted is not None and 0.5 * actual < predicted < 2 * actual


def test_estimate_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["estimate", "--persons", "10000000", "--no-calibrate",
                 "--memory-per-worker", "0.5"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "│ total                  │              118 │" in printed
    assert "10,000,000 x 118 B" in printed and "shards: 3" in printed


@pytest.mark.parametrize("preset", preset_names())
def test_estimate_works_for_every_preset(preset: str, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    """At each preset's own days (plan-2014's schedule runs longer than the calibration
    runs), on few persons so that the calibration runs are quick."""
    code = main(["estimate", "--preset", preset, "--persons", "1000"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "wall time: about" in printed.out
