"""The local backend: every shard in this process, run in turn."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...scenario.plan import Plan
from ..shard import Shard
from .base import Backend, Bounds


class LocalBackend(Backend):
    name = "local"

    def _start(self, plan: Plan, bounds: list[Bounds]) -> None:
        self.shards = [Shard(plan, a, b) for a, b in bounds]

    def call(self, method: str, *args: Any) -> list[Any]:
        return [getattr(shard, method)(*args) for shard in self.shards]

    def call_each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        return [getattr(shard, method)(*a) for shard, a in zip(self.shards, args, strict=True)]

    def close(self) -> None:
        self.shards = []
