"""The integrated national score as a global part of a run (the driver holds it).

On linkage days the shards hand over their sources' identity records and what each source
holds on each person (on the record and in truth); the integrator puts them in one canonical
order (source, then person), links them with splink, assesses the clusters and holds the
composite's sanctions until the next linkage. It audits the composite as the ledger audits
any system (sanctioned, wrongly and why, person-days by sanction, daily counts), so the
composite sits among the systems of the summary. What it counts is plain integers and sorted
id arrays, the same for any split of the persons and any backend.

A source's record of a person is written once, when the source first hands the person over,
and kept as written for as long as it keeps holding them (a clerk's typo stays in the file; a
person dropped and taken on again gets a fresh record). So between two linkages the records
that change are the new ones, and an incremental linkage (``relink: incremental``) links only
those against the clusters it keeps, with the model trained at the first linkage (or the last
full re-link).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core import caselog
from ..core.caselog import CaseLog
from ..core.progress import Report, stages
from ..core.results import kind_of
from ..records.identity import FIELDS, IdentityRecords
from ..scenario.plan import Plan
from ..scenario.schema import REWARDS, SANCTIONS
from ..systems.base import DAILY_COLUMNS, Holdings
from .composite import CAUSES, assess
from .linkage import NEW_STAGES, link, link_new, stage_names
from .summary import CompositeSummary, IntegrationTotals

#: the daily columns a composite fills (the others of ``DAILY_COLUMNS`` are a list's or zero)
COUNTED = ("records", "sanctioned", "sanctioned_wrongly", "newly_sanctioned", "newly_wronged",
           "restriction_person_days")


KIND = kind_of(CompositeSummary)


class Integrator:
    """Links, scores and sanctions; counts like a system between linkages."""

    def __init__(self, plan: Plan, threads: int | None = None) -> None:
        assert plan.integration is not None
        spec = plan.integration.spec
        self.spec = spec
        self.name = spec.name
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
        self.jurisdiction = "linked sources: " + ", ".join(sources)
        self.covered = _union_size([r for i in plan.integration.sources
                                    for r in plan.systems[i].ranges])
        self.linkages = 0
        self.sanctioned_now = 0
        self.wrong_now = 0
        self.person_days = 0
        self.now_by_sanction = np.zeros(len(SANCTIONS), dtype=np.int64)
        self.person_days_by_sanction = np.zeros(len(SANCTIONS), dtype=np.int64)
        empty = np.empty(0, dtype=np.int64)
        self.ever: np.ndarray = empty  # ids ever sanctioned (reported days)
        self.ever_wrong: np.ndarray = empty.copy()  # ids ever sanctioned wrongly
        self.wrong_held: np.ndarray = empty.copy()  # ids under a wrongful sanction now
        self.scored: np.ndarray = empty.copy()  # ids any source ever handed over
        self.wrong_by_cause = np.zeros(len(CAUSES), dtype=np.int64)
        self.grades = np.zeros(len(grades), dtype=np.int64)
        self.grades_truth = np.zeros(len(grades), dtype=np.int64)
        self.daily = {k: np.zeros(plan.days, dtype=np.int64) for k in COUNTED}
        self.last: dict[str, Any] = {}
        self.cases = CaseLog(plan.cases > 0)  # its wrongful sanctions, for the case files
        # the records as first written, by key (source, person), and their clusters
        self.kept_key: np.ndarray = empty.copy()
        self.kept: dict[str, np.ndarray] = {}
        self.kept_cluster: np.ndarray = empty.copy()
        self.model = ""  # the trained linkage model (JSON), once trained

    def due(self, day: int) -> bool:
        """A linkage day: every ``every_days`` reported days, and the last day."""
        return self.spec.is_linkage_day(day, self.warmup, self.last_day + 1)

    def link(self, day: int, fetch: Callable[[], list[tuple[IdentityRecords, Holdings]]],
             report: Report | None = None) -> None:
        """Link today's records of all shards (``fetch`` gathers them), apply the composite's
        sanctions and audit them against the truth; ``report`` is told each stage (a linkage
        of many records takes a while)."""
        full = self.spec.full_relink(self.linkages) or not self.model
        linking = stage_names(self.spec.linkage) if full else list(NEW_STAGES)
        names = ["gathering records", *linking, "auditing"]
        with stages(report, f"linking records, day {day + 1}", names) as stage:
            stage(names[0])
            parts = fetch()
            records = IdentityRecords.concat([r for r, _ in parts])
            held = Holdings.concat([h for _, h in parts])
            order = np.lexsort((records.person, records.source))
            records, previous = self._keep(
                IdentityRecords(**{k: v[order] for k, v in vars(records).items()}))
            if full:
                clusters = link(records, self.spec.linkage, self.seed, self.threads, stage)
            else:
                clusters = link_new(records, previous, self.model, self.spec.linkage,
                                    self.threads, stage)
            self.model = clusters.model or self.model
            self.kept_cluster = clusters.cluster
            stage(names[-1])
            result = assess(records.person, records.source.astype(np.int64),
                            held.standing[order], clusters.cluster, self.weights, self.floors,
                            self.grade_sanctions, held.truth[order], held.cause[order])
        self.linkages += 1
        i = day - self.warmup  # linkages fall on reported days only
        daily = self.daily
        daily["records"][i] += len(records)
        daily["newly_sanctioned"][i] += np.setdiff1d(result.sanctioned_ids, self.ever,
                                                     assume_unique=True).size
        daily["newly_wronged"][i] += np.setdiff1d(result.wrong_ids, self.wrong_held,
                                                  assume_unique=True).size
        first = ~np.isin(result.wrong_ids, self.ever_wrong, assume_unique=True)
        self.wrong_by_cause += np.bincount(result.wrong_cause[first], minlength=len(CAUSES))
        self._log(day, result.wrong_ids, result.wrong_cause, first)
        self.ever = np.union1d(self.ever, result.sanctioned_ids)
        self.ever_wrong = np.union1d(self.ever_wrong, result.wrong_ids)
        self.scored = np.union1d(self.scored, result.persons)
        self.wrong_held = result.wrong_ids
        self.sanctioned_now = result.counts["sanctioned"]
        self.wrong_now = int(result.wrong_ids.size)
        self.now_by_sanction = result.by_sanction
        self.grades, self.grades_truth = result.grades, result.grades_truth
        self.last = {**result.counts, "pairs_matched": clusters.pairs_matched,
                     "precision": result.precision, "recall": result.recall, "f1": result.f1}

    def _log(self, day: int, wrong: np.ndarray, cause: np.ndarray, first: np.ndarray) -> None:
        """For the case files: who is first wronged (by cause), and whose wrongful sanction
        begins and ends at this linkage (counted from today; an end is not counted today)."""
        if not self.cases.on:
            return
        self.cases.add(day, wrong[first], caselog.WRONG_FIRST, cause[first])
        self.cases.add(day, np.setdiff1d(wrong, self.wrong_held, assume_unique=True),
                       caselog.WRONG_START, -1)
        self.cases.add(day, np.setdiff1d(self.wrong_held, wrong, assume_unique=True),
                       caselog.WRONG_END)

    def _keep(self, records: IdentityRecords) -> tuple[IdentityRecords, np.ndarray]:
        """Today's records (in key order) with each record a source held at the last linkage
        as it was written then, and each record's cluster then (-1: new since); the records
        are kept for the next linkage."""
        key = (records.source.astype(np.int64) << 40) | records.person
        at = np.minimum(np.searchsorted(self.kept_key, key), max(self.kept_key.size - 1, 0))
        old = self.kept_key[at] == key if self.kept_key.size else np.zeros(key.size, bool)
        written = {name: np.where(old, self.kept[name][at], getattr(records, name))
                   if self.kept else getattr(records, name) for name in FIELDS}
        previous = np.where(old, self.kept_cluster[at], -1) if self.kept_key.size else \
            np.full(key.size, -1, dtype=np.int64)
        self.kept_key, self.kept = key, written
        return IdentityRecords(person=records.person, source=records.source, **written), \
            np.asarray(previous, dtype=np.int64)

    def count(self, day: int) -> None:
        """Persons under the composite's sanctions, and restriction person-days, of the
        reported days."""
        if day < self.warmup:
            return
        i = day - self.warmup
        self.person_days += self.sanctioned_now
        self.person_days_by_sanction += self.now_by_sanction
        self.daily["sanctioned"][i] = self.sanctioned_now
        self.daily["sanctioned_wrongly"][i] = self.wrong_now
        self.daily["restriction_person_days"][i] = self.sanctioned_now

    def totals(self) -> IntegrationTotals:
        """The integration's own figures: the last linkage against the truth, and the run."""
        return IntegrationTotals(linkages=self.linkages, sanctioned_ever=int(self.ever.size),
                                 restriction_person_days=self.person_days,
                                 last=dict(self.last))

    def system_summary(self) -> CompositeSummary:
        """The composite as a system of the summary."""
        grades = list(self.spec.grades)
        return CompositeSummary(
            kind="composite",
            jurisdiction=self.jurisdiction,
            covered=self.covered,
            scored=int(self.scored.size),
            records=int(self.daily["records"].sum()),
            sanctioned=int(self.ever.size),
            sanctioned_wrongly=int(self.wrong_by_cause.sum()),
            sanctioned_wrongly_by_cause={c: int(v) for c, v in
                                         zip(CAUSES, self.wrong_by_cause)},
            rewarded=0,
            restriction_person_days=int(self.daily["restriction_person_days"].sum()),
            wrongful_person_days=int(self.daily["sanctioned_wrongly"].sum()),
            restriction_person_days_by_sanction={
                s: int(v) for s, v in zip(SANCTIONS, self.person_days_by_sanction)},
            reward_person_days_by_reward={r: 0 for r in REWARDS},
            grades={g: int(c) for g, c in zip(grades, self.grades)},
            grades_truth={g: int(c) for g, c in zip(grades, self.grades_truth)},
        )

    def daily_columns(self, days: int) -> dict[str, np.ndarray | None]:
        """Daily counts by column of ``DAILY_COLUMNS`` (a composite lists nobody)."""
        zeros = np.zeros(days, dtype=np.int64)
        return {k: None if k == "listed" else self.daily.get(k, zeros) for k in DAILY_COLUMNS}


def _union_size(ranges: list[tuple[int, int]]) -> int:
    """Persons in a union of id ranges ``[a, b)``."""
    if not ranges:
        return 0
    bounds = np.array(sorted(ranges), dtype=np.int64)
    reach = np.maximum.accumulate(bounds[:, 1])
    starts = np.maximum(bounds[:, 0], np.r_[bounds[0, 0], reach[:-1]])
    return int(np.maximum(bounds[:, 1] - starts, 0).sum())
