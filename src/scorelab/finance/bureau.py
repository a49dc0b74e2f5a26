"""A bureau credit score (FICO-like, 300-850) from the five publicly stated factors.

FICO states the weights of its factors: payment history 35%, amounts owed 30%, length of
credit history 15%, new credit 10%, credit mix 10% (docs/sources.md). Each factor is read off
the credit file as a number in [0, 1] (``finance.credit``); how a real bureau turns a file
into each factor is not published, so those curves are assumptions. The score rises with each
factor and stays in 300-850 whatever the file holds.
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

LOW, HIGH = 300, 850


class BureauWeights(Weights):
    """The published FICO weights (defaults); any non-negative weights with a positive sum."""

    payment_history: float = Field(default=0.35, ge=0, le=1e6)
    amounts_owed: float = Field(default=0.30, ge=0, le=1e6)
    length_of_history: float = Field(default=0.15, ge=0, le=1e6)
    new_credit: float = Field(default=0.10, ge=0, le=1e6)
    credit_mix: float = Field(default=0.10, ge=0, le=1e6)


class BureauSystem(CreditSpec):
    """A credit bureau's score over the credit files of the persons it covers."""

    LOW: ClassVar[int] = LOW
    HIGH: ClassVar[int] = HIGH

    kind: Literal["bureau"]
    weights: BureauWeights = Field(default_factory=BureauWeights)


def bureau_factors(view: FileView) -> dict[str, np.ndarray]:
    """The five factors of a file, each in [0, 1] and 1 best."""
    return {
        "payment_history": payment_history(view.on_time, view.late, view.defaults),
        "amounts_owed": utilisation_room(view.balance, view.limit),
        "length_of_history": file_length(view.file_days),
        "new_credit": recent_inquiries(view.inquiries),
        "credit_mix": credit_mix(view.types),
    }


def bureau_score(view: FileView, weights: BureauWeights | None = None) -> np.ndarray:
    """The score of each file in ``view``, 300-850.

    >>> import numpy as np
    >>> one = np.ones(1)
    >>> view = FileView(on_time=one * 60, late=one * 0, defaults=one * 0, balance=one * 0,
    ...                 limit=one * 1000, file_days=one * 365 * 20, inquiries=one * 0,
    ...                 types=np.array([15], np.uint8), income=one)
    >>> int(bureau_score(view)[0])
    850
    """
    w = (weights or BureauWeights()).values_by_name()
    return weighted_score(bureau_factors(view), w, LOW, HIGH)


class BureauSummary(CreditSummary):
    """A bureau score's entry in the summary."""

    kind: Literal["bureau"]


class BureauState(CreditState):
    """A bureau score over the persons of one shard."""

    kind: ClassVar[str] = "bureau"
    Spec: ClassVar[type[BureauSystem]] = BureauSystem
    Summary: ClassVar[type[SystemSummary]] = BureauSummary

    def factors(self, view: FileView) -> dict[str, np.ndarray]:
        return bureau_factors(view)
