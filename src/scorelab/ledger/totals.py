"""The ledger: shards' totals combined into the summary and the daily table.

Each part's totals are combined by its own rule (``core.results.Totals``) and each kind makes
its own summary entry from them; the ledger walks the plan and the registries and knows no
kind's fields. Only integers are added, so the totals are exact and the same in any order:
that is what makes the outputs byte-identical for any number of shards.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import polars as pl

from ..measures.base import DAILY as MEASURE_DAILY
from ..measures.registry import MEASURE_KINDS
from ..processes.protests import ROLES
from ..scenario import scenario_digest
from ..scenario.plan import Plan
from ..scenario.schedule import beyond_the_run, day_number
from ..scenario.schema import SANCTIONS, Scenario
from ..systems.base import DAILY_COLUMNS
from ..systems.registry import SYSTEM_KINDS
from .overlap import disparity, histogram
from .parts import PopulationCounts, RunTotals, ShardTotals
from .summary import (
    MIN_BASE,
    SCHEMA_VERSION,
    JointPunishmentTotals,
    MeasureSummary,
    Summary,
    SystemSummary,
)

APPEAL_COLUMNS = ("appeals_filed", "appeals_won", "appeal_backlog")


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 6) if b else None


def combine(shards: list[ShardTotals]) -> ShardTotals:
    """The shards' totals, combined part by part by each part's own rule."""
    return ShardTotals.total(shards)


def _by_role(counts: np.ndarray) -> dict[str, Any]:
    """Persons sanctioned by protest role, and the share of participants among them."""
    by_role = {r: int(c) for r, c in zip(ROLES, counts)}
    return {"sanctioned_by_role": by_role,
            "precision_participants": _ratio(by_role["participant"], sum(by_role.values()))}


def _systems(plan: Plan, total: ShardTotals, run: RunTotals) -> dict[str, SystemSummary]:
    """Each system's entry (its kind's summary model), then the composite's."""
    protests = plan.protests is not None
    joint: dict[int, dict[str, JointPunishmentTotals]] = {}
    for link in plan.links:
        source = plan.systems[link.source].name
        joint.setdefault(link.target, {})[source] = (
            total.systems[link.source].links[link.number].summary())
    systems: dict[str, SystemSummary] = {}
    for system in plan.systems:
        i, spec = system.index, system.spec
        counted = total.systems[i]
        audit: dict[str, Any] = {}
        if i in run.desks:
            audit.update(run.desks[i].summary_fields())
        if protests:
            assert counted.by_role is not None
            audit.update(_by_role(counted.by_role))
        if i in joint:
            audit["joint_punishment"] = joint[i]
        model = SYSTEM_KINDS.part(spec.kind).Summary
        systems[system.name] = model(kind=spec.kind, jurisdiction=spec.jurisdiction.describe(),
                                     **counted.summary_fields(), **audit)
    composite = run.composite
    if composite is not None:  # the integrated score, audited as a system
        entry = composite.summary
        if protests and total.composite_by_role is not None:
            entry = entry.model_copy(update=_by_role(total.composite_by_role))
        systems[composite.name] = entry
    return systems


def _restrictions(plan: Plan, systems: dict[str, SystemSummary]
                  ) -> dict[str, dict[str, int]]:
    """Restriction person-days by sanction, then by system: the systems', joint punishment's
    (by link), then the integrated score's."""
    out: dict[str, dict[str, int]] = {s: {} for s in SANCTIONS}

    def add(name: str, by_sanction: dict[str, int]) -> None:
        for sanction, days in by_sanction.items():
            if days:
                out[sanction][name] = days

    names = plan.system_names
    for name in names:
        add(name, systems[name].restriction_person_days_by_sanction)
    for link in plan.links:
        source, target = names[link.source], names[link.target]
        joint = systems[target].joint_punishment
        assert joint is not None
        add(f"{target} (joint: {source})", joint[source].restriction_person_days_by_sanction)
    for name in list(systems)[len(names):]:
        add(name, systems[name].restriction_person_days_by_sanction)
    return {k: v for k, v in out.items() if v}


def _measures(plan: Plan, total: ShardTotals, run: RunTotals) -> dict[str, MeasureSummary]:
    return {measure.name: run.measures[measure.index].summary(
                MEASURE_KINDS.part(measure.spec.kind).Summary, measure.spec.kind,
                total.measures[measure.index])
            for measure in plan.measures}


def _protests(total: ShardTotals, run: RunTotals) -> dict[str, Any]:
    roles = total.roles
    assert roles is not None
    return {"protests": run.protests,
            **{f"{r}s" if r != "uninvolved" else r: int(roles[k])
               for k, r in enumerate(ROLES)}}


def _population(counts: PopulationCounts, plan: Plan) -> dict[str, Any]:
    return {"persons": counts.persons, "adults": counts.adults, "urban": counts.urban,
            "minority": counts.minority, "phone": counts.phone, "borrowers": counts.borrowers,
            "provinces": {p: int(c) for p, c in
                          zip(plan.geography.province_names, counts.provinces, strict=True)}}


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


def summarise(scenario: Scenario, plan: Plan, shards: list[ShardTotals], run: RunTotals,
              daily: pl.DataFrame | None = None) -> Summary:
    """The run of ``scenario`` (compiled into ``plan``) summed up: the contents of
    ``summary.json``, from the shards' totals (and, with a start date, the yearly totals of
    the daily table)."""
    total = combine(shards)
    systems = _systems(plan, total, run)
    overlap = total.overlap
    summary_disparity = disparity(overlap, plan.geography.province_names, plan.persons)
    measures = _measures(plan, total, run) if scenario.measures else None
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
        "population": _population(total.population, plan),
        "events": {e: int(counts.sum()) for e, counts in total.events.items()},
        "systems": systems,
        "restrictions": _restrictions(plan, systems),
        "coverage_histogram": histogram(overlap.coverage_histogram),
        "scored_histogram": histogram(overlap.scored_histogram),
        "conflicting_grades": overlap.conflicting_grades,
        "sanctioned_any": overlap.sanctioned_any,
        "sanctioned_wrongly_any": overlap.sanctioned_wrongly_any,
        "disparity": summary_disparity,
        **({"protests": _protests(total, run)} if scenario.protests is not None else {}),
        **({"measures": measures} if measures is not None else {}),
        **({"integration": run.integration.summary(overlap.sanctioned_any_separate)}
           if run.integration is not None else {}),
        "warnings": [*uncalibrated(systems),
                     *small_bases(systems, summary_disparity, measures or {}),
                     *filter(None, [beyond_the_run(scenario)])],
        **({"start_date": scenario.start_date.isoformat(),
            "yearly": yearly_totals(daily) if daily is not None else {}}
           if scenario.start_date is not None else {}),
        **({"schedule": scheduled_changes(scenario)} if scenario.schedule else {}),
        **({"lead": list(scenario.report.lead)}
           if scenario.report is not None and scenario.report.lead is not None else {}),
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


def uncalibrated(systems: dict[str, SystemSummary]) -> list[str]:
    """Scores whose scale fits no published distribution: their grades read as relative."""
    return [f"systems.{name} is uncalibrated: {system.uncalibrated}"
            for name, system in systems.items() if system.uncalibrated]


def small_bases(systems: dict[str, SystemSummary], disparity: dict[str, Any],
                measures: dict[str, MeasureSummary]) -> list[str]:
    """Figures that rest on fewer than ``MIN_BASE`` synthetic persons, said in words."""
    out = []

    def check(figure: str, value: Any, base: int, what: str) -> None:
        if value is not None and base < MIN_BASE:
            out.append(f"{figure} = {value} rests on {base} {what} (fewer than {MIN_BASE} "
                       "synthetic persons): too few to read as a finding")

    for name, system in systems.items():
        by_role = system.sanctioned_by_role
        if by_role is not None:
            check(f"systems.{name}.precision_participants", system.precision_participants,
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
        check(f"measures.{name}.precision", measure.precision, measure.flagged,
              "flagged persons")
        check(f"measures.{name}.recall", measure.recall, measure.participants,
              "protest participants")
    return out


def daily_table(plan: Plan, shards: list[ShardTotals], run: RunTotals) -> pl.DataFrame:
    """One row per day and system or measure (the contents of ``daily.parquet``)."""
    total = combine(shards)
    n = plan.days
    days = np.arange(n, dtype=np.int32)
    zeros = np.zeros(n, dtype=np.int64)
    joint: dict[int, dict[str, np.ndarray]] = {}
    for link in plan.links:
        into = joint.setdefault(link.target, {"joint_sanctioned": zeros,
                                              "joint_sanctioned_wrongly": zeros})
        daily = total.systems[link.source].links[link.number].daily
        into["joint_sanctioned"] = into["joint_sanctioned"] + daily["sanctioned"]
        into["joint_sanctioned_wrongly"] = (into["joint_sanctioned_wrongly"]
                                            + daily["sanctioned_wrongly"])
    frames = []
    for system in plan.systems:
        i = system.index
        columns: dict[str, np.ndarray | None] = {
            k: total.systems[i].daily[k] for k in DAILY_COLUMNS}
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
        measured: dict[str, np.ndarray | None] = {
            k: total.measures[measure.index].daily[k] for k in MEASURE_DAILY}
        measured.update(coordinator.daily)
        frames.append(_frame(days, "measure", measure.name, measure.spec.kind, measured))
    if not frames:
        table = pl.DataFrame(schema={"day": pl.Int32, "component": pl.Utf8, "name": pl.Utf8,
                                     "kind": pl.Utf8})
    else:
        table = pl.concat(frames, how="diagonal").sort(["day", "name"], maintain_order=True)
    start = plan.start_date
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
