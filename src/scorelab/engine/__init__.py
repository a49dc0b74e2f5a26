"""The engine: the day loop, shards, backends, and running a scenario."""

from ..ledger.result import Result
from .run import run_scenario

__all__ = ["Result", "run_scenario"]
