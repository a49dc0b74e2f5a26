"""The backend seam: where shards live, and how a phase reaches all of them; and where whole
runs go when an experiment runs many.

A backend creates the shards of a plan, calls one shard method on all of them (or on each
with its own arguments) and gathers the results in shard order. The day's order, the global
coordinators and the ledger stay in the engine, so a new backend (processes, Ray) is one new
module here and changes no result: shards speak plain data, and every draw is keyed by
person, so results do not depend on where a shard runs. The same backend spreads an
experiment's independent runs over its workers (``map_runs``), each run whole.

A call names the method itself (``backend.call(Shard.truth, day, protests, activism)``), so
the type checker sees its arguments and its result; a backend whose shards live in other
processes sends the method's name, which ``Shard`` resolves there.

A phase whose result the driver does not need is *posted* (``backend.post``): a remote
backend sends it and returns at once, and the shard runs it before any later call. A call
whose answers the driver needs later is *asked* (``backend.ask``, then ``backend.answers``):
sent at once, read when needed, and posts sent in between run meanwhile. So a day of
``china-2022`` costs one wait for the shards (the appeal filings), and while the driver
waits the shards already run the next day's truth: a round trip's latency (milliseconds on
Ray) is hidden behind work instead of idling every shard once a day.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, Generic, TypeVar, TypeVarTuple

from ...scenario.plan import Plan
from ..shard import Shard

Bounds = tuple[int, int]
Ts = TypeVarTuple("Ts")
R = TypeVar("R")
A = TypeVar("A")
K = TypeVar("K", bound=Hashable)

#: posted calls before the driver waits for the shards to catch up, so that it runs at most a
#: few days ahead of them (its progress and a pause stay near where the shards are)
RUN_AHEAD = 64


def shard_method(method: Callable[..., Any]) -> str:
    """The name of a method of ``Shard`` (what a remote backend sends); anything else is an
    error here, in the driver, before any shard is reached."""
    name = getattr(method, "__name__", "")
    if getattr(Shard, name, None) is not method:
        raise TypeError(f"{method!r} is not a method of Shard")
    return str(name)


class Asked(Generic[R]):
    """A call sent to every shard whose answers the driver reads later (``Backend.ask``)."""

    def __init__(self, token: Any) -> None:
        self.token = token  # the backend's own handle on the answers (or the answers)
        self.results: list[R] | None = None


class Backend(ABC):
    """Shards of one run, behind a few calls; or many whole runs (``map_runs``).

    ``address`` and ``workers`` are the options of the backends that take them (Ray's
    cluster; how many runs or shard groups at once), checked by ``get_backend``.
    """

    name: str = ""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.address = address
        self.workers = workers
        self.bounds: list[Bounds] = []
        self.unwaited = 0  # calls posted since the driver last waited for the shards
        self.asked: Asked[Any] | None = None  # the asked call whose answers are not read

    @classmethod
    def memory_needed(cls, need: int, shards: int, address: str | None) -> int:
        """Bytes this machine needs for a run whose parts need ``need`` (its own processes
        beyond the driver's, wherever its shards live)."""
        return need

    def start(self, plan: Plan, bounds: Sequence[Bounds]) -> None:
        """Create one shard per ``(start, stop)`` id range."""
        self.bounds = list(bounds)
        self._start(plan, self.bounds)

    @abstractmethod
    def _start(self, plan: Plan, bounds: list[Bounds]) -> None: ...

    def call(self, method: Callable[[Shard, *Ts], R], *args: *Ts) -> list[R]:
        """Call ``method(shard, *args)`` on every shard; the results in shard order."""
        return self.call_each(method, [args] * len(self.bounds))

    def call_each(self, method: Callable[[Shard, *Ts], R], args: Sequence[tuple[*Ts]]
                  ) -> list[R]:
        """Call ``method(shard, *args[k])`` on shard ``k``; the results in shard order."""
        shard_method(method)
        if len(args) != len(self.bounds):
            raise ValueError(f"{len(args)} argument tuples for {len(self.bounds)} shards")
        self._read_asked()
        self.unwaited = 0
        return self._call(method, list(args))

    @abstractmethod
    def _call(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
        """Call ``method`` (a method of ``Shard``) on shard ``k`` with ``args[k]``."""

    def ask(self, method: Callable[[Shard, *Ts], R], *args: *Ts) -> Asked[R]:
        """Send ``method(shard, *args)`` to every shard now and return at once; ``answers``
        reads the results (in shard order) when the driver needs them. Calls posted in
        between run after it, meanwhile; any other call or flush reads its answers first (one
        asked call at a time)."""
        shard_method(method)
        self._read_asked()
        asked: Asked[R] = Asked(self._ask(method, [args] * len(self.bounds)))
        self.asked = asked
        return asked

    def answers(self, asked: Asked[R]) -> list[R]:
        """The results of an asked call, waiting for them if they have not come yet."""
        if asked.results is None:
            if asked is not self.asked:
                raise ValueError("these answers were never asked of this backend")
            self.asked = None
            self.unwaited = 0
            asked.results = self._receive(asked.token)
        return asked.results

    def _read_asked(self) -> None:
        if self.asked is not None:
            self.answers(self.asked)

    def _ask(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> Any:
        """Send an asked call; a token ``_receive`` turns into its results. Here the call
        runs at once and the token is its results."""
        return self._call(method, args)

    def _receive(self, token: Any) -> list[Any]:
        """The results of an asked call from its token (here, the token itself)."""
        results: list[Any] = token
        return results

    def post(self, method: Callable[[Shard, *Ts], object], *args: *Ts) -> None:
        """Call ``method(shard, *args)`` on every shard without waiting for it: for the
        phases whose results the driver does not need. Each shard takes its calls in the
        order they were made, posted or not, so the next ``call`` sees their effects; an
        error in a posted call is raised by the next call that waits (or by ``flush``)."""
        self.post_each(method, [args] * len(self.bounds))

    def post_each(self, method: Callable[[Shard, *Ts], object], args: Sequence[tuple[*Ts]]
                  ) -> None:
        """``post`` with shard ``k``'s own arguments ``args[k]``."""
        shard_method(method)
        if len(args) != len(self.bounds):
            raise ValueError(f"{len(args)} argument tuples for {len(self.bounds)} shards")
        self._post(method, list(args))
        self.unwaited += 1
        if self.unwaited > RUN_AHEAD:
            self.flush()

    def _post(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> None:
        """Send a call that returns nothing; here, at once (a remote backend sends it and
        returns, so the driver waits once per day instead of once per phase)."""
        self._call(method, args)

    def flush(self) -> None:
        """Wait until every posted call has run; raise the first error among them."""
        self._read_asked()
        self.unwaited = 0
        self._flush()

    def _flush(self) -> None:
        """(Here every call has run already.)"""

    def close(self) -> None:
        """Release the shards (and any workers)."""

    def map_runs(self, function: Callable[[A], R], runs: Sequence[tuple[K, A]]
                 ) -> Iterator[tuple[K, R]]:
        """``function(argument)`` for each ``(key, argument)`` of ``runs``, spread over the
        backend's workers; yields ``(key, result)`` as each finishes (here: in this process,
        in order). Each result depends only on its argument, so neither the order nor the
        number of workers changes it."""
        for key, argument in runs:
            yield key, function(argument)
