"""Measure kinds: a new kind is one module and one line here."""

from __future__ import annotations

from ..scenario.kinds import MEASURE_KINDS
from .checkpoint import CheckpointState
from .device_scan import DeviceScanState
from .shutdown import ShutdownState

MEASURE_KINDS.register(CheckpointState)
MEASURE_KINDS.register(DeviceScanState)
MEASURE_KINDS.register(ShutdownState)

__all__ = ["MEASURE_KINDS"]
