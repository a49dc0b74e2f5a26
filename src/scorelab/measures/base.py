"""What every control measure shares: who it flagged (by their true role), who it restricted
and for how long, and what it cost. Counters are integers, added up over shards.

A measure kind is one module: a ``Spec`` model (subclass of ``MeasureSpec``), a shard part
(subclass of ``MeasureState``: the persons of one shard, with its own ``Totals``), a
``Coordinator`` (the global part: where and when the measure acts, review desks) whose
``CoordinatorTotals`` make the kind's summary fields and costs from the shards' totals, and a
``Summary`` model (subclass of ``MeasureSummary``). The coordinator drives the shard parts
only through ``Shards``: one of the part's methods and plain arguments in, plain results out,
so the shards may live in other processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Generic, Protocol, TypeVar, TypeVarTuple

import numpy as np

from ..core import caselog
from ..core.caselog import CaseLog
from ..core.columns import Column, allocate_onto
from ..core.results import Totals
from ..core.sets import add_sorted
from ..core.streams import Stream, Streams
from ..core.tunable import Tunable
from ..population.generate import Population
from ..processes.events import NEVER
from ..processes.protests import PARTICIPANT, ROLES, UNINVOLVED, Protest, ProtestState
from ..scenario.plan import MeasurePlan, Plan
from ..scenario.schema import MeasureSpec
from .summary import MeasureCosts, MeasureSummary

DAILY = ("searches", "flagged", "flagged_wrongly", "restricted", "restricted_innocent",
         "collateral", "review_backlog")
#: bits of ``flags`` every measure uses (a kind may use the bits between them for its own)
FLAGGED = np.uint8(1)
REACHED = np.uint8(128)  # restricted or detained at least once on a day they were a participant
COLUMNS = (Column("flags", np.uint8, 0), Column("until", np.uint16, 0))  # per person


K = TypeVar("K", bound=Totals)
M = TypeVar("M", bound="MeasureState")
M_co = TypeVar("M_co", bound="MeasureState", covariant=True)
Ts = TypeVarTuple("Ts")
R = TypeVar("R")


@dataclass(kw_only=True)
class MeasureTotals(Totals, Generic[K]):
    """What every measure counts over the persons of one shard, and (``own``) what its kind
    counts besides: integers behind its figures and costs, which the ledger adds up before
    any float is made, so no figure depends on how the population was split."""

    flagged_by_role: np.ndarray  # persons flagged, by protest role
    participants: int
    participants_reached: int  # restricted or detained at least once while a participant
    person_days: np.ndarray  # restricted person-days, by protest role
    detention_days: int
    daily: dict[str, np.ndarray]  # by column of DAILY
    own: K

    def summary_fields(self) -> dict[str, Any]:
        """The shared fields of a measure's summary entry (its kind's come from its
        coordinator's totals)."""
        by, days = self.flagged_by_role, self.person_days
        wrongly = {"bystander": int(by[2]), "recipient": int(by[1]), "uninvolved": int(by[0])}
        flagged, rightly = int(by.sum()), int(by[PARTICIPANT])
        innocent = sum(wrongly.values())
        return {
            "flagged": flagged,
            "flagged_rightly": rightly,
            "flagged_wrongly": wrongly,
            "participants": self.participants,
            "restriction_person_days": int(days.sum()),
            "restriction_person_days_innocent": int(days.sum() - days[PARTICIPANT]),
            "collateral_person_days": int(days[UNINVOLVED]),
            "participants_reached": self.participants_reached,
            "flagged_wrongly_total": innocent,
            "precision": _ratio(rightly, flagged),
            "recall": _ratio(rightly, self.participants),
            "innocent_per_participant_caught": _ratio(innocent, rightly),
        }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 6) if b else None


def smallest(proposals: list[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray:
    """The ``n`` persons with the smallest keyed draws among every shard's proposals
    (ids, draws), in id order: each shard proposes its own ``n`` best, so whom a measure
    picks in a city does not depend on how the population was split."""
    if not proposals:
        return np.empty(0, np.int64)
    ids = np.concatenate([p[0] for p in proposals])
    keys = np.concatenate([p[1] for p in proposals])
    if ids.size <= n:
        return np.sort(ids)
    order = np.lexsort((ids, keys))[:n]
    return np.sort(ids[order])


def best(ids: np.ndarray, keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One shard's proposal: its ``n`` ids with the smallest draws (ties by id)."""
    if ids.size > n:
        keep = np.lexsort((ids, keys))[:n]
        return ids[keep], keys[keep]
    return ids, keys


@dataclass
class Costs:
    """A measure's costs in synthetic units (times ``scale`` for real); a kind sets those
    it has."""

    officer_hours: float = 0.0
    reviewer_hours: float = 0.0
    images_scanned: float = 0.0
    device_flops: float = 0.0
    energy_kwh: float = 0.0
    upload_bytes: float = 0.0
    detention_days: float = 0.0
    economic_usd: float = 0.0

    def summary(self) -> MeasureCosts:
        return MeasureCosts(**{k: round(float(v), 6) for k, v in vars(self).items()})


@dataclass(kw_only=True)
class CoordinatorTotals(Generic[K]):
    """What a measure's coordinator holds at the end of a run, as plain data, and the kind's
    rule that turns the shards' totals (added up) into its summary fields and costs."""

    daily: dict[str, np.ndarray] = field(default_factory=dict)  # replace the shards' sums

    def summary_fields(self, counted: MeasureTotals[K]) -> dict[str, Any]:
        """The kind's own fields of the summary entry."""
        return {}

    def costs(self, counted: MeasureTotals[K]) -> Costs:
        """The kind's costs (the detention days are every kind's)."""
        return Costs()

    def summary(self, model: type[MeasureSummary], kind: str, counted: MeasureTotals[K]
                ) -> MeasureSummary:
        """The measure's entry in the summary."""
        costs = replace(self.costs(counted), detention_days=float(counted.detention_days))
        return model(kind=kind, **counted.summary_fields(), **self.summary_fields(counted),
                     cost=costs.summary())


class Shards(Protocol[M_co]):
    """How a coordinator reaches its measure's part in every shard: by one of the part's
    methods (``shards.call(CheckpointState.propose, day, ...)``), which the type checker
    follows; the method travels by its qualified name to shards in other processes."""

    def call(self, method: Callable[[M_co, *Ts], R], *args: *Ts) -> list[R]:
        """Call ``method(part, *args)`` on the part in each shard; the results in shard
        order."""
        ...

    def scatter(self, method: Callable[[M_co, int, np.ndarray], None], day: int,
                ids: np.ndarray) -> None:
        """Call ``method(part, day, mine)`` on each shard with the ids it holds."""
        ...


class Coordinator(Tunable, Generic[M]):
    """The global part of a measure (``M``: its shard part). Hooks run in the order of the
    engine's day."""

    def __init__(self, plan: Plan, measure: MeasurePlan, streams: Streams) -> None:
        self.plan = plan
        self.measure = measure
        self.spec: Any = measure.spec

    def on_protests(self, day: int, protests: list[Protest]) -> None:
        """Today's protests are known (every day, warm-up included)."""

    def forwarding(self, day: int) -> dict[int, float]:
        """Share of photo forwarding that still gets through, per city cell, today."""
        return {}

    def act(self, day: int, shards: Shards[M]) -> None:
        """The measure's day (reported days only)."""

    def totals(self) -> CoordinatorTotals[Any]:
        """What the coordinator counted, and the kind's summary rule (see
        ``CoordinatorTotals``)."""
        return CoordinatorTotals()


class MeasureState(Tunable):
    """A measure over the persons of one shard: what the engine and the ledger call (the
    kind's ``Coordinator`` calls the rest through ``Shards``)."""

    kind: ClassVar[str] = ""
    Spec: ClassVar[type[MeasureSpec]] = MeasureSpec
    Summary: ClassVar[type[MeasureSummary]] = MeasureSummary
    Coordinator: ClassVar[type[Coordinator[Any]]] = Coordinator

    flags: np.ndarray  # FLAGGED
    until: np.ndarray  # restricted before this day

    @classmethod
    def columns(cls, spec: Any) -> tuple[Column, ...]:
        """The kind's own columns, per person (none here)."""
        return ()

    @classmethod
    def table(cls, spec: Any) -> tuple[Column, ...]:
        """Every per-person column, allocated as the attributes of their names: what every
        measure holds, then the kind's own (for the memory estimate too)."""
        return (*COLUMNS, *cls.columns(spec))

    def __init__(self, plan: Plan, measure: MeasurePlan, pop: Population,
                 protests: ProtestState | None, streams: Streams) -> None:
        self.name = measure.name
        self.spec = measure.spec
        self.pop = pop
        self.protests = protests
        self.streams = streams
        self.rng: dict[str, Stream] = {role: streams.claim(name)
                                       for role, name in measure.streams.items()}
        self.warmup = plan.warmup
        days = plan.days
        n = len(pop)
        allocate_onto(self, self.table(self.spec), n)
        self.active = np.empty(0, dtype=np.int64)  # rows ever restricted
        self.flagged_by_role = np.zeros(len(ROLES), dtype=np.int64)
        self.daily = {k: np.zeros(days, dtype=np.int64) for k in DAILY}
        self.person_days = np.zeros(len(ROLES), dtype=np.int64)  # restricted, by role
        self.detention_days = 0  # a cost of every kind
        self.cases = CaseLog(plan.cases > 0)  # decisions on persons, for the case files

    def observed(self, day: int) -> int | None:
        return day - self.warmup if day >= self.warmup else None

    def role(self, rows: np.ndarray) -> np.ndarray:
        if self.protests is None:
            return np.zeros(rows.size, dtype=np.int64)
        out: np.ndarray = self.protests.role[rows].astype(np.int64)
        return out

    def flag(self, day: int, rows: np.ndarray) -> np.ndarray:
        """Mark persons flagged today; return those flagged for the first time."""
        i = self.observed(day)
        fresh: np.ndarray = rows[(self.flags[rows] & FLAGGED) == 0]
        if i is None:
            return fresh
        self.flags[fresh] |= FLAGGED
        roles = self.role(fresh)
        self.cases.add(day, fresh + self.pop.start, caselog.FLAGGED, roles)
        np.add.at(self.flagged_by_role, roles, 1)
        self.daily["flagged"][i] += fresh.size
        self.daily["flagged_wrongly"][i] += int((roles != PARTICIPANT).sum())
        return fresh

    def restrict(self, day: int, rows: np.ndarray, days: int) -> None:
        if days <= 0 or rows.size == 0:
            return
        self.until[rows] = np.maximum(self.until[rows], min(day + days, int(NEVER)))
        self.active = add_sorted(self.active, rows)
        self.cases.add(day, rows + self.pop.start, caselog.RESTRICTED, self.until[rows])

    def detain(self, day: int, rows: np.ndarray, days: int, restrict_days: int = 0) -> None:
        """Detain persons for ``days`` from today, and restrict them for ``restrict_days``.

        A detention is a restriction of the person detained: each day of it counts in the
        restricted person-days by the person's true role, like any other restriction (an
        innocent detained is harmed, not only a cost). Both run from today; a person detained
        and restricted on the same day counts once. The detention days are also a cost.
        """
        if self.observed(day) is not None:
            self.detention_days += rows.size * days
        if days > 0:
            self.cases.add(day, rows + self.pop.start, caselog.DETAINED, days)
        self.restrict(day, rows, max(days, restrict_days))

    def lift(self, day: int, rows: np.ndarray) -> None:
        self.until[rows] = np.minimum(self.until[rows], day + 1)
        self.cases.add(day, rows + self.pop.start, caselog.LIFTED)

    def count_restricted(self, day: int) -> None:
        """Today's restricted persons, by their true role."""
        i = self.observed(day)
        if i is None or self.active.size == 0:
            return
        rows = self.active[self.until[self.active] > day]
        self._add_restricted(i, rows, self.role(rows))

    def _add_restricted(self, i: int, rows: np.ndarray | slice, roles: np.ndarray) -> None:
        """Count today's restricted rows (ids in this shard, or a run of them) by their true
        role; the participants among them are reached."""
        part = np.flatnonzero(roles == PARTICIPANT)
        if part.size:
            self.flags[rows.start + part if isinstance(rows, slice) else rows[part]] |= REACHED
        counts = np.bincount(roles, minlength=len(ROLES))
        self.person_days += counts
        self.daily["restricted"][i] += int(counts.sum())
        self.daily["restricted_innocent"][i] += int(counts.sum() - counts[PARTICIPANT])
        self.daily["collateral"][i] += int(counts[UNINVOLVED])

    def totals(self) -> MeasureTotals[Any]:
        """What this shard counted, as plain data for the ledger."""
        participants = 0
        if self.protests is not None:
            participants = int(np.count_nonzero(self.protests.role == PARTICIPANT))
        reached = int(np.count_nonzero(self.flags & REACHED))
        return MeasureTotals(flagged_by_role=self.flagged_by_role.copy(),
                             participants=participants, participants_reached=reached,
                             person_days=self.person_days.copy(),
                             detention_days=self.detention_days, daily=dict(self.daily),
                             own=self.own_totals())

    def own_totals(self) -> Totals:
        """What the kind counts besides (the integers behind its figures and costs)."""
        return Totals()
