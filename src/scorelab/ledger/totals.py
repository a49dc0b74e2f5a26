"""The ledger: shards' integer counters added up into the summary and the daily table.

Only integers are added, so the totals are exact and the same in any order: that is what
makes the outputs byte-identical for any number of shards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ..measures import costs as measure_costs
from ..measures.base import DAILY as MEASURE_DAILY
from ..processes.protests import ROLES
from ..scenario import scenario_digest
from ..scenario.schema import SANCTIONS, Scenario
from ..systems.base import DAILY_COLUMNS
from .overlap import disparity, sanctioned_by_role, shard_overlap

if TYPE_CHECKING:
    from ..engine.shard import Shard
    from ..systems.appeals import AppealDesk

APPEAL_COLUMNS = ("appeals_filed", "appeals_won", "appeal_backlog")


def _add(a: Any, b: Any) -> Any:
    """Add shard summaries: integers add, dicts add key by key, other values must agree."""
    if isinstance(a, dict):
        # shards report the same keys in the same order, so the order of keys in the output
        # cannot depend on the split
        if list(a) != list(b):
            raise ValueError(f"shard summaries disagree on keys: {list(a)} vs {list(b)}")
        return {k: _add(a[k], b[k]) for k in a}
    if isinstance(a, list):
        return [_add(x, y) for x, y in zip(a, b, strict=True)]
    if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
        return int(a) + int(b)
    return a


def _total(items: list[Any]) -> Any:
    out = items[0]
    for item in items[1:]:
        out = _add(out, item)
    return out


def _links(scenario: Scenario) -> list[tuple[int, int, str]]:
    """(index of the source list, its link number, target) for each joint-punishment link."""
    names = list(scenario.systems)
    seen: dict[str, int] = {}
    out = []
    for link in scenario.joint_punishment:
        k = seen.get(link.source, 0)
        seen[link.source] = k + 1
        out.append((names.index(link.source), k, link.target))
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 6) if b else None


def _measures(scenario: Scenario, parts: list[Shard], world: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, (name, spec) in enumerate(scenario.measures.items()):
        total = _total([s.measures[i].summary() for s in parts])
        counts = total.pop("counts")
        officer_hours = world.checkpoints[i].officer_hours if i in world.checkpoints else 0.0
        wrongly = sum(total["flagged_wrongly"].values())
        entry: dict[str, Any] = {"kind": spec.kind, **total}
        entry["flagged_wrongly_total"] = wrongly
        entry["precision"] = _ratio(total["flagged_rightly"], total["flagged"])
        entry["recall"] = _ratio(total["flagged_rightly"], total["participants"])
        entry["innocent_per_participant_caught"] = _ratio(wrongly, total["flagged_rightly"])
        if spec.kind == "checkpoint":
            entry["searches"] = counts["searches"]
            entry["search_hits"] = counts["hits"]
        if spec.kind == "device_scan":
            entry["installed"] = counts["installed"]
            entry["matches"] = counts["matches"]
            if i in world.backlog:
                entry["review_backlog_max"] = int(world.backlog[i].max(initial=0))
        entry["cost"] = {k: round(v, 6) for k, v in
                         measure_costs(spec, counts, scenario.days, officer_hours).items()}
        out[name] = entry
    return out


def _protests(parts: list[Shard], world: Any) -> dict[str, Any] | None:
    if world.protests is None:
        return None
    roles = np.zeros(len(ROLES), dtype=np.int64)
    for s in parts:
        assert s.protests is not None
        roles += np.bincount(s.protests.role, minlength=len(ROLES))
    return {"protests": world.protest_count,
            **{f"{r}s" if r != "uninvolved" else r: int(roles[k])
               for k, r in enumerate(ROLES)}}


def summarise(scenario: Scenario, parts: list[Shard], desks: dict[int, AppealDesk],
              scale: float, world: Any) -> dict[str, Any]:
    population = _total([s.population_summary() for s in parts])
    events = {e: int(sum(int(s.event_counts[e].sum()) for s in parts))
              for e in parts[0].event_names}
    systems: dict[str, Any] = {}
    restrictions: dict[str, dict[str, int]] = {s: {} for s in SANCTIONS}
    for i, (name, spec) in enumerate(scenario.systems.items()):
        total = _total([s.systems[i].summary() for s in parts])
        entry: dict[str, Any] = {"kind": spec.kind, "jurisdiction": spec.jurisdiction.describe(),
                                 **total}
        if i in desks:
            entry.update(desks[i].summary())
        if scenario.protests is not None:
            by_role = _total([sanctioned_by_role(s, i) for s in parts])
            entry["sanctioned_by_role"] = by_role
            entry["precision_participants"] = _ratio(by_role["participant"],
                                                     sum(by_role.values()))
        systems[name] = entry
        for sanction, days in total["restriction_person_days_by_sanction"].items():
            if days:
                restrictions[sanction][name] = days
    for source_index, k, target in _links(scenario):
        source = list(scenario.systems)[source_index]
        link = _total([s.systems[source_index].link_summary(k) for s in parts])
        link.pop("target")
        systems[target].setdefault("joint_punishment", {})[source] = link
        for sanction, days in link["restriction_person_days_by_sanction"].items():
            if days:
                restrictions[sanction][f"{target} (joint: {source})"] = days
    days = scenario.warmup_days + scenario.days - 1
    overlap = _total([shard_overlap(s, days) for s in parts])
    geo = parts[0].population.geography
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "scenario_sha256": scenario_digest(scenario),
        "seed": scenario.population.seed,
        "persons": scenario.population.persons,
        "days": scenario.days,
        "warmup_days": scenario.warmup_days,
        "scale": round(scale, 6),
        "population": population,
        "events": events,
        "systems": systems,
        "restrictions": {k: v for k, v in restrictions.items() if v},
        "coverage_histogram": overlap["coverage_histogram"],
        "scored_histogram": overlap["scored_histogram"],
        "conflicting_grades": overlap["conflicting_grades"],
        "sanctioned_any": overlap["sanctioned_any"],
        "sanctioned_wrongly_any": overlap["sanctioned_wrongly_any"],
        "disparity": disparity(overlap, geo.province_names, scenario.population.persons),
        **({"protests": _protests(parts, world)} if world.protests is not None else {}),
        **({"measures": _measures(scenario, parts, world)} if scenario.measures else {}),
    }


def daily_table(scenario: Scenario, parts: list[Shard], desks: dict[int, AppealDesk],
                world: Any) -> pl.DataFrame:
    days = np.arange(scenario.days, dtype=np.int32)
    zeros = np.zeros(scenario.days, dtype=np.int64)
    joint: dict[str, dict[str, np.ndarray]] = {}
    for source_index, link_no, target in _links(scenario):
        into = joint.setdefault(target, {"joint_sanctioned": zeros.copy(),
                                         "joint_sanctioned_wrongly": zeros.copy()})
        for s in parts:
            link = s.systems[source_index].link_daily[link_no]
            into["joint_sanctioned"] += link["sanctioned"]
            into["joint_sanctioned_wrongly"] += link["sanctioned_wrongly"]
    frames = []
    for i, (name, spec) in enumerate(scenario.systems.items()):
        columns: dict[str, Any] = {
            k: sum((s.systems[i].daily[k] for s in parts), zeros) for k in DAILY_COLUMNS}
        if spec.kind != "list":
            columns["listed"] = None
        for k in APPEAL_COLUMNS:
            columns[k] = desks[i].daily[k] if i in desks else zeros
        extra = joint.get(name, {})
        columns["joint_sanctioned"] = extra.get("joint_sanctioned", zeros)
        columns["joint_sanctioned_wrongly"] = extra.get("joint_sanctioned_wrongly", zeros)
        frames.append(pl.DataFrame({
            "day": days,
            "system": [name] * scenario.days,
            "kind": [spec.kind] * scenario.days,
            **{k: pl.Series(k, v, dtype=pl.Int64) if v is not None
               else pl.Series(k, [None] * scenario.days, dtype=pl.Int64)
               for k, v in columns.items()},
        }))
    for i, (name, measure) in enumerate(scenario.measures.items()):
        columns = {k: sum((s.measures[i].daily[k] for s in parts), zeros)
                   for k in MEASURE_DAILY}
        if i in world.backlog:
            columns["review_backlog"] = world.backlog[i]
        frames.append(pl.DataFrame({
            "day": days,
            "system": [name] * scenario.days,
            "kind": [measure.kind] * scenario.days,
            **{k: pl.Series(k, v, dtype=pl.Int64) for k, v in columns.items()},
        }))
    if not frames:
        return pl.DataFrame(schema={"day": pl.Int32, "system": pl.Utf8, "kind": pl.Utf8})
    return pl.concat(frames, how="diagonal").sort(["day", "system"], maintain_order=True)
