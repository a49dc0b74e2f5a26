"""A point system: base score, points per recorded event, grade bands, sanctions by grade.

The system keeps two scores per covered person: the score on its *record* (events it saw,
with coverage below one) and the *truth* score (what it would hold had it seen every event
its rules name). A sanction is wrongful when the recorded grade carries it and the true grade
does not: the decision has no truth behind it.
"""

from __future__ import annotations

import numpy as np

from ..engine.streams import Streams
from ..population.generate import Population
from ..scenario.schema import SANCTIONS, PointsSystem
from .jurisdiction import Coverage

SCORE_MIN, SCORE_MAX = -32_000, 32_000


class PointsState:
    """One point system over the persons of one shard. Counters are per day, added up later."""

    kind = "points"

    def __init__(self, name: str, spec: PointsSystem, pop: Population, streams: Streams,
                 days: int) -> None:
        self.name = name
        self.spec = spec
        self.streams = streams
        self.coverage = Coverage(spec.jurisdiction, pop.geography, pop.start, pop.stop)
        n = self.coverage.size
        self.score = np.full(n, spec.base, dtype=np.int16)
        self.truth = np.full(n, spec.base, dtype=np.int16)
        self.scored = np.zeros(n, dtype=bool)
        self.ever_sanctioned = np.zeros(n, dtype=bool)
        self.ever_wrong = np.zeros(n, dtype=bool)
        self.grade_names = list(spec.grades)
        # grades ordered high to low; searchsorted wants ascending floors
        floors = np.array(list(spec.grades.values()), dtype=np.int64)
        self._floors_ascending = floors[::-1][1:]
        self.grade_sanctions = np.zeros((len(self.grade_names), len(SANCTIONS)), dtype=bool)
        for grade, kinds in spec.sanctions.items():
            g = self.grade_names.index(grade)
            for s in kinds:
                self.grade_sanctions[g, SANCTIONS.index(s)] = True
        self.grade_sanctioned = np.asarray(self.grade_sanctions.any(axis=1), dtype=bool)
        base_grade = int(self.grade_of(np.array([spec.base]))[0])
        self._grade_cache = np.full(n, base_grade, dtype=np.uint8)  # recorded grade now
        self._wrong_cache = np.zeros(n, dtype=bool)  # wrongly sanctioned now
        self.grade_counts = np.zeros(len(self.grade_names), dtype=np.int64)
        self.grade_counts[base_grade] = n
        base_sanctioned = bool(self.grade_sanctioned[base_grade])
        self.ever_sanctioned[:] = base_sanctioned
        self.now_sanctioned = n if base_sanctioned else 0
        self.now_wrong = 0  # truth and record agree at the start
        self._rules = [(event, rule.coverage, rule.points, f"system/{name}/record/{event}")
                       for event, rule in spec.rules.items()]
        self.daily = {k: np.zeros(days, dtype=np.int64) for k in
                      ("records", "sanctioned", "sanctioned_wrongly", "newly_sanctioned",
                       "restriction_person_days")}
        self.person_days_by_sanction = np.zeros(len(SANCTIONS), dtype=np.int64)

    def grade_of(self, score: np.ndarray) -> np.ndarray:
        """Grade index (0 = top grade) for each score; below the lowest floor is the bottom."""
        return (len(self.grade_names) - 1
                - np.searchsorted(self._floors_ascending, score, side="right"))

    def step(self, day: int, events: dict[str, np.ndarray]) -> None:
        """Record today's events, re-grade the persons touched, count sanctions."""
        touched: list[np.ndarray] = []
        records = 0
        for event, coverage, points, stream in self._rules:
            ids = events.get(event)
            if ids is None or ids.size == 0:
                continue
            rows = self.coverage.local(ids)
            inside = rows >= 0
            rows, ids = rows[inside], ids[inside]
            if rows.size == 0:
                continue
            seen = self.streams.uniform(stream, day, ids) < coverage
            self.truth[rows] = np.clip(self.truth[rows].astype(np.int32) + points,
                                       SCORE_MIN, SCORE_MAX)
            recorded = rows[seen]
            self.score[recorded] = np.clip(self.score[recorded].astype(np.int32) + points,
                                           SCORE_MIN, SCORE_MAX)
            self.scored[recorded] = True
            records += recorded.size
            touched.append(rows)
        newly = 0
        if touched:
            rows = np.unique(np.concatenate(touched))
            newly = self._regrade(rows)
        d = self.daily
        d["records"][day] = records
        d["newly_sanctioned"][day] = newly
        d["sanctioned"][day] = self.now_sanctioned
        d["sanctioned_wrongly"][day] = self.now_wrong
        d["restriction_person_days"][day] = self.now_sanctioned
        self.person_days_by_sanction += self.grade_counts @ self.grade_sanctions

    def _regrade(self, rows: np.ndarray) -> int:
        """Move touched persons between grades; return how many are sanctioned for the first time."""
        old = self._grade_cache[rows]
        new = self.grade_of(self.score[rows]).astype(np.uint8)
        truth = self.grade_of(self.truth[rows])
        self._grade_cache[rows] = new
        np.subtract.at(self.grade_counts, old, 1)
        np.add.at(self.grade_counts, new, 1)
        was_sanctioned = self.grade_sanctioned[old]
        is_sanctioned = self.grade_sanctioned[new]
        # wrong: the recorded grade carries a sanction that the true grade does not
        wrong_now = (self.grade_sanctions[new] & ~self.grade_sanctions[truth]).any(axis=1)
        was_wrong = self._wrong_cache[rows]
        self._wrong_cache[rows] = wrong_now
        self.now_sanctioned += int(is_sanctioned.sum()) - int(was_sanctioned.sum())
        self.now_wrong += int(wrong_now.sum()) - int(was_wrong.sum())
        first = is_sanctioned & ~self.ever_sanctioned[rows]
        self.ever_sanctioned[rows[first]] = True
        self.ever_wrong[rows[wrong_now]] = True
        return int(first.sum())

    def summary(self) -> dict[str, object]:
        """Shard totals (integers only, so shards add up exactly)."""
        truth_counts = np.bincount(self.grade_of(self.truth), minlength=len(self.grade_names))
        return {
            "covered": self.coverage.size,
            "scored": int(self.scored.sum()),
            "records": int(self.daily["records"].sum()),
            "sanctioned": int(self.ever_sanctioned.sum()),
            "sanctioned_wrongly": int(self.ever_wrong.sum()),
            "restriction_person_days": int(self.daily["restriction_person_days"].sum()),
            "restriction_person_days_by_sanction": {
                s: int(v) for s, v in zip(SANCTIONS, self.person_days_by_sanction)},
            "grades": {g: int(c) for g, c in zip(self.grade_names, self.grade_counts)},
            "grades_truth": {g: int(c) for g, c in zip(self.grade_names, truth_counts)},
        }
