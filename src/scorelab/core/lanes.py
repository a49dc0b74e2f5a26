"""A shard's threads: work on whole columns cut into contiguous spans of rows, run side by side.

numpy lets go of the interpreter inside its loops over large arrays (ufuncs, sorts, random
fills), so two threads on two cores draw a population, or a process's window of trials, in
little more than half the time of one. What a lane computes never depends on how many lanes
there are: every draw is keyed by person (or by block), each span writes only its own rows,
and results come back in span order to be merged as one pass would have made them.

A shard that runs alone takes the machine's cores (the local backend's, which run in turn);
shards that run at once share them out (the processes backend's workers); whole runs side by
side and Ray's actors run one lane each.
``SCORELAB_THREADS`` caps the lanes of every shard (``1``: no threads at all).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: the environment variable that caps a shard's lanes
CAP = "SCORELAB_THREADS"


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every platform)
        return os.cpu_count() or 1


def _capped() -> int | None:
    """The cap ``SCORELAB_THREADS`` sets (``None``: unset, or not a count)."""
    value = os.environ.get(CAP, "").strip()
    return int(value) if value.isdigit() and int(value) >= 1 else None


def lanes_for(shards: int) -> int:
    """The lanes each of ``shards`` shards on this machine takes: the cores shared out
    (at least one), at most ``SCORELAB_THREADS`` when it is set."""
    lanes = max(1, cores() // max(1, shards))
    current = _capped()
    return lanes if current is None else min(lanes, current)


def cap(threads: int) -> None:
    """Cap every shard this process builds from now on at ``threads`` lanes (a worker that
    runs whole runs beside others); a lower cap already set stays."""
    current = _capped()
    if current is None or current > threads:
        os.environ[CAP] = str(max(1, threads))


def one_lane(function: Callable[[T], R], argument: T) -> R:
    """``function(argument)`` with every shard it builds on one lane (a task among others
    that each hold a core)."""
    cap(1)
    return function(argument)


class Lanes:
    """``threads`` lanes for a shard's column work; one lane runs everything in the caller's
    thread.

    >>> lanes = Lanes(2)
    >>> lanes.spans(10)
    [(0, 5), (5, 10)]
    >>> lanes.map(sum, [[1, 2], [3]])
    [3, 3]
    >>> lanes.close()
    """

    def __init__(self, threads: int = 1) -> None:
        self.threads = max(1, threads)
        self._pool: ThreadPoolExecutor | None = None  # (its threads start when first needed)
        _EVERY.add(self)

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``function`` of every item, in the items' order (side by side when there are
        lanes to spare; the first error is raised here)."""
        work = list(items)
        if self.threads < 2 or len(work) < 2:
            return [function(item) for item in work]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="scorelab-lane")
        return list(self._pool.map(function, work))

    def spans(self, n: int, least: int = 1) -> list[tuple[int, int]]:
        """Rows ``[0, n)`` cut into one contiguous span per lane, of nearly equal length and
        of at least ``least`` rows each (fewer spans when ``n`` is small)."""
        count = max(1, min(self.threads, n // max(1, least)))
        cuts = [n * k // count for k in range(count + 1)]
        return [(cuts[k], cuts[k + 1]) for k in range(count)]

    def rest(self) -> None:
        """Stop the threads until the lanes are next needed (before a fork: a child gets
        only the thread that forks it, so no lock may be held by another)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        """Stop the threads (the lanes run in the caller's thread from now on)."""
        self.rest()
        self.threads = 1


#: every shard's lanes in this process (to rest them all before a fork)
_EVERY: weakref.WeakSet[Lanes] = weakref.WeakSet()


def rest_all() -> None:
    """Stop the threads of every lanes in this process until each is next needed (the
    local backend's shards all live here: a fork must find none of their threads)."""
    for lanes in list(_EVERY):
        lanes.rest()


#: one lane, no threads: what a part built without lanes uses
ONE = Lanes(1)
