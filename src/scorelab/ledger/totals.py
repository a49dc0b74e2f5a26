"""The ledger: shards' integer counters added up into the summary and the daily table.

Only integers are added, so the totals are exact and the same in any order: that is what
makes the outputs byte-identical for any number of shards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ..scenario import scenario_digest
from ..scenario.schema import Scenario

if TYPE_CHECKING:
    from ..engine.shard import Shard


def _add(a: Any, b: Any) -> Any:
    """Add shard summaries: integers add, dicts add key by key, other values must agree."""
    if isinstance(a, dict):
        # shards report the same keys in the same order, so the order of keys in the output
        # cannot depend on the split
        if list(a) != list(b):
            raise ValueError(f"shard summaries disagree on keys: {list(a)} vs {list(b)}")
        return {k: _add(a[k], b[k]) for k in a}
    if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
        return int(a) + int(b)
    return a


def summarise(scenario: Scenario, parts: list[Shard], scale: float) -> dict[str, Any]:
    population = parts[0].population_summary()
    for shard in parts[1:]:
        population = _add(population, shard.population_summary())
    events = {e: int(sum(int(s.event_counts[e].sum()) for s in parts))
              for e in parts[0].event_names}
    systems: dict[str, Any] = {}
    for i, (name, spec) in enumerate(scenario.systems.items()):
        total = parts[0].systems[i].summary()
        for shard in parts[1:]:
            total = _add(total, shard.systems[i].summary())
        systems[name] = {"kind": spec.kind, "jurisdiction": spec.jurisdiction.describe(), **total}
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "scenario_sha256": scenario_digest(scenario),
        "seed": scenario.population.seed,
        "persons": scenario.population.persons,
        "days": scenario.days,
        "scale": round(scale, 6),
        "population": population,
        "events": events,
        "systems": systems,
    }


def daily_table(scenario: Scenario, parts: list[Shard]) -> pl.DataFrame:
    days = np.arange(scenario.days, dtype=np.int32)
    frames = []
    for i, name in enumerate(scenario.systems):
        columns = {k: sum(s.systems[i].daily[k] for s in parts) for k in parts[0].systems[i].daily}
        frames.append(pl.DataFrame({
            "day": days,
            "system": [name] * scenario.days,
            **{k: v.astype(np.int64) for k, v in columns.items()},
        }))
    if not frames:
        return pl.DataFrame(schema={"day": pl.Int32, "system": pl.Utf8})
    return pl.concat(frames).sort(["day", "system"], maintain_order=True)
