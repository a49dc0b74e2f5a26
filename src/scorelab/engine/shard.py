"""A shard: a contiguous run of population blocks with its own processes, systems and
measures.

A shard is self-contained (it builds its own persons from their block streams) and speaks
plain data: one method per phase of the day, each taking and returning integers, arrays, or
small dataclasses. Nothing outside the shard touches its attributes, so a backend may hold
each shard in another process or on another machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, TypeVarTuple

import numpy as np
from pydantic import BaseModel

from ..cases.choose import candidates
from ..cases.trails import trails
from ..core.caselog import APPEAL_DECIDED
from ..core.lanes import Lanes, rest_all
from ..core.streams import Streams
from ..core.tunable import Tunable
from ..ledger.overlap import shard_overlap
from ..ledger.parts import PopulationCounts, ShardTotals
from ..measures.base import MeasureState
from ..measures.registry import MEASURE_KINDS
from ..population.generate import Population, generate_population
from ..population.schemes import scheme
from ..processes import build_processes
from ..processes.protests import ROLES, CitySums, Protest, ProtestState
from ..records.identity import IdentityRecords, write_identities
from ..scenario.plan import Plan, PlanStep
from ..scenario.schema import PROTEST_EVENTS
from ..systems.base import Holdings, SystemState
from ..systems.registry import SYSTEM_KINDS
from .ahead import Ahead, can_fork
from .checkpoint import State, StateError, load_into, state_of

Ts = TypeVarTuple("Ts")
R = TypeVar("R")
Appeals = dict[int, np.ndarray]  # system index -> global ids
Decisions = dict[int, tuple[np.ndarray, np.ndarray]]  # system index -> (ids decided, won)
#: persons a shard holds at least to run its truth ahead (a smaller one's truth is over
#: before a child would have started), and at most: the child draws on one core, and the
#: larger the shard, the more its truth outweighs its records and the more two lanes give
#: the truth in the shard (china-2022 side by side, bench/RESULTS.md: a run ahead takes
#: 0.72x the time at 1M persons, 0.78-0.94x at 2M, 0.97-1.0x at 4M, 1.14-1.24x at 10M)
AHEAD_LEAST, AHEAD_MOST = 1 << 16, 1 << 21


class Shard:
    """Persons ``start .. stop-1`` and everything that happens to them; ``threads``: the
    lanes its column work may take (the population, the processes' windows), which change
    how fast it runs, never what it draws."""

    def __init__(self, plan: Plan, start: int, stop: int, threads: int = 1) -> None:
        self.plan = plan
        self.start, self.stop = start, stop
        self.warmup = plan.warmup
        self.lanes = Lanes(threads)
        streams = Streams(plan.seed, plan.block_size, plan.streams)
        self.population: Population = generate_population(
            plan.population, plan.geography, streams, start, stop, lanes=self.lanes)
        self.processes = build_processes(plan, self.population, streams, self.lanes)
        self.protests = (ProtestState(plan.protests, self.population, streams)
                         if plan.protests is not None else None)
        self.systems: list[SystemState] = [
            SYSTEM_KINDS.part(s.spec.kind)(plan, s, self.population, streams)
            for s in plan.systems]
        self.measures: list[MeasureState] = [
            MEASURE_KINDS.part(m.spec.kind)(plan, m, self.population, self.protests, streams)
            for m in plan.measures]
        integration = plan.integration
        self.identity_streams = ([streams.claim(name) for name in
                                  integration.spec.stream_names().values()]
                                 if integration is not None else [])
        self.event_names = plan.events
        self.event_counts = {e: np.zeros(plan.days, dtype=np.int64) for e in self.event_names}
        self.events: dict[str, np.ndarray] = {}
        self.ahead: Ahead | None = None  # the processes, run ahead in a child (run_ahead)

    # --- phases of a day (see engine/loop.py) -------------------------------------------------

    def run_ahead(self, first: int) -> bool:
        """From day ``first`` on, run the processes ahead in a child process on a core of
        their own, beside the records (``engine.ahead``), where that is worth it: a shard of
        ``AHEAD_LEAST`` to ``AHEAD_MOST`` persons with two lanes or more, whose truth needs
        nothing from the day (no protests), where a process may fork
        (``engine.ahead.can_fork``). The engine asks only for runs that take no checkpoints
        (the processes' state stays in the child). Whether it does is never seen in the
        outputs."""
        if (self.ahead is not None or self.lanes.threads < 2 or self.protests is not None
                or not self.processes
                or not AHEAD_LEAST <= len(self.population) <= AHEAD_MOST
                or first >= self.plan.total_days):
            return False
        rest_all()  # (the lanes of every shard here: their threads start when next needed)
        if not can_fork():
            return False
        self.ahead = Ahead(self.processes, self.plan, first)
        return True

    def retune(self, day: int) -> None:
        """Scheduled changes before ``day``: each part touched takes its new spec (the
        processes take theirs in their child, when they run ahead)."""
        for part, spec in self._touched(self.plan.steps[day]):
            part.retune(day, spec)

    def _touched(self, step: PlanStep) -> list[tuple[Tunable, BaseModel]]:
        processes = dict(enumerate(self.processes)) if self.ahead is None else {}
        return step.parts_of(processes, dict(enumerate(self.systems)),
                             dict(enumerate(self.measures)), self.protests)

    def city_sums(self) -> CitySums:
        """Before the first day: integer sums per city cell, for the protest coordinator."""
        return ProtestState.city_sums(self.population)

    def truth(self, day: int, protests: list[Protest], activism: np.ndarray | None
              ) -> dict[int, int]:
        """Processes act and protesters gather (truth). Returns how many people forward
        protest photos, per city cell."""
        if self.ahead is not None:
            events, counts = self.ahead.take(day)
        else:
            events, counts = {}, {}
            for process in self.processes:
                read, counted = process.step(day)
                events.update(read)
                counts.update(counted)
        forwarders: dict[int, int] = {}
        if self.protests is not None and activism is not None:
            forwarders = self.protests.gather(day, protests, activism)
            part = np.sort(self.protests.participants_today)
            participation, presence = PROTEST_EVENTS
            events[participation] = part
            events[presence] = np.setdiff1d(self.protests.present_today, part)
            counts.update({participation: part.size, presence: events[presence].size})
        if day >= self.warmup:
            for name, n in counts.items():
                self.event_counts[name][day - self.warmup] = n
        self.events = events
        return forwarders

    def records(self, day: int) -> None:
        """Systems record today's events, decide, and count."""
        for system in self.systems:
            system.step(day, self.events)
        self.events = {}

    def spread(self, day: int, shares: dict[int, float]) -> None:
        """Forwarded protest photos reach residents; some participants delete theirs."""
        if self.protests is not None:
            self.protests.spread(day, shares)

    def measure(self, index: int, method: Callable[[Any, *Ts], R], *args: *Ts) -> R:
        """Call a method of a measure's part (its coordinator's messages): the method itself
        travels, by its qualified name, and must be one of the part's own."""
        part = self.measures[index]
        if getattr(type(part), getattr(method, "__name__", ""), None) is not method:
            raise TypeError(f"{method!r} is not a method of measure {part.name!r} "
                            f"({type(part).__name__})")
        result: R = method(part, *args)
        return result

    def identity_records(self, day: int) -> tuple[IdentityRecords, Holdings]:
        """Every integration source's identity records of this shard's persons, and what it
        holds on each, on the record and in truth (a linkage day's global phase gathers
        them)."""
        integration = self.plan.integration
        assert integration is not None
        ident = scheme(self.plan.population.identity_scheme)
        parts, held = [], []
        for k, (index, noise) in enumerate(zip(integration.sources,
                                               integration.spec.sources.values(), strict=True)):
            holdings = self.systems[index].holdings(day)
            parts.append(write_identities(self.population, ident, holdings.ids, k, noise,
                                          self.identity_streams[k], day))
            held.append(holdings)
        return IdentityRecords.concat(parts), Holdings.concat(held)

    def appeals(self) -> Appeals:
        """Appeals filed since the last call, by system index."""
        return {i: system.take_filings() for i, system in enumerate(self.systems)}

    def resolve_appeals(self, day: int, decisions: Decisions) -> None:
        """Decisions of the appeal desks on this shard's persons."""
        for i, (ids, won) in decisions.items():
            mine = (ids >= self.start) & (ids < self.stop)
            system = self.systems[i]
            system.cases.add(day, ids[mine], APPEAL_DECIDED, won[mine])
            system.cases.late = 1  # a sanction lifted now was counted today
            system.resolve_appeals(day, ids[mine], won[mine])
            system.cases.late = 0

    # --- checkpoints ---------------------------------------------------------------------

    #: what changes during a run (the population and everything else comes from the plan)
    STATE = ("processes", "protests", "systems", "measures", "event_counts")

    def state(self) -> State:
        """Everything that changed since the shard was built, as plain data, with what it
        is of: the shard's persons and the run's days."""
        if self.ahead is not None:  # (the engine never asks: see run_ahead)
            raise StateError("the processes run ahead in a child process: their state is "
                             "not here")
        tree, arrays = state_of(self, self.STATE)
        return {"of": self._shape(), "state": tree}, arrays

    def _shape(self) -> dict[str, int]:
        return {"start": self.start, "stop": self.stop, "days": self.plan.days,
                "total_days": self.plan.total_days}

    def load_state(self, state: State, day: int) -> None:
        """Restore the state saved after ``day``; the parts take the specs then in force.
        A state of other persons or another length of run is refused before anything of it
        is restored."""
        tree, arrays = state
        saved = tree.get("of") if isinstance(tree, dict) else None
        if saved != self._shape():
            raise StateError(f"it is a state of {_describe(saved)}; this run's shard holds "
                             f"{_describe(self._shape())}")
        load_into(self, (tree["state"], arrays), self.STATE)
        for step in self.plan.steps_until(day):
            for part, spec in self._touched(step):
                part.configure(spec)

    # --- after the last day ---------------------------------------------------------------

    def close(self) -> None:
        """Stop the shard's threads and its child (whoever holds the shard, when the run
        ends)."""
        self.lanes.close()
        if self.ahead is not None:
            self.ahead.close()
            self.ahead = None

    def totals(self, composite: tuple[np.ndarray, np.ndarray] | None = None) -> ShardTotals:
        """Everything this shard counted, as plain data for the ledger. ``composite``: the
        global ids of this shard's persons that the integrated score ever sanctioned, and
        sanctioned wrongly (the driver holds its sanctions)."""
        roles = self.protests.role if self.protests is not None else None
        masks = None
        if composite is not None:
            masks = (np.zeros(len(self.population), dtype=bool),
                     np.zeros(len(self.population), dtype=bool))
            for mask, ids in zip(masks, composite):
                mask[ids - self.start] = True
        return ShardTotals(
            population=self._population_counts(),
            events=dict(self.event_counts),
            systems=tuple(s.totals(roles) for s in self.systems),
            measures=tuple(m.totals() for m in self.measures),
            overlap=shard_overlap(self.population, self.systems, self.plan.total_days - 1,
                                  masks),
            roles=(np.bincount(roles, minlength=len(ROLES)).astype(np.int64)
                   if roles is not None else None),
            composite_by_role=(np.bincount(roles[masks[0]], minlength=len(ROLES))
                               .astype(np.int64)
                               if roles is not None and masks is not None else None),
        )

    def case_candidates(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """After the last day: each part's wronged persons of smallest keyed priority, for
        the case files (``cases.choose``)."""
        return candidates(self)

    def case_trails(self, chosen: list[np.ndarray]) -> dict[str, list[Any]]:
        """The trails of the chosen persons this shard holds (``cases.trails``)."""
        return trails(self, chosen)

    def _population_counts(self) -> PopulationCounts:
        pop = self.population
        return PopulationCounts(
            persons=len(pop), adults=int(pop.adult.sum()), urban=int(pop.urban.sum()),
            minority=int(pop.group.sum()), phone=int(pop.phone.sum()),
            borrowers=int(pop.borrower.sum()),
            provinces=np.bincount(pop.province, minlength=len(pop.geography.province_names)
                                  ).astype(np.int64))


def _describe(shape: Any) -> str:
    """A shard's persons and days, as an error names them."""
    if not isinstance(shape, dict):
        return "no known shard"
    return (f"persons {shape.get('start')} to {shape.get('stop')} over {shape.get('days')} "
            f"days ({shape.get('total_days')} with warm-up)")
