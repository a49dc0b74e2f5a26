"""Metrics: truth against decision, added up over shards."""

from .parts import RunTotals, ShardTotals
from .totals import daily_table, summarise

__all__ = ["RunTotals", "ShardTotals", "daily_table", "summarise"]
