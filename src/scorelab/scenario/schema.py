"""The scenario as validated data: pydantic models, unknown keys forbidden.

The scenario knows nothing of arrays or backends; :func:`scorelab.scenario.plan.compile`
turns it into a runnable plan. Every rate is a probability per person and day unless its name
says otherwise. The models are in modules by concept (``fields``, ``population``, ``parts``,
``integration``, ``references``; a schedule's ``Change`` in ``schedule``) and are all
importable from here; the spec models of system and measure kinds live with their kinds (a
kind is one module), and ``kind:`` picks the model through the registries of :mod:`.kinds`.

Every cross-reference (a city, a province, an event, a grade, a list) is checked here, in the
``Scenario`` model, so a scenario built in Python gets the same clear errors as a file.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    SerializeAsAny,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import short
from .fields import (
    MAX_CAPACITY,
    MAX_DAYS,
    MAX_ITEMS,
    MAX_PARTS,
    MAX_TEXT,
    NAME_PATTERN,
    REWARDS,
    SANCTIONS,
    Eligibility,
    Name,
    Probability,
    Propensity,
    Reward,
    Sanction,
    Strict,
    Text,
)
from .integration import (
    ID_FIELDS,
    RECORD_FIELDS,
    Comparison,
    IntegrationSpec,
    LinkageSpec,
)
from .kinds import FAMILIES, Family
from .parts import (
    PROTEST_EVENTS,
    AppealSpec,
    IdentityNoise,
    JointPunishment,
    Jurisdiction,
    MeasureAction,
    MeasureSpec,
    ProcessSpec,
    ProtestSpec,
    RecordRule,
    SystemSpec,
    record_streams,
)
from .population import (
    IDENTITY_SCHEMES,
    MAX_REGIONS,
    ActivismSpec,
    AgeBand,
    CitySpec,
    IdentitySchemeName,
    IdentitySpec,
    IncomeSpec,
    PopulationSpec,
    ProvinceSpec,
    RegionSpec,
    SchemeRules,
)
from .references import (
    AT_KEY,
    Reference,
    ReferenceProblems,
    References,
    did_you_mean,
)
from .schedule import (
    Change,
    DayOrDate,
    iso_date,
    resolve,
)

# --- kinds --------------------------------------------------------------------------------


def _dispatch(kinds: Family) -> Any:
    """A validator that picks a kind's spec model by its ``kind:`` tag, as a discriminated
    union would, from the family's registry (so a new kind needs no change here)."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if not isinstance(value, dict):
            raise PydanticCustomError("model_type", "Input should be a mapping")
        names = kinds.names()
        if "kind" not in value:
            raise PydanticCustomError(
                "union_tag_not_found", "Unable to extract tag using discriminator 'kind'",
                {"discriminator": "'kind'"})
        spec = kinds.spec(str(value["kind"])) if isinstance(value["kind"], str) else None
        if spec is None:
            expected = ", ".join(repr(n) for n in names)
            raise PydanticCustomError(
                "union_tag_invalid",
                "Input tag {tag} found using 'kind' does not match any of the expected tags: "
                "{expected_tags}",
                {"discriminator": "'kind'", "tag": value["kind"], "expected_tags": expected})
        return spec.model_validate(value)

    return WrapValidator(validate)


AnySystem = Annotated[SerializeAsAny[SystemSpec], _dispatch(FAMILIES["systems"])]
AnyMeasure = Annotated[SerializeAsAny[MeasureSpec], _dispatch(FAMILIES["measures"])]

# --- the scenario -------------------------------------------------------------------------


#: the parts of a run a report can lead with
Component = Literal["measures", "integration", "systems"]


#: the most case files a run tells per system or measure (``report.cases``)
MAX_CASES = 100
DEFAULT_CASES = 10


class ReportSpec(Strict):
    """How the report presents the run: ``lead`` names the components the scenario is about,
    in the order the first screen shows them (the others follow). Without it a report leads
    with the control measures when there are any, then the scoring systems. ``cases``: how
    many wronged persons' case files (``cases.parquet``) to tell per system and measure, at
    most ``MAX_CASES``; 0 tracks none."""

    lead: list[Component] | None = Field(default=None, min_length=1, max_length=3)
    cases: int = Field(default=DEFAULT_CASES, ge=0, le=MAX_CASES)

    @field_validator("lead")
    @classmethod
    def _once(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) < len(value):
            raise ValueError("each component at most once")
        return value

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only what differs from the defaults (a scenario without it dumps unchanged)."""
        data: dict[str, Any] = handler(self)
        if self.lead is None:
            data.pop("lead", None)
        if self.cases == DEFAULT_CASES:
            data.pop("cases", None)
        return data


class Scenario(Strict):
    """A fully resolved scenario: what to simulate, for how long, on whom.

    >>> from scorelab import load_scenario
    >>> scenario = load_scenario(preset="china-2022", overrides={"population": {"persons": 1000}})
    >>> scenario.population.persons
    1000
    """

    name: str = Field(pattern=NAME_PATTERN)
    description: Text = ""
    days: int = Field(gt=0, le=MAX_DAYS)
    #: days simulated before day 0 and not reported, so lists and scores start settled
    warmup_days: int = Field(default=0, ge=0, le=MAX_DAYS)
    #: the calendar date of reported day 0: with it, outputs carry dates and yearly totals
    start_date: datetime.date | None = None
    population: PopulationSpec
    processes: dict[Name, ProcessSpec] = Field(default_factory=dict, max_length=MAX_PARTS)
    systems: dict[Name, AnySystem] = Field(default_factory=dict, max_length=MAX_PARTS)
    joint_punishment: list[JointPunishment] = Field(default_factory=list, max_length=MAX_ITEMS)
    protests: ProtestSpec | None = None
    measures: dict[Name, AnyMeasure] = Field(default_factory=dict, max_length=MAX_PARTS)
    #: dated changes of parameters during the run (see ``scenario.schedule``)
    schedule: list[Change] = Field(default_factory=list, max_length=MAX_ITEMS)
    #: the hypothetical integrated national score (none: the systems stay apart)
    integration: IntegrationSpec | None = None
    #: what the report leads with (see :class:`ReportSpec`)
    report: ReportSpec | None = None

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``integration`` and ``report`` only when there are some (scenarios without them
        dump unchanged)."""
        data: dict[str, Any] = handler(self)
        for optional in ("integration", "report"):
            if getattr(self, optional) is None:
                data.pop(optional, None)
        return data

    @field_validator("start_date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        return iso_date(value)

    @model_validator(mode="after")
    def _horizon(self) -> Scenario:
        if self.days + self.warmup_days > MAX_DAYS:
            raise ReferenceProblems([Reference(("days",), (
                f"warmup_days + days must be at most {MAX_DAYS} (days are stored in 16 bits), "
                f"got warmup_days {self.warmup_days:,} + days {self.days:,} = "
                f"{self.warmup_days + self.days:,}; lower days or warmup_days"))])
        if self.start_date is not None:
            room = (datetime.date.max - self.start_date).days + 1
            if self.days > room:
                last = datetime.date.max - datetime.timedelta(days=self.days - 1)
                raise ReferenceProblems([Reference(("start_date",), (
                    f"{self.days:,} days from {self.start_date.isoformat()} run past the last "
                    f"date the calendar holds ({datetime.date.max.isoformat()}); start by "
                    f"{last.isoformat()} or lower days"))])
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        bad = self._references()
        if not bad and self.schedule:
            bad, _ = resolve(self)
        if bad:
            raise ReferenceProblems(bad)
        return self

    def _integration_references(self) -> list[Reference]:
        """The composite's name is its own; sources are systems; weights name sources;
        linkage names record fields the records carry; sanctions name grades."""
        spec = self.integration
        assert spec is not None
        bad: list[Reference] = []
        systems = list(self.systems)
        if spec.name in self.systems or spec.name in self.measures:
            bad.append(Reference(("integration", "name"), (
                f"{short(spec.name)} is already the name of a "
                f"{'system' if spec.name in self.systems else 'measure'}; the composite is "
                "reported among the systems under its own name")))
        for source in spec.sources:
            if source not in self.systems:
                bad.append(Reference(("integration", "sources", source, AT_KEY), (
                    f"unknown source system {short(source)}{did_you_mean(source, systems)}; "
                    f"systems: {', '.join(systems) or 'none'}")))
        for source in spec.weights:
            if source not in spec.sources:
                bad.append(Reference(("integration", "weights", source, AT_KEY), (
                    f"{short(source)} is not a source; sources: {', '.join(spec.sources)}")))
        scheme = self.population.identity_scheme
        has_ids = IDENTITY_SCHEMES[scheme].region_codes is not None
        for path, name in spec.linkage.fields_used():
            where = ("integration", "linkage", *path)
            if name not in RECORD_FIELDS:
                bad.append(Reference(where, (
                    f"unknown record field {short(name)}{did_you_mean(name, list(RECORD_FIELDS))}"
                    f"; record fields: {', '.join(RECORD_FIELDS)}")))
            elif name in ID_FIELDS and not has_ids:
                bad.append(Reference(where, (
                    f"the records carry no {name}: the {scheme} identity scheme has no ID "
                    "number")))
        for grade in spec.sanctions:
            if grade not in spec.grades:
                bad.append(Reference(("integration", "sanctions", grade, AT_KEY), (
                    f"unknown grade {short(grade)}; grades: {', '.join(spec.grades)}")))
        return bad

    def _references(self) -> list[Reference]:
        """Cross-field checks that a single field cannot make: every name must exist."""
        pop = self.population
        refs = References(provinces=list(pop.provinces), cities=list(pop.cities), events={},
                          remedies=set())
        bad: list[Reference] = []
        for city, spec in pop.cities.items():
            bad += refs.province(("population", "cities", city, "province"), spec.province)
        per_province: dict[str, int] = {}
        for spec in pop.cities.values():
            per_province[spec.province] = per_province.get(spec.province, 0) + spec.population
        for province, total in per_province.items():
            if province in pop.provinces and total > pop.provinces[province].population:
                bad.append(Reference(("population", "cities"), (
                    f"named cities of {province} hold {total:,} people, more than the "
                    f"province's {pop.provinces[province].population:,}")))
        for pname, proc in self.processes.items():
            for event in proc.events():
                if event in refs.events:
                    bad.append(Reference(("processes", pname), (
                        f"event {short(event)} is also produced by process {refs.events[event]!r}")))
                refs.events[event] = pname
            for event in proc.remedies:
                refs.remedies.add(event)
                if event not in proc.events():
                    bad.append(Reference(("processes", pname, "remedies", event, AT_KEY), (
                        f"{short(event)} is not an outcome of this process; its outcomes: "
                        f"{', '.join(proc.events())}")))
        if self.protests is not None:
            for event in PROTEST_EVENTS:
                refs.events[event] = "protests"
            for i, city in enumerate(self.protests.cities):
                bad += refs.city(("protests", "cities", i), city)
        refs.lists = [n for n, sy in self.systems.items() if sy.joint_source]
        for sname, system in self.systems.items():
            where = ("systems", sname, "jurisdiction")
            for i, prov in enumerate(system.jurisdiction.provinces):
                bad += refs.province(where + ("provinces", i), prov)
            for i, city in enumerate(system.jurisdiction.cities):
                bad += refs.city(where + ("cities", i), city)
            bad += system.references(sname, refs)
        for mname, measure in self.measures.items():
            for i, city in enumerate(measure.named_cities()):
                bad += refs.city(("measures", mname, "cities", i), city)
            bad += measure.references(mname, refs)
            if measure.after_protests and self.protests is None:
                bad.append(Reference(("measures", mname, "kind"), (
                    f"a {measure.kind} acts after protests: add a protests: section")))
        if self.integration is not None:
            bad += self._integration_references()
        for i, link in enumerate(self.joint_punishment):
            if link.source not in refs.lists:
                bad.append(Reference(("joint_punishment", i, "source"), (
                    f"unknown list {short(link.source)}{did_you_mean(link.source, refs.lists)}; "
                    f"lists: {', '.join(refs.lists) or 'none'}")))
            if link.target not in self.systems:
                systems = list(self.systems)
                bad.append(Reference(("joint_punishment", i, "target"), (
                    f"unknown system {short(link.target)}{did_you_mean(link.target, systems)}; "
                    f"systems: {', '.join(systems)}")))
        return bad


__all__ = ["AT_KEY", "DEFAULT_CASES", "IDENTITY_SCHEMES", "ID_FIELDS", "MAX_CAPACITY", "MAX_CASES", "MAX_DAYS", "MAX_ITEMS", "MAX_PARTS", "MAX_REGIONS", "MAX_TEXT", "NAME_PATTERN", "PROTEST_EVENTS", "RECORD_FIELDS", "REWARDS", "SANCTIONS", "ActivismSpec", "AgeBand", "AnyMeasure", "AnySystem", "AppealSpec", "Change", "CitySpec", "Comparison", "Component", "DayOrDate", "Eligibility", "IdentityNoise", "IdentitySchemeName", "IdentitySpec", "IncomeSpec", "IntegrationSpec", "JointPunishment", "Jurisdiction", "LinkageSpec", "MeasureAction", "MeasureSpec", "Name", "PopulationSpec", "Probability", "ProcessSpec", "Propensity", "ProtestSpec", "ProvinceSpec", "RecordRule", "Reference", "ReferenceProblems", "References", "RegionSpec", "ReportSpec", "Reward", "Sanction", "Scenario", "SchemeRules", "Strict", "SystemSpec", "Text", "did_you_mean", "iso_date", "record_streams", "resolve"]
