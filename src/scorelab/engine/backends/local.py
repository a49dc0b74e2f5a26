"""The local backend: every shard in this process, run in turn, each on the machine's cores
as lanes for its column work (``core.lanes``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core.lanes import lanes_for
from ...scenario.plan import Plan
from ..shard import Shard
from .base import Backend, Bounds


class LocalBackend(Backend):
    name = "local"

    def _start(self, plan: Plan, bounds: list[Bounds]) -> None:
        threads = lanes_for(1)  # (its shards run in turn: each may take every core)
        self.shards = [Shard(plan, a, b, threads) for a, b in bounds]

    def _call(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
        return [method(shard, *a) for shard, a in zip(self.shards, args, strict=True)]

    def close(self) -> None:
        for shard in self.shards:
            shard.close()
        self.shards = []
