"""The integrated national score as a global part of a run (the driver holds it).

On linkage days the shards hand over their sources' identity records and standings; the
integrator puts them in one canonical order (source, then person), links them with splink,
assesses the clusters and holds the composite's sanctions until the next linkage. What it
counts is plain integers and shares, the same for any split of the persons and any backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..records.identity import IdentityRecords
from ..scenario.plan import Plan
from ..scenario.schema import SANCTIONS
from .composite import assess
from .linkage import link


class Integrator:
    """Links, scores and sanctions; counts restriction person-days between linkages."""

    def __init__(self, plan: Plan, threads: int | None = None) -> None:
        spec = plan.scenario.integration
        assert spec is not None
        self.spec = spec
        self.seed = plan.seed
        self.warmup = plan.warmup
        self.last_day = plan.total_days - 1
        self.threads = threads
        sources = list(spec.sources)
        self.weights = np.array([spec.weights.get(s, 0.0) for s in sources])
        self.floors = np.array(list(spec.grades.values()), dtype=np.int64)
        grades = list(spec.grades)
        self.grade_sanctions = np.zeros((len(grades), len(SANCTIONS)), dtype=bool)
        for grade, kinds in spec.sanctions.items():
            for kind in kinds:
                self.grade_sanctions[grades.index(grade), SANCTIONS.index(kind)] = True
        self.sanctioned_grade = np.asarray(self.grade_sanctions.any(axis=1), dtype=bool)
        self.linkages = 0
        self.sanctioned_now = 0
        self.person_days = 0
        self.ever: np.ndarray = np.empty(0, dtype=np.int64)  # ids ever sanctioned (reported)
        self.last: dict[str, Any] = {}

    def due(self, day: int) -> bool:
        """A linkage day: every ``every_days`` reported days, and the last day."""
        if day < self.warmup:
            return False
        every = self.spec.every_days
        return day == self.last_day or (every is not None and (day - self.warmup + 1) % every == 0)

    def link(self, day: int, parts: list[tuple[IdentityRecords, np.ndarray]]) -> None:
        """Link today's records of all shards and apply the composite's sanctions."""
        records = IdentityRecords.concat([r for r, _ in parts])
        standing = np.concatenate([s for _, s in parts]) if parts else np.empty(0)
        order = np.lexsort((records.person, records.source))
        records = IdentityRecords(**{k: v[order] for k, v in vars(records).items()})
        standing = standing[order]
        clusters = link(records, self.spec.linkage, self.seed, self.threads)
        result = assess(records.person, records.source.astype(np.int64), standing,
                        clusters.cluster, self.weights, self.floors, self.sanctioned_grade)
        self.linkages += 1
        self.sanctioned_now = result.counts["sanctioned"]
        self.ever = np.union1d(self.ever, result.sanctioned_ids)
        self.last = {**result.counts, "pairs_matched": clusters.pairs_matched,
                     "precision": result.precision, "recall": result.recall, "f1": result.f1}

    def count(self, day: int) -> None:
        """Restriction person-days of the reported days."""
        if day >= self.warmup:
            self.person_days += self.sanctioned_now

    def summary(self) -> dict[str, Any]:
        return {"linkages": self.linkages, "sanctioned_ever": int(self.ever.size),
                "restriction_person_days": self.person_days, **self.last}
