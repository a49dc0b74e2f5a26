"""System kinds: a new kind is one module and one line here."""

from __future__ import annotations

from ..scenario.kinds import SYSTEM_KINDS
from .lists import ListState
from .points import PointsState

SYSTEM_KINDS.register(PointsState)
SYSTEM_KINDS.register(ListState)

__all__ = ["SYSTEM_KINDS"]
