"""Case files: the dated trails of a keyed sample of the persons a run wronged.

Counts say how many were wronged; a case file says what happened to one of them. For each
system and measure with wrongful decisions, up to ``report.cases`` wronged persons (10 by
default) are chosen by a keyed priority (:mod:`.choose`), so the same persons whatever the
split into shards and whichever backend; each one's trail is put together after the run
(:mod:`.trails`) from the decisions the parts logged as they took them
(:mod:`scorelab.core.caselog`) and from what the person did, recomputed for them alone
(:mod:`.truth`). The table is ``cases.parquet`` (:mod:`.table`; its columns are specified in
docs/outputs.md). The persons are synthetic.

Nothing is imported here: a shard needs the trails, not the table (and polars).
"""
