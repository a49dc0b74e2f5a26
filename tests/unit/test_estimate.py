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


def test_linkages_are_counted_as_the_calibration_measured_them() -> None:
    """An integrated score's run costs its start, its days, and each linkage: the first
    (which trains the model) and the later ones as the calibration runs measured them, each
    a line in the persons (here through 1 and 2 seconds at 100k and 200k persons)."""
    from scorelab.engine.estimate import Costs, _linkage_days, _seconds

    scenario = load_scenario(preset="integrated", overrides={
        "population": {"persons": 300_000}, "days": 365, "warmup_days": 365})
    assert scenario.integration is not None and scenario.integration.every_days == 30
    linkages = _linkage_days(scenario)  # every 30 reported days, and the last day
    assert linkages == [365 + 29 + 30 * k for k in range(12)] + [729]
    small, large = Costs(0.5, 0.001, (2.0, 1.0)), Costs(1.0, 0.002, (4.0, 2.0))
    seconds = _seconds(scenario, (100_000, small), (200_000, large))
    assert seconds == pytest.approx(1.5 + 0.003 * 729 + 6.0 + 12 * 3.0)
    full = scenario.model_copy(update={"integration": scenario.integration.model_copy(
        update={"relink": "full"})})
    assert _seconds(full, (100_000, small), (200_000, large)) == pytest.approx(
        1.5 + 0.003 * 729 + 13 * 6.0)
    plain = load_scenario(overrides={"population": {"persons": 300_000}})
    assert _linkage_days(plain) == []
    assert _seconds(plain, (100_000, small), (200_000, large)) == pytest.approx(
        1.5 + 0.003 * (plain.days + plain.warmup_days - 1))


def test_calibration_predicts_an_integrated_run_with_its_linkages() -> None:
    import time

    import scorelab

    scenario = load_scenario(preset="integrated", overrides={
        "population": {"persons": 50_000}, "days": 60, "warmup_days": 20})
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
