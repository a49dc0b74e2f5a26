"""Running a scenario: check that it fits, compile its plan, run the days on a backend, and
add up the ledger. The day's order lives in :mod:`scorelab.engine.loop`."""

from __future__ import annotations

import os

from ..cases.table import cases_table
from ..core.progress import labelled, reporter
from ..ledger.result import Result
from ..ledger.totals import daily_table, summarise
from ..scenario import ScenarioError
from ..scenario.errors import Problem, short
from ..scenario.plan import compile as compile_plan
from ..scenario.schema import Scenario
from .backends import BACKENDS, LocalBackend, get_backend
from .loop import Checkpoints, Progress, run_days
from .memory import Estimate, memory_per_person


def estimate_bytes(scenario: Scenario) -> int:
    """Memory a run needs, from the parts' column tables, before any array is allocated."""
    return Estimate(scenario.population.persons, scenario.days + scenario.warmup_days,
                    memory_per_person(scenario)).total_bytes


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


def check_resources(scenario: Scenario, shards: int, backend: str = "local",
                    address: str | None = None) -> None:
    """Refuse a run that cannot fit, before allocating anything: the estimate of
    ``scorelab estimate``, and what the backend adds on this machine (an interpreter per
    worker process; on a Ray cluster only the driver)."""
    seam = BACKENDS.get(backend, LocalBackend)  # (an unknown name is refused by get_backend)
    need = seam.memory_needed(estimate_bytes(scenario), shards, address)
    have = available_bytes()
    if need > have:
        raise ScenarioError(Problem(
            f"a population of {scenario.population.persons:,} persons needs about "
            f"{need / 2**30:.1f} GiB of memory; this machine has {have / 2**30:.1f} GiB "
            "available. Lower population.persons (and raise population.scale), or run on a "
            "Ray cluster (scorelab estimate says how many shards fit a worker).",
            path="population.persons"))
    size = scenario.population.block_size
    blocks = -(-scenario.population.persons // size)
    if shards < 1 or shards > blocks:
        raise ScenarioError(Problem(
            f"--shards must be between 1 and the number of population blocks ({blocks}: "
            f"{scenario.population.persons:,} persons in blocks of {size:,}); got {short(shards)}",
            path="shards"))


def shard_bounds(persons: int, block_size: int, shards: int) -> list[tuple[int, int]]:
    """Split the blocks into ``shards`` contiguous runs of nearly equal length."""
    blocks = -(-persons // block_size)
    cuts = [blocks * k // shards for k in range(shards + 1)]
    return [(cuts[k] * block_size, min(cuts[k + 1] * block_size, persons))
            for k in range(shards)]


def run_scenario(scenario: Scenario, shards: int = 1, progress: Progress | None = None,
                 backend: str = "local", address: str | None = None,
                 workers: int | None = None, checkpoints: Checkpoints | None = None,
                 cases: bool = True) -> Result:
    """Run a validated scenario and return its result (no files written); without
    ``cases``, no case files (an experiment that keeps only the figures)."""
    check_resources(scenario, shards, backend, address)
    runner = get_backend(backend, address, workers)
    plan = compile_plan(scenario)
    bounds = shard_bounds(plan.persons, plan.block_size, shards)
    totals, run = run_days(plan, runner, bounds, progress, checkpoints, cases)
    with labelled(reporter(progress), "writing the summary"):
        daily = daily_table(plan, totals, run)
        composite = ((run.composite.name, run.composite.kind) if run.composite is not None
                     else None)
        table = cases_table(plan, run.cases, composite) if run.cases is not None else None
        return Result(scenario, summarise(scenario, plan, totals, run, daily), daily, table)


__all__ = ["Result", "estimate_bytes", "run_scenario", "shard_bounds"]
