"""What point systems and financial scores share: a score per covered person on the record
and in truth, graded into bands that carry sanctions and rewards.

A graded kind keeps two scores (``score``, ``truth``) and the recorded ``grade`` (its base
allocates them from the table, each kind says what a score starts at); it moves persons
between grades after each day's records (``_regrade``), counts who is sanctioned or wronged
by grade, and hands over the persons per grade at the end. A sanction is wrongful when the
recorded grade carries it and the true grade does not.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.columns import Column
from ..core.results import Totals
from ..core.streams import Streams
from ..population.generate import Population
from ..scenario.plan import Plan, SystemPlan
from ..scenario.schema import REWARDS, SANCTIONS, Reward, Sanction
from .base import (
    EVER_REWARDED,
    EVER_SANCTIONED,
    HAS_FALSE,
    HAS_IDENTITY,
    WRONG_NOW,
    SystemState,
)

_CAUSE_FALSE, _CAUSE_IDENTITY, _CAUSE_INCOMPLETE = 0, 1, 3  # indices into WRONG_CAUSES


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


class GradedState(SystemState):
    """Base of a graded kind over the persons of one shard (see the module docstring)."""

    score: np.ndarray  # on the record
    truth: np.ndarray  # with every event its rules name, on time and on the right person
    grade: np.ndarray  # recorded grade now (0: the top)
    low: int  # the scores' range (a kind's caps)
    high: int

    @classmethod
    @abstractmethod
    def start_score(cls, spec: Any) -> int:
        """What every score starts at (a kind's)."""

    @classmethod
    def shared_columns(cls, spec: Any) -> tuple[Column, ...]:
        start = cls.start_score(spec)
        return (*super().shared_columns(spec), Column("score", np.int16, start),
                Column("truth", np.int16, start), Column("grade", np.uint8, 0))

    def __init__(self, plan: Plan, system: SystemPlan, pop: Population, streams: Streams
                 ) -> None:
        super().__init__(plan, system, pop, streams)
        self.configure(system.spec)
        self.start_scores()
        self.grade[:] = self.grade_of(self.score).astype(np.uint8)
        self.grade_counts = np.bincount(self.grade, minlength=len(self.grade_names)
                                        ).astype(np.int64)
        self.now_sanctioned = int(self.grade_sanctioned[self.grade].sum())
        self.now_wrong = 0  # truth and record agree at the start
        self.became_wrong = 0  # wrongful episodes begun today
        # first sanctioned, and wrongful episodes begun, today by a scheduled change
        self.newly_retuned = self.became_retuned = 0

    def start_scores(self) -> None:
        """Scores on the first day, before anyone is graded (a kind's; here: the start)."""

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
        #: [recorded grade, true grade]: the recorded grade carries a sanction the true does not
        self.grade_wrong = np.asarray((self.grade_sanctions[:, None, :]
                                       & ~self.grade_sanctions[None, :, :]).any(axis=2),
                                      dtype=bool)
        self._sanctions_anyone = bool(self.grade_sanctioned.any())
        self.grade_rewarded = np.asarray(self.grade_rewards.any(axis=1), dtype=bool)
        self._rewards_anyone = bool(self.grade_rewarded.any())

    def grade_of(self, score: np.ndarray) -> np.ndarray:
        """Grade index (0 = top grade) for each score; below the lowest floor is the bottom."""
        floors = self._floors_ascending
        if floors.size > 8 or score.size < 1024:  # (a day's few regraded persons)
            return floors.size - floors.searchsorted(score, side="right")
        # the grade is the number of floors above the score: over many scores, a few
        # comparisons cost less than a binary search per score (and no cast of the scores
        # to the floors' type)
        grade = np.zeros(score.shape, dtype=np.uint8)
        for floor in floors.tolist():
            grade += score < floor
        return grade

    def _regrade_everyone(self, day: int) -> None:
        """After new grade tables: everyone regraded, counted as the day's scheduled change."""
        self.now_sanctioned = int(self.grade_sanctioned[self.grade].sum())
        before = self.became_wrong
        self.newly_retuned += self._regrade(np.arange(self.coverage.size), day)
        self.became_retuned += self.became_wrong - before

    def _close_day(self, day: int, rows: np.ndarray, records: int) -> None:
        """Regrade the persons whose scores moved today and count the day."""
        self.became_wrong, self.became_retuned = self.became_retuned, 0
        newly = self._regrade(rows, day) if rows.size else 0
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
        g = self.grade_counts.size
        moved = new != old  # (most scores move within their grade: count only the others)
        if np.count_nonzero(moved):
            self.grade_counts += (np.bincount(new[moved], minlength=g)
                                  - np.bincount(old[moved], minlength=g))
        # (the counts by grade hold everyone: who is sanctioned follows from them)
        self.now_sanctioned = int(self.grade_counts[self.grade_sanctioned].sum())
        # wrong: the recorded grade carries a sanction that the true grade does not
        # (a lookup in the flattened table: a tenth of the cost of indexing it by two arrays)
        wrong_now = np.take(self.grade_wrong.ravel(), new.astype(np.intp) * g + truth)
        flags = self.flags[rows]
        was_wrong = (flags & WRONG_NOW) != 0
        self.now_wrong += int(np.count_nonzero(wrong_now)) - int(np.count_nonzero(was_wrong))
        self.flags[rows] = np.where(wrong_now, flags | WRONG_NOW, flags & ~WRONG_NOW)
        became = wrong_now & ~was_wrong
        self._log_wrong(day, rows, became, was_wrong & ~wrong_now, new)
        became_now = int(np.count_nonzero(became))
        self.became_wrong += became_now
        if became_now:
            b_rows = rows[became]
            self._mark_wrong(b_rows, self._causes(b_rows), day)
            self._file_appeals(day, b_rows, self.coverage.global_of(b_rows))
        if self.observed(day) is None:
            return 0
        first = self.grade_sanctioned[new] & ((flags & EVER_SANCTIONED) == 0)
        self.flags[rows[first]] |= EVER_SANCTIONED
        if self._rewards_anyone:
            self.flags[rows[self.grade_rewarded[new]]] |= EVER_REWARDED
        return int(np.count_nonzero(first))

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

    def sanctioned_as(self, grade: int) -> str:
        """The recorded grade and what it carries."""
        carried = [s for s, on in zip(SANCTIONS, self.grade_sanctions[grade], strict=True) if on]
        return f"grade {self.grade_names[grade]} on the record ({', '.join(carried) or 'no sanction'})"

    def daily_columns(self) -> dict[str, np.ndarray | None]:
        return {**self.daily, "listed": None}

    def own_totals(self) -> GradeTotals:
        """Persons per grade at the end (integers only, so shards add up exactly)."""
        truth_counts = np.bincount(self.grade_of(self.truth), minlength=len(self.grade_names))
        return GradeTotals(names=tuple(self.grade_names), grades=self.grade_counts.copy(),
                           grades_truth=truth_counts.astype(np.int64))
