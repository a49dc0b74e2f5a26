"""Ground truth: what people actually do each day.

Each process is a stream of trials (a loan instalment falls due, a court judgment is made, a
driver commits an offence) at a per-person daily rate, each trial ending in one outcome event.
Rather than flipping a coin per person and day, each person carries the day of their next
trial (geometric waiting time, the exact law of a daily Bernoulli process); a day touches only
the persons whose trial is due. Draws are keyed by person id, so shards agree.
"""

from __future__ import annotations

import numpy as np

from ..core.columns import Column, allocate_onto
from ..core.streams import Stream, Streams
from ..core.tunable import Tunable
from ..population.generate import Population
from ..scenario.schema import ProcessSpec

NEVER = np.iinfo(np.uint16).max  # a next-trial day beyond any horizon
COLUMNS = (Column("next_day", np.uint16, NEVER),)  # per person and process


def waiting_days(u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Failures before the first success of a daily Bernoulli(rate): Geometric - 1, from U(0,1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.floor(np.log1p(-u) / np.log1p(-rate))
    days = np.where(rate >= 1.0, 0.0, days)
    return np.where(rate <= 0.0, np.inf, days)


def remedy_days(stream: Stream, rate: float, day: int, ids: np.ndarray) -> np.ndarray:
    """The day each person remedies an event they had on ``day`` (NEVER if beyond reach),
    from the process's remedy stream for that event.

    A pure function of (seed, process, event, day, person), so every system that asks sees
    the same truth.
    """
    u = stream.uniform(day, ids)
    wait = waiting_days(u, np.full(ids.size, rate))
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

    def _rates(self, rows: np.ndarray | slice) -> np.ndarray:
        spec, pop = self.spec, self.pop
        rate = np.full(pop.age[rows].shape, spec.rate, dtype=np.float64)
        if spec.rate_propensity is not None:
            rate *= pop.propensity[spec.rate_propensity][rows]
        if spec.who == "adults":
            rate *= pop.adult[rows]
        elif spec.who == "borrowers":
            rate *= pop.borrower[rows]
        return np.minimum(rate, 1.0)

    def step(self, day: int) -> dict[str, np.ndarray]:
        """Run today's trials; return the global ids of persons with each outcome event."""
        rows = np.flatnonzero(self.next_day == day)
        ids = rows + self.pop.start
        rates = self._rates(rows)
        gap = waiting_days(self._gap.uniform(day, ids), rates)
        self.next_day[rows] = np.minimum(day + 1 + gap, NEVER).astype(np.uint16)
        out: dict[str, np.ndarray] = {}
        u = self._outcome.uniform(day, ids)
        low = np.zeros(rows.size)
        for event, base in self.spec.outcomes.items():
            p = np.full(rows.size, base)
            if self.spec.outcome_propensity is not None:
                p *= self.pop.propensity[self.spec.outcome_propensity][rows]
            high = np.minimum(low + p, 1.0)
            out[event] = ids[(u >= low) & (u < high)]
            low = high
        if self.spec.otherwise is not None:
            out[self.spec.otherwise] = ids[u >= low]
        return out


def build_processes(specs: dict[str, ProcessSpec], pop: Population,
                    streams: Streams) -> list[Process]:
    return [Process(name, spec, pop, streams) for name, spec in specs.items()]
