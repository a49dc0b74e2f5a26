"""The scenario as validated data: pydantic models, unknown keys forbidden.

The scenario knows nothing of arrays or backends; :mod:`scorelab.engine` compiles it into a
runnable plan. Every rate is a probability per person and day unless its name says otherwise.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    #: daily chance that a person remedies an outcome (pays the debt, obeys the judgment)
    #: after it happened; lists that delist on remedy read it
    remedies: dict[str, Probability] = {}

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


class PointRule(RecordRule):
    """A recorded event type and the points it is worth."""

    points: int = Field(ge=-10_000, le=10_000)


class AppealSpec(Strict):
    """Appeals by the wrongly sanctioned: who appeals, how many are decided a day, after how
    long at least, and how many succeed."""

    rate: Probability
    #: decisions a day, in real people (the desk divides it by population.scale)
    capacity: float = Field(ge=0)
    latency: int = Field(default=0, ge=0, le=3650)
    success: Probability


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
    rewards: dict[str, list[Reward]] = {}
    floor: int | None = Field(default=None, ge=-32_000, le=32_000)
    ceiling: int | None = Field(default=None, ge=-32_000, le=32_000)
    #: days after which a record's points lapse (credit repair); none: records never lapse
    expiry_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    appeals: AppealSpec | None = None

    @model_validator(mode="after")
    def _caps_ordered(self) -> PointsSystem:
        if self.floor is not None and self.ceiling is not None and self.floor > self.ceiling:
            raise ValueError(f"floor {self.floor} is above ceiling {self.ceiling}")
        return self

    @model_validator(mode="after")
    def _grades_descending(self) -> PointsSystem:
        floors = list(self.grades.values())
        if any(a <= b for a, b in itertools.pairwise(floors)):
            pairs = ", ".join(f"{k}: {v}" for k, v in self.grades.items())
            raise ValueError(
                f"grades must be listed from the highest floor to the lowest, got {{{pairs}}}"
            )
        return self


class ListEntry(RecordRule):
    """When a person is put on a list: ``count`` recorded ``event``s within ``window`` days,
    and (with ``remedy_days``) not remedied within that many days of the event."""

    event: str
    count: int = Field(default=1, ge=1, le=8)
    window: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    remedy_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)

    @model_validator(mode="after")
    def _window_for_counts(self) -> ListEntry:
        if self.count > 1 and self.window is None:
            raise ValueError("an entry rule with count > 1 needs a window (days)")
        if self.count > 1 and self.remedy_days is not None:
            raise ValueError("give either count/window or remedy_days, not both")
        return self


class ListExit(Strict):
    """When a person leaves a list: once the system learns of a remedy (``on_remedy``) and
    ``min_days`` have passed, or after ``after_days`` (a fixed term), whichever comes first."""

    on_remedy: bool = False
    remedy_delay: int = Field(default=0, ge=0, le=MAX_DAYS)
    remedy_unseen: Probability = 0.0
    min_days: int = Field(default=0, ge=0, le=MAX_DAYS)
    after_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)

    @model_validator(mode="after")
    def _some_way_out(self) -> ListExit:
        if not self.on_remedy and self.after_days is None:
            raise ValueError("a list needs an exit rule: on_remedy: true and/or after_days: N")
        return self


class ListSystem(Strict):
    """A blacklist or redlist: entry and exit rules, sanctions or rewards while listed."""

    kind: Literal["list"]
    description: str = ""
    polarity: Literal["black", "red"] = "black"
    jurisdiction: Jurisdiction
    entry: ListEntry
    exit: ListExit
    sanctions: list[Sanction] = []
    rewards: list[Reward] = []
    #: share of covered adults already listed on the first day (times their propensity for
    #: the entry event), for starting a run at a published list size
    initial_share: Probability = 0.0
    appeals: AppealSpec | None = None


SystemSpec = Annotated[PointsSystem | ListSystem, Field(discriminator="kind")]


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
    cities: list[str] = []  # where protests can happen (default: every city cell)
    size_median: float = Field(gt=0)  # participants, real people
    size_sigma: float = Field(default=1.0, ge=0, le=5)  # log-sd of the size
    bystanders_per_participant: float = Field(default=1.0, ge=0)
    photos_participant: float = Field(default=10.0, ge=0, le=1000)  # mean protest photos taken
    photos_bystander: float = Field(default=2.0, ge=0, le=1000)
    forward_share: Probability = 0.3  # share of photo holders who forward photos
    contacts: float = Field(default=10.0, ge=0, le=10_000)  # recipients per forwarder, same city
    photos_forwarded: float = Field(default=3.0, ge=1, le=1000)  # mean photos a recipient gets
    deletion: Probability = 0.3  # share of participants who delete their photos that night


class ReviewSpec(Strict):
    """Human review of a scanner's flags."""

    capacity: float = Field(ge=0)  # decisions a day, real people (divided by scale)
    accuracy: Probability = 0.95
    latency: int = Field(default=0, ge=0, le=3650)
    unreviewed: Literal["wait", "act"] = "wait"
    minutes_per_review: float = Field(default=2.0, gt=0)


class MeasureAction(Strict):
    """What happens to a flagged person."""

    restrict: list[Sanction] = []
    days: int = Field(default=0, ge=0, le=MAX_DAYS)
    detention_days: int = Field(default=0, ge=0, le=MAX_DAYS)


class ScanCost(Strict):
    flops_per_image: float = Field(default=4.3e8, ge=0)  # MobileNetV3-Large: 217 M MACs
    joules_per_image: float = Field(default=0.03, ge=0)
    upload_bytes_per_match: float = Field(default=50_000, ge=0)


class ListScope(Strict):
    """What the target list holds beyond protest photos: ordinary religious or cultural
    material that some people keep, by group (a share of each group holds ``items`` listed
    files, found at the first scan)."""

    majority: Probability = 0.0
    minority: Probability = 0.0
    items: int = Field(default=5, ge=0, le=100_000)


class CheckpointMeasure(Strict):
    """Police stopping people to search their phones in the days after a protest."""

    kind: Literal["checkpoint"]
    description: str = ""
    cities: list[str] = []  # where (default: every city with a protest)
    officers: int = Field(ge=0)  # per city with an active checkpoint, real people
    shift_hours: float = Field(gt=0, le=24)
    minutes_per_search: float = Field(gt=0)
    days_after: int = Field(default=3, ge=1, le=365)
    present_share: Probability = 0.5  # share of searches aimed at people present at the protest
    find_photos: bool = True
    find_apps: bool = True
    app_prevalence: Probability = 0.1  # VPNs, foreign messengers among phone owners
    action: MeasureAction = MeasureAction()


class DeviceScanMeasure(Strict):
    """A (hypothetical) scanner on every phone matching photos against a target list."""

    kind: Literal["device_scan"]
    description: str = ""
    install_rate: Probability
    photos_per_day: float = Field(ge=0, le=10_000)
    match_tpr: Probability
    match_fpr: Probability
    burst_mean: float = Field(default=1.0, ge=1, le=1000)  # near-duplicates per false match
    threshold: int = Field(ge=1, le=100_000)
    window: int = Field(ge=1, le=MAX_DAYS)
    scope: ListScope = ListScope()
    review: ReviewSpec | None = None
    action: MeasureAction = MeasureAction()
    cost: ScanCost = ScanCost()


class ShutdownMeasure(Strict):
    """Cutting a city off (social media, or all signal) after a protest there."""

    kind: Literal["shutdown"]
    description: str = ""
    cities: list[str] = []  # cities whose protests trigger a shutdown of themselves (default all)
    duration: int = Field(ge=1, le=MAX_DAYS)
    start_after: int = Field(default=0, ge=0, le=365)
    cuts: Literal["social_media", "all_signal"] = "social_media"
    forwarding_factor: Probability = 0.2  # share of forwarding that still gets through
    cost_per_person_day: float = Field(default=2.1, ge=0)  # US$; GSMA lower anchor


MeasureSpec = Annotated[CheckpointMeasure | DeviceScanMeasure | ShutdownMeasure,
                        Field(discriminator="kind")]


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
    #: days simulated before day 0 and not reported, so lists and scores start settled
    warmup_days: int = Field(default=0, ge=0, le=MAX_DAYS)
    population: PopulationSpec
    processes: dict[str, ProcessSpec] = {}
    systems: dict[str, SystemSpec] = {}
    joint_punishment: list[JointPunishment] = []
    protests: ProtestSpec | None = None
    measures: dict[str, MeasureSpec] = {}

    @model_validator(mode="after")
    def _horizon(self) -> Scenario:
        if self.days + self.warmup_days > MAX_DAYS:
            raise ValueError(f"warmup_days + days must be at most {MAX_DAYS}")
        return self
