"""The Ray backend: Ray actors holding the shards, on a local Ray or an existing cluster.

There are ``workers`` actors (default: one per shard); each holds its share of the shards,
built from the plan (sent once, through Ray's object store), and answers calls for them in
turn, so ``--workers W`` runs at most W shards at once. Only per-day aggregates, city-level
draws, appeal filings and decisions cross between actors and the driver. Results are the
same bytes as the local backend's, whatever the number of shards or workers, since every
draw is keyed by person.

Calls posted by the engine (the phases whose results it does not need) wait in the driver and
go with the next call that waits, as one actor task per actor: a day of ``china-2022`` is one
task per actor and one wait, where it was four of each.

Whole runs (``map_runs``) are Ray tasks, one CPU each, on the same Ray. Ray is started here
only (``start_ray``), and stopped by whoever started it.

Ray is optional (``pip install 'scorelab[ray]'``); it is imported only when this backend
starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ...scenario.errors import Problem, ScenarioError
from ...scenario.plan import Plan
from ..memory import FIXED_BYTES
from ..shard import Shard
from .base import A, Backend, Bounds, K, R, shard_method


class _ShardGroup:
    """Holds some shards in a Ray worker and calls their phase methods, one after another."""

    def __init__(self, plan: Plan, bounds: list[Bounds]) -> None:
        self.shards = [Shard(plan, a, b) for a, b in bounds]

    def ready(self) -> bool:
        return True

    def call(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]:
        """Call the shard method named ``method`` on each shard with its arguments."""
        return [getattr(shard, method)(*a) for shard, a in zip(self.shards, args, strict=True)]

    def calls(self, batch: list[tuple[str, list[tuple[Any, ...]]]]) -> list[Any]:
        """Several calls in order, in one actor task; the last one's results."""
        results: list[Any] = []
        for method, args in batch:
            results = self.call(method, args)
        return results


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ScenarioError(Problem(
            "the ray backend needs Ray: pip install 'scorelab[ray]' (or pip install ray)",
            path="backend")) from None
    return ray


def start_ray(address: str | None, workers: int | None) -> bool:
    """Ray, started (on the cluster at ``address``, or locally with ``workers`` CPUs) unless
    it is running already; True when it was started here (and must be shut down here)."""
    ray = _ray()
    if ray.is_initialized():
        return False
    if address is not None:
        ray.init(address=address, log_to_driver=False)
    else:
        # Ray runs its workers at niceness 15 by default, so that its own daemons come first;
        # on a machine shared with other work that starves the shards, which do all the
        # work of a run: here they run at the priority of the processes backend's workers
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                 _system_config={"worker_niceness": 0})
    return True


class RayBackend(Backend):
    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        super().__init__(address, workers)
        self.actors: list[Any] = []
        self.queued: list[tuple[str, list[tuple[Any, ...]]]] = []  # posted, not yet sent
        self.groups: list[list[int]] = []
        self._started_ray = False

    @classmethod
    def memory_needed(cls, need: int, shards: int, address: str | None) -> int:
        """On a cluster the population lives on its workers, which may be other machines:
        only the driver counts; on a local Ray, an interpreter per worker more."""
        return FIXED_BYTES if address is not None else need + shards * FIXED_BYTES

    def _start(self, plan: Plan, bounds: list[Bounds]) -> None:
        ray = _ray()
        self._started_ray = start_ray(self.address, self.workers)
        # actors hold state and spend much of their time waiting for the driver: they claim
        # no CPU from Ray's scheduler; their number is what bounds the work done at once
        groups = min(self.workers or len(bounds), len(bounds))
        self.groups = [list(range(k, len(bounds), groups)) for k in range(groups)]
        actor = ray.remote(num_cpus=0)(_ShardGroup)
        plan_ref = ray.put(plan)
        self.actors = [actor.remote(plan_ref, [bounds[i] for i in group])
                       for group in self.groups]
        ray.get([a.ready.remote() for a in self.actors])  # (closed by the engine on failure)

    def _submit(self, batch: list[tuple[str, list[tuple[Any, ...]]]]) -> list[Any]:
        """One task per actor carrying the batch's calls, each with that actor's shards'
        arguments."""
        return [a.calls.remote([(name, [args[i] for i in group]) for name, args in batch])
                for a, group in zip(self.actors, self.groups, strict=True)]

    def _post(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> None:
        # kept here and sent with the next call that waits, in one actor task: a Ray task
        # costs the driver about a millisecond to submit, a queued call nothing
        self.queued.append((shard_method(method), args))

    def _flush(self) -> None:
        batch, self.queued = self.queued, []
        if batch:
            _ray().get(self._submit(batch))

    def _call(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
        batch, self.queued = [*self.queued, (shard_method(method), args)], []
        answers = _ray().get(self._submit(batch))
        results: list[Any] = [None] * len(self.bounds)
        for group, values in zip(self.groups, answers, strict=True):
            for i, value in zip(group, values, strict=True):
                results[i] = value
        return results

    def close(self) -> None:
        if not self.actors and not self._started_ray:
            return
        ray = _ray()
        for a in self.actors:
            ray.kill(a)
        self.actors, self.queued = [], []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def map_runs(self, function: Callable[[A], R], runs: Sequence[tuple[K, A]]
                 ) -> Iterator[tuple[K, R]]:
        if not runs:
            return
        ray = _ray()
        started = start_ray(self.address, self.workers)
        try:
            task: Any = ray.remote(num_cpus=1)(function)
            pending = {task.remote(argument): key for key, argument in runs}
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    yield pending.pop(ref), ray.get(ref)
        finally:
            if started:
                ray.shutdown()
