"""Metrics: truth against decision, added up over shards (``ledger.totals`` makes the
tables; a shard needs only ``ledger.parts``, so nothing is imported here)."""
