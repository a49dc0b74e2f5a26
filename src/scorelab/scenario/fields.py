"""Field types and bounds that every spec model shares: probabilities, names, texts, the
sanctions and rewards a system may impose or grant, the limits on what a scenario may hold,
and ``Strict``, the base of every spec (unknown keys forbidden)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

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

#: people in a region or city (real people: more than live on Earth), and synthetic persons
#: in a run (far beyond any machine's memory); every count of people stays well inside
#: 64-bit integers and floats
MAX_PEOPLE = 10**10
MAX_PERSONS = 10**12
#: seeds are stored in 64-bit columns (sweep tables, replicated daily tables)
MAX_SEED = 2**63 - 1

#: a scenario's name is a name, not a path: it chooses the default output folder; the names of
#: processes, events, systems and measures are names too (they make up the stream names)
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Name = Annotated[str, Field(pattern=NAME_PATTERN)]

Text = Annotated[str, Field(max_length=MAX_TEXT)]


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors, values keep their YAML type
    (``days: true`` or ``days: '10'`` is not a number of days), and numbers are finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
