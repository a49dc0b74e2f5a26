"""The day loop. Its docstring is the spec of a day.

For each day ``d`` in ``0 .. days-1``, for each shard in turn:

1. **processes** — persons whose next trial falls on ``d`` act: one outcome event each
   (truth), and draw the day of their next trial;
2. **systems** — each system records the events its rules name, with its coverage, and
   re-grades the persons touched; sanctions follow grades;
3. **ledger** — each system writes today's counts into its preallocated daily slots.

(Integration and control measures will slot in between 2 and 3.) After the last day the
shards' integer counters are added up; integers add up exactly in any order, so the totals,
and every output file, are the same for any number of shards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from ..ledger import daily_table, summarise
from ..population.generate import build_geography, bytes_per_person
from ..scenario import ScenarioError
from ..scenario.errors import Problem
from ..scenario.schema import Scenario
from .shard import Shard
from .streams import Streams

Progress = Callable[[int, int], None]

# extra bytes a person costs beyond the columns: temporaries of the daily steps
_WORKING_BYTES = 24


@dataclass
class Result:
    """What a run produced: the summary (``summary.json``) and the daily table.

    >>> import scorelab
    >>> result = scorelab.run(preset="china-2022", persons=2000, days=5)
    >>> result.summary["persons"], result.daily.height > 0
    (2000, True)
    """

    scenario: Scenario
    summary: dict[str, Any]
    daily: pl.DataFrame


def estimate_bytes(scenario: Scenario) -> int:
    """Memory a run needs, from the column sizes, before any array is allocated."""
    per_person = bytes_per_person() + 2 * len(scenario.processes) + _WORKING_BYTES
    per_person += 9 * len(scenario.systems)  # worst case: every system covers everyone
    return scenario.population.persons * per_person + 200 * 2**20  # plus the interpreter


def available_bytes() -> int:
    """Memory this machine can give a run now (MemAvailable, else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_resources(scenario: Scenario, shards: int) -> None:
    """Refuse a run that cannot fit, before allocating anything."""
    need, have = estimate_bytes(scenario), available_bytes()
    if need > have:
        raise ScenarioError(Problem(
            f"a population of {scenario.population.persons:,} persons needs about "
            f"{need / 2**30:.1f} GiB of memory; this machine has {have / 2**30:.1f} GiB "
            "available. Lower population.persons (and raise population.scale).",
            path="population.persons"))
    size = scenario.population.block_size
    blocks = -(-scenario.population.persons // size)
    if shards < 1 or shards > blocks:
        raise ScenarioError(Problem(
            f"--shards must be between 1 and the number of population blocks ({blocks}: "
            f"{scenario.population.persons:,} persons in blocks of {size:,}); got {shards}",
            path="shards"))


def shard_bounds(persons: int, block_size: int, shards: int) -> list[tuple[int, int]]:
    """Split the blocks into ``shards`` contiguous runs of nearly equal length."""
    blocks = -(-persons // block_size)
    cuts = [blocks * k // shards for k in range(shards + 1)]
    return [(cuts[k] * block_size, min(cuts[k + 1] * block_size, persons))
            for k in range(shards)]


def run_scenario(scenario: Scenario, shards: int = 1, progress: Progress | None = None) -> Result:
    """Run a validated scenario and return its result (no files written)."""
    check_resources(scenario, shards)
    spec = scenario.population
    geo = build_geography(spec)
    streams = Streams(spec.seed, spec.block_size)
    _claim_streams(streams, scenario)
    parts = [Shard(scenario, geo, streams, a, b)
             for a, b in shard_bounds(spec.persons, spec.block_size, shards)]
    for day in range(scenario.days):
        for shard in parts:
            shard.step(day)
        if progress is not None:
            progress(day + 1, scenario.days)
    scale = spec.scale if spec.scale is not None else geo.real_population / spec.persons
    return Result(scenario, summarise(scenario, parts, scale), daily_table(scenario, parts))


def _claim_streams(streams: Streams, scenario: Scenario) -> None:
    """Register every stream name once: two decisions sharing a stream is an error."""
    streams.register("population")
    for name in scenario.processes:
        for part in ("start", "gap", "outcome"):
            streams.register(f"process/{name}/{part}")
    for name, system in scenario.systems.items():
        for event in system.rules:
            streams.register(f"system/{name}/record/{event}")


__all__ = ["Result", "run_scenario"]
