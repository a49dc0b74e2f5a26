"""The ledger: shards' integer counters added up into the summary and the daily table.

Only integers are added, so the totals are exact and the same in any order: that is what
makes the outputs byte-identical for any number of shards.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import polars as pl

from ..measures.base import COSTS
from ..measures.base import DAILY as MEASURE_DAILY
from ..processes.protests import ROLES
from ..scenario import scenario_digest
from ..scenario.plan import Plan
from ..scenario.schedule import beyond_the_run, day_number
from ..scenario.schema import SANCTIONS, Scenario
from ..systems.base import DAILY_COLUMNS
from .overlap import disparity
from .parts import RunTotals, ShardTotals
from .summary import MIN_BASE, SCHEMA_VERSION, Summary

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
    if a != b:  # anything else (a flag, a label) must be the same in every shard
        raise ValueError(f"shard summaries disagree on a value that does not add: {a!r} vs {b!r}")
    return a


def _total(items: list[Any]) -> Any:
    out = items[0]
    for item in items[1:]:
        out = _add(out, item)
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 6) if b else None


def _measures(plan: Plan, shards: list[ShardTotals], run: RunTotals) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for measure, coordinator in zip(plan.measures, run.measures):
        total = _total([s.measures[measure.index].summary for s in shards])
        total.pop("counts")
        wrongly = sum(total["flagged_wrongly"].values())
        entry: dict[str, Any] = {"kind": measure.spec.kind, **total}
        entry["flagged_wrongly_total"] = wrongly
        entry["precision"] = _ratio(total["flagged_rightly"], total["flagged"])
        entry["recall"] = _ratio(total["flagged_rightly"], total["participants"])
        entry["innocent_per_participant_caught"] = _ratio(wrongly, total["flagged_rightly"])
        entry.update(coordinator.summary)
        entry["cost"] = {k: round(float(coordinator.costs.get(k, 0.0)), 6) for k in COSTS}
        out[measure.name] = entry
    return out


def _protests(shards: list[ShardTotals], run: RunTotals) -> dict[str, Any]:
    roles = np.zeros(len(ROLES), dtype=np.int64)
    for s in shards:
        assert s.roles is not None
        roles += s.roles
    return {"protests": run.protests,
            **{f"{r}s" if r != "uninvolved" else r: int(roles[k])
               for k, r in enumerate(ROLES)}}


#: daily columns summed by calendar year, by component (flows and person-days, not stocks)
YEARLY_COLUMNS = {
    "system": ("records", "newly_sanctioned", "newly_wronged", "restriction_person_days",
               "appeals_filed", "appeals_won"),
    "measure": ("searches", "flagged", "flagged_wrongly", "restricted", "collateral"),
}


def yearly_totals(daily: pl.DataFrame) -> dict[str, dict[str, dict[str, int]]]:
    """Sums of the daily flows by calendar year, then system or measure (needs ``date``)."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    if "date" not in daily.columns:
        return out
    years = daily.with_columns(pl.col("date").dt.year().alias("year"))
    for component, columns in YEARLY_COLUMNS.items():
        part = years.filter(pl.col("component") == component)
        if part.height == 0:
            continue
        sums = (part.group_by(["year", "name"], maintain_order=True)
                .agg([pl.col(c).sum() for c in columns]))
        for row in sums.iter_rows(named=True):
            out.setdefault(str(row["year"]), {})[str(row["name"])] = {
                c: int(row[c]) for c in columns}
    return {year: dict(sorted(names.items())) for year, names in sorted(out.items())}


def summarise(plan: Plan, shards: list[ShardTotals], run: RunTotals,
              daily: pl.DataFrame | None = None) -> Summary:
    """The run's summary (the contents of ``summary.json``) from the shards' totals (and,
    with a start date, the yearly totals of the daily table)."""
    scenario = plan.scenario
    population = _total([s.population for s in shards])
    events = {e: int(sum(int(s.events[e].sum()) for s in shards)) for e in shards[0].events}
    systems: dict[str, Any] = {}
    restrictions: dict[str, dict[str, int]] = {s: {} for s in SANCTIONS}
    for system in plan.systems:
        i, name, spec = system.index, system.name, system.spec
        total = _total([s.systems[i].summary for s in shards])
        entry: dict[str, Any] = {"kind": spec.kind, "jurisdiction": spec.jurisdiction.describe(),
                                 **total}
        if i in run.desks:
            entry.update(run.desks[i].summary)
        if scenario.protests is not None:
            counts = np.zeros(len(ROLES), dtype=np.int64)
            for s in shards:
                shard_counts = s.systems[i].by_role
                assert shard_counts is not None
                counts += shard_counts
            by_role = {r: int(c) for r, c in zip(ROLES, counts)}
            entry["sanctioned_by_role"] = by_role
            entry["precision_participants"] = _ratio(by_role["participant"],
                                                     sum(by_role.values()))
        systems[name] = entry
        for sanction, days in total["restriction_person_days_by_sanction"].items():
            if days:
                restrictions[sanction][name] = days
    for link in plan.links:
        source, target = plan.systems[link.source].name, plan.systems[link.target].name
        joint = _total([{k: v for k, v in s.systems[link.source].links[link.number].items()
                         if k != "daily"} for s in shards])
        systems[target].setdefault("joint_punishment", {})[source] = joint
        for sanction, days in joint["restriction_person_days_by_sanction"].items():
            if days:
                restrictions[sanction][f"{target} (joint: {source})"] = days
    composite = run.composite
    if composite is not None:  # the integrated score, audited as a system
        entry = {**composite.summary}
        by_role_parts = [s.composite_by_role for s in shards]
        if scenario.protests is not None and all(c is not None for c in by_role_parts):
            counts = sum((c for c in by_role_parts if c is not None),
                         np.zeros(len(ROLES), dtype=np.int64))
            by_role = {r: int(c) for r, c in zip(ROLES, counts)}
            entry["sanctioned_by_role"] = by_role
            entry["precision_participants"] = _ratio(by_role["participant"],
                                                     sum(by_role.values()))
        systems[composite.name] = entry
        for sanction, days in entry["restriction_person_days_by_sanction"].items():
            if days:
                restrictions[sanction][composite.name] = days
    overlap = _total([s.overlap for s in shards])
    summary_disparity = disparity(overlap, plan.geography.province_names, plan.persons)
    measures = _measures(plan, shards, run) if scenario.measures else None
    return Summary.model_validate({
        "schema_version": SCHEMA_VERSION,
        "scenario": scenario.name,
        "description": scenario.description,
        "scenario_sha256": scenario_digest(scenario),
        "seed": scenario.population.seed,
        "persons": scenario.population.persons,
        "days": scenario.days,
        "warmup_days": scenario.warmup_days,
        "scale": round(plan.scale, 6),
        "population": population,
        "events": events,
        "systems": systems,
        "restrictions": {k: v for k, v in restrictions.items() if v},
        "coverage_histogram": overlap["coverage_histogram"],
        "scored_histogram": overlap["scored_histogram"],
        "conflicting_grades": overlap["conflicting_grades"],
        "sanctioned_any": overlap["sanctioned_any"],
        "sanctioned_wrongly_any": overlap["sanctioned_wrongly_any"],
        "disparity": summary_disparity,
        **({"protests": _protests(shards, run)} if scenario.protests is not None else {}),
        **({"measures": measures} if measures is not None else {}),
        **({"integration": {**run.integration,
                            "fragmented_sanctioned_any": overlap["sanctioned_any_separate"]}}
           if run.integration is not None else {}),
        "warnings": [*uncalibrated(systems),
                     *small_bases(systems, summary_disparity, measures or {}),
                     *filter(None, [beyond_the_run(scenario)])],
        **({"start_date": scenario.start_date.isoformat(),
            "yearly": yearly_totals(daily) if daily is not None else {}}
           if scenario.start_date is not None else {}),
        **({"schedule": scheduled_changes(scenario)} if scenario.schedule else {}),
        **({"lead": list(scenario.report.lead)} if scenario.report is not None else {}),
    })


def scheduled_changes(scenario: Scenario) -> list[dict[str, Any]]:
    """The schedule as it took effect: reported days, and dates with a start date."""
    start = scenario.start_date
    out = []
    for change in scenario.schedule:
        at = day_number(change.at, start, "at")
        until = None if change.until is None else day_number(change.until, start, "until")
        row: dict[str, Any] = {"set": change.set, "to": change.to, "at": at}
        if until is not None:
            row["until"] = until
        if start is not None:
            row["at_date"] = (start + datetime.timedelta(days=at)).isoformat()
            if until is not None:
                row["until_date"] = (start + datetime.timedelta(days=until)).isoformat()
        out.append(row)
    return out


def uncalibrated(systems: dict[str, Any]) -> list[str]:
    """Scores whose scale fits no published distribution: their grades read as relative."""
    return [f"systems.{name} is uncalibrated: {system['uncalibrated']}"
            for name, system in systems.items() if system.get("uncalibrated")]


def small_bases(systems: dict[str, Any], disparity: dict[str, Any],
                measures: dict[str, Any]) -> list[str]:
    """Figures that rest on fewer than ``MIN_BASE`` synthetic persons, said in words."""
    out = []

    def check(figure: str, value: Any, base: int, what: str) -> None:
        if value is not None and base < MIN_BASE:
            out.append(f"{figure} = {value} rests on {base} {what} (fewer than {MIN_BASE} "
                       "synthetic persons): too few to read as a finding")

    for name, system in systems.items():
        by_role = system.get("sanctioned_by_role")
        if by_role is not None:
            check(f"systems.{name}.precision_participants", system["precision_participants"],
                  sum(by_role.values()), "sanctioned persons")
    group = disparity["group"]
    check("disparity.group.ratio_minority_to_majority", group["ratio_minority_to_majority"],
          min(group["minority"]["sanctioned"], group["majority"]["sanctioned"]),
          "sanctioned persons in the smaller group")
    urban = disparity["urban"]
    check("disparity.urban.ratio_rural_to_urban", urban["ratio_rural_to_urban"],
          min(urban["rural"]["sanctioned"], urban["urban"]["sanctioned"]),
          "sanctioned persons in the smaller group")
    thin = [p for p, row in disparity["province"].items()
            if row["ratio_to_national"] is not None and row["sanctioned"] < MIN_BASE]
    if thin:
        many = len(thin) > 1
        out.append(f"disparity.province: the ratio{'s' if many else ''} of {len(thin)} "
                   f"province{'s' if many else ''} rest{'' if many else 's'} on fewer than "
                   f"{MIN_BASE} sanctioned persons{' each' if many else ''} (e.g. {thin[0]})")
    for name, measure in measures.items():
        check(f"measures.{name}.precision", measure["precision"], measure["flagged"],
              "flagged persons")
        check(f"measures.{name}.recall", measure["recall"], measure["participants"],
              "protest participants")
    return out


def _summed(arrays: list[np.ndarray | None], days: int) -> np.ndarray | None:
    present = [a for a in arrays if a is not None]
    if not present:
        return None
    return sum(present, np.zeros(days, dtype=np.int64))


def daily_table(plan: Plan, shards: list[ShardTotals], run: RunTotals) -> pl.DataFrame:
    """One row per day and system or measure (the contents of ``daily.parquet``)."""
    n = plan.days
    days = np.arange(n, dtype=np.int32)
    zeros = np.zeros(n, dtype=np.int64)
    joint: dict[int, dict[str, np.ndarray]] = {}
    for link in plan.links:
        into = joint.setdefault(link.target, {"joint_sanctioned": zeros.copy(),
                                              "joint_sanctioned_wrongly": zeros.copy()})
        for s in shards:
            daily = s.systems[link.source].links[link.number]["daily"]
            into["joint_sanctioned"] += daily["sanctioned"]
            into["joint_sanctioned_wrongly"] += daily["sanctioned_wrongly"]
    frames = []
    for system in plan.systems:
        i = system.index
        columns: dict[str, np.ndarray | None] = {
            k: _summed([s.systems[i].daily[k] for s in shards], n) for k in DAILY_COLUMNS}
        for k in APPEAL_COLUMNS:
            columns[k] = run.desks[i].daily[k] if i in run.desks else zeros
        extra = joint.get(i, {})
        columns["joint_sanctioned"] = extra.get("joint_sanctioned", zeros)
        columns["joint_sanctioned_wrongly"] = extra.get("joint_sanctioned_wrongly", zeros)
        frames.append(_frame(days, "system", system.name, system.spec.kind, columns))
    if run.composite is not None:
        columns = dict(run.composite.daily)
        columns.update({k: zeros for k in (*APPEAL_COLUMNS, "joint_sanctioned",
                                           "joint_sanctioned_wrongly")})
        frames.append(_frame(days, "system", run.composite.name, run.composite.kind, columns))
    for measure, coordinator in zip(plan.measures, run.measures):
        columns = {k: _summed([s.measures[measure.index].daily[k] for s in shards], n)
                   for k in MEASURE_DAILY}
        columns.update(coordinator.daily)
        frames.append(_frame(days, "measure", measure.name, measure.spec.kind, columns))
    if not frames:
        table = pl.DataFrame(schema={"day": pl.Int32, "component": pl.Utf8, "name": pl.Utf8,
                                     "kind": pl.Utf8})
    else:
        table = pl.concat(frames, how="diagonal").sort(["day", "name"], maintain_order=True)
    start = plan.scenario.start_date
    if start is not None:  # the calendar date of each reported day, beside its number
        dates = pl.lit(start, dtype=pl.Date) + pl.duration(days=pl.col("day"))
        table = table.insert_column(1, table.select(dates.alias("date")).to_series())
    return table


def _frame(days: np.ndarray, component: str, name: str, kind: str,
           columns: dict[str, np.ndarray | None]) -> pl.DataFrame:
    """Rows of one system or measure (``component``), one a day."""
    n = days.size
    return pl.DataFrame({
        "day": days,
        "component": [component] * n,
        "name": [name] * n,
        "kind": [kind] * n,
        **{k: pl.Series(k, v if v is not None else [None] * n, dtype=pl.Int64)
           for k, v in columns.items()},
    })
