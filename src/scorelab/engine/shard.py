"""A shard: a contiguous run of population blocks with its own processes and systems.

A shard is self-contained (it builds its own persons from their block streams), so a
distributed backend can hold one per worker; shards talk to each other only through the
integer counters they return and the appeal desks, whose order does not depend on the split.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..measures import MEASURE_KINDS
from ..population.generate import Geography, generate_population
from ..processes import build_processes
from ..processes.protests import Protest, ProtestState
from ..scenario.schema import Scenario
from ..systems import build_system
from .streams import Streams


class Shard:
    """Persons ``start .. stop-1`` and everything that happens to them."""

    def __init__(self, scenario: Scenario, geo: Geography, streams: Streams,
                 start: int, stop: int) -> None:
        self.start, self.stop = start, stop
        self.warmup = scenario.warmup_days
        self.population = generate_population(scenario.population, geo, streams, start, stop)
        self.processes = build_processes(scenario.processes, self.population, streams)
        self.protests = (ProtestState(scenario.protests, self.population, streams)
                         if scenario.protests is not None else None)
        self.systems = [build_system(name, scenario, self.population, streams)
                        for name in scenario.systems]
        self.measures = [MEASURE_KINDS[spec.kind](name, spec, self.population, self.protests,
                                                  streams, scenario.days, scenario.warmup_days)
                         for name, spec in scenario.measures.items()]
        by_name = dict(zip(scenario.systems, self.systems))
        for link in scenario.joint_punishment:
            by_name[link.source].add_link(link.target, by_name[link.target].coverage,
                                          list(link.sanctions), scenario.days)
        self.event_names = [e for p in self.processes for e in p.events]
        if self.protests is not None:
            self.event_names += ["protest_participation", "protest_presence"]
        self.event_counts = {e: np.zeros(scenario.days, dtype=np.int64) for e in self.event_names}

    def step(self, day: int, protests: list[Protest] | None = None,
             activism: np.ndarray | None = None) -> dict[int, int]:
        """One day: processes and protests (truth), then systems (records and decisions).
        Returns how many people forward protest photos, per city."""
        events: dict[str, np.ndarray] = {}
        for process in self.processes:
            events.update(process.step(day))
        forwarders: dict[int, int] = {}
        if self.protests is not None and protests is not None and activism is not None:
            forwarders = self.protests.gather(day, protests, activism)
            part = np.sort(self.protests.participants_today)
            present = np.setdiff1d(self.protests.present_today, part)
            events["protest_participation"] = part
            events["protest_presence"] = present
        if day >= self.warmup:
            for name, ids in events.items():
                self.event_counts[name][day - self.warmup] = ids.size
        for system in self.systems:
            system.step(day, events)
        return forwarders

    def population_summary(self) -> dict[str, Any]:
        pop = self.population
        geo = pop.geography
        return {
            "persons": len(pop),
            "adults": int(pop.adult.sum()),
            "urban": int(pop.urban.sum()),
            "minority": int(pop.group.sum()),
            "phone": int(pop.phone.sum()),
            "borrowers": int(pop.borrower.sum()),
            "provinces": {geo.province_names[p]: int(c) for p, c in
                          enumerate(np.bincount(pop.province, minlength=len(geo.province_names)))},
        }
