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
from ..measures import stream_names as measure_streams
from ..measures.checkpoint import CheckpointCoordinator
from ..measures.shutdown import ShutdownCoordinator
from ..population.generate import build_geography, bytes_per_person
from ..processes.protests import ProtestCoordinator, ProtestState
from ..scenario import ScenarioError
from ..scenario.errors import Problem
from ..scenario.schema import Scenario
from ..systems.appeals import AppealDesk
from ..systems.registry import stream_names
from .queue import Queue
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
    per_person += 5 * (scenario.protests is not None) + 9 * len(scenario.measures)
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
    world = _Coordinators(scenario, geo, streams, scale, parts)
    total = scenario.warmup_days + scenario.days
    for day in range(total):
        world.protests_phase(day)
        forwarders: dict[int, int] = {}
        for shard in parts:
            for city, n in shard.step(day, world.today, world.activism).items():
                forwarders[city] = forwarders.get(city, 0) + n
        world.spread_phase(day, forwarders)
        world.measures_phase(day)
        for i, desk in desks.items():
            desk.file(day, np.concatenate([s.systems[i].take_filings() for s in parts]))
            decided, won = desk.serve(day)
            for s in parts:
                mine = (decided >= s.start) & (decided < s.stop)
                s.systems[i].resolve_appeals(day, decided[mine], won[mine])
        if progress is not None:
            progress(day + 1, total)
    return Result(scenario, summarise(scenario, parts, desks, scale, world),
                  daily_table(scenario, parts, desks, world))


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
    if scenario.protests is not None:
        for name in ProtestCoordinator.stream_names():
            streams.register(name)
    for name in measure_streams(scenario.measures):
        streams.register(name)


class _Coordinators:
    """The global, city-level parts of a day: protests, forwarding, checkpoints, shutdowns
    and review desks. Each works on sums or on persons picked by keyed draws, so nothing it
    does depends on how the population is split into shards."""

    def __init__(self, scenario: Scenario, geo: Any, streams: Streams, scale: float,
                 parts: list[Shard]) -> None:
        self.scenario = scenario
        self.parts = parts
        self.warmup = scenario.warmup_days
        self.today: list[Any] = []
        self.protest_count = 0
        self.activism = np.zeros(len(geo.city_names), dtype=np.int64)
        self.protests: ProtestCoordinator | None = None
        if scenario.protests is not None:
            sums = [ProtestState.city_sums(s.population) for s in parts]
            self.activism = sum((x[0] for x in sums), np.zeros_like(sums[0][0]))
            phones = sum((x[1] for x in sums), np.zeros_like(sums[0][1]))
            residents = sum((x[2] for x in sums), np.zeros_like(sums[0][2]))
            self.protests = ProtestCoordinator(scenario.protests, geo, streams, scale,
                                               self.activism, phones, residents, self.warmup)
        self.checkpoints: dict[int, CheckpointCoordinator] = {}
        self.shutdowns: dict[int, ShutdownCoordinator] = {}
        self.reviews: dict[int, Queue] = {}
        self.backlog: dict[int, np.ndarray] = {}
        for i, (name, spec) in enumerate(scenario.measures.items()):
            if spec.kind == "checkpoint":
                self.checkpoints[i] = CheckpointCoordinator(name, spec, geo, scale)
            elif spec.kind == "shutdown":
                self.shutdowns[i] = ShutdownCoordinator(spec, geo)
            elif spec.kind == "device_scan" and spec.review is not None:
                self.reviews[i] = Queue(spec.review.capacity, spec.review.latency, scale)
                self.backlog[i] = np.zeros(scenario.days, dtype=np.int64)

    def protests_phase(self, day: int) -> None:
        self.today = self.protests.today(day) if self.protests is not None else []
        if day >= self.warmup:
            self.protest_count += len(self.today)
        for checkpoint in self.checkpoints.values():
            checkpoint.update(day, self.today)
        for shutdown in self.shutdowns.values():
            shutdown.update(day, self.today)

    def spread_phase(self, day: int, forwarders: dict[int, int]) -> None:
        if self.protests is None:
            return
        factor: dict[int, float] = {}
        for shutdown in self.shutdowns.values():
            for city, f in shutdown.forwarding(day).items():
                factor[city] = min(factor.get(city, 1.0), f)
        share = self.protests.recipient_share(forwarders, factor)
        for shard in self.parts:
            assert shard.protests is not None
            shard.protests.spread(day, share)

    def measures_phase(self, day: int) -> None:
        """Control measures act in the reported days only (as protests do)."""
        observed = day >= self.warmup
        if not observed:
            return
        for i, spec in enumerate(self.scenario.measures.values()):
            states = [s.measures[i] for s in self.parts]
            if spec.kind == "shutdown":
                cut = self.shutdowns[i].cut_off(day)
                for state in states:
                    state.step(day, cut)
            elif spec.kind == "device_scan":
                for state in states:
                    state.step(day)
                if i in self.reviews:
                    queue = self.reviews[i]
                    queue.file(day, np.concatenate([st.take_filings() for st in states]))
                    self._dispatch(day, queue.serve(day), "decide", states)
                    self.backlog[i][day - self.warmup] = queue.waiting
                for state in states:  # after review: restrictions confirmed today count today
                    state.count_restricted(day)
            elif spec.kind == "checkpoint":
                coordinator = self.checkpoints[i]
                for city, (n_present, n_large) in coordinator.quotas(day, observed).items():
                    present = coordinator.pick(
                        [st.propose(day, city, True, n_present, np.empty(0, np.int64))
                         for st in states], n_present)
                    n_large += n_present - present.size
                    large = coordinator.pick(
                        [st.propose(day, city, False, n_large, present) for st in states],
                        n_large)
                    self._dispatch(day, np.concatenate([present, large]), "search", states)
                for state in states:
                    state.count_restricted(day)

    def _dispatch(self, day: int, ids: np.ndarray, method: str, states: list[Any]) -> None:
        for shard, state in zip(self.parts, states):
            mine = ids[(ids >= shard.start) & (ids < shard.stop)]
            if mine.size:
                getattr(state, method)(day, mine)


__all__ = ["Result", "run_scenario"]
