"""A point system: base score, points per recorded event, grade bands, sanctions and rewards
by grade, caps, expiry of old records (credit repair), appeals.

The system keeps two scores per covered person: the score on its *record* (events it saw,
late, some false or on the wrong person) and the *truth* score (what it would hold had it
seen every event its rules name, on time and on the right person). A sanction is wrongful
when the recorded grade carries it and the true grade does not.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from ..core.columns import Column, allocate
from ..core.results import Totals
from ..core.streams import Streams
from ..population.generate import Population
from ..scenario.errors import short
from ..scenario.plan import Plan, SystemPlan
from ..scenario.schema import (
    AT_KEY,
    MAX_DAYS,
    MAX_ITEMS,
    REWARDS,
    SANCTIONS,
    AppealSpec,
    Jurisdiction,
    RecordRule,
    Reference,
    References,
    Reward,
    Sanction,
    SystemSpec,
    Text,
)
from .base import (
    EVER_REWARDED,
    EVER_SANCTIONED,
    FLAGS_COLUMN,
    HAS_FALSE,
    HAS_IDENTITY,
    IN_APPEAL,
    SCORED,
    WRONG_NOW,
    Holdings,
    SystemState,
)
from .records import FALSE_RECORD, IDENTITY, Recorder
from .summary import GradedSummary, SystemSummary


class PointRule(RecordRule):
    """A recorded event type and the points it is worth."""

    points: int = Field(ge=-10_000, le=10_000)



class PointsSystem(SystemSpec):
    """A local point system: everyone starts at ``base``; recorded events add points;
    the score falls into a grade band; some grades carry sanctions."""

    kind: Literal["points"]
    description: Text = ""
    jurisdiction: Jurisdiction
    base: int = Field(ge=-30_000, le=30_000)
    grades: dict[str, int] = Field(min_length=1, max_length=255)  # a grade is a byte
    rules: dict[str, PointRule] = Field(min_length=1, max_length=MAX_ITEMS)
    sanctions: dict[str, list[Sanction]] = Field(default_factory=dict, max_length=MAX_ITEMS)
    rewards: dict[str, list[Reward]] = Field(default_factory=dict, max_length=MAX_ITEMS)
    floor: int | None = Field(default=None, ge=-32_000, le=32_000)
    ceiling: int | None = Field(default=None, ge=-32_000, le=32_000)
    #: days after which a record's points lapse (credit repair); none: records never lapse
    expiry_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    appeals: AppealSpec | None = None

    #: the base is every score's start; grade names (and their order) fix the grade arrays
    FIXED: ClassVar[tuple[str, ...]] = ("jurisdiction", "base")

    def events(self) -> list[str]:
        return list(self.rules)

    def fixed_shape(self) -> tuple[Any, ...]:
        return tuple(self.grades)

    def references(self, name: str, refs: References) -> list[Reference]:
        bad: list[Reference] = []
        for event in self.rules:
            bad += refs.event(("systems", name, "rules", event, AT_KEY), event)
        for section in ("sanctions", "rewards"):
            for grade in getattr(self, section):
                if grade not in self.grades:
                    bad.append(Reference(("systems", name, section, grade, AT_KEY), (
                        f"unknown grade {short(grade)}; grades of this system: "
                        f"{', '.join(self.grades)}")))
        return bad

    @model_validator(mode="after")
    def _caps_ordered(self) -> PointsSystem:
        if self.floor is not None and self.ceiling is not None and self.floor > self.ceiling:
            raise ValueError(f"floor {self.floor} is above ceiling {self.ceiling}")
        return self

    @field_validator("grades")
    @classmethod
    def _grades_by_floor(cls, grades: dict[str, int]) -> dict[str, int]:
        """Grades are ordered by their floors, highest first, whatever order the keys were
        written in (a tool that sorts keys keeps the scenario valid); floors must differ."""
        ordered = dict(sorted(grades.items(), key=lambda item: -item[1]))
        floors = list(ordered.values())
        if any(a == b for a, b in itertools.pairwise(floors)):
            pairs = ", ".join(f"{k}: {v}" for k, v in ordered.items())
            raise ValueError(f"two grades have the same floor: {{{pairs}}}")
        return ordered


class PointsSummary(GradedSummary):
    """A point system's entry in the summary."""

    kind: Literal["points"]


@dataclass(kw_only=True)
class GradeTotals(Totals):
    """Persons per grade at the end, on the record and in truth (a graded kind's own)."""

    names: tuple[str, ...]  # the same in every shard
    grades: np.ndarray
    grades_truth: np.ndarray

    def summary_fields(self) -> dict[str, Any]:
        return {"grades": {g: int(c) for g, c in zip(self.names, self.grades, strict=True)},
                "grades_truth": {g: int(c) for g, c in
                                 zip(self.names, self.grades_truth, strict=True)}}


SCORE_MIN, SCORE_MAX = -32_000, 32_000
_CAUSE_FALSE, _CAUSE_IDENTITY, _CAUSE_INCOMPLETE = 0, 1, 3  # indices into WRONG_CAUSES


class PointsState(SystemState):
    """One point system over the persons of one shard."""

    kind: ClassVar[str] = "points"
    Spec: ClassVar[type[PointsSystem]] = PointsSystem
    Summary: ClassVar[type[SystemSummary]] = PointsSummary

    @classmethod
    def columns(cls, spec: Any) -> tuple[Column, ...]:
        return (Column("score", np.int16, spec.base), Column("truth", np.int16, spec.base),
                Column("grade", np.uint8, 0), FLAGS_COLUMN)

    def __init__(self, plan: Plan, system: SystemPlan, pop: Population, streams: Streams
                 ) -> None:
        super().__init__(plan, system, pop, streams)
        assert isinstance(system.spec, PointsSystem)
        spec = system.spec
        n = self.coverage.size
        columns = allocate(self.columns(spec)[:3], n)  # flags: allocated by the base
        self.score, self.truth = columns["score"], columns["truth"]
        self.configure(spec)
        base_grade = int(self.grade_of(np.array([spec.base]))[0])
        self.grade = columns["grade"]  # recorded grade now
        self.grade[:] = base_grade
        self.grade_counts = np.zeros(len(self.grade_names), dtype=np.int64)
        self.grade_counts[base_grade] = n
        self.now_sanctioned = n if self.grade_sanctioned[base_grade] else 0
        self.now_wrong = 0  # truth and record agree at the start
        self.became_wrong = 0  # wrongful episodes begun today
        # first sanctioned, and wrongful episodes begun, today by a scheduled change
        self.newly_retuned = self.became_retuned = 0
        # day -> pending changes (rows, record delta, truth delta, days until it lapses or 0)
        self.schedule: dict[int, list[tuple[np.ndarray, int, int, int]]] = defaultdict(list)

    def configure(self, spec: PointsSystem) -> None:
        """Caps, grade tables and the recorders of each rule, from the spec."""
        super().configure(spec)
        self.low = SCORE_MIN if spec.floor is None else spec.floor
        self.high = SCORE_MAX if spec.ceiling is None else spec.ceiling
        self.configure_grades(spec.grades, spec.sanctions, spec.rewards)
        self.recorders = [(event, rule.points, rule.delay,
                           Recorder(event, rule, self.coverage, self.pop, self.rng))
                          for event, rule in spec.rules.items()]

    def configure_grades(self, grades: dict[str, int], sanctions: dict[str, list[Sanction]],
                         rewards: dict[str, list[Reward]], extra: tuple[str, ...] = ()) -> None:
        """Grade floors (highest first) and what each grade carries; ``extra`` grades sit
        below the floors, carry nothing, and are given by a kind's own ``grade_of``."""
        self.grade_names = [*grades, *extra]
        floors = np.array(list(grades.values()), dtype=np.int64)
        self._floors_ascending = floors[::-1][1:]
        g = len(self.grade_names)
        self.grade_sanctions = np.zeros((g, len(SANCTIONS)), dtype=bool)
        for grade, kinds in sanctions.items():
            for s in kinds:
                self.grade_sanctions[self.grade_names.index(grade), SANCTIONS.index(s)] = True
        self.grade_rewards = np.zeros((g, len(REWARDS)), dtype=bool)
        for grade, perks in rewards.items():
            for r in perks:
                self.grade_rewards[self.grade_names.index(grade), REWARDS.index(r)] = True
        self.grade_sanctioned = np.asarray(self.grade_sanctions.any(axis=1), dtype=bool)
        self._sanctions_anyone = bool(self.grade_sanctioned.any())
        self.grade_rewarded = np.asarray(self.grade_rewards.any(axis=1), dtype=bool)

    def reconcile(self, day: int, old: PointsSystem) -> None:
        """New grade floors, caps, sanctions or rewards act at once: every covered person is
        clipped to the caps and regraded. New rules, points, delays and expiry act on the
        records made from ``day`` on."""
        spec = self.spec
        if (old.grades, old.sanctions, old.rewards, old.floor, old.ceiling) == (
                spec.grades, spec.sanctions, spec.rewards, spec.floor, spec.ceiling):
            return
        np.clip(self.score, self.low, self.high, out=self.score)
        np.clip(self.truth, self.low, self.high, out=self.truth)
        # count who is sanctioned now under the new tables, then move them between grades
        self.now_sanctioned = int(self.grade_sanctioned[self.grade].sum())
        before = self.became_wrong
        self.newly_retuned += self._regrade(np.arange(self.coverage.size), day)
        self.became_retuned += self.became_wrong - before

    def grade_of(self, score: np.ndarray) -> np.ndarray:
        """Grade index (0 = top grade) for each score; below the lowest floor is the bottom."""
        return (self._floors_ascending.size
                - np.searchsorted(self._floors_ascending, score, side="right"))

    def step(self, day: int, events: dict[str, np.ndarray]) -> None:
        """Record today's events, apply what falls due, re-grade the persons touched."""
        records = 0
        expiry = self.spec.expiry_days
        for event, points, delay, recorder in self.recorders:
            batch = recorder.record(day, events.get(event))
            if batch.truth_rows.size and points:  # an entry without d_truth is a record's
                self.schedule[day].append((batch.truth_rows, 0, points, 0))
                if expiry is not None:
                    self.schedule[day + expiry].append((batch.truth_rows, 0, -points, 0))
            if batch.rows.size:
                records += batch.rows.size
                self.flags[batch.rows[batch.cause == FALSE_RECORD]] |= HAS_FALSE
                self.flags[batch.rows[batch.cause == IDENTITY]] |= HAS_IDENTITY
                self.schedule[day + delay].append((batch.rows, points, 0, expiry or 0))
        touched = []
        for rows, d_record, d_truth, lapses in self.schedule.pop(day, []):
            # a person may hold two records of one kind on one day (a false one and a true
            # one, a namesake's): add each, not once per person
            rows, times = np.unique(rows, return_counts=True)
            if not d_truth:  # a record reached the system (one worth no points too)
                self.flags[rows] |= SCORED
            if d_record:
                self.score[rows] = np.clip(self.score[rows].astype(np.int32) + d_record * times,
                                           self.low, self.high)
                if lapses:  # the expiry in force when the record was made
                    self.schedule[day + lapses].append(
                        (np.repeat(rows, times), -d_record, 0, 0))
            if d_truth:
                self.truth[rows] = np.clip(self.truth[rows].astype(np.int32) + d_truth * times,
                                           self.low, self.high)
            touched.append(rows)
        self.became_wrong, self.became_retuned = self.became_retuned, 0
        newly = self._regrade(np.unique(np.concatenate(touched)), day) if touched else 0
        newly, self.newly_retuned = newly + self.newly_retuned, 0
        if day == self.warmup:
            newly = self._open_window(day)
        self._count(day, records, newly)

    def _regrade(self, rows: np.ndarray, day: int) -> int:
        """Move persons between grades; return how many are sanctioned for the first time."""
        old = self.grade[rows]
        new = self.grade_of(self.score[rows]).astype(np.uint8)
        truth = self.grade_of(self.truth[rows])
        self.grade[rows] = new
        np.subtract.at(self.grade_counts, old, 1)
        np.add.at(self.grade_counts, new, 1)
        is_sanctioned = self.grade_sanctioned[new]
        self.now_sanctioned += int(is_sanctioned.sum()) - int(self.grade_sanctioned[old].sum())
        # wrong: the recorded grade carries a sanction that the true grade does not
        wrong_now = (self.grade_sanctions[new] & ~self.grade_sanctions[truth]).any(axis=1)
        flags = self.flags[rows]
        was_wrong = (flags & WRONG_NOW) != 0
        self.now_wrong += int(wrong_now.sum()) - int(was_wrong.sum())
        self.flags[rows] = np.where(wrong_now, flags | WRONG_NOW, flags & ~WRONG_NOW)
        became = wrong_now & ~was_wrong
        self.became_wrong += int(became.sum())
        if became.any():
            b_rows = rows[became]
            self._mark_wrong(b_rows, self._causes(b_rows), day)
            self._file_appeals(day, b_rows, self.coverage.global_of(b_rows))
        if self.observed(day) is None:
            return 0
        first = is_sanctioned & ((flags & EVER_SANCTIONED) == 0)
        self.flags[rows[first]] |= EVER_SANCTIONED
        self.flags[rows[self.grade_rewarded[new]]] |= EVER_REWARDED
        return int(first.sum())

    def _causes(self, rows: np.ndarray) -> np.ndarray:
        flags = self.flags[rows]
        return np.where((flags & HAS_IDENTITY) != 0, _CAUSE_IDENTITY,
                        np.where((flags & HAS_FALSE) != 0, _CAUSE_FALSE, _CAUSE_INCOMPLETE))

    def _open_window(self, day: int) -> int:
        """On the first observed day, everyone sanctioned, wronged or rewarded counts."""
        sanctioned = np.flatnonzero(self.grade_sanctioned[self.grade])
        first = sanctioned[(self.flags[sanctioned] & EVER_SANCTIONED) == 0]
        self.flags[first] |= EVER_SANCTIONED
        self.flags[self.grade_rewarded[self.grade]] |= EVER_REWARDED
        wrong = np.flatnonzero(self.flags & WRONG_NOW)
        self._mark_wrong(wrong, self._causes(wrong), day)
        return int(np.count_nonzero(self.flags & EVER_SANCTIONED))

    def _count(self, day: int, records: int, newly: int) -> None:
        i = self.observed(day)
        if i is None:
            return
        d = self.daily
        d["records"][i] = records
        d["newly_sanctioned"][i] = newly
        d["newly_wronged"][i] = self.became_wrong
        d["sanctioned"][i] = self.now_sanctioned
        d["sanctioned_wrongly"][i] = self.now_wrong
        d["restriction_person_days"][i] = self.now_sanctioned
        d["rewarded"][i] = int(self.grade_counts[self.grade_rewarded].sum())
        self.person_days_by_sanction += self.grade_counts @ self.grade_sanctions
        self.person_days_by_reward += self.grade_counts @ self.grade_rewards

    def resolve_appeals(self, day: int, ids: np.ndarray, won: np.ndarray) -> None:
        """Appeals decided today: a won appeal corrects the record to the truth."""
        rows = self.coverage.local(ids)
        self.flags[rows] &= ~IN_APPEAL
        fixed = rows[won]
        if fixed.size:
            self.score[fixed] = self.truth[fixed]
            self.flags[fixed] &= ~(HAS_FALSE | HAS_IDENTITY)
            self._follow_truth(fixed, day)
            newly = self._regrade(fixed, day)
            i = self.observed(day)
            if i is not None:
                self.daily["newly_sanctioned"][i] += newly

    def _follow_truth(self, fixed: np.ndarray, day: int) -> None:
        """After a correction the record must move as the truth does: pending record changes
        of the corrected persons are dropped, and the truth's pending changes (records still
        on their way, points about to lapse) are copied to their record."""
        for when in [d for d in self.schedule if d > day]:
            kept = []
            for rows, d_record, d_truth, lapses in self.schedule[when]:
                if d_record:
                    rows = rows[~np.isin(rows, fixed)]
                    if rows.size:
                        kept.append((rows, d_record, d_truth, lapses))
                    continue
                kept.append((rows, d_record, d_truth, lapses))
                mirror = rows[np.isin(rows, fixed)]
                if mirror.size:
                    kept.append((mirror, d_truth, 0, 0))
            self.schedule[when] = kept

    def daily_columns(self) -> dict[str, np.ndarray | None]:
        return {**self.daily, "listed": None}

    def holdings(self, day: int) -> Holdings:
        """Persons with a record, standing by grade (top 1, bottom 0): the recorded grade,
        and the true score's grade as the truth."""
        rows = np.flatnonzero(self.flags & SCORED)
        bands = max(self._floors_ascending.size, 1)
        truth = self.grade_of(self.truth[rows])
        return Holdings(self.coverage.global_of(rows), 1.0 - self.grade[rows] / bands,
                        1.0 - truth / bands, self._causes(rows).astype(np.int64))

    def extremes(self, rows: slice, last_day: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Top and bottom grade (a system with one grade has neither)."""
        if len(self.grade_names) < 2:
            return None, None
        grade = self.grade[rows]
        return grade == 0, grade == len(self.grade_names) - 1

    def own_totals(self) -> GradeTotals:
        """Persons per grade at the end (integers only, so shards add up exactly)."""
        truth_counts = np.bincount(self.grade_of(self.truth), minlength=len(self.grade_names))
        return GradeTotals(names=tuple(self.grade_names), grades=self.grade_counts.copy(),
                           grades_truth=truth_counts.astype(np.int64))
