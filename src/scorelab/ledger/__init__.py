"""Metrics: truth against decision, added up over shards."""

from .totals import daily_table, summarise

__all__ = ["daily_table", "summarise"]
