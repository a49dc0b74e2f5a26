"""A system's entry in ``summary.json``: the fields every kind has, as a pydantic model that
each kind extends with its own (``kind: Literal[...]`` picks the model, through the registry).

In the JSON a system's fields come in this order: the figures every kind counts, then the
kind's own, then what the driver audits (appeals, protest roles, joint punishment). Counts
are synthetic persons (times ``scale`` for real people).
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from pydantic import Field

from ..core.results import Model

Counts = dict[str, int]


class JointPunishmentTotals(Model):
    """Sanctions a target system imposes because a person is on another system's list."""

    sanctioned: int
    sanctioned_wrongly: int
    restriction_person_days: int
    restriction_person_days_by_sanction: Counts


class SystemSummary(Model):
    """One scoring system. Counts are synthetic persons (times ``scale`` for real people)."""

    #: the daily column the report draws as the system's main line
    main_line: ClassVar[str] = "sanctioned"

    kind: str
    jurisdiction: str
    covered: int = Field(description="persons in the system's jurisdiction")
    scored: int = Field(description=(
        "persons on whom a record reached the system (after its delay) at any time of the "
        "run, warm-up included; a list's initial listings and a credit file count from the "
        "first day"))
    records: int
    sanctioned: int = Field(description="persons ever sanctioned in the reported days")
    sanctioned_wrongly: int = Field(
        description="persons ever sanctioned without the truth behind it")
    sanctioned_wrongly_by_cause: Counts
    rewarded: int
    restriction_person_days: int
    wrongful_person_days: int
    restriction_person_days_by_sanction: Counts
    reward_person_days_by_reward: Counts
    # after the kind's own fields
    uncalibrated: str | None = Field(
        default=None, description="a financial score not calibrated to a published distribution of "
                          "real scores: why (its grades are relative, not the platform's)")
    # appeals
    appeals_filed: int | None = None
    appeals_decided: int | None = None
    appeals_won: int | None = None
    appeal_backlog_max: int | None = None
    appeal_backlog_at_end: int | None = None
    # with protests
    sanctioned_by_role: Counts | None = None
    precision_participants: float | None = None
    joint_punishment: dict[str, JointPunishmentTotals] | None = Field(
        default=None, description="by source list: what its joint-punishment link imposed here")

    @classmethod
    def json_order(cls) -> tuple[str, ...]:
        """The shared figures, the kind's own, then the driver's audits."""
        return _order(cls)


@cache
def _order(model: type[SystemSummary]) -> tuple[str, ...]:
    fields = list(model.model_fields)
    tail = fields[fields.index("uncalibrated"):len(SystemSummary.model_fields)]
    return (*(f for f in fields if f not in tail), *tail)


class GradedSummary(SystemSummary):
    """A system that grades the persons it holds (points, credit scores, the composite)."""

    grades: Counts = Field(description="persons per recorded grade at the end")
    grades_truth: Counts = Field(description="persons per true grade at the end")
