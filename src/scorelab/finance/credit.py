"""Credit files driven by the loan process, and what every financial score kind shares.

A covered person either has a credit file or not (``file_coverage.no_file``: the published
share with no file). A file holds accounts, their kinds (the credit mix), a total limit and a
balance, counts of on-time and late payments and of defaults, the day it was opened and the
recent inquiries. Payments come from the loan process's outcome events (``payments:`` says
which event counts as what), through the same recorders as every system: the bureau sees a
share of them, late, some on the wrong person. Applications for new credit (an inquiry, then
an account if approved) arrive at ``applications_per_year`` from keyed streams.

Two files are kept per person, as the point systems keep two scores: the *record* (what the
bureau was told) and the *truth* (every payment, on time, on the right person). Accounts,
limits and inquiries are the same in both (lenders report them); payment counts and balances
differ. A kind turns a file into factors in [0, 1] (1 best) and a score
``low + (high - low) * sum(w * factor) / sum(w)``; grades, sanctions, wrongs and appeals
work as for point systems.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from ..core.columns import Column
from ..core.streams import Streams
from ..population.generate import Population
from ..processes.events import NEVER, waiting_days
from ..scenario.errors import short
from ..scenario.plan import Plan, SystemPlan
from ..scenario.schema import (
    AT_KEY,
    MAX_ITEMS,
    AppealSpec,
    Jurisdiction,
    Probability,
    RecordRule,
    Reference,
    References,
    Reward,
    Sanction,
    Strict,
    SystemSpec,
    Text,
)
from ..systems.base import HAS_FALSE, HAS_IDENTITY, IN_APPEAL, SCORED, Holdings
from ..systems.graded import GradedState, GradeTotals
from ..systems.records import FALSE_RECORD, IDENTITY, Recorder
from ..systems.summary import GradedSummary

#: what a payment event does to a file
PAYMENTS = ("on_time", "late", "default")
#: months of a typical instalment loan: a payment on time repays 1/36 of the balance
INSTALMENTS = 36
#: days an inquiry counts as recent
INQUIRY_WINDOW = 365
#: account kinds a file can hold (bits of ``types``): card, consumer loan, car loan, mortgage
ACCOUNT_KINDS = 4
NO_FILE = -1  # the score of a person without a file
NO_FILE_GRADE = "no_file"


class PaymentRule(RecordRule):
    """A loan event the bureau records, and what it counts as in the file."""

    counts_as: Literal["on_time", "late", "default"]


class FileCoverage(Strict):
    """Who has a credit file: among ``who``, a share ``no_file`` has none (persons outside
    ``who`` never have one)."""

    no_file: Probability
    who: Literal["everyone", "adults"] = "adults"


class Weights(Strict):
    """Factor weights of a score; a kind declares its factors as fields. They need not add
    up to 1 (the score divides by their sum) but the sum must be positive."""

    @model_validator(mode="after")
    def _positive_total(self) -> Weights:
        if not self.total() > 0:
            raise ValueError(f"weights must add up to a positive number, got {self.total():g}")
        return self

    def values_by_name(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in type(self).model_fields}

    def total(self) -> float:
        return sum(self.values_by_name().values())


class CreditSpec(SystemSpec):
    """What both financial kinds share: the files, the payments recorded, applications for
    credit, grade bands over the score, sanctions, rewards and appeals."""

    #: the score's range (a kind fixes it)
    LOW: ClassVar[int] = 0
    HIGH: ClassVar[int] = 1

    description: Text = ""
    jurisdiction: Jurisdiction
    file_coverage: FileCoverage
    payments: dict[str, PaymentRule] = Field(min_length=1, max_length=MAX_ITEMS)
    #: applications for new credit per file holder and year (each is an inquiry)
    applications_per_year: float = Field(default=0.5, ge=0, le=365)
    #: share of applications approved (a new account)
    approval: Probability = 0.7
    #: every how many days all files are rescored (file age and inquiries move without
    #: events); persons with a payment or an application are rescored the same day
    rescore_days: int = Field(default=30, ge=1, le=3650)
    grades: dict[str, int] = Field(min_length=1, max_length=254)
    sanctions: dict[str, list[Sanction]] = Field(default_factory=dict, max_length=MAX_ITEMS)
    rewards: dict[str, list[Reward]] = Field(default_factory=dict, max_length=MAX_ITEMS)
    appeals: AppealSpec | None = None
    #: why the score is not calibrated to a published distribution of real scores (its
    #: grades are then relative, not the real platform's); empty: calibrated or not claimed
    uncalibrated: Text = ""

    FIXED: ClassVar[tuple[str, ...]] = ("jurisdiction", "file_coverage")

    def events(self) -> list[str]:
        return list(self.payments)

    def fixed_shape(self) -> tuple[Any, ...]:
        return tuple(self.grades)

    def stream_names(self, name: str) -> dict[str, str]:
        out = super().stream_names(name)
        out["file"] = f"system/{name}/file"
        out["apply"] = f"system/{name}/apply"
        return out

    def weight_values(self) -> dict[str, float]:
        weights = getattr(self, "weights", None)
        assert isinstance(weights, Weights)
        return weights.values_by_name()

    def references(self, name: str, refs: References) -> list[Reference]:
        bad: list[Reference] = []
        for event in self.payments:
            bad += refs.event(("systems", name, "payments", event, AT_KEY), event)
        for section in ("sanctions", "rewards"):
            for grade in getattr(self, section):
                if grade not in self.grades:
                    bad.append(Reference(("systems", name, section, grade, AT_KEY), (
                        f"unknown grade {grade!r}; grades of this system: "
                        f"{', '.join(self.grades)}")))
        for grade, floor in self.grades.items():
            if not self.LOW <= floor <= self.HIGH:
                bad.append(Reference(("systems", name, "grades", grade), (
                    f"grade floor {short(floor)} is outside the score's range "
                    f"{self.LOW}-{self.HIGH}")))
        if NO_FILE_GRADE in self.grades:
            bad.append(Reference(("systems", name, "grades", NO_FILE_GRADE, AT_KEY), (
                f"{NO_FILE_GRADE!r} is the grade of persons without a file; name it otherwise")))
        return bad


class CreditSummary(GradedSummary):
    """A financial score's entry in the summary (each kind names its own ``kind``)."""

    files: int = Field(description="persons with a credit file (bureau, commercial); the "
                                   "others are graded no_file")


@dataclass(kw_only=True)
class CreditTotals(GradeTotals):
    """Persons per grade (no file last), file holders, and why the score is uncalibrated
    (the same in every shard)."""

    files: int
    uncalibrated: str

    def summary_fields(self) -> dict[str, Any]:
        return {**super().summary_fields(), "files": self.files,
                **({"uncalibrated": self.uncalibrated} if self.uncalibrated else {})}


@dataclass
class FileView:
    """Some rows of the credit files, as the score reads them (record or truth)."""

    on_time: np.ndarray
    late: np.ndarray
    defaults: np.ndarray
    balance: np.ndarray
    limit: np.ndarray
    file_days: np.ndarray
    inquiries: np.ndarray  # recent ones
    types: np.ndarray  # bits of ACCOUNT_KINDS
    income: np.ndarray


def weighted_score(factors: dict[str, np.ndarray], weights: dict[str, float], low: int,
                   high: int) -> np.ndarray:
    """``low + (high - low) * sum(w * f) / sum(w)``, floored to a whole score."""
    total = sum(weights.values())
    mix = sum(w * np.clip(factors[name], 0.0, 1.0) for name, w in weights.items() if w)
    return np.asarray(np.floor(low + (high - low) * np.asarray(mix) / total), dtype=np.int16)


def payment_history(on_time: np.ndarray, late: np.ndarray, defaults: np.ndarray) -> np.ndarray:
    """1 with no late payment or default; lower with each, less so the longer the record
    of payments made on time (a late payment weighs 4 on-time ones, a default 20:
    assumption)."""
    good = on_time.astype(np.float64) + 1.0
    bad = 4.0 * late + 20.0 * defaults.astype(np.float64)
    return np.asarray(good / (good + bad))


def utilisation_room(balance: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """1 - balance / limit, in [0, 1] (nothing owed: 1; no limit and something owed: 0)."""
    owed = np.clip(balance, 0.0, None)
    capped = np.minimum(owed, limit)  # at most the limit, so the ratio cannot overflow
    used = np.where(limit > 0, capped / np.where(limit > 0, limit, 1.0),
                    np.where(owed > 0, 1.0, 0.0))
    return np.asarray(1.0 - np.clip(used, 0.0, 1.0))


def file_length(file_days: np.ndarray, full_years: float = 20.0) -> np.ndarray:
    """Age of the file over ``full_years`` (assumption: 20 years count in full)."""
    return np.asarray(np.clip(file_days / (365.0 * full_years), 0.0, 1.0))


def recent_inquiries(inquiries: np.ndarray) -> np.ndarray:
    """1 with no recent inquiry, halving by the second one (assumption)."""
    return np.asarray(1.0 / (1.0 + inquiries.astype(np.float64) / 2.0))


def credit_mix(types: np.ndarray) -> np.ndarray:
    """Share of the account kinds the file holds."""
    bits = np.zeros(types.shape, dtype=np.float64)
    for k in range(ACCOUNT_KINDS):
        bits += (types >> k) & 1
    return np.asarray(bits / ACCOUNT_KINDS)


class CreditState(GradedState):
    """Credit files of the covered persons of one shard, and the score on them.

    A kind sets ``Spec``, ``Summary`` and ``factors``; the grading, sanctions and counts are
    every graded kind's (``systems.graded``), with one grade more for persons without a file.
    """

    kind: ClassVar[str] = ""
    spec: CreditSpec
    # the file (accounts, limits and inquiries are the same on the record and in truth)
    has_file: np.ndarray
    opened: np.ndarray
    accounts: np.ndarray
    types: np.ndarray
    limit: np.ndarray
    inquiries: np.ndarray
    window: np.ndarray
    next_apply: np.ndarray
    on_time: np.ndarray
    late: np.ndarray
    defaults: np.ndarray
    balance: np.ndarray
    on_time_truth: np.ndarray
    late_truth: np.ndarray
    defaults_truth: np.ndarray
    balance_truth: np.ndarray

    @classmethod
    def columns(cls, spec: Any) -> tuple[Column, ...]:
        return (
            Column("has_file", np.bool_), Column("opened", np.int32, 0),
            Column("accounts", np.uint8), Column("types", np.uint8),
            Column("limit", np.float32), Column("inquiries", np.uint8),
            Column("window", np.int32, 0), Column("next_apply", np.uint16, NEVER),
            *(Column(f"{part}{side}", dtype) for side in ("", "_truth")
              for part, dtype in (("on_time", np.uint16), ("late", np.uint16),
                                  ("defaults", np.uint16), ("balance", np.float32))))

    @classmethod
    def start_score(cls, spec: Any) -> int:
        """No file, until the files are opened."""
        return NO_FILE

    @abstractmethod
    def factors(self, view: FileView) -> dict[str, np.ndarray]:
        """Each factor of the score in [0, 1], 1 best (a kind's own)."""

    def __init__(self, plan: Plan, system: SystemPlan, pop: Population, streams: Streams
                 ) -> None:
        self.median_income = plan.population.income.median  # (a factor may read it)
        super().__init__(plan, system, pop, streams)
        #: day -> records reaching the bureau that day (rows, payment index)
        self.pending: dict[int, list[tuple[np.ndarray, int]]] = defaultdict(list)

    def start_scores(self) -> None:
        """Open the files and score them; a file is the lenders' record of its accounts and
        payments: its holder is scored from the first day (as a list's listings from before
        the run are)."""
        self._open_files()
        rows = np.flatnonzero(self.has_file)
        self.flags[rows] |= SCORED
        self._rescore(rows, 0)

    def configure(self, spec: CreditSpec) -> None:
        """Grade tables (with the no-file grade last), weights and the payment recorders."""
        super().configure(spec)
        self.low, self.high = spec.LOW, spec.HIGH
        self.configure_grades(spec.grades, spec.sanctions, spec.rewards, (NO_FILE_GRADE,))
        self.weights = spec.weight_values()
        self.payment_recorders = [
            (event, PAYMENTS.index(rule.counts_as), rule.delay,
             Recorder(event, rule, self.coverage, self.pop, self.rng))
            for event, rule in spec.payments.items()]

    def case_recorders(self) -> list[Recorder]:
        return [recorder for *_, recorder in self.payment_recorders]

    def reconcile(self, day: int, old: CreditSpec) -> None:
        """New bands, weights, sanctions or rewards act at once: every file is rescored and
        regraded."""
        self._rescore(np.flatnonzero(self.has_file), day)
        self._regrade_everyone(day)

    def grade_of(self, score: np.ndarray) -> np.ndarray:
        """Grade index by the bands; persons without a file get the last grade."""
        grade = super().grade_of(score)
        return np.where(score == NO_FILE, len(self.grade_names) - 1, grade)

    # --- the files -----------------------------------------------------------------------

    def _open_files(self) -> None:
        """Who has a file, and each file's start: age, accounts, limit, balance, a payment on
        time per month of its age (the simulated history, warm-up included, adds the rest)."""
        spec = self.spec
        stream, pop = self.rng["file"], self.pop
        ids = self.coverage.global_of(np.arange(self.coverage.size))
        p = ids - pop.start
        eligible = pop.adult[p] if spec.file_coverage.who == "adults" else np.ones(ids.size, bool)
        self.has_file[:] = eligible & (stream.uniform(0, ids) >= spec.file_coverage.no_file)
        years = stream.uniform(0, ids, 1) * np.clip(pop.age[p].astype(np.float64) - 18, 0, 30)
        days = np.floor(years * 365.0)
        self.opened[:] = -days.astype(np.int32)
        self.accounts[:] = 1 + np.floor(stream.uniform(0, ids, 2) * 3).astype(np.uint8)
        types = np.ones(ids.size, dtype=np.uint8)  # everyone with a file holds a card
        for k, share in enumerate((0.3, 0.2, 0.1), start=1):  # assumption
            types |= (stream.uniform(0, ids, 2 + k) < share).astype(np.uint8) << k
        self.types[:] = types
        income = pop.income[p].astype(np.float64)
        self.limit[:] = income * (0.1 + 0.4 * stream.uniform(0, ids, 6))
        self.balance[:] = self.limit * (0.5 * stream.uniform(0, ids, 7))
        self.balance_truth[:] = self.balance
        self.on_time[:] = np.minimum(days // 30, 60_000).astype(np.uint16)
        self.on_time_truth[:] = self.on_time
        wait = waiting_days(stream.uniform(0, ids, 8),
                            np.full(ids.size, spec.applications_per_year / 365.0))
        self.next_apply[:] = np.where(self.has_file, np.minimum(wait, NEVER), NEVER)
        not_held = ~self.has_file
        for name in ("accounts", "types", "limit", "balance", "balance_truth", "on_time",
                     "on_time_truth", "opened"):
            getattr(self, name)[not_held] = 0

    def _pay(self, what: int, rows: np.ndarray, side: str) -> None:
        """Payment events on the record (``side`` "") or the truth (``side`` "_truth")."""
        rows, times = np.unique(rows, return_counts=True)
        if PAYMENTS[what] == "on_time":
            col = getattr(self, f"on_time{side}")
            col[rows] = np.minimum(col[rows].astype(np.int64) + times, 60_000)
            balance = getattr(self, f"balance{side}")
            balance[rows] *= ((INSTALMENTS - 1) / INSTALMENTS) ** times
        else:
            col = getattr(self, f"late{side}" if PAYMENTS[what] == "late" else f"defaults{side}")
            col[rows] = np.minimum(col[rows].astype(np.int64) + times, 60_000)

    def _applications(self, day: int) -> np.ndarray:
        """Applications due today: an inquiry each, and an account if approved."""
        spec = self.spec
        rows = np.flatnonzero(self.next_apply == day)
        if rows.size == 0:
            return rows
        ids = self.coverage.global_of(rows)
        stream = self.rng["apply"]
        stale = day - self.window[rows] >= INQUIRY_WINDOW
        self.inquiries[rows[stale]] = 0
        self.window[rows[stale]] = day
        self.inquiries[rows] = np.minimum(self.inquiries[rows].astype(np.int64) + 1, 255)
        approved = stream.uniform(day, ids) < spec.approval
        new = rows[approved]
        u = [stream.uniform(day, ids[approved], k) for k in (1, 2, 3)]
        self.accounts[new] = np.minimum(self.accounts[new].astype(np.int64) + 1, 255)
        self.types[new] |= (np.uint8(1) << np.floor(u[0] * ACCOUNT_KINDS).astype(np.uint8))
        added = self.pop.income[ids[approved] - self.pop.start] * (0.05 + 0.2 * u[1])
        self.limit[new] += added
        self.balance[new] += added * 0.5 * u[2]
        self.balance_truth[new] += added * 0.5 * u[2]
        gap = waiting_days(stream.uniform(day, ids, 4),
                           np.full(rows.size, spec.applications_per_year / 365.0))
        self.next_apply[rows] = np.minimum(day + 1 + gap, NEVER).astype(np.uint16)
        return rows

    def view(self, rows: np.ndarray, day: int, side: str) -> FileView:
        """The file of some rows, as the record (``side`` "") or the truth ("_truth")."""
        recent = np.where(day - self.window[rows] < INQUIRY_WINDOW, self.inquiries[rows], 0)
        ids = self.coverage.global_of(rows)
        return FileView(
            on_time=getattr(self, f"on_time{side}")[rows],
            late=getattr(self, f"late{side}")[rows],
            defaults=getattr(self, f"defaults{side}")[rows],
            balance=getattr(self, f"balance{side}")[rows].astype(np.float64),
            limit=self.limit[rows].astype(np.float64),
            file_days=(day - self.opened[rows]).astype(np.float64),
            inquiries=recent, types=self.types[rows],
            income=self.pop.income[ids - self.pop.start].astype(np.float64))

    def _rescore(self, rows: np.ndarray, day: int) -> None:
        """Score the files of ``rows`` (all holders of a file) on record and in truth."""
        if rows.size == 0:
            return
        for side, out in (("", self.score), ("_truth", self.truth)):
            out[rows] = weighted_score(self.factors(self.view(rows, day, side)), self.weights,
                                       self.low, self.high)

    # --- a day ---------------------------------------------------------------------------

    def step(self, day: int, events: dict[str, np.ndarray]) -> None:
        """Record today's payments, take applications, rescore and regrade who moved."""
        records = 0
        touched: list[np.ndarray] = []
        for event, what, delay, recorder in self.payment_recorders:
            batch = recorder.record(day, events.get(event))
            truth = batch.truth_rows[self.has_file[batch.truth_rows]]
            if truth.size:
                self._pay(what, truth, "_truth")
                touched.append(truth)
            held = self.has_file[batch.rows]
            self._log_records(day, event, batch.ids[held], batch.cause[held],
                              batch.source_ids[held])
            rows, cause = batch.rows[held], batch.cause[held]
            if rows.size:
                records += rows.size
                self.flags[rows[cause == FALSE_RECORD]] |= HAS_FALSE
                self.flags[rows[cause == IDENTITY]] |= HAS_IDENTITY
                self.pending[day + delay].append((rows, what))
        for rows, what in self.pending.pop(day, []):
            self._pay(what, rows, "")
            touched.append(rows)
        touched.append(self._applications(day))
        spec = self.spec
        if day % spec.rescore_days == 0:
            rows = np.flatnonzero(self.has_file)
        else:
            rows = np.unique(np.concatenate(touched))
        self._rescore(rows, day)
        self._close_day(day, rows, records)

    def resolve_appeals(self, day: int, ids: np.ndarray, won: np.ndarray) -> None:
        """A won appeal corrects the file to the truth; pending records of the person are
        dropped (the bureau now holds the true file)."""
        rows = self.coverage.local(ids)
        self.flags[rows] &= ~IN_APPEAL
        fixed = rows[won]
        if fixed.size == 0:
            return
        for name in ("on_time", "late", "defaults", "balance"):
            getattr(self, name)[fixed] = getattr(self, f"{name}_truth")[fixed]
        self.score[fixed] = self.truth[fixed]
        self.flags[fixed] &= ~(HAS_FALSE | HAS_IDENTITY)
        for when in [d for d in self.pending if d > day]:
            kept = [(r[~np.isin(r, fixed)], what) for r, what in self.pending[when]]
            self.pending[when] = [k for k in kept if k[0].size]
        newly = self._regrade(fixed, day)
        i = self.observed(day)
        if i is not None:
            self.daily["newly_sanctioned"][i] += newly

    def holdings(self, day: int) -> Holdings:
        """File holders, standing by score across the range: the recorded score, and the
        score of the true file as the truth."""
        rows = np.flatnonzero(self.has_file)

        def standing(score: np.ndarray) -> np.ndarray:
            place = (score[rows].astype(np.float64) - self.low) / (self.high - self.low)
            return np.clip(place, 0.0, 1.0)

        return Holdings(self.coverage.global_of(rows), standing(self.score),
                        standing(self.truth), self._causes(rows).astype(np.int64))

    def extremes(self, rows: slice, last_day: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Top and bottom band among file holders (no file is neither)."""
        bands = len(self.grade_names) - 1
        if bands < 2:
            return None, None
        grade = self.grade[rows]
        return grade == 0, grade == bands - 1

    def own_totals(self) -> CreditTotals:
        grades = super().own_totals()
        return CreditTotals(names=grades.names, grades=grades.grades,
                            grades_truth=grades.grades_truth,
                            files=int(np.count_nonzero(self.has_file)),
                            uncalibrated=self.spec.uncalibrated)
