"""What a run will cost before it runs: memory from the parts' column tables
(``engine.memory``), wall time from two short calibration runs."""

from __future__ import annotations

import time

from ..scenario.schema import Scenario
from .memory import FIXED_BYTES, WORKING_BYTES, Estimate, memory_per_person
from .run import run_scenario

#: persons of the two calibration runs (fewer if the run itself has fewer)
CALIBRATION_PERSONS = (100_000, 400_000)

__all__ = ["FIXED_BYTES", "WORKING_BYTES", "Estimate", "estimate", "memory_per_person"]


def _timed(scenario: Scenario, persons: int, days: int, warmup: int) -> tuple[float, float]:
    """(seconds before the first day ends, seconds per later day) of a short run."""
    data = scenario.model_dump()
    data["population"]["persons"] = persons
    data["days"], data["warmup_days"] = days, warmup
    marks: list[float] = []
    start = time.perf_counter()
    run_scenario(Scenario.model_validate(data),
                 progress=lambda done, total: marks.append(time.perf_counter()))
    first = marks[0] - start
    per_day = (marks[-1] - marks[0]) / max(len(marks) - 1, 1)
    return first, per_day


def _line(x0: int, y0: float, x1: int, y1: float, x: int) -> float:
    """The line through (x0, y0) and (x1, y1) at x (through the origin when x0 == x1)."""
    if x1 == x0:
        return y0 * x / x0
    return max(y0 + (y1 - y0) * (x - x0) / (x1 - x0), 0.0)


def estimate(scenario: Scenario, calibrate: bool = True) -> Estimate:
    """The memory estimate, and (``calibrate``) the wall time from two short runs of the same
    scenario on fewer persons and days. Each gives the start (building the population and
    the parts, and the first day) and the cost of a later day; both are fitted as lines in the
    number of persons, then the later days are scaled to the run's."""
    total_days = scenario.days + scenario.warmup_days
    seconds = None
    if calibrate:
        days = min(scenario.days, 20)
        warmup = min(scenario.warmup_days, 20)
        persons = scenario.population.persons
        # a day's cost grows more slowly than the persons below a few hundred thousand
        # (fewer of a day's steps find nobody due): a line through smaller runs overshot
        # 16M persons 2.4-fold
        small, large = min(persons, CALIBRATION_PERSONS[0]), min(persons, CALIBRATION_PERSONS[1])
        first_s, day_s = _timed(scenario, small, days, warmup)
        first_l, day_l = _timed(scenario, large, days, warmup) if large > small \
            else (first_s, day_s)
        seconds = (_line(small, first_s, large, first_l, persons)
                   + _line(small, day_s, large, day_l, persons) * (total_days - 1))
    return Estimate(scenario.population.persons, total_days, memory_per_person(scenario),
                    seconds, scenario.population.block_size)
