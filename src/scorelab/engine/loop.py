"""The day loop. ``PHASES`` is the only day order, and this docstring mirrors it.

Days run from ``0`` to ``warmup_days + days - 1``; the first ``warmup_days`` are simulated
but not reported (so lists and scores start settled). Each day ``d`` runs these phases, each
on every shard (through the backend) or in the driver (global, city-level or queue work):

0. ``retune`` (driver and shards, on scheduled days only): each part a scheduled change
   touches takes its new spec and brings its state up to date (``core.tunable``).
1. ``protests`` (driver): which city cells protest today and how big (reported days only);
   each measure's coordinator learns of them (checkpoints arm, shutdowns are scheduled).
2. ``truth`` (shards): persons whose next trial falls on ``d`` act, one outcome event each,
   and draw the day of their next trial; protesters and bystanders gather and take photos.
   Each shard returns how many people forward photos, per city. (In a run without protests
   or checkpoints a large shard's processes may run ahead in a child process, which hands
   each day's events over here: ``engine.ahead``.)
3. ``records`` (shards): each system turns the events its rules name into records
   (coverage, delay, false records, misattribution), applies the records that fall due,
   re-grades or lists and delists, and counts; persons newly wronged may file an appeal.
4. ``spread`` (driver, then shards): the forwarders are added up per city, cut by any
   shutdown, into the share of phone owners who receive photos; shards deliver them, and
   participants who delete their photos do so.
5. ``measures`` (driver and shards, reported days only): each measure's coordinator acts:
   checkpoints stop and search, scanners scan and their review desk decides, shutdowns cut.
6. ``appeals`` (shards, then driver): the shards' filings of the day are asked for; each
   system's desk queues them from all shards in (day, person id) order, decides up to its
   capacity, and sends each decision to the shard holding the person (a won appeal takes
   effect from the next day). The desks decide when the decisions are first needed
   (``settle``): before the next day's records, or before anything else that reads or
   changes what they change (a scheduled change, a linkage, a checkpoint, the end of the
   run). Until then the shards go on with the next day's truth, which no decision touches,
   so a remote backend's round trip is hidden behind work.
7. ``integration`` (shards, then driver; with an ``integration:`` section): on linkage days
   the shards hand over their sources' identity records and standings (on the record and in
   truth), the driver links them with splink, scores each cluster, holds the composite's
   sanctions until the next linkage and audits them against the truth; every reported day
   counts them like a system's.

After the last day every shard hands over its totals (integers only), which the ledger adds
up; integers add up exactly in any order, so every output is the same for any split. With an
integration, each shard is first told which of its persons the composite ever sanctioned
(and wrongly), so that the audits across systems (disparity, sanctioned by any system) count
the composite like the other systems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar, TypeVarTuple

import numpy as np
from pydantic import BaseModel

from ..cases.choose import choose, composite_candidates
from ..cases.trails import composite_trails
from ..core.faults import pause_point
from ..core.progress import Report, labelled, reporter, stages
from ..core.streams import Streams
from ..core.tunable import Tunable
from ..integration.integrator import KIND, Integrator
from ..ledger.parts import CompositeTotals, RunTotals, ShardTotals
from ..measures.base import Coordinator, MeasureState
from ..measures.registry import MEASURE_KINDS
from ..processes.protests import Protest, ProtestCoordinator
from ..scenario.plan import Plan, PlanStep
from ..systems.appeals import AppealDesk
from .backends.base import Asked, Backend
from .checkpoint import Checkpoint, State, StateError, load_into, state_of
from .shard import Shard

Progress = Callable[[int, int], None]
M = TypeVar("M", bound=MeasureState)
Ts = TypeVarTuple("Ts")
R = TypeVar("R")


class MeasureShards(Generic[M]):
    """One measure's part in every shard, reached through the backend (see
    ``measures.base.Shards``)."""

    def __init__(self, backend: Backend, index: int) -> None:
        self.backend = backend
        self.index = index

    def call(self, method: Callable[[M, *Ts], R], *args: *Ts) -> list[R]:
        return self.backend.call(Shard.measure, self.index, method, *args)

    def scatter(self, method: Callable[[M, int, np.ndarray], None], day: int,
                ids: np.ndarray) -> None:
        self.backend.post_each(Shard.measure, [
            (self.index, method, day, ids[(ids >= a) & (ids < b)])
            for a, b in self.backend.bounds])


@dataclass
class Driver:
    """The global state of a run: coordinators, desks, and today's protests."""

    plan: Plan
    backend: Backend
    protests: ProtestCoordinator | None = None
    activism: np.ndarray | None = None
    coordinators: list[Coordinator[Any]] = field(default_factory=list)
    desks: dict[int, AppealDesk] = field(default_factory=dict)
    integrator: Integrator | None = None
    today: list[Protest] = field(default_factory=list)
    forwarders: dict[int, int] = field(default_factory=dict)
    protest_count: int = 0
    report: Report | None = None  # labelled steps of long global phases (not state)
    filings: tuple[int, Asked[dict[int, np.ndarray]]] | None = None  # asked, not decided

    #: what changes during a run, besides the shards (today's protests and forwarding sums are
    #: made afresh each day)
    STATE: ClassVar[tuple[str, ...]] = ("coordinators", "desks", "protest_count", "integrator")

    def state(self) -> State:
        """The global parts' state, with what it is of: the run's persons and days."""
        tree, arrays = state_of(self, self.STATE)
        return {"of": self._shape(), "state": tree}, arrays

    def _shape(self) -> dict[str, int]:
        return {"persons": self.plan.persons, "days": self.plan.days,
                "total_days": self.plan.total_days}

    def load_state(self, state: State, day: int) -> None:
        """Restore the state saved after ``day``; the parts take the specs then in force.
        A state of another population or another length of run is refused first."""
        tree, arrays = state
        saved = tree.get("of") if isinstance(tree, dict) else None
        if saved != self._shape():
            raise StateError(f"it is a state of a run with {saved}; this run has "
                             f"{self._shape()}")
        load_into(self, (tree["state"], arrays), self.STATE)
        for step in self.plan.steps_until(day):
            for part, spec in self._touched(step):
                part.configure(spec)

    def retune(self, day: int) -> None:
        for part, spec in self._touched(self.plan.steps[day]):
            part.retune(day, spec)

    def _touched(self, step: PlanStep) -> list[tuple[Tunable, BaseModel]]:
        """The global parts a step touches: coordinators, appeal desks, protests."""
        return step.parts_of({}, self.desks, dict(enumerate(self.coordinators)), self.protests)

    @classmethod
    def start(cls, plan: Plan, backend: Backend) -> Driver:
        streams = Streams(plan.seed, plan.block_size, plan.streams)
        driver = cls(plan, backend)
        if plan.protests is not None:
            sums = backend.call(Shard.city_sums)
            total = sums[0]
            for more in sums[1:]:
                total = total + more
            driver.protests = ProtestCoordinator(plan, streams, total)
            driver.activism = total.activism
        driver.coordinators = [MEASURE_KINDS.part(m.spec.kind).Coordinator(plan, m, streams)
                               for m in plan.measures]
        driver.desks = {s.index: AppealDesk(plan, s, streams) for s in plan.systems
                        if s.spec.appeals is not None}
        if plan.integration is not None:
            driver.integrator = Integrator(plan)
        return driver


def retune(run: Driver, day: int) -> None:
    """Scheduled changes take effect before the day runs, in the driver and every shard."""
    if day in run.plan.steps:
        settle(run)  # (a change may touch the desks or the systems the decisions reach)
        run.retune(day)
        run.backend.post(Shard.retune, day)


def protests(run: Driver, day: int) -> None:
    run.today = run.protests.today(day) if run.protests is not None else []
    if day >= run.plan.warmup:
        run.protest_count += len(run.today)
    for coordinator in run.coordinators:
        coordinator.on_protests(day, run.today)


def truth(run: Driver, day: int) -> None:
    run.forwarders = {}
    if run.protests is None:  # nobody forwards photos: nothing to wait for
        run.backend.post(Shard.truth, day, run.today, run.activism)
        return
    for counts in run.backend.call(Shard.truth, day, run.today, run.activism):
        for city, n in counts.items():
            run.forwarders[city] = run.forwarders.get(city, 0) + n


def records(run: Driver, day: int) -> None:
    settle(run)
    run.backend.post(Shard.records, day)


def spread(run: Driver, day: int) -> None:
    if run.protests is None:
        return
    factor: dict[int, float] = {}
    for coordinator in run.coordinators:
        for city, f in coordinator.forwarding(day).items():
            factor[city] = min(factor.get(city, 1.0), f)
    run.backend.post(Shard.spread, day, run.protests.recipient_share(run.forwarders, factor))


def measures(run: Driver, day: int) -> None:
    """Control measures act in the reported days only (as protests do)."""
    if day < run.plan.warmup:
        return
    for index, coordinator in enumerate(run.coordinators):
        coordinator.act(day, MeasureShards[Any](run.backend, index))


def appeals(run: Driver, day: int) -> None:
    if run.desks:
        run.filings = (day, run.backend.ask(Shard.appeals))


def settle(run: Driver) -> None:
    """The desks decide the filings asked for on the last day and send the decisions (see
    phase 6); nothing if they have."""
    if run.filings is None:
        return
    day, asked = run.filings
    run.filings = None
    filed = run.backend.answers(asked)
    decisions = {}
    for i, desk in run.desks.items():
        desk.file(day, np.concatenate([f[i] for f in filed]))
        decisions[i] = desk.serve(day)
    # each shard gets the decisions on its own persons only (what crosses stays what each
    # shard needs, however many shards there are)
    run.backend.post_each(Shard.resolve_appeals, [
        (day, {i: (ids[(ids >= a) & (ids < b)], won[(ids >= a) & (ids < b)])
               for i, (ids, won) in decisions.items()})
        for a, b in run.backend.bounds])


def integration(run: Driver, day: int) -> None:
    integrator = run.integrator
    if integrator is None:
        return
    if integrator.due(day):
        settle(run)  # (the records handed over show today's decisions)
        integrator.link(day, lambda: run.backend.call(Shard.identity_records, day), run.report)
    integrator.count(day)


PHASES: tuple[Callable[[Driver, int], None], ...] = (
    retune, protests, truth, records, spread, measures, appeals, integration)


@dataclass
class Checkpoints:
    """Checkpointing of one run: save every ``every`` days through ``save(day, driver,
    shards)``; start from ``resume`` (a checkpoint of the same plan and shards) if given."""

    every: int | None = None
    save: Callable[[int, State, list[State]], None] | None = None
    resume: Checkpoint | None = None


def run_days(plan: Plan, backend: Backend, bounds: Sequence[tuple[int, int]],
             progress: Progress | None = None, checkpoints: Checkpoints | None = None,
             cases: bool = True) -> tuple[list[ShardTotals], RunTotals]:
    """Create the shards, run every day's phases, and gather the totals (and, if
    ``cases``, the case files)."""
    checkpoints = checkpoints or Checkpoints()
    report = reporter(progress)
    try:
        with labelled(report, "building the population and parts"):
            backend.start(plan, bounds)
            driver = Driver.start(plan, backend)
        driver.report = report
        total = plan.total_days
        first = 0
        if checkpoints.resume is not None:
            try:
                day = checkpoints.resume.day
                backend.call_each(Shard.load_state,
                                  [(s, day) for s in checkpoints.resume.shards])
                driver.load_state(checkpoints.resume.driver, day)
            except Exception as exc:  # a state that does not fit the rebuilt parts
                raise StateError(f"the saved state does not fit this run: {exc}") from exc
            first = checkpoints.resume.day + 1
        if checkpoints.every is None:  # (a checkpoint would need the processes' state)
            backend.post(Shard.run_ahead, first)
        for day in range(first, total):
            for phase in PHASES:
                phase(driver, day)
            if progress is not None:
                progress(day + 1, total)
            pause_point(f"day:{day}")
            every = checkpoints.every
            if every and checkpoints.save is not None and (day + 1) % every == 0 \
                    and day + 1 < total:
                names = ["gathering the state", "writing it"]
                with stages(report, f"checkpoint after day {day + 1}", names) as stage:
                    stage(names[0])
                    settle(driver)
                    state, shard_states = driver.state(), backend.call(Shard.state)
                    stage(names[1])
                    checkpoints.save(day, state, shard_states)
        settle(driver)
        with labelled(report, "adding up the totals"):
            shards: list[ShardTotals] = _totals(driver, backend)
        told = None
        if cases and plan.cases > 0:
            with labelled(report, "telling the cases"):
                told = _cases(plan, backend, driver.integrator)
    finally:
        backend.close()
    run = _run_totals(driver)
    run.cases = told
    return shards, run


def _cases(plan: Plan, backend: Backend, integrator: Integrator | None
           ) -> list[dict[str, list[Any]]]:
    """The case files: every shard proposes, the driver chooses, the shards holding the
    chosen persons tell their trails (see :mod:`scorelab.cases`); the integrated score's,
    held by the driver, are told here."""
    chosen = choose(backend.call(Shard.case_candidates), plan.cases)
    told = backend.call(Shard.case_trails, chosen)
    if integrator is not None:
        ids = choose([[composite_candidates(plan, integrator)]], plan.cases)[0]
        told.append(composite_trails(plan, integrator, ids, len(chosen)))
    return told


def _totals(run: Driver, backend: Backend) -> list[ShardTotals]:
    """Every shard's totals; with an integration, each shard gets the global ids of its
    persons that the composite sanctioned (ever) and sanctioned wrongly (ever)."""
    integrator = run.integrator
    if integrator is None:
        return backend.call(Shard.totals)
    ever, wrong = integrator.ever, integrator.ever_wrong

    def within(ids: np.ndarray, a: int, b: int) -> np.ndarray:
        return ids[np.searchsorted(ids, a):np.searchsorted(ids, b)]

    return backend.call_each(Shard.totals, [
        ((within(ever, a, b), within(wrong, a, b)),) for a, b in backend.bounds])


def _run_totals(run: Driver) -> RunTotals:
    """What the driver's parts counted, as plain data for the ledger."""
    desks = {i: desk.totals() for i, desk in run.desks.items()}
    protest_count = run.protest_count if run.protests is not None else None
    integrator = run.integrator
    integration = composite = None
    if integrator is not None:
        integration = integrator.totals()
        composite = CompositeTotals(integrator.name, KIND, integrator.system_summary(),
                                    integrator.daily_columns(run.plan.days))
    return RunTotals(desks=desks, protests=protest_count,
                     measures=[c.totals() for c in run.coordinators],
                     integration=integration, composite=composite)
