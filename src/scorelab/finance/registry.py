"""Financial system kinds: one line each (the systems' registry loads this module too)."""

from __future__ import annotations

from ..systems.registry import SYSTEM_KINDS
from .bureau import BureauState
from .commercial import CommercialState

SYSTEM_KINDS.register(BureauState)
SYSTEM_KINDS.register(CommercialState)

__all__ = ["SYSTEM_KINDS"]
