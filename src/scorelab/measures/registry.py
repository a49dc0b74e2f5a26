"""Measure kinds: a new kind is one module and one line here."""

from __future__ import annotations

from ..scenario.kinds import Kinds
from .base import MeasureState
from .checkpoint import CheckpointState
from .device_scan import DeviceScanState
from .jammer import JammerState
from .shutdown import ShutdownState

MEASURE_KINDS: Kinds[type[MeasureState]] = Kinds("measures")
KINDS = MEASURE_KINDS

MEASURE_KINDS.register(CheckpointState)
MEASURE_KINDS.register(DeviceScanState)
MEASURE_KINDS.register(JammerState)
MEASURE_KINDS.register(ShutdownState)

__all__ = ["KINDS", "MEASURE_KINDS"]
