"""The backend seam: where shards live, and how a phase reaches all of them.

A backend creates the shards of a plan, calls one shard method on all of them (or on each
with its own arguments) and gathers the results in shard order. The day's order, the global
coordinators and the ledger stay in the engine, so a new backend (processes, Ray) is one new
module here and changes no result: shards speak plain data, and every draw is keyed by
person, so results do not depend on where a shard runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from ...scenario.plan import Plan

Bounds = tuple[int, int]


class Backend(ABC):
    """Shards of one run, behind a few calls."""

    name: str = ""

    def __init__(self) -> None:
        self.bounds: list[Bounds] = []

    def start(self, plan: Plan, bounds: Sequence[Bounds]) -> None:
        """Create one shard per ``(start, stop)`` id range."""
        self.bounds = list(bounds)
        self._start(plan, self.bounds)

    @abstractmethod
    def _start(self, plan: Plan, bounds: list[Bounds]) -> None: ...

    @abstractmethod
    def call(self, method: str, *args: Any) -> list[Any]:
        """Call ``method(*args)`` on every shard; the results in shard order."""

    @abstractmethod
    def call_each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Call ``method(*args[k])`` on shard ``k``; the results in shard order."""

    def close(self) -> None:
        """Release the shards (and any workers)."""
