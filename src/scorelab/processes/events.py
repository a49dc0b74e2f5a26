"""Ground truth: what people actually do each day.

Each process is a stream of trials (a loan instalment falls due, a court judgment is made, a
driver commits an offence) at a per-person daily rate, each trial ending in one outcome event.
Rather than flipping a coin per person and day, each person carries the day of their next
trial (geometric waiting time, the exact law of a daily Bernoulli process).

Nothing a system or a measure does changes the truth, so a process runs a window of days at
once: one scan of the column finds the persons due within the window, their trials are drawn
together (and again for those whose next trial falls inside it too), and each day of the
window then only hands over its events. A day's numpy calls are those of a window shared by
its days, instead of a few dozen of its own. Draws are keyed by (day, person), so they are
the numbers a day-by-day run draws, and each day's persons come in id order, as a scan would
give them. A window ends before a scheduled change of the process and at the end of the run.

An event no system records (a loan repaid on time, a tax return filed) is only counted: its
persons are never sorted into days or handed over, which most of a day's trials are.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from ..core.columns import Column, allocate_onto
from ..core.lanes import ONE, Lanes
from ..core.streams import Stream, Streams
from ..core.tunable import Tunable
from ..population.generate import Population
from ..scenario.plan import Plan
from ..scenario.schema import ProcessSpec

NEVER = np.iinfo(np.uint16).max  # a next-trial day beyond any horizon
COLUMNS = (Column("next_day", np.uint16, NEVER),)  # per person and process
#: days a window runs at once (fewer stops, fewer numpy calls; more events held ahead)
WINDOW = 32
#: trials a window draws at most at once: a large shard's window is cut to fewer days, so
#: its arrays stay small next to the population's columns (china-2022 draws about 14,300
#: trials a day per million persons: 460,000 in 32 days at 1M, 715,000 a day at 50M)
MOST_TRIALS = 1 << 21
#: persons a lane scans and draws at least (a smaller shard runs its window in one span)
SPAN = 1 << 16


def waiting_days(u: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Failures before the first success of a daily Bernoulli(rate): Geometric - 1, from U(0,1).
    ``rate`` is each person's, or one for all (the same doubles, without an array of them)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf: never
        days: np.ndarray = np.negative(u)
        np.log1p(days, out=days)  # (in place: one array of the trials, not two)
        days /= np.log1p(-rate)
        np.floor(days, out=days)
    if not isinstance(rate, np.ndarray):
        if rate >= 1.0:
            days[:] = 0.0
        elif rate <= 0.0:
            days[:] = np.inf
        return days
    sure, never = rate >= 1.0, rate <= 0.0
    if sure.any():
        days[sure] = 0.0
    if never.any():
        days[never] = np.inf
    return days


def remedy_days(stream: Stream, rate: float, day: int, ids: np.ndarray) -> np.ndarray:
    """The day each person remedies an event they had on ``day`` (NEVER if beyond reach),
    from the process's remedy stream for that event.

    A pure function of (seed, process, event, day, person), so every system that asks sees
    the same truth.
    """
    u = stream.uniform(day, ids)
    wait = waiting_days(u, rate)
    out: np.ndarray = np.minimum(day + 1 + wait, float(NEVER)).astype(np.int64)
    return out


class Process(Tunable):
    """One process of a shard: the next-trial day of each of its persons, and the events of
    the days of the open window."""

    next_day: np.ndarray

    def __init__(self, name: str, spec: ProcessSpec, pop: Population, streams: Streams,
                 stops: Sequence[int] = (), read: Collection[str] | None = None,
                 lanes: Lanes = ONE) -> None:
        self.name = name
        self.lanes = lanes
        self.configure(spec)
        self.pop = pop
        names = spec.stream_names(name)
        self._gap = streams.claim(names["gap"])
        self._outcome = streams.claim(names["outcome"])
        self._start = streams.claim(names["start"])
        self.block_size = streams.block_size
        #: days a window must not run past: the scheduled changes of this process (the
        #: change acts before its day) and the end of the run
        self.stops = sorted(set(stops))
        #: the events whose persons a system reads (``None``: every event); the others are
        #: only counted
        self.read = None if read is None else sorted(set(read))
        allocate_onto(self, COLUMNS, len(pop))
        self._draw_next(0)

    def configure(self, spec: ProcessSpec) -> None:
        self.spec = spec
        self.events = spec.events()
        #: a trial's outcomes as slots: the outcomes, then ``otherwise`` (or no event)
        self.slots = len(spec.outcomes) + 1

    def reconcile(self, day: int, old: ProcessSpec) -> None:
        """A new trial rate: every person's next trial is drawn afresh from ``day`` (waiting
        times are memoryless, so this is the exact law of the new daily rate)."""
        if day < self.hi:  # (its stops keep a window from running past a change)
            raise RuntimeError(f"process {self.name!r} changed on day {day}, inside the "
                               f"window of days {self.lo} to {self.hi - 1} it has drawn")
        spec = self.spec
        if (old.rate, old.rate_propensity, old.who) != (spec.rate, spec.rate_propensity,
                                                         spec.who):
            self._draw_next(day)

    def _draw_next(self, day: int) -> None:
        """Each person's next trial day on or after ``day``, from the start stream of ``day``
        (block by block, so the float64 temporaries stay small next to the population; blocks
        side by side on the lanes)."""
        pop = self.pop

        def draw(a: int) -> None:
            b = min(a + self.block_size, len(pop))
            ids = np.arange(pop.start + a, pop.start + b, dtype=np.int64)
            first = day + waiting_days(self._start.uniform(day, ids), self._rates(slice(a, b)))
            self.next_day[a:b] = np.minimum(first, NEVER)

        self.lanes.map(draw, range(0, len(pop), self.block_size))
        self._close_window()

    def _close_window(self) -> None:
        """No window open: the next day draws one."""
        #: the open window ``[lo, hi)``, each of its days' events read (handed over once)
        #: and how many persons had each event, by day and slot (see ``_run_window``)
        self.lo = self.hi = 0
        self.ahead: list[dict[str, np.ndarray]] = []
        self.counts = np.zeros(0, dtype=np.int64)

    def _rates(self, rows: np.ndarray | slice) -> np.ndarray | float:
        """Each row's daily trial rate: the spec's, times the person's propensity, zero
        for those the process does not reach (float64, as ``rate * propensity`` always was);
        one rate for all when it is the same for everyone."""
        spec, pop = self.spec, self.pop
        if spec.rate_propensity is None and (
                spec.who == "everyone" or isinstance(rows, np.ndarray)
                and (pop.adult if spec.who == "adults" else pop.borrower)[rows].all()):
            # (the same rate for each of these rows: the spec's times one)
            return min(float(spec.rate), 1.0)
        n = rows.size if isinstance(rows, np.ndarray) else len(range(*rows.indices(len(pop))))
        if spec.rate_propensity is not None:
            rate = pop.propensity[spec.rate_propensity][rows].astype(np.float64)
            rate *= spec.rate
        else:
            rate = np.full(n, spec.rate, dtype=np.float64)
        if spec.who == "adults":
            rate *= pop.adult[rows]
        elif spec.who == "borrowers":
            rate *= pop.borrower[rows]
        return np.minimum(rate, 1.0, out=rate)

    def step(self, day: int) -> tuple[dict[str, np.ndarray], dict[str, int]]:
        """Today's trials: the global ids of persons with each event a system reads,
        ascending, and how many persons had each event."""
        if not self.lo <= day < self.hi:
            self._run_window(day)
        k = day - self.lo
        events = self.ahead[k]
        self.ahead[k] = {}  # (handed over once; the arrays go with the day)
        slots = self.slots
        counts = self.counts[k * slots:(k + 1) * slots].tolist()
        return events, {event: counts[s] for s, event in enumerate(self.events)}

    def _window_end(self, day: int) -> int:
        """The end of a window opened on ``day``: ``WINDOW`` days, never past a stop."""
        end = min(day + WINDOW, NEVER)
        for stop in self.stops:
            if stop > day:
                return min(end, stop)
        return end

    def _run_window(self, lo: int) -> None:
        """Run every trial of days ``[lo, hi)``: the persons due in the window (one scan),
        then those of them due again inside it, round by round; each day's events are kept,
        sorted by (event, id), for ``step`` to hand over. Persons are independent, so spans
        of them run side by side on the lanes, and their sorted runs merge into the order one
        span gives."""
        hi = self._window_end(lo)
        lanes = self.lanes
        due = lanes.map(lambda span: self._due(span, hi),
                        lanes.spans(len(self.pop), least=SPAN))
        if sum(rows.size for rows, _ in due) > MOST_TRIALS:  # fewer days, as many as fit
            per_day = np.cumsum(sum(np.bincount(days - lo, minlength=hi - lo)
                                    for _, days in due))
            hi = lo + max(1, int(np.searchsorted(per_day, MOST_TRIALS, side="right")))
            due = [(rows[kept], days[kept]) for rows, days in due
                   for kept in [days < hi]]
        names = self.events
        slots = self.slots
        # the slots whose persons are handed over: events a system reads (not "no event")
        wanted = np.array([self.read is None or event in self.read for event in names]
                          + [False] * (slots - len(names)))
        done = lanes.map(lambda span: self._trials(lo, hi, *span, wanted), due)
        counts = done[0][1] if len(done) == 1 else np.sum([c for _, c in done], axis=0)
        runs = [run for span_runs, _ in done for run in span_runs]
        keys = (runs[0] if len(runs) == 1 else np.sort(np.concatenate(runs), kind="stable")
                ) if runs else np.empty(0, dtype=np.int64)
        ids = (keys & 0xFFFFFFFF) + self.pop.start
        bounds = np.searchsorted(keys >> 32, np.arange((hi - lo) * slots + 1)).tolist()
        self.ahead = []
        for k in range(hi - lo):
            today: dict[str, np.ndarray] = {}
            for s, event in enumerate(names):
                if wanted[s]:
                    at = k * slots + s
                    today[event] = ids[bounds[at]:bounds[at + 1]]
            self.ahead.append(today)
        self.counts = counts
        self.lo, self.hi = lo, hi

    def _due(self, span: tuple[int, int], hi: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of a span due before ``hi`` (every next day is at or after the window's
        first), ascending, and their next trial days."""
        a, b = span
        rows = np.flatnonzero(self.next_day[a:b] < hi)
        if a:
            rows += a
        return rows, self.next_day[rows]

    def _trials(self, lo: int, hi: int, rows: np.ndarray, days: np.ndarray,
                wanted: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """The trials of some persons due in the window ``[lo, hi)`` (rows ascending), round
        by round until none is due again inside it: each round's events as sorted keys
        (day and event slot, then the row), and how many persons had each event, by day and
        slot. Writes only these rows' next trial days."""
        slots = self.slots
        counts = np.zeros((hi - lo) * slots, dtype=np.int64)
        runs = []
        while rows.size:
            offsets = (days - lo).astype(np.intp)
            ids = rows + self.pop.start
            gap = waiting_days(self._gap.uniform_on(lo, offsets, ids), self._rates(rows))
            gap += days.astype(np.float64) + 1  # (the day's ``day + 1``, the same doubles)
            new = np.minimum(gap, NEVER, out=gap).astype(np.uint16)
            self.next_day[rows] = new
            slot = self._outcomes(lo, offsets, rows, ids)
            group = offsets * slots + slot
            counts += np.bincount(group, minlength=counts.size)
            held = rows
            if not wanted.all():
                kept = np.flatnonzero(wanted[slot])
                group, held = group[kept], rows[kept]
            # each round's events sorted by (day, event), rows ascending within (a stable
            # sort, on bytes a radix sort), packed with the row into one key: the rounds
            # merge by one sort of sorted runs
            order = np.argsort(group.astype(np.uint8 if (hi - lo) * slots <= 256
                                            else np.int64), kind="stable")
            key = group[order] << 32
            key |= held[order]
            runs.append(key)
            again = new < hi
            rows, days = rows[again], new[again]
        return runs, counts

    def _outcomes(self, lo: int, offsets: np.ndarray, rows: np.ndarray, ids: np.ndarray
                  ) -> np.ndarray:
        """Each trial's outcome, as its slot: the i-th outcome, or ``len(outcomes)`` for the
        rest (``otherwise``, if any). Each outcome takes the next slice [low, high) of the
        unit interval; without a propensity the bounds are the same for everyone (scalars,
        the same doubles)."""
        spec = self.spec
        if not spec.outcomes:  # one event whatever the draw: nothing to draw
            return np.zeros(ids.size, dtype=np.intp)
        u = self._outcome.uniform_on(lo, offsets, ids)
        propensity = (self.pop.propensity[spec.outcome_propensity][rows].astype(np.float64)
                      if spec.outcome_propensity is not None else None)
        if propensity is None:  # the slices' ends, then one search places every trial
            highs, high = [], 0.0
            for base in spec.outcomes.values():
                high = float(np.minimum(high + base, 1.0))
                highs.append(high)
            return np.searchsorted(np.array(highs), u, side="right")
        slot = np.full(u.size, len(spec.outcomes), dtype=np.intp)
        low: np.ndarray | float = 0.0
        for s, base in enumerate(spec.outcomes.values()):
            high_of = np.minimum(low + base * propensity, 1.0)
            slot[(u >= low) & (u < high_of)] = s
            low = high_of
        return slot


def build_processes(plan: Plan, pop: Population, streams: Streams, lanes: Lanes = ONE
                    ) -> list[Process]:
    """The plan's processes for a shard's persons; each window stops at the process's
    scheduled changes and at the end of the run, and hands over the persons of the events
    the systems record (their events are fixed for a run: a schedule may not change a
    system's streams)."""
    stops = {k: [day for day, step in plan.steps.items()
                 if any(index == k for index, _ in step.processes)]
             for k in range(len(plan.processes))}
    read = {event for system in plan.systems for event in system.spec.events()}
    return [Process(p.name, p.spec, pop, streams, [*stops[k], plan.total_days], read, lanes)
            for k, p in enumerate(plan.processes)]
