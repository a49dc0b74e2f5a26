"""A list (blacklist or redlist): entry rule, exit rule, sanctions or rewards while listed.

Entry: ``count`` recorded events within ``window`` days, or (``remedy_days``) an event not
remedied within that many days. Exit: once the system learns of the remedy and ``min_days``
have passed (``on_remedy``), or after a fixed term (``after_days``), whichever comes first.

Each covered person carries two intervals of internal days: when they are listed on the
record, and when they would be listed under the same rules with perfect records (truth).
Listed but not listable in truth is a wrongful listing; its cause is the record's (a false
record, a namesake's record) or, for a true record, a stale one (a remedy the system learned
of late or never). Remedies are truth: a person's remedy day is a pure function of the seed,
the event and the person, so every system that looks sees the same one.

Counting is by the difference: a day re-reads only the persons whose standing may have moved
(``standing``), not everyone ever listed; a whole recount (the same numbers) runs on the first
day, when the observed window opens, and after a scheduled change of the list's rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from ..core.columns import Column
from ..core.results import Totals
from ..core.sets import add_sorted
from ..core.streams import Streams
from ..population.generate import Population
from ..processes.events import NEVER, remedy_days, waiting_days
from ..scenario.errors import short
from ..scenario.plan import Plan, SystemPlan
from ..scenario.schema import (
    MAX_DAYS,
    REWARDS,
    SANCTIONS,
    AppealSpec,
    Jurisdiction,
    Probability,
    ProcessSpec,
    RecordRule,
    Reference,
    References,
    Reward,
    Sanction,
    Strict,
    SystemSpec,
    Text,
)
from .base import (
    EVER_REWARDED,
    EVER_SANCTIONED,
    IN_APPEAL,
    INCOMPLETE,
    SCORED,
    WRONG_NOW,
    Holdings,
    LinkTotals,
    SystemState,
    SystemTotals,
)
from .intervals import merge
from .joint import JointLinks
from .records import FALSE_RECORD, IDENTITY, TRUE_RECORD, RecordBatch, Recorder
from .standing import Standing
from .summary import SystemSummary


class ListEntry(RecordRule):
    """When a person is put on a list: ``count`` recorded ``event``s within ``window`` days,
    and (with ``remedy_days``) not remedied within that many days of the event."""

    event: str
    count: int = Field(default=1, ge=1, le=8)
    window: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    remedy_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)

    @model_validator(mode="after")
    def _window_for_counts(self) -> ListEntry:
        if self.count > 1 and self.window is None:
            raise ValueError("an entry rule with count > 1 needs a window (days)")
        if self.count > 1 and self.remedy_days is not None:
            raise ValueError("give either count/window or remedy_days, not both")
        return self


class ListExit(Strict):
    """When a person leaves a list: once the system learns of a remedy (``on_remedy``) and
    ``min_days`` have passed, or after ``after_days`` (a fixed term), whichever comes first."""

    on_remedy: bool = False
    remedy_delay: int = Field(default=0, ge=0, le=MAX_DAYS)
    remedy_unseen: Probability = 0.0
    min_days: int = Field(default=0, ge=0, le=MAX_DAYS)
    after_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)

    @model_validator(mode="after")
    def _some_way_out(self) -> ListExit:
        if not self.on_remedy and self.after_days is None:
            raise ValueError("a list needs an exit rule: on_remedy: true and/or after_days: N")
        return self


class ListSystem(SystemSpec):
    """A blacklist or redlist: entry and exit rules, sanctions or rewards while listed."""

    joint_source: ClassVar[bool] = True

    kind: Literal["list"]
    description: Text = ""
    polarity: Literal["black", "red"] = "black"
    jurisdiction: Jurisdiction
    entry: ListEntry
    exit: ListExit
    sanctions: list[Sanction] = Field(default_factory=list)
    rewards: list[Reward] = Field(default_factory=list)
    #: share of covered adults already listed on the first day (times their propensity for
    #: the entry event), for starting a run at a published list size
    initial_share: Probability = 0.0
    appeals: AppealSpec | None = None

    #: the initial share is listed on the first day only
    FIXED: ClassVar[tuple[str, ...]] = ("jurisdiction", "initial_share")

    def events(self) -> list[str]:
        return [self.entry.event]

    def stream_names(self, name: str) -> dict[str, str]:
        return {**super().stream_names(name),
                "remedy_unseen": f"system/{name}/remedy_unseen",
                "initial": f"system/{name}/initial"}

    def references(self, name: str, refs: References) -> list[Reference]:
        event = self.entry.event
        bad = refs.event(("systems", name, "entry", "event"), event)
        if not bad and (self.entry.remedy_days is not None or self.exit.on_remedy) \
                and event not in refs.remedies:
            bad.append(Reference(("systems", name, "entry", "event"), (
                f"{short(event)} has no remedy rate (processes.<name>.remedies), which "
                "remedy_days and on_remedy need")))
        return bad


class ListSummary(SystemSummary):
    """A list's entry in the summary: besides the sanctions, whom it listed (a list that
    sanctions nobody, a redlist, still lists)."""

    main_line: ClassVar[str] = "listed"

    kind: Literal["list"]
    listed: int = Field(description="persons ever listed in the reported days")
    listed_wrongly: int = Field(description="persons ever listed without the truth behind it")
    listed_at_end: int
    listed_wrongly_at_end: int


@dataclass(kw_only=True)
class ListTotals(Totals):
    """Whom a list listed over one shard (its own fields of the summary)."""

    listed: int
    listed_wrongly: int
    listed_at_end: int
    listed_wrongly_at_end: int

    def summary_fields(self) -> dict[str, Any]:
        return {"listed": self.listed, "listed_wrongly": self.listed_wrongly,
                "listed_at_end": self.listed_at_end,
                "listed_wrongly_at_end": self.listed_wrongly_at_end}


# record cause -> index into WRONG_CAUSES: a true record listed beyond the truth is stale
_WRONG_CAUSE = np.zeros(3, dtype=np.int64)
_WRONG_CAUSE[[TRUE_RECORD, FALSE_RECORD, IDENTITY]] = [2, 0, 1]
_NO_REMEDY = np.int64(NEVER)


class ListState(SystemState):
    """One list over the persons of one shard."""

    kind: ClassVar[str] = "list"
    Spec: ClassVar[type[ListSystem]] = ListSystem
    Summary: ClassVar[type[SystemSummary]] = ListSummary

    # record interval [start, end) and truth interval [tstart, tend) of internal days
    # (NEVER: none), the cause of the record behind a listing, and (count > 1) the record's
    # and the truth's rings of the last K-1 event days
    start: np.ndarray
    end: np.ndarray
    tstart: np.ndarray
    tend: np.ndarray
    cause: np.ndarray
    ring: np.ndarray
    truth_ring: np.ndarray

    @classmethod
    def columns(cls, spec: Any) -> tuple[Column, ...]:
        ring = spec.entry.count - 1
        return (Column("start", np.uint16, NEVER), Column("end", np.uint16, NEVER),
                Column("tstart", np.uint16, NEVER), Column("tend", np.uint16, NEVER),
                Column("cause", np.uint8, 0), Column("ring", np.uint16, NEVER, width=ring),
                Column("truth_ring", np.uint16, NEVER, width=ring))

    def __init__(self, plan: Plan, system: SystemPlan, pop: Population, streams: Streams
                 ) -> None:
        super().__init__(plan, system, pop, streams)
        assert isinstance(system.spec, ListSystem)
        self.spec = spec = system.spec
        self.horizon = plan.total_days
        self.active = np.empty(0, dtype=np.int64)  # rows that ever had an interval
        self.standing = Standing(self.horizon)
        #: day -> rows whose record reaches the list that day (after the entry's delay)
        self.arrivals: dict[int, list[np.ndarray]] = defaultdict(list)
        entry = spec.entry
        self.configure(spec)
        process = plan.process_of(entry.event)
        self.process: ProcessSpec | None = process.spec if process is not None else None
        self.remedy_rate = (self.process.remedies.get(entry.event, 0.0)
                            if self.process is not None else 0.0)
        self._remedy_stream = None
        if self.remedy_rate > 0 and process is not None:
            self._remedy_stream = streams.claim(
                process.spec.stream_names(process.name)[f"remedy/{entry.event}"])
        self.now_listed = 0
        self.now_wrong = 0
        self.today = 0
        self._unseen = self.rng["remedy_unseen"]
        self._initial = self.rng["initial"]
        self.joint = JointLinks(plan, system, self.coverage, pop)  # as a joint source
        if spec.initial_share > 0:
            self._seed_initial()

    def configure(self, spec: ListSystem) -> None:
        """The recorder of the entry event and the sanctions and rewards of being listed.
        A scheduled change of the entry or exit rules acts on listings made from then on;
        new sanctions or rewards act at once on everyone listed."""
        super().configure(spec)
        self.recorder = Recorder(spec.entry.event, spec.entry, self.coverage, self.pop,
                                 self.rng)
        self.sanction_mask = np.array([s in spec.sanctions for s in SANCTIONS])
        self.reward_mask = np.array([r in spec.rewards for r in REWARDS])
        self._sanctions_anyone = bool(self.sanction_mask.any())
        self._recount = True  # new sanctions or rewards act on everyone listed: a recount

    # --- entry and exit ------------------------------------------------------------------

    def _known_remedy(self, day: int, ids: np.ndarray, remedy: np.ndarray) -> np.ndarray:
        """When the system learns of each remedy (NEVER for remedies it never learns of)."""
        ex = self.spec.exit
        unseen = self._unseen.uniform(day, ids) < ex.remedy_unseen
        known = remedy + ex.remedy_delay
        return np.where(unseen | (remedy >= _NO_REMEDY), _NO_REMEDY, known)

    def _exit_day(self, start: np.ndarray, known_remedy: np.ndarray) -> np.ndarray:
        ex = self.spec.exit
        end = np.full(start.shape, _NO_REMEDY)
        if ex.on_remedy:
            end = np.maximum(start + ex.min_days, known_remedy)
        if ex.after_days is not None:
            end = np.minimum(end, start + ex.after_days)
        return np.minimum(end, _NO_REMEDY)

    def _seed_initial(self) -> None:
        """List a share of covered adults on day 0, weighted by the entry event's
        propensity: a list that starts at its published size. Their listing is rightful."""
        pop, spec = self.pop, self.spec
        chosen_rows = []
        # block by block, so the temporaries stay small next to the population
        size = self.streams.block_size
        for a in range(0, self.coverage.size, size):
            rows = np.arange(a, min(a + size, self.coverage.size))
            ids = self.coverage.global_of(rows)
            weight: np.ndarray | float = 1.0
            if self.process is not None and self.process.rate_propensity is not None:
                weight = pop.propensity[self.process.rate_propensity][ids - pop.start]
            p = np.minimum(spec.initial_share * weight, 1.0) * pop.adult[ids - pop.start]
            chosen_rows.append(rows[self._initial.uniform(0, ids) < p])
        rows = np.concatenate(chosen_rows) if chosen_rows else np.empty(0, np.int64)
        ids = self.coverage.global_of(rows)
        start = np.zeros(ids.size, dtype=np.int64)
        ex = spec.exit
        remedy = np.full(ids.size, _NO_REMEDY)
        if self.remedy_rate > 0:  # memoryless: the time left is a fresh waiting time
            u = self._initial.uniform(0, ids, draw=1)
            remedy = np.minimum(waiting_days(u, self.remedy_rate),
                                float(_NO_REMEDY)).astype(np.int64)
        end = self._exit_day(start - ex.min_days, self._known_remedy(0, ids, remedy))
        if ex.after_days is not None:  # the term already served is uniform
            left = np.floor(self._initial.uniform(0, ids, draw=2) * ex.after_days)
            end = np.minimum(end, 1 + left.astype(np.int64))
        true_end = self._exit_day(start - ex.min_days, remedy)
        if ex.after_days is not None:
            true_end = np.minimum(true_end, end)
        self._set(rows, start, np.maximum(end, 1), start, np.maximum(true_end, 1),
                  np.full(rows.size, TRUE_RECORD, np.uint8))
        # a listing from before the run stands on a record the list already holds
        self.flags[rows] |= SCORED

    def step(self, day: int, events: dict[str, np.ndarray]) -> None:
        self.today = day
        batch = self.recorder.record(day, events.get(self.spec.entry.event))
        self._log_records(day, self.spec.entry.event, batch.ids, batch.cause, batch.source_ids)
        if self.spec.entry.count > 1:
            self._count_entries(day, batch.truth_rows, batch.rows, batch.cause)
        else:
            self._remedy_entries(day, batch)
        if batch.rows.size:
            self.arrivals[day + self.spec.entry.delay].append(batch.rows)
        # scored once a record has reached the list, as points and credit systems count it
        for rows in self.arrivals.pop(day, []):
            self.flags[rows] |= SCORED
        self._count(day, batch.rows.size)

    def _remedy_entries(self, day: int, batch: RecordBatch) -> None:
        """Entry on an event (not remedied within ``remedy_days``, if given)."""
        wait = self.spec.entry.remedy_days or 0
        delay = self.spec.entry.delay
        if batch.truth_rows.size:
            ids = batch.truth_ids
            remedy = self._remedy(day, ids)
            t0 = np.full(ids.size, day + wait, dtype=np.int64)
            tend = self._exit_day(t0, remedy)
            listable = remedy > t0
            rows = batch.truth_rows[listable]
            self._merge_truth(rows, t0[listable], tend[listable])
        if batch.rows.size:
            rows, ids, cause = batch.rows, batch.ids, batch.cause
            remedy = np.full(ids.size, _NO_REMEDY)
            true = cause == TRUE_RECORD
            if np.count_nonzero(true):
                remedy[true] = self._remedy(day, ids[true])
            known = self._known_remedy(day, ids, remedy)
            start = np.full(ids.size, day + delay + wait, dtype=np.int64)
            end = self._exit_day(start, known)
            listed = known > start
            self._merge_record(rows[listed], start[listed], end[listed], cause[listed])

    def sanctioned_as(self, grade: int) -> str:
        return f"on the list ({', '.join(self.spec.sanctions) or 'no sanction'})"

    def last_listing(self, person: int) -> list[tuple[int, str]]:
        """The person's last listing on the record and in truth (internal days)."""
        row = int(self.coverage.local(np.array([person]))[0])
        if row < 0 or self.start[row] == NEVER:
            return []

        def span(a: int, b: int) -> str:
            if a == NEVER:
                return "not listable"
            until = "with no end in the run" if b == NEVER else f"to day {b - self.warmup}"
            return f"from day {a - self.warmup} {until}"

        start = int(self.start[row])
        record = span(start, int(self.end[row]))
        truth = span(int(self.tstart[row]), int(self.tend[row]))
        return [(start, f"last listed on the record {record}; in truth {truth}")]

    def case_recorders(self) -> list[Recorder]:
        return [self.recorder]

    def remedies(self, day: int, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if self._remedy_stream is None:
            return None
        remedy = self._remedy(day, ids)
        return remedy, self._known_remedy(day, ids, remedy)

    def _remedy(self, day: int, ids: np.ndarray) -> np.ndarray:
        if self._remedy_stream is None:
            return np.full(ids.size, _NO_REMEDY)
        return remedy_days(self._remedy_stream, self.remedy_rate, day, ids)

    def _count_entries(self, day: int, truth_rows: np.ndarray, rows: np.ndarray,
                       cause: np.ndarray) -> None:
        """Entry on the ``count``-th event within ``window`` days."""
        entry = self.spec.entry
        term = self.spec.exit.after_days or int(NEVER)
        window = entry.window or 1
        for ring, these, arrival, is_truth in (
                (self.truth_ring, truth_rows, day, True),
                (self.ring, rows, day + entry.delay, False)):
            these, first = np.unique(these, return_index=True)
            if these.size == 0:
                continue
            oldest = ring[these, 0].astype(np.int64)
            enters = (oldest != NEVER) & (oldest >= arrival - window + 1)
            ring[these, :-1] = ring[these, 1:]
            ring[these, -1] = arrival
            hit = these[enters]
            start = np.full(hit.size, arrival, dtype=np.int64)
            end = np.minimum(start + term, _NO_REMEDY)
            if is_truth:
                self._merge_truth(hit, start, end)
            else:
                self._merge_record(hit, start, end, cause[first][enters])

    # --- interval bookkeeping ------------------------------------------------------------

    def _merge(self, a: np.ndarray, b: np.ndarray, rows: np.ndarray, start: np.ndarray,
               end: np.ndarray) -> np.ndarray:
        """Merge new intervals into (a, b) (``intervals.merge``); which rows joined."""
        merged, joined = merge(a, b, rows, start, end, self.today)
        self._activate(merged)
        self.standing.queue(merged, a[merged], b[merged])
        return joined

    def _merge_truth(self, rows: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
        if rows.size:
            self._merge(self.tstart, self.tend, rows, start, end)

    def _merge_record(self, rows: np.ndarray, start: np.ndarray, end: np.ndarray,
                      cause: np.ndarray) -> None:
        if rows.size == 0:
            return
        uniq, first = np.unique(rows, return_index=True)
        old_end = self.end[uniq].astype(np.int64)
        joined = self._merge(self.start, self.end, rows, start, end)
        # the stay beyond the truth comes from whichever record reaches further
        new_cause = cause[first]
        keep_old = joined & (end[first] <= old_end)
        self.cause[uniq] = np.where(keep_old, self.cause[uniq], new_cause)

    def _set(self, rows: np.ndarray, start: np.ndarray, end: np.ndarray, tstart: np.ndarray,
             tend: np.ndarray, cause: np.ndarray) -> None:
        self.start[rows], self.end[rows] = start, np.minimum(end, _NO_REMEDY)
        self.tstart[rows], self.tend[rows] = tstart, np.minimum(tend, _NO_REMEDY)
        self.cause[rows] = cause
        self._activate(rows)
        self.standing.queue(rows, self.start[rows], self.end[rows], self.tstart[rows],
                            self.tend[rows])

    def _activate(self, rows: np.ndarray) -> None:
        if rows.size:
            self.active = add_sorted(self.active, rows)


    # --- counting --------------------------------------------------------------------------

    def _count(self, day: int, records: int) -> None:
        """Who is listed, and wrongly, today: the persons whose standing may have moved
        (or, for a recount, everyone who ever had an interval), by their difference."""
        changed = self.standing.changed(day, self.active,
                                        (self.start, self.end, self.tstart, self.tend))
        recount = self._recount or day == self.warmup
        self._recount = False
        rows = self.active if recount else changed
        start, end = self.start[rows], self.end[rows]
        listed = (start <= day) & (day < end)
        truth = (self.tstart[rows] <= day) & (day < self.tend[rows])
        wrong = listed & ~truth
        flags = self.flags[rows]
        was_wrong = (flags & WRONG_NOW) != 0
        self.flags[rows] = np.where(wrong, flags | WRONG_NOW, flags & ~WRONG_NOW)
        became = wrong & ~was_wrong
        self._log_wrong(day, rows, became, was_wrong & ~wrong)
        self.became_wrong = int(np.count_nonzero(became))
        if self.became_wrong:
            b_rows = rows[became]
            self._mark_wrong(b_rows, _WRONG_CAUSE[self.cause[b_rows]], day)
            if self.sanctions_anyone:  # nobody appeals a wrongful reward
                self._file_appeals(day, b_rows, self.coverage.global_of(b_rows))
        if day == self.warmup:  # the window opens: whoever is wrongly listed now counts
            now = rows[wrong & ~became]
            self._mark_wrong(now, _WRONG_CAUSE[self.cause[now]], day)
        i = self.observed(day)
        if recount:
            self.now_listed = int(listed.sum())
            self.now_wrong = int(wrong.sum())
            self.standing.on_list = rows[listed]
            self.joint.recount(rows[listed], rows[wrong], i)
        else:
            was_listed = self.standing.was_listed(rows)
            self.now_listed += int(np.count_nonzero(listed)) - int(np.count_nonzero(was_listed))
            self.now_wrong += int(np.count_nonzero(wrong)) - int(np.count_nonzero(was_wrong))
            self.standing.move(rows, listed, was_listed)
            self.joint.update(rows, listed, was_listed, wrong, was_wrong, i)
        if i is None:
            return
        # persons listed since an earlier observed day carry their flags already: only the
        # rows counted today can be listed for the first time (a recount takes everyone)
        listed_rows = rows[listed]
        # EVER_SANCTIONED marks "ever listed"; it is reported as sanctioned only for a list
        # that sanctions
        first = listed_rows[(self.flags[listed_rows] & EVER_SANCTIONED) == 0]
        self.flags[first] |= EVER_SANCTIONED
        sanctions = bool(np.count_nonzero(self.sanction_mask))
        rewards = bool(np.count_nonzero(self.reward_mask))
        if rewards:
            self.flags[listed_rows] |= EVER_REWARDED
        d = self.daily
        d["records"][i] = records
        d["listed"][i] = self.now_listed
        d["sanctioned"][i] = self.now_listed if sanctions else 0
        d["sanctioned_wrongly"][i] = self.now_wrong if sanctions else 0
        d["newly_sanctioned"][i] = first.size if sanctions else 0
        d["newly_wronged"][i] = self.became_wrong if sanctions else 0
        d["restriction_person_days"][i] = self.now_listed if sanctions else 0
        d["rewarded"][i] = self.now_listed if rewards else 0
        self.person_days_by_sanction += self.now_listed * self.sanction_mask
        self.person_days_by_reward += self.now_listed * self.reward_mask

    def link_totals(self) -> tuple[LinkTotals, ...]:
        return self.joint.totals()

    # --- appeals and audits ---------------------------------------------------------------

    def resolve_appeals(self, day: int, ids: np.ndarray, won: np.ndarray) -> None:
        """Appeals decided today: a won appeal takes the person off the list tomorrow."""
        rows = self.coverage.local(ids)
        self.flags[rows] &= ~IN_APPEAL
        fixed = rows[won]
        if fixed.size:
            tomorrow = day + 1
            self.end[fixed] = np.minimum(self.end[fixed], tomorrow)
            self.start[fixed] = np.minimum(self.start[fixed], self.end[fixed])
            self.standing.touch(fixed)  # counted again tomorrow, when the listing ends

    def holdings(self, day: int) -> Holdings:
        """Persons the list holds a record on (scored: a record arrived, or a listing from
        before the run), not those listable only in truth; listed today: 0 on a blacklist, 1
        on a redlist (not listed: 1 and 0.5), on the record and in truth. A blacklisting
        beyond the truth has its record's cause (false, a namesake's, stale); a missing
        listing is incomplete."""
        rows = np.flatnonzero(self.flags & SCORED)
        listed = (self.start[rows] <= day) & (day < self.end[rows])
        true = (self.tstart[rows] <= day) & (day < self.tend[rows])
        ids = self.coverage.global_of(rows)
        if self.spec.polarity == "red":
            return Holdings(ids, np.where(listed, 1.0, 0.5), np.where(true, 1.0, 0.5),
                            np.full(rows.size, INCOMPLETE, dtype=np.int64))
        cause = np.where(listed & ~true, _WRONG_CAUSE[self.cause[rows]], INCOMPLETE)
        return Holdings(ids, np.where(listed, 0.0, 1.0), np.where(true, 0.0, 1.0),
                        cause.astype(np.int64))

    def extremes(self, rows: slice, last_day: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Listed on the last day: a redlist's top standing, a blacklist's bottom."""
        listed = (self.start[rows] <= last_day) & (last_day < self.end[rows])
        return (listed, None) if self.spec.polarity == "red" else (None, listed)

    def totals(self, roles: np.ndarray | None) -> SystemTotals:
        """A list that sanctions nobody counts nobody sanctioned (its listings stand in its
        own fields)."""
        out = super().totals(roles)
        if not self.sanction_mask.any():
            out = replace(out, sanctioned=0, wrong_by_cause=np.zeros_like(out.wrong_by_cause))
        return out

    def own_totals(self) -> ListTotals:
        return ListTotals(listed=int(np.count_nonzero(self.flags & EVER_SANCTIONED)),
                          listed_wrongly=int(self.wrong_by_cause.sum()),
                          listed_at_end=self.now_listed, listed_wrongly_at_end=self.now_wrong)
