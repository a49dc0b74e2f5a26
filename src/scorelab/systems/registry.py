"""System kinds by name: a new kind is one module and one entry here."""

from __future__ import annotations

from typing import Any

from .points import PointsState

SYSTEM_KINDS: dict[str, Any] = {"points": PointsState}


def build_system(name: str, spec: Any, pop: Any, streams: Any, days: int) -> Any:
    return SYSTEM_KINDS[spec.kind](name, spec, pop, streams, days)
