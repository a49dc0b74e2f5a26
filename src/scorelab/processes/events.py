"""Ground truth: what people actually do each day.

Each process is a stream of trials (a loan instalment falls due, a court judgment is made, a
driver commits an offence) at a per-person daily rate, each trial ending in one outcome event.
Rather than flipping a coin per person and day, each person carries the day of their next
trial (geometric waiting time, the exact law of a daily Bernoulli process); a day touches only
the persons whose trial is due, which a calendar queue (``core.calendar``) holds by day, so
the column is scanned once a window, not once a day. Draws are keyed by person id, so shards
agree, and the persons due come in id order, as a scan would give them.
"""

from __future__ import annotations

import numpy as np

from ..core.calendar import Calendar
from ..core.columns import Column, allocate_onto
from ..core.streams import Stream, Streams
from ..core.tunable import Tunable
from ..population.generate import Population
from ..scenario.schema import ProcessSpec

NEVER = np.iinfo(np.uint16).max  # a next-trial day beyond any horizon
COLUMNS = (Column("next_day", np.uint16, NEVER),)  # per person and process


def waiting_days(u: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Failures before the first success of a daily Bernoulli(rate): Geometric - 1, from U(0,1).
    ``rate`` is each person's, or one for all (the same doubles, without an array of them)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf: never
        days: np.ndarray = np.log1p(-u)
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
    """One process of a shard: the next-trial day of each of its persons."""

    next_day: np.ndarray

    def __init__(self, name: str, spec: ProcessSpec, pop: Population, streams: Streams) -> None:
        self.name = name
        self.configure(spec)
        self.pop = pop
        names = spec.stream_names(name)
        self._gap = streams.claim(names["gap"])
        self._outcome = streams.claim(names["outcome"])
        self._start = streams.claim(names["start"])
        self.block_size = streams.block_size
        allocate_onto(self, COLUMNS, len(pop))
        #: the rows due on each day of a window (the column stays the truth)
        self.calendar = Calendar()
        self._draw_next(0)

    def configure(self, spec: ProcessSpec) -> None:
        self.spec = spec
        self.events = spec.events()

    def reconcile(self, day: int, old: ProcessSpec) -> None:
        """A new trial rate: every person's next trial is drawn afresh from ``day`` (waiting
        times are memoryless, so this is the exact law of the new daily rate)."""
        spec = self.spec
        if (old.rate, old.rate_propensity, old.who) != (spec.rate, spec.rate_propensity,
                                                         spec.who):
            self._draw_next(day)

    def _draw_next(self, day: int) -> None:
        """Each person's next trial day on or after ``day``, from the start stream of ``day``
        (block by block, so the float64 temporaries stay small next to the population)."""
        pop = self.pop
        for a in range(0, len(pop), self.block_size):
            b = min(a + self.block_size, len(pop))
            ids = np.arange(pop.start + a, pop.start + b, dtype=np.int64)
            first = day + waiting_days(self._start.uniform(day, ids), self._rates(slice(a, b)))
            self.next_day[a:b] = np.minimum(first, NEVER)
        self.calendar.close()

    def _rates(self, rows: np.ndarray | slice) -> np.ndarray | float:
        """Each row's daily trial rate: the spec's, times the person's propensity, zero
        for those the process does not reach (float64, as ``rate * propensity`` always was);
        one rate for all when it is the same for everyone."""
        spec, pop = self.spec, self.pop
        if spec.rate_propensity is None and spec.who == "everyone":
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

    def _due(self, day: int) -> np.ndarray:
        """The rows whose trial is today, ascending (``np.flatnonzero(next_day == day)``),
        from the calendar; a day past its window opens the next from one scan."""
        calendar = self.calendar
        if not calendar.covers(day):
            rows = np.flatnonzero(self.next_day < calendar.end(day, NEVER))
            calendar.open(day, rows, self.next_day[rows], NEVER)
        return calendar.take(day)

    def step(self, day: int) -> dict[str, np.ndarray]:
        """Run today's trials; return the global ids of persons with each outcome event."""
        rows = self._due(day)
        ids = rows + self.pop.start
        rates = self._rates(rows)
        gap = waiting_days(self._gap.uniform(day, ids), rates)
        gap += day + 1
        new = np.minimum(gap, NEVER, out=gap).astype(np.uint16)
        self.next_day[rows] = new
        self.calendar.add(rows, new)
        out: dict[str, np.ndarray] = {}
        u = self._outcome.uniform(day, ids)
        # each outcome takes the next slice [low, high) of the unit interval; without a
        # propensity the bounds are the same for everyone (scalars, the same doubles)
        spec = self.spec
        propensity = (self.pop.propensity[spec.outcome_propensity][rows].astype(np.float64)
                      if spec.outcome_propensity is not None else None)
        low: np.ndarray | float = 0.0
        for event, base in spec.outcomes.items():
            high = np.minimum(low + (base * propensity if propensity is not None else base),
                              1.0)
            out[event] = ids[(u >= low) & (u < high)]
            low = high
        if spec.otherwise is not None:
            out[spec.otherwise] = ids[u >= low]
        return out


def build_processes(specs: dict[str, ProcessSpec], pop: Population,
                    streams: Streams) -> list[Process]:
    return [Process(name, spec, pop, streams) for name, spec in specs.items()]
