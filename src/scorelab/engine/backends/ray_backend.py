"""The Ray backend: one Ray actor per shard, on a local Ray or an existing cluster.

Each actor builds its shard from the plan (sent once, through Ray's object store) and answers
calls; only per-day aggregates, city-level draws, appeal filings and decisions cross between
actors and the driver. Results are the same bytes as the local backend's, whatever the number
of shards or workers, since every draw is keyed by person.

Ray is optional (``pip install 'scorelab[ray]'``); it is imported only when this backend
starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...scenario.errors import Problem, ScenarioError
from ...scenario.plan import Plan
from .base import Backend, Bounds


class _ShardActor:
    """Holds one shard in a Ray worker and calls its phase methods."""

    def __init__(self, plan: Plan, start: int, stop: int) -> None:
        from ..shard import Shard

        self.shard = Shard(plan, start, stop)

    def ready(self) -> bool:
        return True

    def call(self, method: str, *args: Any) -> Any:
        return getattr(self.shard, method)(*args)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ScenarioError(Problem(
            "the ray backend needs Ray: pip install 'scorelab[ray]' (or pip install ray)",
            path="backend")) from None
    return ray


class RayBackend(Backend):
    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        super().__init__()
        self.address = address
        self.workers = workers
        self.actors: list[Any] = []
        self._started_ray = False

    def _start(self, plan: Plan, bounds: list[Bounds]) -> None:
        ray = _ray()
        if not ray.is_initialized():
            if self.address is not None:
                ray.init(address=self.address, log_to_driver=False)
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False)
            self._started_ray = True
        # actors hold state and spend most of their time waiting for the driver: they claim
        # no CPU, so any number of shards fits any number of workers
        actor = ray.remote(num_cpus=0)(_ShardActor)
        plan_ref = ray.put(plan)
        self.actors = [actor.remote(plan_ref, a, b) for a, b in bounds]
        ray.get([a.ready.remote() for a in self.actors])  # (closed by the engine on failure)

    def call(self, method: str, *args: Any) -> list[Any]:
        ray = _ray()
        return list(ray.get([a.call.remote(method, *args) for a in self.actors]))

    def call_each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        ray = _ray()
        return list(ray.get([a.call.remote(method, *x)
                             for a, x in zip(self.actors, args, strict=True)]))

    def close(self) -> None:
        if not self.actors and not self._started_ray:
            return
        ray = _ray()
        for a in self.actors:
            ray.kill(a)
        self.actors = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False
