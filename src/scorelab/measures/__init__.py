"""Control measures: checkpoints, device scanning, shutdowns."""

from .registry import MEASURE_KINDS, costs, stream_names

__all__ = ["MEASURE_KINDS", "costs", "stream_names"]
