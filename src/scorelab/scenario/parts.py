"""The spec models of the parts of a run, which a schedule may change: processes (with their
outcome events), what every system and every measure kind has, joint punishment, protests.
Each kind's own spec lives with its kind (a kind is one module)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import (
    Field,
    model_validator,
)

from .fields import (
    MAX_CAPACITY,
    MAX_DAYS,
    MAX_ITEMS,
    Eligibility,
    Name,
    Probability,
    Propensity,
    Sanction,
    Strict,
    Text,
)
from .references import Reference, References

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
    bystanders_per_participant: float = Field(default=1.0, ge=0, le=1e6)
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

    restrict: list[Sanction] = Field(default_factory=list)
    days: int = Field(default=0, ge=0, le=MAX_DAYS)
    detention_days: int = Field(default=0, ge=0, le=MAX_DAYS)




PROTEST_EVENTS = ("protest_participation", "protest_presence")
