"""The engine: the day loop, shards, backends, and running a scenario (``engine.run``).

Nothing is imported here: a worker of the processes or Ray backend imports
``engine.shard`` and needs neither the ledger's tables nor polars.
"""
