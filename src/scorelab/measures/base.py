"""What every control measure shares: who it flagged (by their true role), who it restricted
and for how long, and what it cost. Counters are integers, added up over shards.

A measure kind is one module with three things: a ``Spec`` model (subclass of
``MeasureSpec``), a shard part (subclass of ``MeasureState``: the persons of one shard) and a
``Coordinator`` (the global part: where and when the measure acts, review desks, costs). The
coordinator drives the shard parts only through ``Shards``: a method name and plain arguments
in, plain results out, so the shards may live in other processes.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

import numpy as np

from ..core.columns import Column
from ..core.sets import add_sorted
from ..core.streams import Stream, Streams
from ..core.tunable import Tunable
from ..population.generate import Population
from ..processes.events import NEVER
from ..processes.protests import PARTICIPANT, ROLES, UNINVOLVED, Protest, ProtestState
from ..scenario.plan import MeasurePlan, Plan
from ..scenario.schema import MeasureSpec

COSTS = ("officer_hours", "reviewer_hours", "images_scanned", "device_flops", "energy_kwh",
         "upload_bytes", "detention_days", "economic_usd")
#: integer counts behind the costs; the ledger turns their totals into costs, so that float
#: sums never depend on how the population was split
COUNTS = ("searches", "hits", "matches", "reviews", "protest_images", "detention_days", "installed",
          "person_days_cut")
DAILY = ("searches", "flagged", "flagged_wrongly", "restricted", "restricted_innocent",
         "collateral", "review_backlog")
FLAGGED = np.uint8(1)
COLUMNS = (Column("flags", np.uint8, 0), Column("until", np.uint16, 0))  # per person


class Shards(Protocol):
    """How a coordinator reaches its measure's part in every shard."""

    def call(self, method: str, *args: Any) -> list[Any]:
        """Call ``method`` on the part in each shard, in shard order; their results."""
        ...

    def scatter(self, method: str, day: int, ids: np.ndarray) -> None:
        """Call ``method(day, mine)`` on each shard with the ids it holds."""
        ...


class Measure(Protocol):
    """A measure kind's shard part: what the engine and the ledger call (the kind's
    ``Coordinator`` reaches the rest through ``shard_methods``)."""

    kind: ClassVar[str]
    Spec: ClassVar[type[MeasureSpec]]
    Coordinator: ClassVar[type[Coordinator]]
    shard_methods: ClassVar[frozenset[str]]

    @classmethod
    def columns(cls, spec: Any) -> tuple[Column, ...]:
        """Per person: for the memory estimate (and checkpoints)."""
        ...

    def summary(self) -> dict[str, Any]:
        """Integer totals of this shard, with the integer ``counts`` behind the costs."""
        ...

    def daily_columns(self) -> dict[str, np.ndarray]:
        """Daily counts by column of ``DAILY``."""
        ...


class Coordinator(Tunable):
    """The global part of a measure. Hooks run in the order of the engine's day."""

    def __init__(self, plan: Plan, measure: MeasurePlan, streams: Streams) -> None:
        self.plan = plan
        self.measure = measure
        self.spec: Any = measure.spec

    def on_protests(self, day: int, protests: list[Protest]) -> None:
        """Today's protests are known (every day, warm-up included)."""

    def forwarding(self, day: int) -> dict[int, float]:
        """Share of photo forwarding that still gets through, per city cell, today."""
        return {}

    def act(self, day: int, shards: Shards) -> None:
        """The measure's day (reported days only)."""

    def summary(self, counts: dict[str, int]) -> dict[str, Any]:
        """Kind-specific entries of the summary, from the shards' summed counts."""
        return {}

    def daily(self) -> dict[str, np.ndarray]:
        """Daily columns the coordinator holds (they replace the shards' sums)."""
        return {}

    def costs(self, counts: dict[str, int]) -> dict[str, float]:
        """Costs in synthetic units (times ``scale`` for real), from integer totals."""
        return {}


class MeasureState(Tunable):
    """A measure over the persons of one shard."""

    kind: ClassVar[str] = ""
    Spec: ClassVar[type[MeasureSpec]]
    Coordinator: ClassVar[type[Coordinator]] = Coordinator
    #: what a coordinator may call on this part through ``Shards``
    shard_methods: ClassVar[frozenset[str]] = frozenset({"count_restricted"})

    @classmethod
    def columns(cls, spec: Any) -> tuple[Column, ...]:
        return COLUMNS

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
        self.flags, self.until = (c.allocate(n) for c in COLUMNS)  # until: restricted before
        self.active = np.empty(0, dtype=np.int64)  # rows ever restricted
        self.flagged_by_role = np.zeros(len(ROLES), dtype=np.int64)
        self.daily = {k: np.zeros(days, dtype=np.int64) for k in DAILY}
        self.person_days = np.zeros(len(ROLES), dtype=np.int64)  # restricted, by role
        self.counts = {k: 0 for k in COUNTS}

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
        np.add.at(self.flagged_by_role, roles, 1)
        self.daily["flagged"][i] += fresh.size
        self.daily["flagged_wrongly"][i] += int((roles != PARTICIPANT).sum())
        return fresh

    def restrict(self, day: int, rows: np.ndarray, days: int) -> None:
        if days <= 0 or rows.size == 0:
            return
        self.until[rows] = np.maximum(self.until[rows], min(day + days, int(NEVER)))
        self.active = add_sorted(self.active, rows)

    def detain(self, day: int, rows: np.ndarray, days: int, restrict_days: int = 0) -> None:
        """Detain persons for ``days`` from today, and restrict them for ``restrict_days``.

        A detention is a restriction of the person detained: each day of it counts in the
        restricted person-days by the person's true role, like any other restriction (an
        innocent detained is harmed, not only a cost). Both run from today; a person detained
        and restricted on the same day counts once. The detention days are also a cost.
        """
        if self.observed(day) is not None:
            self.counts["detention_days"] += rows.size * days
        self.restrict(day, rows, max(days, restrict_days))

    def lift(self, day: int, rows: np.ndarray) -> None:
        self.until[rows] = np.minimum(self.until[rows], day + 1)

    def count_restricted(self, day: int) -> None:
        """Today's restricted persons, by their true role."""
        i = self.observed(day)
        if i is None or self.active.size == 0:
            return
        rows = self.active[self.until[self.active] > day]
        self._add_restricted(i, self.role(rows))

    def _add_restricted(self, i: int, roles: np.ndarray) -> None:
        counts = np.bincount(roles, minlength=len(ROLES))
        self.person_days += counts
        self.daily["restricted"][i] += int(counts.sum())
        self.daily["restricted_innocent"][i] += int(counts.sum() - counts[PARTICIPANT])
        self.daily["collateral"][i] += int(counts[UNINVOLVED])

    def daily_columns(self) -> dict[str, np.ndarray]:
        return dict(self.daily)

    def summary(self) -> dict[str, Any]:
        by = self.flagged_by_role
        participants = 0
        if self.protests is not None:
            participants = int(np.count_nonzero(self.protests.role == PARTICIPANT))
        return {
            "flagged": int(by.sum()),
            "flagged_rightly": int(by[PARTICIPANT]),
            "flagged_wrongly": {"bystander": int(by[2]), "recipient": int(by[1]),
                                "uninvolved": int(by[0])},
            "participants": participants,
            "restriction_person_days": int(self.person_days.sum()),
            "restriction_person_days_innocent": int(self.person_days.sum()
                                                    - self.person_days[PARTICIPANT]),
            "collateral_person_days": int(self.person_days[UNINVOLVED]),
            "counts": {k: int(v) for k, v in self.counts.items()},
        }
