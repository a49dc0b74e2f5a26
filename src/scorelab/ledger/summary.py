"""The typed summary: what ``summary.json`` holds, as pydantic models.

The ledger builds a :class:`Summary`; ``summary.json`` is its JSON form, and the report and
the tests read it back through the same models. Each system and measure is an entry of the
summary model its kind declares (``kind`` picks it, through the registry); fields a run did
not set are left out of the file (not written as null).
Bump ``SCHEMA_VERSION`` when a field changes meaning or is removed. The JSON Schema is in
``docs/outputs.md`` (``scorelab schema`` prints it).

>>> import scorelab
>>> summary = scorelab.run(preset="china-2022", persons=2000, days=5).summary
>>> summary.schema_version, summary.systems["court-list"].kind, summary["persons"]
(1, 'list', 2000)
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Union

from pydantic import BaseModel, Field, SerializeAsAny, create_model

from ..core.results import Model, kind_of, tagged
from ..integration.summary import CompositeSummary, IntegrationSummary
from ..measures.registry import MEASURE_KINDS
from ..measures.summary import MeasureCosts, MeasureSummary
from ..systems.registry import SYSTEM_KINDS
from ..systems.summary import JointPunishmentTotals, SystemSummary

SCHEMA_VERSION = 1
#: a share (precision, recall, a rate ratio) computed on fewer synthetic persons than this is
#: reported with a warning: its sampling error is too large to read it as a finding
MIN_BASE = 30

Counts = dict[str, int]


class PopulationTotals(Model):
    persons: int
    adults: int
    urban: int
    minority: int
    phone: int
    borrowers: int
    provinces: Counts = Field(description="persons per province")


def _system_models() -> dict[str, type[BaseModel]]:
    return {**SYSTEM_KINDS.summaries(), kind_of(CompositeSummary): CompositeSummary}


def _measure_models() -> dict[str, type[BaseModel]]:
    return MEASURE_KINDS.summaries()


#: a system's entry: the summary model of its kind (``kind`` picks it, from the registry)
AnySystemSummary = Annotated[SerializeAsAny[SystemSummary], tagged(_system_models)]
#: a measure's entry: the summary model of its kind
AnyMeasureSummary = Annotated[SerializeAsAny[MeasureSummary], tagged(_measure_models)]


class RateRow(Model):
    persons: int
    sanctioned: int
    sanctioned_wrongly: int
    rate: float | None
    wrong_rate: float | None
    ratio_to_national: float | None = None


class GroupDisparity(Model):
    majority: RateRow
    minority: RateRow
    ratio_minority_to_majority: float | None


class UrbanDisparity(Model):
    rural: RateRow
    urban: RateRow
    ratio_rural_to_urban: float | None


class Disparity(Model):
    sanction_rate: float | None
    group: GroupDisparity
    urban: UrbanDisparity
    province: dict[str, RateRow]


class ProtestTotals(Model):
    protests: int | None
    uninvolved: int
    recipients: int
    bystanders: int
    participants: int


class ScheduledChange(Model):
    """One change of the scenario's schedule, as it took effect."""

    set: str = Field(description="the parameter's dotted path in the scenario")
    to: Any
    at: int = Field(description="reported day it takes effect (a ramp: the day it starts)")
    until: int | None = Field(None, description="a ramp: the day it reaches its value")
    at_date: str | None = None
    until_date: str | None = None


class Interval(Model):
    """One headline figure over replicates: where runs fall, and how sure the mean is."""

    median: float
    low: float = Field(description="2.5th percentile of the replicates (95% of runs above)")
    high: float = Field(description="97.5th percentile of the replicates")
    mean: float
    mean_low: float = Field(description="95% confidence interval of the mean (Student t)")
    mean_high: float


class Replicates(Model):
    """The same scenario run with several seeds (derived from the base seed); every other
    figure of the summary is the first replicate's."""

    count: int
    seeds: list[int]
    intervals: dict[str, Interval] = Field(
        description="headline figures by dotted path (systems.court-list.sanctioned_wrongly)")


class Summary(Model):
    """Everything ``summary.json`` holds about one run.

    Fields are attributes (``summary.systems["rongcheng"].sanctioned_wrongly``); indexing
    (``summary["systems"]``) gives the JSON form, as ``json.load`` of the file would.
    """

    schema_version: int = SCHEMA_VERSION
    scenario: str
    description: str
    scenario_sha256: str
    seed: int
    persons: int
    days: int
    warmup_days: int
    scale: float = Field(description="real people per synthetic person")
    population: PopulationTotals
    events: Counts = Field(description="true events in the reported days, by type")
    systems: dict[str, AnySystemSummary]
    restrictions: dict[str, Counts] = Field(
        description="restriction person-days by sanction and by system")
    coverage_histogram: Counts = Field(description="persons by number of systems covering them")
    scored_histogram: Counts = Field(
        description="persons by number of systems scoring them (as a system's scored)")
    conflicting_grades: int = Field(description="persons at a top and a bottom standing at once")
    sanctioned_any: int
    sanctioned_wrongly_any: int
    disparity: Disparity
    protests: ProtestTotals | None = None
    measures: dict[str, AnyMeasureSummary] | None = None
    integration: IntegrationSummary | None = None
    warnings: list[str] = Field(
        default_factory=list,
        description=f"figures that rest on fewer than {MIN_BASE} synthetic persons")
    start_date: str | None = Field(None, description="the date of reported day 0 (ISO)")
    yearly: dict[str, dict[str, Counts]] | None = Field(
        None, description="with a start date: sums of the daily flows (records, newly "
                          "sanctioned, person-days, flags...) by year, then system or measure")
    schedule: list[ScheduledChange] | None = Field(
        None, description="the scenario's scheduled changes, in date order")
    replicates: Replicates | None = Field(
        None, description="with --replicates R: every figure of the catalogue over R seeds")
    lead: list[str] | None = Field(
        None, description="with report.lead in the scenario: the components its report leads "
                          "with (measures, integration, systems), in order")

    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def short(self) -> str:
        """One line: the run and what it holds."""
        return (f"{self.scenario}: {self.persons:,} persons x {self.days:,} days, seed "
                f"{self.seed}; {len(self.systems)} systems, {len(self.measures or {})} "
                f"measures, {len(self.warnings)} warnings")

    def __repr__(self) -> str:
        return f"Summary({self.short()})"

    def to_json(self) -> bytes:
        """The bytes of ``summary.json``."""
        return (json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``summary.json``: systems and measures as the discriminated unions
    of the kinds registered now."""
    fields: dict[str, Any] = {
        "systems": (dict[str, _union(_system_models())], ...),  # type: ignore[misc]
        "measures": (dict[str, _union(_measure_models())] | None, None)}  # type: ignore[misc]
    published = create_model("Summary", __base__=Summary, __doc__=Summary.__doc__, **fields)
    return published.model_json_schema(mode="serialization")


def _union(models: dict[str, type[BaseModel]]) -> Any:
    kinds = tuple(models.values())
    if len(kinds) == 1:
        return kinds[0]
    return Annotated[Union[kinds], Field(discriminator="kind")]  # noqa: UP007


__all__ = [
    "MIN_BASE",
    "SCHEMA_VERSION",
    "AnyMeasureSummary",
    "AnySystemSummary",
    "IntegrationSummary",
    "Interval",
    "JointPunishmentTotals",
    "MeasureCosts",
    "MeasureSummary",
    "RateRow",
    "Replicates",
    "Summary",
    "SystemSummary",
    "json_schema",
]
