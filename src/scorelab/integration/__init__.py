"""The hypothetical integrated national score: record linkage (splink on DuckDB) of every
source's identity records, and a composite score with sanctions over the linked clusters."""
