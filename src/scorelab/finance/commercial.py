"""A commercial credit score (Sesame-like, 350-950) over the same kind of credit file.

Sesame Credit's range is 350-950 and it names five dimensions: credit history, behaviour and
preferences, ability to pay, identity traits and social connections; its weights were never
published (the commonly quoted 35/20/25/15/5 are the defaults here, marked uncertain in
docs/sources.md). The files carry no shopping behaviour, identity detail or contacts, so
behaviour is read from the breadth and freshness of the credit held, ability to pay from
income against the population's median, and identity and connections are constants (every
file is complete; no social graph is modelled): assumptions, which shift every score alike.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from ..systems.summary import SystemSummary
from .credit import (
    CreditSpec,
    CreditState,
    CreditSummary,
    FileView,
    Weights,
    credit_mix,
    file_length,
    payment_history,
    recent_inquiries,
    utilisation_room,
    weighted_score,
)

LOW, HIGH = 350, 950
#: identity traits and social connections are not modelled: everyone scores these values
IDENTITY_FACTOR, CONNECTIONS_FACTOR = 1.0, 0.5


class CommercialWeights(Weights):
    """Weights of the five dimensions (the commonly quoted, unpublished, ones by default)."""

    credit_history: float = Field(default=0.35, ge=0, le=1e6)
    behaviour: float = Field(default=0.20, ge=0, le=1e6)
    ability_to_pay: float = Field(default=0.25, ge=0, le=1e6)
    identity: float = Field(default=0.15, ge=0, le=1e6)
    connections: float = Field(default=0.05, ge=0, le=1e6)


class CommercialSystem(CreditSpec):
    """A commercial platform's score over the accounts of the persons it covers."""

    LOW: ClassVar[int] = LOW
    HIGH: ClassVar[int] = HIGH

    kind: Literal["commercial"]
    weights: CommercialWeights = Field(default_factory=CommercialWeights)


def commercial_factors(view: FileView, median_income: float) -> dict[str, np.ndarray]:
    """The five dimensions of a file, each in [0, 1] and 1 best."""
    history = payment_history(view.on_time, view.late, view.defaults)
    ones = np.ones(view.on_time.shape)
    return {
        "credit_history": (history * 3 + file_length(view.file_days)) / 4,
        "behaviour": (credit_mix(view.types) + recent_inquiries(view.inquiries)) / 2,
        "ability_to_pay": (view.income / (view.income + median_income)
                           + utilisation_room(view.balance, view.limit)) / 2,
        "identity": ones * IDENTITY_FACTOR,
        "connections": ones * CONNECTIONS_FACTOR,
    }


def commercial_score(view: FileView, median_income: float,
                     weights: CommercialWeights | None = None) -> np.ndarray:
    """The score of each file in ``view``, 350-950."""
    w = (weights or CommercialWeights()).values_by_name()
    return weighted_score(commercial_factors(view, median_income), w, LOW, HIGH)


class CommercialSummary(CreditSummary):
    """A commercial score's entry in the summary."""

    kind: Literal["commercial"]


class CommercialState(CreditState):
    """A commercial score over the persons of one shard."""

    kind: ClassVar[str] = "commercial"
    Spec: ClassVar[type[CommercialSystem]] = CommercialSystem
    Summary: ClassVar[type[SystemSummary]] = CommercialSummary

    def factors(self, view: FileView) -> dict[str, np.ndarray]:
        return commercial_factors(view, self.median_income)
