"""What a run will cost before it runs: memory from the parts' column tables
(``engine.memory``), wall time from two short calibration runs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import pairwise

from ..scenario.schema import Scenario
from .memory import FIXED_BYTES, WORKING_BYTES, Estimate, memory_per_person
from .run import run_scenario

#: persons of the two calibration runs (fewer if the run itself has fewer)
CALIBRATION_PERSONS = (100_000, 400_000)
#: reported days between a calibration run's linkages (an integrated score's), so that it
#: links twice: the first linkage (which trains the model) and one after it
CALIBRATION_EVERY_DAYS = 10

__all__ = ["CALIBRATION_PERSONS", "FIXED_BYTES", "WORKING_BYTES", "Estimate", "estimate",
           "memory_per_person"]


@dataclass(frozen=True)
class Costs:
    """What a short run measured: seconds before its first day ended (building the
    population and the parts, and that day), of an ordinary later day, and what each of its
    linkage days took beyond an ordinary day (the first, then a later one)."""

    first: float
    day: float
    linkages: tuple[float, ...] = ()


def _timed(scenario: Scenario, persons: int, days: int, warmup: int) -> Costs:
    """The costs of a short run of ``scenario`` on ``persons`` over ``days`` after
    ``warmup`` days (an integrated score linking every ``CALIBRATION_EVERY_DAYS`` days)."""
    data = scenario.model_dump()
    data["population"]["persons"] = persons
    data["days"], data["warmup_days"] = days, warmup
    if data.get("integration") is not None and data["integration"]["every_days"] is not None:
        data["integration"]["every_days"] = CALIBRATION_EVERY_DAYS
    short = Scenario.model_validate(data)
    marks: list[float] = []
    start = time.perf_counter()
    run_scenario(short, progress=lambda done, total: marks.append(time.perf_counter()))
    took = [later - earlier for earlier, later in pairwise(marks)]
    linking = _linkage_days(short)
    ordinary = [t for day, t in enumerate(took, start=1) if day not in linking]
    day_s = sum(ordinary) / len(ordinary) if ordinary else 0.0
    extra = tuple(max(took[day - 1] - day_s, 0.0) for day in linking if day >= 1)
    return Costs(marks[0] - start, day_s, extra)


def _linkage_days(scenario: Scenario) -> list[int]:
    """The days an integrated score links records on (none without one)."""
    spec = scenario.integration
    if spec is None:
        return []
    total = scenario.days + scenario.warmup_days
    return [d for d in range(total) if spec.is_linkage_day(d, scenario.warmup_days, total)]


def _line(x0: int, y0: float, x1: int, y1: float, x: int) -> float:
    """The line through (x0, y0) and (x1, y1) at x (through the origin when x0 == x1)."""
    if x1 == x0:
        return y0 * x / x0
    return max(y0 + (y1 - y0) * (x - x0) / (x1 - x0), 0.0)


def _seconds(scenario: Scenario, small: tuple[int, Costs], large: tuple[int, Costs]) -> float:
    """The run's seconds: its start and days from the lines through the two calibration
    runs, and each of its linkages as the calibration's first (one that trains the model and
    links every record) or later one."""
    (n0, c0), (n1, c1) = small, large
    persons = scenario.population.persons

    def at(y0: float, y1: float) -> float:
        return _line(n0, y0, n1, y1, persons)

    seconds = at(c0.first, c1.first) + at(c0.day, c1.day) * (scenario.days
                                                              + scenario.warmup_days - 1)
    measured = min(len(c0.linkages), len(c1.linkages))
    if scenario.integration is None or measured == 0:
        return seconds
    full = at(c0.linkages[0], c1.linkages[0])
    later = at(c0.linkages[1], c1.linkages[1]) if measured > 1 else full
    for k in range(len(_linkage_days(scenario))):
        seconds += full if scenario.integration.full_relink(k) else later
    return seconds


def estimate(scenario: Scenario, calibrate: bool = True) -> Estimate:
    """The memory estimate, and (``calibrate``) the wall time from two short runs of the same
    scenario on fewer persons and days. Each gives the start (building the population and
    the parts, and the first day), the cost of an ordinary later day and, with an integrated
    score, of its linkages; each is fitted as a line in the number of persons, then the days
    and linkages are scaled to the run's."""
    total_days = scenario.days + scenario.warmup_days
    seconds = None
    if calibrate:
        days = min(scenario.days, 20)
        warmup = min(scenario.warmup_days, 20)
        persons = scenario.population.persons
        # a day's cost grows more slowly than the persons below a few hundred thousand
        # (fewer of a day's steps find nobody due): a line through smaller runs overshot
        # 16M persons 2.4-fold
        small, large = (min(persons, CALIBRATION_PERSONS[0]),
                        min(persons, CALIBRATION_PERSONS[1]))
        costs_small = _timed(scenario, small, days, warmup)
        costs_large = _timed(scenario, large, days, warmup) if large > small else costs_small
        seconds = _seconds(scenario, (small, costs_small), (large, costs_large))
    return Estimate(scenario.population.persons, total_days, memory_per_person(scenario),
                    seconds, scenario.population.block_size)
