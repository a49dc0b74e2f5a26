"""What a run will cost before it runs: memory from the parts' column tables, wall time from
two short calibration runs, and how many shards fit a given memory per worker."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ..core.columns import bytes_per_row
from ..measures.registry import MEASURE_KINDS
from ..population.generate import bytes_per_person
from ..processes.events import COLUMNS as PROCESS_COLUMNS
from ..processes.protests import COLUMNS as PROTEST_COLUMNS
from ..scenario.schema import Scenario
from ..systems.registry import SYSTEM_KINDS

#: bytes a person costs beyond the columns: temporaries of the daily steps
WORKING_BYTES = 24
#: the interpreter and its libraries (numpy, polars, pyarrow, pydantic, plotly), per process:
#: measured about 90 MiB (peak RSS at 1M and 5M persons minus 90 B a person), with a margin
FIXED_BYTES = 120 * 2**20

__all__ = ["FIXED_BYTES", "Estimate", "estimate", "memory_per_person"]


def memory_per_person(scenario: Scenario) -> dict[str, int]:
    """Bytes per person by part, from the column tables (every system counted as covering
    everyone: the worst case)."""
    out = {"population": bytes_per_person(), "working": WORKING_BYTES}
    for name in scenario.processes:
        out[f"process {name}"] = bytes_per_row(PROCESS_COLUMNS)
    for name, system in scenario.systems.items():
        out[f"system {name}"] = bytes_per_row(SYSTEM_KINDS.part(system.kind).table(system))
    if scenario.protests is not None:
        out["protests"] = bytes_per_row(PROTEST_COLUMNS)
    for name, measure in scenario.measures.items():
        columns = MEASURE_KINDS.part(measure.kind).table(measure)
        out[f"measure {name}"] = bytes_per_row(columns)
    return out


@dataclass(frozen=True)
class Estimate:
    """Memory and time of a run of ``persons`` over ``days`` (warm-up included)."""

    persons: int
    days: int
    per_person: dict[str, int]
    seconds: float | None = None
    block_size: int = 65_536

    @property
    def bytes_per_person(self) -> int:
        return sum(self.per_person.values())

    @property
    def total_bytes(self) -> int:
        return self.persons * self.bytes_per_person + FIXED_BYTES

    def shards_for(self, memory_per_worker: int) -> int:
        """The fewest shards (one per worker) whose persons fit ``memory_per_worker`` bytes
        each; 0 when none does (shards are whole blocks, so a shard holds at least one)."""
        room = memory_per_worker - FIXED_BYTES
        block = min(self.block_size, self.persons) * self.bytes_per_person
        if room < block:
            return 0
        blocks = -(-self.persons // self.block_size)
        per_shard = room // block  # whole blocks a worker holds
        return max(1, math.ceil(blocks / per_shard))


def _timed(scenario: Scenario, persons: int, days: int, warmup: int) -> tuple[float, float]:
    """(seconds before the first day ends, seconds per later day) of a short run."""
    from .run import run_scenario

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
        small, large = min(persons, 20_000), min(persons, 80_000)
        first_s, day_s = _timed(scenario, small, days, warmup)
        first_l, day_l = _timed(scenario, large, days, warmup) if large > small \
            else (first_s, day_s)
        seconds = (_line(small, first_s, large, first_l, persons)
                   + _line(small, day_s, large, day_l, persons) * (total_days - 1))
    return Estimate(scenario.population.persons, total_days, memory_per_person(scenario),
                    seconds, scenario.population.block_size)
