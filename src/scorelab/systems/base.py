"""What every system kind shares: the ``System`` protocol, counters in preallocated daily
slots, appeal filings, and the flags that say who was ever sanctioned, wronged or rewarded."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..core import caselog
from ..core.caselog import CaseLog
from ..core.columns import Column, allocate_onto, flag_dtype
from ..core.results import Totals
from ..core.streams import Stream, Streams
from ..core.tunable import Tunable
from ..population.generate import Population
from ..processes.protests import ROLES
from ..scenario.plan import Plan, SystemPlan
from ..scenario.schema import REWARDS, SANCTIONS, SystemSpec
from .jurisdiction import Coverage
from .records import Recorder
from .summary import JointPunishmentTotals, SystemSummary


class SystemFlag(enum.IntFlag):
    """Bits of a system's per-person ``flags`` column (its dtype widens with the enum)."""

    SCORED = 1
    EVER_SANCTIONED = 2
    EVER_WRONG = 4
    WRONG_NOW = 8
    HAS_FALSE = 16
    HAS_IDENTITY = 32
    EVER_REWARDED = 64
    IN_APPEAL = 128


FLAGS_DTYPE = flag_dtype(SystemFlag)
SCORED, EVER_SANCTIONED, EVER_WRONG, WRONG_NOW, HAS_FALSE, HAS_IDENTITY, EVER_REWARDED, \
    IN_APPEAL = (FLAGS_DTYPE(flag) for flag in SystemFlag)
FLAGS_COLUMN = Column("flags", FLAGS_DTYPE, 0)

WRONG_CAUSES = ("false_record", "identity", "stale_record", "incomplete_record")
INCOMPLETE = WRONG_CAUSES.index("incomplete_record")

DAILY_COLUMNS = ("records", "listed", "sanctioned", "sanctioned_wrongly", "newly_sanctioned",
                 "newly_wronged", "restriction_person_days", "rewarded")


@dataclass
class Holdings:
    """What a system holds on persons, as an integrated score reads it: for each person it
    holds records on, its standing on the record and the standing it would hold with perfect
    records (the truth), both in [0, 1] with 1 best, and why the record may stand below the
    truth (an index into ``WRONG_CAUSES``: the source's own error)."""

    ids: np.ndarray  # int64 global ids, sorted
    standing: np.ndarray  # float64, on the record
    truth: np.ndarray  # float64, with every event its rules name recorded on the right person
    cause: np.ndarray  # int64 index into WRONG_CAUSES

    @classmethod
    def concat(cls, parts: list[Holdings]) -> Holdings:
        """Several systems' or shards' holdings, in the given order."""
        if not parts:
            return cls(np.empty(0, np.int64), np.empty(0), np.empty(0), np.empty(0, np.int64))
        return cls(*(np.concatenate([getattr(h, k) for h in parts])
                     for k in ("ids", "standing", "truth", "cause")))


@dataclass(kw_only=True)
class LinkTotals(Totals):
    """Joint punishment carried out through one of a list's links, over one shard."""

    sanctioned: int
    sanctioned_wrongly: int
    restriction_person_days: int
    by_sanction: np.ndarray  # person-days by entry of SANCTIONS
    daily: dict[str, np.ndarray]  # "sanctioned" and "sanctioned_wrongly" a day

    def summary(self) -> JointPunishmentTotals:
        return JointPunishmentTotals(
            sanctioned=self.sanctioned, sanctioned_wrongly=self.sanctioned_wrongly,
            restriction_person_days=self.restriction_person_days,
            restriction_person_days_by_sanction=_by_name(SANCTIONS, self.by_sanction))


@dataclass(kw_only=True)
class SystemTotals(Totals):
    """What every system counts over the persons of one shard, and (``own``) what its kind
    counts besides; integers and integer arrays, which add up over shards."""

    covered: int
    scored: int
    records: int
    sanctioned: int
    wrong_by_cause: np.ndarray  # persons first wronged, by entry of WRONG_CAUSES
    rewarded: int
    restriction_person_days: int
    wrongful_person_days: int
    by_sanction: np.ndarray  # restriction person-days by entry of SANCTIONS
    by_reward: np.ndarray  # reward person-days by entry of REWARDS
    daily: dict[str, np.ndarray | None]  # by column of DAILY_COLUMNS (None: not its column)
    links: tuple[LinkTotals, ...] = ()  # joint punishment through each of its links
    by_role: np.ndarray | None = None  # persons sanctioned, by protest role (with protests)
    own: Totals = field(default_factory=Totals)

    def summary_fields(self) -> dict[str, Any]:
        """The shared fields of a system's summary entry, and the kind's own."""
        return {
            "covered": self.covered,
            "scored": self.scored,
            "records": self.records,
            "sanctioned": self.sanctioned,
            "sanctioned_wrongly": int(self.wrong_by_cause.sum()),
            "sanctioned_wrongly_by_cause": _by_name(WRONG_CAUSES, self.wrong_by_cause),
            "rewarded": self.rewarded,
            "restriction_person_days": self.restriction_person_days,
            "wrongful_person_days": self.wrongful_person_days,
            "restriction_person_days_by_sanction": _by_name(SANCTIONS, self.by_sanction),
            "reward_person_days_by_reward": _by_name(REWARDS, self.by_reward),
            **self.own.summary_fields(),
        }


def _by_name(names: tuple[str, ...], counts: np.ndarray) -> dict[str, int]:
    return {name: int(c) for name, c in zip(names, counts, strict=True)}


class SystemState(Tunable, ABC):
    """Base of a system kind over the persons of one shard: what the engine and the ledger
    call. A kind is one module: a ``Spec`` model (subclass of ``SystemSpec``), a ``Summary``
    model (subclass of ``SystemSummary``), a subclass of this class, and one line in
    ``systems/registry.py``.

    Per-person arrays come from the column table (``table``: what every system holds, then
    the kind's own ``columns``), allocated here as the attributes of their names; the same
    table sizes the memory estimate. Days are internal days (warm-up included); counters are
    written only for observed days ``warmup .. warmup + days - 1``, at index
    ``day - warmup``.
    """

    kind: ClassVar[str] = ""
    Spec: ClassVar[type[SystemSpec]] = SystemSpec
    Summary: ClassVar[type[SystemSummary]] = SystemSummary

    flags: np.ndarray  # SystemFlag bits per covered person

    @classmethod
    def columns(cls, spec: Any) -> tuple[Column, ...]:
        """The kind's own columns, per covered person (none here)."""
        return ()

    @classmethod
    def shared_columns(cls, spec: Any) -> tuple[Column, ...]:
        """The columns every system of this family holds (a base of kinds adds its own)."""
        return (FLAGS_COLUMN,)

    @classmethod
    def table(cls, spec: Any) -> tuple[Column, ...]:
        """Every per-person column: for the allocation, the memory estimate, the schedule's
        check that a run keeps its shape."""
        return (*cls.shared_columns(spec), *cls.columns(spec))

    def __init__(self, plan: Plan, system: SystemPlan, pop: Population, streams: Streams
                 ) -> None:
        self.name = system.name
        SystemState.configure(self, system.spec)
        self.streams = streams
        self.rng: dict[str, Stream] = {role: streams.claim(name)
                                       for role, name in system.streams.items()}
        self.warmup = plan.warmup
        self.pop = pop
        self.coverage = Coverage(system.ranges, pop.start, pop.stop)
        n = self.coverage.size
        self.daily = {k: np.zeros(plan.days, dtype=np.int64) for k in DAILY_COLUMNS}
        allocate_onto(self, self.table(system.spec), n)
        self.person_days_by_sanction = np.zeros(len(SANCTIONS), dtype=np.int64)
        self.person_days_by_reward = np.zeros(len(REWARDS), dtype=np.int64)
        self.wrong_by_cause = np.zeros(len(WRONG_CAUSES), dtype=np.int64)
        self.filings: list[np.ndarray] = []  # global ids filing an appeal today
        self._sanctions_anyone = False
        self.cases = CaseLog(plan.cases > 0)  # decisions on persons, for the case files
        self._event_index = {e: i for i, e in enumerate(plan.events)}

    @abstractmethod
    def step(self, day: int, events: dict[str, np.ndarray]) -> None:
        """Record today's events, decide, count (the records phase). ``events`` holds the
        persons of the events some system's spec names in ``events()`` (and of protests),
        each event's global ids ascending: the others are only counted."""

    @abstractmethod
    def resolve_appeals(self, day: int, ids: np.ndarray, won: np.ndarray) -> None:
        """Decisions of the appeal desk on persons of this shard (a won appeal corrects)."""

    def extremes(self, rows: slice, last_day: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Who holds the top and the bottom standing on ``last_day``, over some rows of the
        system's arrays (None: the kind has no such standing)."""
        return None, None

    def configure(self, spec: Any) -> None:
        """What every kind reads of its spec; a kind extends it with what it derives."""
        self.spec = spec
        self.appeals = spec.appeals

    @property
    def sanctions_anyone(self) -> bool:
        return self._sanctions_anyone

    def observed(self, day: int) -> int | None:
        """Index into the daily slots, or None during the warm-up."""
        return day - self.warmup if day >= self.warmup else None

    def _file_appeals(self, day: int, rows: np.ndarray, ids: np.ndarray) -> None:
        """Persons newly wronged today appeal with probability ``appeals.rate``."""
        if self.appeals is None or rows.size == 0:
            return
        waiting = (self.flags[rows] & IN_APPEAL) != 0
        rows, ids = rows[~waiting], ids[~waiting]
        filing = self.rng["appeal/file"].uniform(day, ids) < self.appeals.rate
        self.flags[rows[filing]] |= IN_APPEAL
        self.cases.add(day, ids[filing], caselog.APPEAL_FILED)
        self.filings.append(ids[filing])

    def take_filings(self) -> np.ndarray:
        ids = np.concatenate(self.filings) if self.filings else np.empty(0, dtype=np.int64)
        self.filings = []
        return ids

    def _mark_wrong(self, rows: np.ndarray, causes: np.ndarray, day: int) -> None:
        """Count persons wronged for the first time in the observed window, by cause."""
        if self.observed(day) is None or rows.size == 0:
            return
        first = (self.flags[rows] & EVER_WRONG) == 0
        self.flags[rows[first]] |= EVER_WRONG
        np.add.at(self.wrong_by_cause, causes[first], 1)
        self.cases.add(day, self.coverage.global_of(rows[first]), caselog.WRONG_FIRST,
                       causes[first])

    def _log_wrong(self, day: int, rows: np.ndarray, became: np.ndarray, ended: np.ndarray,
                   grade: np.ndarray | None = None) -> None:
        """For the case files: wrongful sanctions (or listings) that begin and end today
        (``grade``: the recorded grade of each of ``rows``)."""
        if not self.cases.on:
            return
        when = day + self.cases.late
        if np.count_nonzero(became):
            self.cases.add(when, self.coverage.global_of(rows[became]), caselog.WRONG_START,
                           grade[became] if grade is not None else -1)
        if np.count_nonzero(ended):
            self.cases.add(when, self.coverage.global_of(rows[ended]), caselog.WRONG_END)

    def _log_records(self, day: int, event: str, ids: np.ndarray, cause: np.ndarray,
                     source: np.ndarray) -> None:
        """For the case files: records written on persons (``ids``) who did not do the
        event (a false record; a namesake's, with whose it was)."""
        if not self.cases.on or not np.count_nonzero(cause):  # (most days: only true records)
            return
        wrong = cause != 0
        ids, cause, source = ids[wrong], cause[wrong], source[wrong]
        index = self._event_index[event]
        false = cause == 1
        self.cases.add(day, ids[false], caselog.RECORD_FALSE, index)
        self.cases.add(day, ids[~false], caselog.RECORD_NAMESAKE, index, source[~false])

    def case_recorders(self) -> list[Recorder]:
        """The recorders of the events its rules name (for the case files)."""
        return []

    def sanctioned_as(self, grade: int) -> str:
        """How the case files name a sanction taken at a recorded ``grade`` (-1: none)."""
        return ""

    def last_listing(self, person: int) -> list[tuple[int, str]]:
        """For the case files: what the system holds on a person at the end of the run, on
        the record and in truth, as (internal day, words) (none: the kind says nothing)."""
        return []

    def remedies(self, day: int, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """For the case files: when each person remedied their event of ``day`` in truth,
        and when the system learned of it (None: the kind does not wait for remedies)."""
        return None

    def coverage_segments(self) -> list[tuple[slice, int, int]]:
        return self.coverage.segments()

    def flag_column(self) -> np.ndarray:
        return self.flags

    def holdings(self, day: int) -> Holdings:
        """Persons with at least one record; a kind with a standing says what it is."""
        rows = np.flatnonzero(self.flags & SCORED)
        ones = np.ones(rows.size)
        return Holdings(self.coverage.global_of(rows), ones, ones,
                        np.full(rows.size, INCOMPLETE, dtype=np.int64))

    def daily_columns(self) -> dict[str, np.ndarray | None]:
        """Daily counts by column of ``DAILY_COLUMNS`` (None: not this kind's)."""
        return dict(self.daily)

    def link_totals(self) -> tuple[LinkTotals, ...]:
        """Joint punishment carried out through this system's links (none for most kinds)."""
        return ()

    def sanctioned_by_role(self, role: np.ndarray) -> np.ndarray:
        """Persons this system sanctioned, by their protest role: the precision of a system
        that takes protest records as events ("monitor and punish dissidents")."""
        counts = np.zeros(len(ROLES), dtype=np.int64)
        if self.sanctions_anyone:
            start = self.pop.start
            for rows, a, b in self.coverage.segments():
                hit = (self.flags[rows] & EVER_SANCTIONED) != 0
                counts += np.bincount(role[a - start:b - start][hit], minlength=len(ROLES))
        return counts

    def totals(self, roles: np.ndarray | None) -> SystemTotals:
        """What this shard counted, as plain data for the ledger (``roles``: each person's
        protest role, with protests)."""
        d = self.daily
        return SystemTotals(
            covered=self.coverage.size,
            scored=int(np.count_nonzero(self.flags & SCORED)),
            records=int(d["records"].sum()),
            sanctioned=int(np.count_nonzero(self.flags & EVER_SANCTIONED)),
            wrong_by_cause=self.wrong_by_cause.copy(),
            rewarded=int(np.count_nonzero(self.flags & EVER_REWARDED)),
            restriction_person_days=int(d["restriction_person_days"].sum()),
            wrongful_person_days=int(d["sanctioned_wrongly"].sum()),
            by_sanction=self.person_days_by_sanction.copy(),
            by_reward=self.person_days_by_reward.copy(),
            daily=self.daily_columns(),
            links=self.link_totals(),
            by_role=self.sanctioned_by_role(roles) if roles is not None else None,
            own=self.own_totals())

    def own_totals(self) -> Totals:
        """What the kind counts besides what every system counts (its summary fields)."""
        return Totals()
