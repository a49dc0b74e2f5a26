"""The scenario as validated data: pydantic models, unknown keys forbidden.

The scenario knows nothing of arrays or backends; :mod:`scorelab.engine` compiles it into a
runnable plan. Every rate is a probability per person and day unless its name says otherwise.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Propensity = Literal["offending", "defaulting", "volunteering", "tax_evasion"]
Eligibility = Literal["everyone", "adults", "borrowers"]

#: Restrictions a system can impose. Shared by all systems so the ledger can add them up.
SANCTIONS: tuple[str, ...] = (
    "flights",
    "high_speed_rail",
    "loans",
    "private_schooling",
    "public_jobs",
    "luxury_spending",
    "social_media",
)
Sanction = Literal[
    "flights",
    "high_speed_rail",
    "loans",
    "private_schooling",
    "public_jobs",
    "luxury_spending",
    "social_media",
]

MAX_DAYS = 36_500  # next-event days are stored as uint16


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- population -------------------------------------------------------------------------


class ProvinceSpec(Strict):
    """A provincial-level division: its ID-card code, census population and urban share."""

    code: int = Field(ge=11, le=99)
    population: int = Field(gt=0)
    urban_share: Probability | None = None
    minority_share: Probability | None = None


class CitySpec(Strict):
    """A named city (a pilot city of some system); the rest of its province is one remainder."""

    province: str
    population: int = Field(gt=0)
    urban_share: Probability | None = None
    county_codes: list[Annotated[int, Field(ge=110000, le=999999)]] = Field(min_length=1)


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


class PopulationSpec(Strict):
    persons: int = Field(gt=0)
    seed: int = Field(default=0, ge=0)
    scale: float | None = Field(default=None, gt=0)
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
    age_bands: list[AgeBand] = Field(min_length=1)
    income: IncomeSpec
    activism: ActivismSpec
    provinces: dict[str, ProvinceSpec] = Field(min_length=1)
    cities: dict[str, CitySpec] = {}

    @model_validator(mode="after")
    def _age_bands_cover(self) -> PopulationSpec:
        total = sum(b.share for b in self.age_bands)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"age_bands shares must add up to 1, not {total:g}")
        for band in self.age_bands:
            if band.high <= band.low:
                raise ValueError(f"age band [{band.low}, {band.high}) is empty")
        return self


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
    outcomes: dict[str, Probability] = {}
    outcome_propensity: Propensity | None = None
    otherwise: str | None = None

    def events(self) -> list[str]:
        names = list(self.outcomes)
        if self.otherwise is not None:
            names.append(self.otherwise)
        return names


# --- systems ------------------------------------------------------------------------------


class Jurisdiction(Strict):
    """Whom a system covers: the whole nation, some provinces, or some cities."""

    national: bool = False
    provinces: list[str] = []
    cities: list[str] = []

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


class PointRule(Strict):
    """How a system records one event type: the share of events it sees and the points."""

    coverage: Probability
    points: int = Field(ge=-10_000, le=10_000)


class PointsSystem(Strict):
    """A local point system: everyone starts at ``base``; recorded events add points;
    the score falls into a grade band; some grades carry sanctions."""

    kind: Literal["points"]
    description: str = ""
    jurisdiction: Jurisdiction
    base: int = Field(ge=-30_000, le=30_000)
    grades: dict[str, int] = Field(min_length=1)
    rules: dict[str, PointRule] = Field(min_length=1)
    sanctions: dict[str, list[Sanction]] = {}

    @model_validator(mode="after")
    def _grades_descending(self) -> PointsSystem:
        floors = list(self.grades.values())
        if any(a <= b for a, b in itertools.pairwise(floors)):
            pairs = ", ".join(f"{k}: {v}" for k, v in self.grades.items())
            raise ValueError(
                f"grades must be listed from the highest floor to the lowest, got {{{pairs}}}"
            )
        return self


SystemSpec = Annotated[PointsSystem, Field(discriminator="kind")]


# --- the scenario -------------------------------------------------------------------------


class Scenario(Strict):
    """A fully resolved scenario: what to simulate, for how long, on whom.

    >>> from scorelab import load_scenario
    >>> scenario = load_scenario(preset="china-2022", overrides={"population": {"persons": 1000}})
    >>> scenario.population.persons
    1000
    """

    name: str = Field(min_length=1)
    description: str = ""
    days: int = Field(gt=0, le=MAX_DAYS)
    population: PopulationSpec
    processes: dict[str, ProcessSpec] = {}
    systems: dict[str, SystemSpec] = {}
