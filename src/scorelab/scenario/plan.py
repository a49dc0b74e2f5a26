"""Scenario -> Plan: everything a run needs, resolved once, as plain picklable data.

The scenario is what a user wrote (names, nested settings); the plan is what the engine runs:
city cells and their id ranges, each system's coverage as id ranges, joint-punishment links
by index, the scale, and every random stream name (checked for collisions here, once). Shards,
backends and sweeps take a ``Plan``; none of them looks a name up again.

>>> from scorelab import load_scenario
>>> plan = compile(load_scenario(overrides={"population": {"persons": 1000}, "days": 5}))
>>> plan.persons, plan.days, plan.system_names[0]
(1000, 5, 'court-list')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.streams import declare
from .geography import Geography, build_geography
from .kinds import FAMILIES
from .schedule import Step, resolve
from .schema import SANCTIONS, MeasureSpec, Scenario, SystemSpec

IdRanges = tuple[tuple[int, int], ...]


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
class Plan:
    """A compiled scenario (see the module docstring)."""

    scenario: Scenario
    geography: Geography
    scale: float
    event_process: dict[str, str]  # event type -> the process that produces it
    systems: tuple[SystemPlan, ...]
    links: tuple[LinkPlan, ...]
    measures: tuple[MeasurePlan, ...]
    protest_cells: tuple[int, ...]  # city cells where protests can happen (all when empty)
    streams: tuple[str, ...]
    #: scheduled changes: internal day -> the part specs that change before it runs
    steps: dict[int, Step] = field(default_factory=dict)

    @property
    def persons(self) -> int:
        return self.scenario.population.persons

    @property
    def days(self) -> int:
        return self.scenario.days

    @property
    def warmup(self) -> int:
        return self.scenario.warmup_days

    @property
    def total_days(self) -> int:
        return self.scenario.warmup_days + self.scenario.days

    @property
    def seed(self) -> int:
        return self.scenario.population.seed

    @property
    def block_size(self) -> int:
        return self.scenario.population.block_size

    @property
    def system_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.systems)

    @property
    def events(self) -> list[str]:
        """Every event type, in the order processes (then protests) produce them."""
        return list(self.event_process)

    def steps_until(self, day: int) -> list[Step]:
        """The scheduled steps of days up to ``day``, in order (to catch up on resume)."""
        return [self.steps[d] for d in sorted(self.steps) if d <= day]

    def links_of(self, source: int) -> list[LinkPlan]:
        return [link for link in self.links if link.source == source]

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
    events: dict[str, str] = {}
    names = list(spec.stream_names().values())
    for pname, proc in scenario.processes.items():
        for event in proc.events():
            events[event] = pname
        names += proc.stream_names(pname).values()
    if scenario.protests is not None:
        for event in ("protest_participation", "protest_presence"):
            events[event] = "protests"
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
    if scenario.integration is not None:
        names += scenario.integration.stream_names().values()
    protest_cells = _cells(geo, scenario.protests.cities) if scenario.protests else ()
    _, steps = resolve(scenario)  # (the scenario validated, so it has no problems)
    return Plan(scenario=scenario, geography=geo, scale=scale, event_process=events,
                systems=tuple(systems), links=tuple(links), measures=tuple(measures),
                protest_cells=protest_cells, streams=tuple(declare(names)),
                steps={step.day: step for step in steps})


def _cells(geo: Geography, cities: list[str]) -> tuple[int, ...]:
    return tuple(geo.city_names.index(c) for c in cities)
