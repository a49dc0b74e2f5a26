"""The day loop, shards and random streams."""

from .run import Result, run_scenario
from .streams import Streams

__all__ = ["Result", "Streams", "run_scenario"]
