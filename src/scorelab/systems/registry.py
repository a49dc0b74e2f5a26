"""System kinds: a new kind is one module and one line here.

Financial scores are system kinds that live in their own layer above the systems; their
registry (``finance/registry.py``) is loaded with this one.
"""

from __future__ import annotations

from ..scenario.kinds import Kinds
from .base import SystemState
from .lists import ListState
from .points import PointsState

SYSTEM_KINDS: Kinds[type[SystemState]] = Kinds("systems", "scorelab.finance.registry")
KINDS = SYSTEM_KINDS

SYSTEM_KINDS.register(PointsState)
SYSTEM_KINDS.register(ListState)

__all__ = ["KINDS", "SYSTEM_KINDS"]
