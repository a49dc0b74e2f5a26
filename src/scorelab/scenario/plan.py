"""Scenario -> Plan: everything a run needs, resolved once, as plain picklable data.

The scenario is what a user wrote (names, nested settings); the plan is what the engine runs:
city cells and their id ranges, the processes, systems and measures by index, each system's
coverage as id ranges, joint-punishment links and integration sources by index, the scale,
every random stream name (checked for collisions here, once) and the scheduled changes by
day and part index. Shards, backends and sweeps take a ``Plan``; none of them looks a name up
again, and the plan does not carry the scenario (the ledger, which reports it, gets it apart).

>>> from scorelab import load_scenario
>>> plan = compile(load_scenario(overrides={"population": {"persons": 1000}, "days": 5}))
>>> plan.persons, plan.days, plan.system_names[0]
(1000, 5, 'court-list')
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel

from ..core.streams import declare
from ..core.tunable import Tunable
from .geography import Geography, build_geography
from .kinds import FAMILIES
from .schedule import Step, resolve
from .schema import (
    DEFAULT_CASES,
    PROTEST_EVENTS,
    SANCTIONS,
    IntegrationSpec,
    MeasureSpec,
    PopulationSpec,
    ProcessSpec,
    ProtestSpec,
    Scenario,
    SystemSpec,
)

IdRanges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ProcessPlan:
    """One process: its place in the run, the events it produces."""

    index: int
    name: str
    spec: ProcessSpec


@dataclass(frozen=True)
class SystemPlan:
    """One system: its place in the run and whom it covers (global id ranges, sorted)."""

    index: int
    name: str
    spec: SystemSpec
    ranges: IdRanges
    streams: dict[str, str]


@dataclass(frozen=True)
class LinkPlan:
    """A joint-punishment link: persons on list ``source`` whom ``target`` covers get
    ``sanctions`` there. ``number`` counts the links of one source."""

    source: int
    number: int
    target: int
    sanctions: tuple[bool, ...]  # one per entry of SANCTIONS


@dataclass(frozen=True)
class MeasurePlan:
    """One measure: its place in the run and the city cells it names (all when empty)."""

    index: int
    name: str
    spec: MeasureSpec
    cells: tuple[int, ...]
    streams: dict[str, str]


@dataclass(frozen=True)
class IntegrationPlan:
    """The integrated score: its spec, and the system index of each source, in order."""

    spec: IntegrationSpec
    sources: tuple[int, ...]


Changes = tuple[tuple[int, BaseModel], ...]  # (part index, its new spec)


@dataclass(frozen=True)
class PlanStep:
    """The specs that change before internal day ``day`` runs, by part index."""

    day: int
    processes: Changes = ()
    systems: Changes = ()
    measures: Changes = ()
    protests: BaseModel | None = None

    def parts_of(self, processes: Mapping[int, Tunable], systems: Mapping[int, Tunable],
                 measures: Mapping[int, Tunable], protests: Tunable | None
                 ) -> list[tuple[Tunable, BaseModel]]:
        """The parts this step touches among those given (a part not held here, such as a
        system without an appeal desk in the driver, is left out), with their new specs."""
        out = [(held[i], spec) for held, changes in ((processes, self.processes),
                                                    (systems, self.systems),
                                                    (measures, self.measures))
               for i, spec in changes if i in held]
        if self.protests is not None and protests is not None:
            out.append((protests, self.protests))
        return out


@dataclass(frozen=True)
class Plan:
    """A compiled scenario (see the module docstring)."""

    population: PopulationSpec
    geography: Geography
    scale: float
    days: int
    warmup: int
    start_date: datetime.date | None
    processes: tuple[ProcessPlan, ...]
    events: tuple[str, ...]  # every event type, in the order processes (then protests) make them
    event_process: dict[str, int]  # event type -> the process that produces it
    systems: tuple[SystemPlan, ...]
    links: tuple[LinkPlan, ...]
    measures: tuple[MeasurePlan, ...]
    protests: ProtestSpec | None
    protest_cells: tuple[int, ...]  # city cells where protests can happen (all when empty)
    integration: IntegrationPlan | None
    streams: tuple[str, ...]
    #: scheduled changes: internal day -> the part specs that change before it runs
    steps: dict[int, PlanStep] = field(default_factory=dict)
    #: case files told per system and measure (0: none tracked; see ``scorelab.cases``)
    cases: int = DEFAULT_CASES

    @property
    def persons(self) -> int:
        return self.population.persons

    @property
    def total_days(self) -> int:
        return self.warmup + self.days

    @property
    def seed(self) -> int:
        return self.population.seed

    @property
    def block_size(self) -> int:
        return self.population.block_size

    @property
    def system_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.systems)

    def steps_until(self, day: int) -> list[PlanStep]:
        """The scheduled steps of days up to ``day``, in order (to catch up on resume)."""
        return [self.steps[d] for d in sorted(self.steps) if d <= day]

    def links_of(self, source: int) -> list[LinkPlan]:
        return [link for link in self.links if link.source == source]

    def process_of(self, event: str) -> ProcessPlan | None:
        """The process that produces an event type (None: protests', or none)."""
        index = self.event_process.get(event)
        return None if index is None else self.processes[index]

    def cells_mask(self, cells: tuple[int, ...]) -> np.ndarray:
        """A boolean per city cell: the cells named, or all of them when none are."""
        mask = np.ones(len(self.geography.city_names), dtype=bool)
        if cells:
            mask[:] = False
            mask[list(cells)] = True
        return mask


def coverage_ranges(spec: SystemSpec, geo: Geography) -> IdRanges:
    """A jurisdiction as sorted, merged global id ranges."""
    j = spec.jurisdiction
    if j.national:
        ranges = [(0, geo.persons)]
    elif j.provinces:
        ranges = [geo.province_range(p) for p in j.provinces]
    else:
        ranges = [geo.city_range(c) for c in j.cities]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return tuple(merged)


def compile(scenario: Scenario) -> Plan:
    """Resolve a validated scenario into a plan."""
    spec = scenario.population
    geo = build_geography(spec)
    scale = spec.scale if spec.scale is not None else geo.real_population / spec.persons
    processes = tuple(ProcessPlan(i, name, proc)
                      for i, (name, proc) in enumerate(scenario.processes.items()))
    events: dict[str, int] = {}
    names = list(spec.stream_names().values())
    for process in processes:
        for event in process.spec.events():
            events[event] = process.index
        names += process.spec.stream_names(process.name).values()
    every_event = [*events]
    if scenario.protests is not None:
        every_event += PROTEST_EVENTS
        names += scenario.protests.stream_names().values()
    systems = []
    for i, (name, system) in enumerate(scenario.systems.items()):
        FAMILIES["systems"].part(system.kind)  # the kind is loaded (it validated, so it exists)
        streams = system.stream_names(name)
        names += streams.values()
        systems.append(SystemPlan(i, name, system, coverage_ranges(system, geo), streams))
    index = {s.name: s.index for s in systems}
    numbers: dict[str, int] = {}
    links = []
    for link in scenario.joint_punishment:
        number = numbers.get(link.source, 0)
        numbers[link.source] = number + 1
        links.append(LinkPlan(index[link.source], number, index[link.target],
                              tuple(s in link.sanctions for s in SANCTIONS)))
    measures = []
    for i, (name, measure) in enumerate(scenario.measures.items()):
        FAMILIES["measures"].part(measure.kind)
        streams = measure.stream_names(name)
        names += streams.values()
        cells = _cells(geo, measure.named_cities())
        measures.append(MeasurePlan(i, name, measure, cells, streams))
    integration = None
    if scenario.integration is not None:
        names += scenario.integration.stream_names().values()
        integration = IntegrationPlan(scenario.integration,
                                      tuple(index[s] for s in scenario.integration.sources))
    protest_cells = _cells(geo, scenario.protests.cities) if scenario.protests else ()
    _, steps = resolve(scenario)  # (the scenario validated, so it has no problems)
    parts = {"processes": {p.name: p.index for p in processes}, "systems": index,
             "measures": {m.name: m.index for m in measures}}
    return Plan(population=spec, geography=geo, scale=scale, days=scenario.days,
                warmup=scenario.warmup_days, start_date=scenario.start_date,
                processes=processes, events=tuple(every_event), event_process=events,
                systems=tuple(systems), links=tuple(links), measures=tuple(measures),
                protests=scenario.protests, protest_cells=protest_cells,
                integration=integration, streams=tuple(declare(names)),
                steps={step.day: _by_index(step, parts) for step in steps},
                cases=scenario.report.cases if scenario.report is not None else DEFAULT_CASES)


def _by_index(step: Step, index: dict[str, dict[str, int]]) -> PlanStep:
    """A step of the schedule with its parts named by index."""
    changes: dict[str, list[tuple[int, BaseModel]]] = {k: [] for k in index}
    protests = None
    for (section, name), spec in step.parts.items():
        if section in index:
            changes[section].append((index[section][name], spec))
        else:
            protests = spec
    return PlanStep(step.day, tuple(changes["processes"]), tuple(changes["systems"]),
                    tuple(changes["measures"]), protests)


def _cells(geo: Geography, cities: list[str]) -> tuple[int, ...]:
    return tuple(geo.city_names.index(c) for c in cities)
