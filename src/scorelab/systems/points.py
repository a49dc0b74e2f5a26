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
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from ..core.calendar import sorted_unique
from ..core.streams import Streams
from ..population.generate import Population
from ..scenario.errors import short
from ..scenario.plan import Plan, SystemPlan
from ..scenario.schema import (
    AT_KEY,
    MAX_DAYS,
    MAX_ITEMS,
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
    HAS_FALSE,
    HAS_IDENTITY,
    IN_APPEAL,
    SCORED,
    Holdings,
)
from .graded import GradedState
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
    #: floors within the range a score can take (scores are 16-bit, clipped to +-32,000)
    grades: dict[str, Annotated[int, Field(ge=-32_000, le=32_000)]] = Field(
        min_length=1, max_length=255)  # a grade is a byte
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


SCORE_MIN, SCORE_MAX = -32_000, 32_000
_CAUSE_FALSE, _CAUSE_IDENTITY, _CAUSE_INCOMPLETE = 0, 1, 3  # indices into WRONG_CAUSES


class PointsState(GradedState):
    """One point system over the persons of one shard."""

    kind: ClassVar[str] = "points"
    Spec: ClassVar[type[PointsSystem]] = PointsSystem
    Summary: ClassVar[type[SystemSummary]] = PointsSummary
    spec: PointsSystem

    @classmethod
    def start_score(cls, spec: Any) -> int:
        """Everyone starts at the base."""
        return int(spec.base)

    def __init__(self, plan: Plan, system: SystemPlan, pop: Population, streams: Streams
                 ) -> None:
        super().__init__(plan, system, pop, streams)
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

    def case_recorders(self) -> list[Recorder]:
        return [recorder for *_, recorder in self.recorders]

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
        self._regrade_everyone(day)

    def step(self, day: int, events: dict[str, np.ndarray]) -> None:
        """Record today's events, apply what falls due, re-grade the persons touched."""
        records = 0
        expiry = self.spec.expiry_days
        for event, points, delay, recorder in self.recorders:
            batch = recorder.record(day, events.get(event))
            self._log_records(day, event, batch.ids, batch.cause, batch.source_ids)
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
            rows, times = _counted(rows)
            if not d_truth:  # a record reached the system (one worth no points too)
                self.flags[rows] |= SCORED
            if d_record:
                self.score[rows] = self._moved(self.score[rows], d_record * times)
                if lapses:  # the expiry in force when the record was made
                    self.schedule[day + lapses].append(
                        (np.repeat(rows, times), -d_record, 0, 0))
            if d_truth:
                self.truth[rows] = self._moved(self.truth[rows], d_truth * times)
            touched.append(rows)
        # (each ascending and unique: the truth's and the record's rows are often the same)
        same = all(np.array_equal(t, touched[0]) for t in touched[1:])
        moved = touched[0] if touched and same else sorted_unique(touched)
        self._close_day(day, moved, records)

    def _moved(self, scores: np.ndarray, delta: np.ndarray | int) -> np.ndarray:
        """Scores moved by ``delta`` points and held within the caps (``np.clip`` in place,
        without its wrapper: this runs for every record on every day)."""
        moved = scores.astype(np.int32)
        moved += delta
        np.maximum(moved, self.low, out=moved)
        return np.minimum(moved, self.high, out=moved)

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


def _counted(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | int]:
    """Rows ascending and unique, and how many times each came (``np.unique`` with counts;
    a day's rows mostly come ascending and once, which one comparison tells)."""
    if rows.size < 2 or not np.count_nonzero(rows[1:] <= rows[:-1]):
        return rows, 1
    out, times = np.unique(rows, return_counts=True)
    return out, times
