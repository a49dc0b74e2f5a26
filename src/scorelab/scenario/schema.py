"""The scenario as validated data: pydantic models, unknown keys forbidden.

The scenario knows nothing of arrays or backends; :func:`scorelab.scenario.plan.compile`
turns it into a runnable plan. Every rate is a probability per person and day unless its name
says otherwise. The spec models of system and measure kinds live with their kinds (a kind is
one module); ``kind:`` picks the model through the registries of :mod:`.kinds`.

Every cross-reference (a city, a province, an event, a grade, a list) is checked here, in the
``Scenario`` model, so a scenario built in Python gets the same clear errors as a file.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
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

from .errors import Problem, ScenarioError, short
from .kinds import FAMILIES, Family

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Propensity = Literal["offending", "defaulting", "volunteering", "tax_evasion"]
Eligibility = Literal["everyone", "adults", "borrowers"]

#: Restrictions a system can impose. Shared by all systems so the ledger can add them up.
Sanction = Literal[
    "flights",
    "high_speed_rail",
    "loans",
    "private_schooling",
    "public_jobs",
    "luxury_spending",
    "social_media",
]
SANCTIONS: tuple[str, ...] = get_args(Sanction)

#: Benefits a system can grant (rewards of a points grade, or of a redlist).
Reward = Literal["deposit_free_rentals", "fast_approvals", "discounts", "free_parking"]
REWARDS: tuple[str, ...] = get_args(Reward)

MAX_DAYS = 36_500  # warm-up plus days; days are stored as uint16


#: bounds on what one scenario may hold (a scenario is a description, not a data set)
MAX_PARTS = 64  # systems, measures, processes
MAX_ITEMS = 1_000  # provinces, cities, rules, grades, list entries
MAX_TEXT = 2_000  # characters of a description

MAX_CAPACITY = 1e12  # decisions a day of a desk, real people

#: a scenario's name is a name, not a path: it chooses the default output folder; the names of
#: processes, events, systems and measures are names too (they make up the stream names)
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Name = Annotated[str, Field(pattern=NAME_PATTERN)]

Text = Annotated[str, Field(max_length=MAX_TEXT)]


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors, values keep their YAML type
    (``days: true`` or ``days: '10'`` is not a number of days), and numbers are finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


# --- population -------------------------------------------------------------------------


class ProvinceSpec(Strict):
    """A region (a province, a state): its census population, urban and minority shares, and
    the code its residents' national IDs carry, where the identity scheme uses one (China's
    province code, 11-99); other schemes need no code."""

    code: int | None = Field(default=None, ge=0, le=255)
    population: int = Field(gt=0)
    urban_share: Probability | None = None
    minority_share: Probability | None = None


class RegionSpec(ProvinceSpec):
    """One row of a region table (``population.regions``): a named region."""

    name: str = Field(min_length=1, max_length=200)


class CitySpec(Strict):
    """A named city (a pilot city of some system); the rest of its province is one remainder.

    ``county_codes`` are the county-level codes its residents' IDs carry, where the identity
    scheme uses them (china); other schemes need none."""

    province: str
    population: int = Field(gt=0)
    urban_share: Probability | None = None
    county_codes: list[Annotated[int, Field(ge=110000, le=999999)]] = Field(
        default_factory=list, max_length=MAX_ITEMS)


@dataclass(frozen=True)
class SchemeRules:
    """What an identity scheme asks of the region table (its draws live in
    ``population/schemes.py``, which must register the same names)."""

    #: the range of a region's ID code, or None when the scheme's IDs carry no region code
    region_codes: tuple[int, int] | None
    #: whether named cities need county-level codes (the IDs carry a county address)
    county_codes: bool
    description: str


#: the identity schemes a population can use, and what each needs from the region table
IDENTITY_SCHEMES: dict[str, SchemeRules] = {
    "china": SchemeRules((11, 99), True, "Chinese surnames and given names, 18-character "
                         "resident IDs (GB 11643-1999) with province and county codes"),
    "united-states": SchemeRules(None, False, "US Census surnames and first names; no "
                                 "national ID number"),
    "none": SchemeRules(None, False, "synthetic name labels with a Zipf frequency table; no "
                        "national ID number"),
}
IdentitySchemeName = Literal["china", "united-states", "none"]


class IdentitySpec(Strict):
    """Which country's names and ID format the persons get (default ``china``)."""

    scheme: IdentitySchemeName = "china"


class AgeBand(Strict):
    low: int = Field(ge=0, le=120)
    high: int = Field(ge=1, le=121)  # exclusive
    share: Probability


class IncomeSpec(Strict):
    """Yearly income, lognormal: median, log-sd, and how much more the urban median is."""

    median: float = Field(gt=0)
    sigma: float = Field(ge=0)
    urban_multiplier: float = Field(gt=0)


class ActivismSpec(Strict):
    """Latent activism in [0, 1], Beta(a, b)."""

    a: float = Field(gt=0)
    b: float = Field(gt=0)


#: a person's province is stored in a byte
MAX_REGIONS = 255


class PopulationSpec(Strict):
    """Who lives where, and how persons are drawn.

    The regions come either from ``provinces`` (a mapping of name to region, China's form) or
    from ``regions`` (a list of rows, or in a file a CSV table the loader reads); one of the
    two. ``identity`` picks the country's names and ID format (default ``china``).
    """

    persons: int = Field(gt=0)
    seed: int = Field(default=0, ge=0)
    scale: float | None = Field(default=None, ge=1e-6, le=1e12)
    block_size: int = Field(default=65_536, ge=64, le=1 << 22)
    reference_year: int = Field(default=2022, ge=1950, le=2100)
    adult_age: int = Field(default=18, ge=0, le=120)
    male_share: Probability = 0.5
    urban_share: Probability = 0.5
    minority_share: Probability = 0.0
    borrower_share: Probability = 0.0
    phone_share: Probability = 1.0
    phone_min_age: int = Field(default=12, ge=0, le=120)
    propensity_shape: float = Field(default=1.0, gt=0)
    age_bands: list[AgeBand] = Field(min_length=1, max_length=MAX_ITEMS)
    income: IncomeSpec
    activism: ActivismSpec
    identity: IdentitySpec | None = None
    provinces: dict[str, ProvinceSpec] = Field(default_factory=dict, max_length=MAX_REGIONS)
    regions: list[RegionSpec] | None = Field(default=None, max_length=MAX_REGIONS)
    cities: dict[str, CitySpec] = Field(default_factory=dict, max_length=MAX_ITEMS)

    @property
    def identity_scheme(self) -> str:
        """The identity scheme's name (``china`` unless ``identity`` says otherwise)."""
        return "china" if self.identity is None else self.identity.scheme

    def stream_names(self) -> dict[str, str]:
        return {"population": "population"}

    @field_validator("regions", mode="before")
    @classmethod
    def _regions_are_rows(cls, value: Any) -> Any:
        """A CSV path is read by the loader, relative to the scenario file; a scenario built
        in Python gives the rows."""
        if isinstance(value, str):
            raise ValueError(  # noqa: TRY004
                f"regions {short(value)} names a CSV file: load the scenario with "
                "load_scenario(path) (the path is relative to the scenario file), or give "
                "a list of regions")
        return value

    @model_validator(mode="after")
    def _age_bands_cover(self) -> PopulationSpec:
        total = sum(b.share for b in self.age_bands)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"age_bands shares must add up to 1, not {total:g}")
        for band in self.age_bands:
            if band.high <= band.low:
                raise ValueError(f"age band [{band.low}, {band.high}) is empty")
        return self

    @model_validator(mode="after")
    def _one_region_table(self) -> PopulationSpec:
        """Exactly one of ``provinces`` and ``regions``; the rows become ``provinces`` (by
        name), which is what the rest of the model reads."""
        if self.regions is not None:
            if self.provinces:
                raise ValueError("give population.provinces (a mapping) or population.regions "
                                 "(a list or a CSV file), not both")
            if not self.regions:
                raise ValueError("population.regions is empty: the region table needs at "
                                 "least one row")
            table: dict[str, ProvinceSpec] = {}
            for row in self.regions:
                if row.name in table:
                    raise ValueError(f"population.regions names {short(row.name)} twice")
                table[row.name] = ProvinceSpec(code=row.code, population=row.population,
                                               urban_share=row.urban_share,
                                               minority_share=row.minority_share)
            # the model is frozen; this fills the derived mapping once, while validating
            object.__setattr__(self, "provinces", table)
        elif not self.provinces:
            raise ValueError("give the regions: population.provinces (a mapping of name to "
                             "{code, population, ...}) or population.regions (a list of rows, "
                             "or a CSV file)")
        return self

    @model_validator(mode="after")
    def _scheme_needs(self) -> PopulationSpec:
        """The identity scheme decides whether regions and cities need ID codes."""
        scheme = self.identity_scheme
        rules = IDENTITY_SCHEMES[scheme]
        if rules.region_codes is not None:
            low, high = rules.region_codes
            bad = [n for n, p in self.provinces.items()
                   if p.code is None or not low <= p.code <= high]
            if bad:
                raise ValueError(
                    f"the {scheme} identity scheme needs an ID code from {low} to {high} for "
                    f"every region; missing or out of range for {', '.join(map(short, bad[:5]))}"
                    + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""))
        if rules.county_codes:
            bad = [n for n, c in self.cities.items() if not c.county_codes]
            if bad:
                raise ValueError(f"the {scheme} identity scheme needs county_codes for every "
                                 f"named city; missing for {', '.join(map(short, bad[:5]))}")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The form it was given: ``regions`` rows or the ``provinces`` mapping, not both;
        ``identity`` only when chosen (so scenarios written before it dump unchanged)."""
        data: dict[str, Any] = handler(self)
        if self.regions is not None:
            data.pop("provinces", None)
        else:
            data.pop("regions", None)
        if self.identity is None:
            data.pop("identity", None)
        return data


# --- processes ----------------------------------------------------------------------------


class ProcessSpec(Strict):
    """What people actually do: trials at a daily rate, each with one outcome.

    ``rate`` is the chance per eligible person and day that a trial happens (a loan
    instalment falls due, a court judgment is made, a driver commits an offence), optionally
    scaled by a propensity. Each trial has one outcome: an event of ``outcomes`` with its base
    probability (scaled by ``outcome_propensity``), else the ``otherwise`` event.
    """

    rate: Probability
    who: Eligibility = "adults"
    rate_propensity: Propensity | None = None
    outcomes: dict[Name, Probability] = Field(default_factory=dict, max_length=MAX_ITEMS)
    outcome_propensity: Propensity | None = None
    otherwise: Name | None = None
    #: daily chance that a person remedies an outcome (pays the debt, obeys the judgment)
    #: after it happened; lists that delist on remedy read it
    remedies: dict[Name, Probability] = Field(default_factory=dict, max_length=MAX_ITEMS)

    #: lists read remedy rates when an event happens, so they are fixed for the run
    FIXED: ClassVar[tuple[str, ...]] = ("remedies",)

    def events(self) -> list[str]:
        names = list(self.outcomes)
        if self.otherwise is not None:
            names.append(self.otherwise)
        return names

    def stream_names(self, name: str) -> dict[str, str]:
        """The random streams of this process (the remedy streams are truth that every
        system reading the event shares)."""
        out = {part: f"process/{name}/{part}" for part in ("start", "gap", "outcome")}
        out.update({f"remedy/{e}": f"process/{name}/remedy/{e}" for e in self.remedies})
        return out


# --- systems ------------------------------------------------------------------------------


class Jurisdiction(Strict):
    """Whom a system covers: the whole nation, some provinces, or some cities."""

    national: bool = False
    provinces: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    cities: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _exactly_one(self) -> Jurisdiction:
        chosen = sum([self.national, bool(self.provinces), bool(self.cities)])
        if chosen != 1:
            raise ValueError("give exactly one of national: true, provinces: [...], cities: [...]")
        return self

    def describe(self) -> str:
        if self.national:
            return "national"
        if self.provinces:
            return "provinces: " + ", ".join(self.provinces)
        return "cities: " + ", ".join(self.cities)


class RecordRule(Strict):
    """How a system's records of one event type differ from the truth.

    ``coverage``: share of events it records; ``delay``: days until a record reaches it;
    ``false_rate``: records of events that never happened, per covered person and day (a
    clerical error); ``misattribution``: share of recorded events put on the wrong person (a
    namesake living nearby).
    """

    coverage: Probability = 1.0
    delay: int = Field(default=0, ge=0, le=3650)
    false_rate: Probability = 0.0
    misattribution: Probability = 0.0


class AppealSpec(Strict):
    """Appeals by the wrongly sanctioned: who appeals, how many are decided a day, after how
    long at least, and how many succeed."""

    rate: Probability
    #: decisions a day, in real people (the desk divides it by population.scale)
    capacity: float = Field(ge=0, le=MAX_CAPACITY)
    latency: int = Field(default=0, ge=0, le=3650)
    success: Probability


class IdentityNoise(Strict):
    """How a source writes the identity it saw: each a share of its records (a record may
    carry several errors). ``typo``: one character of the given name wrong; ``pinyin``: the
    surname in another romanisation (LYU/LU/LV, Wade-Giles, Hong Kong); ``swap_day_month``:
    day and month of the birth date swapped (where both could be a month); ``id_digit``: one
    digit of the ID number wrong; ``missing``: each field left empty, independently."""

    typo: Probability = 0.0
    pinyin: Probability = 0.0
    swap_day_month: Probability = 0.0
    id_digit: Probability = 0.0
    missing: Probability = 0.0


def record_streams(system: str, event: str) -> dict[str, str]:
    """The streams of a system's records of one event type (seen, false records)."""
    return {f"record/{event}": f"system/{system}/record/{event}",
            f"false/{event}": f"system/{system}/false/{event}"}


class SystemSpec(Strict):
    """What every system kind's spec has. A kind subclasses it with ``kind: Literal[...]``."""

    #: whether joint punishment may name this system as its source (lists)
    joint_source: ClassVar[bool] = False
    #: fields a schedule may not change: they are read once, when the run is built
    FIXED: ClassVar[tuple[str, ...]] = ("jurisdiction",)

    kind: str
    description: Text = ""
    jurisdiction: Jurisdiction
    appeals: AppealSpec | None = None

    def events(self) -> list[str]:
        """The event types the system records."""
        return []

    def stream_names(self, name: str) -> dict[str, str]:
        """Every random stream of the system ``name``, by its role."""
        out: dict[str, str] = {}
        for event in self.events():
            out.update(record_streams(name, event))
        out["appeal/file"] = f"system/{name}/appeal/file"
        out["appeal/decision"] = f"system/{name}/appeal/decision"
        return out

    def references(self, name: str, refs: References) -> list[Reference]:
        """Cross-references a kind checks beyond its jurisdiction (events, grades, ...)."""
        return []

    def fixed_shape(self) -> tuple[Any, ...]:
        """What a schedule must leave as it is, beyond the streams and columns (grade names)."""
        return ()


class JointPunishment(Strict):
    """A list in one system triggers sanctions in another (the national memoranda)."""

    source: str  # the list
    target: str  # the system that sanctions the persons on it
    sanctions: list[Sanction] = Field(min_length=1)


# --- protests and control measures ---------------------------------------------------------


class ProtestSpec(Strict):
    """City-level protests: when, how big, who is there, which photos exist and travel.

    Sizes are in real people; the simulation divides them by ``population.scale``.
    """

    rate_per_million: float = Field(ge=0, le=1000)  # protests per million residents and day
    #: where protests can happen (default: every city cell)
    cities: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    size_median: float = Field(gt=0, le=1e9)  # participants, real people
    size_sigma: float = Field(default=1.0, ge=0, le=5)  # log-sd of the size
    bystanders_per_participant: float = Field(default=1.0, ge=0)
    photos_participant: float = Field(default=10.0, ge=0, le=1000)  # mean protest photos taken
    photos_bystander: float = Field(default=2.0, ge=0, le=1000)
    forward_share: Probability = 0.3  # share of photo holders who forward photos
    contacts: float = Field(default=10.0, ge=0, le=10_000)  # recipients per forwarder, same city
    photos_forwarded: float = Field(default=3.0, ge=1, le=1000)  # mean photos a recipient gets
    deletion: Probability = 0.3  # share of participants who delete their photos that night

    FIXED: ClassVar[tuple[str, ...]] = ("cities",)

    def stream_names(self) -> dict[str, str]:
        return {part: f"protests/{part}" for part in
                ("occur", "size", "join", "photos", "forward", "receive", "delete")}


class MeasureSpec(Strict):
    """What every measure kind's spec has. A kind subclasses it with ``kind: Literal[...]``."""

    #: whether the measure needs a protests: section (it acts after protests)
    after_protests: ClassVar[bool] = False
    #: fields a schedule may not change: they are read once, when the run is built
    FIXED: ClassVar[tuple[str, ...]] = ("cities",)

    kind: str
    description: Text = ""

    def stream_names(self, name: str) -> dict[str, str]:
        return {}

    def named_cities(self) -> list[str]:
        """The cities the measure names (none: every city)."""
        return []

    def references(self, name: str, refs: References) -> list[Reference]:
        return []

    def fixed_shape(self) -> tuple[Any, ...]:
        """What a schedule must leave as it is, beyond the streams and columns."""
        return ()


class MeasureAction(Strict):
    """What happens to a flagged person."""

    restrict: list[Sanction] = []
    days: int = Field(default=0, ge=0, le=MAX_DAYS)
    detention_days: int = Field(default=0, ge=0, le=MAX_DAYS)


# --- integration: linkage and the composite score --------------------------------------------

#: the fields of an identity record (``records.identity``)
RECORD_FIELDS = ("surname", "given", "birth", "id_number", "city")
#: record fields that stay empty under an identity scheme without ID numbers
ID_FIELDS = ("id_number",)


class Comparison(Strict):
    """How splink compares one field: ``exact``, ``jaro_winkler`` (similarity thresholds,
    default 0.92 and 0.8), ``levenshtein`` (Damerau-Levenshtein distances, default 1 and 2)
    or ``date`` (a date of birth written ``YYYY-MM-DD``); optional term-frequency adjustment."""

    field: str
    method: Literal["exact", "jaro_winkler", "levenshtein", "date"]
    thresholds: list[Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=list,
                                                                    max_length=5)
    term_frequency: bool = False


def _default_comparisons() -> list[Comparison]:
    return [Comparison(field="surname", method="jaro_winkler", term_frequency=True),
            Comparison(field="given", method="jaro_winkler", term_frequency=True),
            Comparison(field="birth", method="date"),
            Comparison(field="id_number", method="levenshtein"),
            Comparison(field="city", method="exact", term_frequency=True)]


class LinkageSpec(Strict):
    """splink's settings: blocking rules (each a list of fields that must agree), EM training
    blocks, comparisons, and the match probability at which records join one cluster."""

    blocking_rules: list[list[str]] = Field(
        default_factory=lambda: [["id_number"], ["surname", "given"], ["surname", "birth"],
                                 ["given", "birth"]], min_length=1, max_length=20)
    em_blocking_rules: list[list[str]] = Field(
        default_factory=lambda: [["id_number"], ["surname", "given"]], min_length=1,
        max_length=20)
    comparisons: list[Comparison] = Field(default_factory=_default_comparisons, min_length=1,
                                          max_length=20)
    threshold: float = Field(default=0.95, gt=0.0, lt=1.0)
    #: recall assumed of the blocking rules when estimating the prior match probability
    recall: float = Field(default=0.95, gt=0.0, le=1.0)
    u_max_pairs: int = Field(default=1_000_000, ge=1_000, le=10**9)

    def fields_used(self) -> list[tuple[tuple[str | int, ...], str]]:
        """(path, field) of every field the settings name."""
        out: list[tuple[tuple[str | int, ...], str]] = []
        for section in ("blocking_rules", "em_blocking_rules"):
            for i, rule in enumerate(getattr(self, section)):
                out += [((section, i, j), f) for j, f in enumerate(rule)]
        out += [(("comparisons", i, "field"), c.field) for i, c in enumerate(self.comparisons)]
        return out


class IntegrationSpec(Strict):
    """The hypothetical national score: every ``every_days`` days (or once, on the last day),
    the identity records of every source are linked to persons; each cluster gets a composite
    of its sources' standings (``weights``, a positive sum), graded into ``grades`` (floors on
    0-1000) whose ``sanctions`` hold every person whose records are in the cluster. The
    composite is audited as a system named ``name``."""

    #: the composite's name among the systems of the outputs
    name: Name = "integrated-score"
    description: Text = ""
    every_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    sources: dict[str, IdentityNoise] = Field(min_length=1, max_length=MAX_PARTS)
    weights: dict[str, Annotated[float, Field(ge=0, le=1e6)]] = Field(min_length=1,
                                                                      max_length=MAX_PARTS)
    linkage: LinkageSpec = Field(default_factory=LinkageSpec)
    grades: dict[str, Annotated[int, Field(ge=0, le=1000)]] = Field(min_length=1,
                                                                     max_length=254)
    sanctions: dict[str, list[Sanction]] = Field(default_factory=dict, max_length=MAX_ITEMS)

    def stream_names(self) -> dict[str, str]:
        return {f"identity/{s}": f"integration/identity/{s}" for s in self.sources}

    @field_validator("weights")
    @classmethod
    def _weights_positive(cls, weights: dict[str, float]) -> dict[str, float]:
        total = sum(weights.values())
        if not total > 0:
            raise ValueError(f"weights must add up to a positive number, got {total:g}")
        return weights

    @field_validator("grades")
    @classmethod
    def _grades_by_floor(cls, grades: dict[str, int]) -> dict[str, int]:
        ordered = dict(sorted(grades.items(), key=lambda item: -item[1]))
        if len(set(ordered.values())) < len(ordered):
            raise ValueError("two grades have the same floor")
        return ordered


# --- kinds and cross-references ------------------------------------------------------------


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

PROTEST_EVENTS = ("protest_participation", "protest_presence")
AT_KEY = "<key>"  # ends a reference path whose problem is the mapping key, not its value


@dataclass(frozen=True)
class Reference:
    """A name that does not resolve: where (a field path) and what is wrong."""

    path: tuple[str | int, ...]
    message: str


def did_you_mean(word: str, choices: list[str]) -> str:
    if len(word) > 200:
        return ""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass
class References:
    """The names a scenario defines, for checking what refers to them."""

    provinces: list[str]
    cities: list[str]
    events: dict[str, str]  # event type -> the process (or "protests") producing it
    remedies: set[str]  # events with a remedy rate
    lists: list[str] = field(default_factory=list)

    def city(self, path: tuple[str | int, ...], city: str) -> list[Reference]:
        if city in self.cities:
            return []
        return [Reference(path, f"unknown city {short(city)}{did_you_mean(city, self.cities)}; "
                                f"known cities: {', '.join(self.cities)}")]

    def province(self, path: tuple[str | int, ...], province: str) -> list[Reference]:
        if province in self.provinces:
            return []
        return [Reference(path, f"unknown province {short(province)}"
                                f"{did_you_mean(province, self.provinces)}; known provinces: "
                                f"{', '.join(self.provinces)}")]

    def event(self, path: tuple[str | int, ...], event: str) -> list[Reference]:
        if event in self.events:
            return []
        known = list(self.events)
        return [Reference(path, f"unknown event type {short(event)}{did_you_mean(event, known)}; "
                                f"known events: {', '.join(known)}")]


class ReferenceProblems(ScenarioError):
    """Names that do not resolve; the loader locates each path in the YAML it came from."""

    def __init__(self, references: list[Reference]) -> None:
        self.references = references
        super().__init__([Problem(r.message, path=_path_text(r.path)) for r in references])


def _path_text(path: tuple[str | int, ...]) -> str:
    parts = [p for p in path if p != AT_KEY]
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in parts).replace(".[", "[")


# --- schedules ------------------------------------------------------------------------------


def iso_date(value: Any, expected: str = "a date YYYY-MM-DD") -> Any:
    """A date written as YAML's date, or as ISO text (as scenario.yaml writes it); anything
    else is left for the field's type to judge."""
    if isinstance(value, datetime.datetime):
        raise ValueError(f"expected {expected}, not a date and time")  # noqa: TRY004
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected {expected}, got {short(value)}") from None
    return value


DayOrDate = Annotated[int | datetime.date, BeforeValidator(
    lambda value: iso_date(value, "a day number or a date YYYY-MM-DD"))]


class Change(Strict):
    """One dated change: ``set`` the parameter at a dotted path ``to`` a value before day
    ``at`` runs, or (with ``until``) ramp it linearly to that value by day ``until``. Days are
    reported days (0 is the first) or dates, with ``start_date`` (see ``scenario.schedule``)."""

    at: DayOrDate
    until: DayOrDate | None = None
    set: str = Field(min_length=1, max_length=500)
    to: Any


# --- the scenario -------------------------------------------------------------------------


#: the parts of a run a report can lead with
Component = Literal["measures", "integration", "systems"]


class ReportSpec(Strict):
    """How the report presents the run: ``lead`` names the components the scenario is about,
    in the order the first screen shows them (the others follow). Without it a report leads
    with the control measures when there are any, then the scoring systems."""

    lead: list[Component] = Field(min_length=1, max_length=3)

    @field_validator("lead")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        if len(set(value)) < len(value):
            raise ValueError("each component at most once")
        return value


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
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        bad = self._references()
        if not bad and self.schedule:
            from .schedule import resolve

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
