"""The day loop. Its docstring is the spec of a day.

Days run from ``0`` to ``warmup_days + days - 1``; the first ``warmup_days`` are simulated
but not reported (so lists and scores start settled). For each day ``d``:

1. for each shard in turn:

   a. **processes** — persons whose next trial falls on ``d`` act: one outcome event each
      (truth), and draw the day of their next trial;
   b. **systems** — each system turns the events its rules name into records (coverage,
      delay, false records, misattribution), applies the records that fall due, re-grades
      or lists and delists; persons newly wronged may file an appeal;
   c. **ledger** — each system writes today's counts into its preallocated daily slots;

2. **appeals** — each system's desk queues the day's filings from all shards in
   (day, person id) order, decides up to its capacity, and sends each decision to the shard
   holding the person (a won appeal takes effect from the next day).

(Integration and control measures will slot in after 1b.) After the last day the shards'
integer counters are added up; integers add up exactly in any order, so the totals, and
every output file, are the same for any number of shards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ..ledger import daily_table, summarise
from ..population.generate import build_geography, bytes_per_person
from ..scenario import ScenarioError
from ..scenario.errors import Problem
from ..scenario.schema import Scenario
from ..systems.appeals import AppealDesk
from ..systems.registry import stream_names
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
    per_person += 12 * len(scenario.systems)  # worst case: every system covers everyone
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
    scale = spec.scale if spec.scale is not None else geo.real_population / spec.persons
    desks = {i: AppealDesk(name, system.appeals, streams, scenario.days, scenario.warmup_days,
                           scale)
             for i, (name, system) in enumerate(scenario.systems.items())
             if system.appeals is not None}
    total = scenario.warmup_days + scenario.days
    for day in range(total):
        for shard in parts:
            shard.step(day)
        for i, desk in desks.items():
            desk.file(day, np.concatenate([s.systems[i].take_filings() for s in parts]))
            decided, won = desk.serve(day)
            for s in parts:
                mine = (decided >= s.start) & (decided < s.stop)
                s.systems[i].resolve_appeals(day, decided[mine], won[mine])
        if progress is not None:
            progress(day + 1, total)
    return Result(scenario, summarise(scenario, parts, desks, scale),
                  daily_table(scenario, parts, desks))


def _claim_streams(streams: Streams, scenario: Scenario) -> None:
    """Register every stream name once: two decisions sharing a stream is an error."""
    streams.register("population")
    for name, spec in scenario.processes.items():
        for part in ("start", "gap", "outcome"):
            streams.register(f"process/{name}/{part}")
        for event in spec.remedies:
            streams.register(f"process/{name}/remedy/{event}")
    for name in stream_names(scenario):
        streams.register(name)


__all__ = ["Result", "run_scenario"]
