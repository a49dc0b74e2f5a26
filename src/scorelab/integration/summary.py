"""The integrated score's entries in ``summary.json``: the composite audited as one of the
systems, and the integration's own figures (its last linkage against the truth, what its
sanctions did)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from ..core.results import Model
from ..systems.summary import GradedSummary


class CompositeSummary(GradedSummary):
    """The integrated score's composite, audited as a system: its entry among the systems of
    the summary."""

    kind: Literal["composite"]


class IntegrationSummary(Model):
    """The hypothetical integrated score: its last linkage against the truth, and what its
    sanctions did. Counts are synthetic persons and records."""

    linkages: int = Field(description="linkage runs")
    records: int | None = Field(None, description="identity records linked (last linkage)")
    persons: int | None = Field(None, description="distinct true persons behind them")
    clusters: int | None = Field(None, description="clusters the linkage made")
    pairs_matched: int | None = Field(None, description="record pairs at or above the threshold")
    true_pairs: int | None = None
    predicted_pairs: int | None = None
    true_positive_pairs: int | None = None
    precision: float | None = Field(None, description="pairwise: linked pairs that are one person")
    recall: float | None = Field(None, description="pairwise: same-person pairs linked")
    f1: float | None = None
    wrongful_merges: int | None = Field(None, description="clusters holding two or more persons")
    persons_in_wrongful_merges: int | None = None
    split_persons: int | None = Field(None, description="persons spread over two or more "
                                                        "clusters")
    sanctioned: int | None = Field(None, description="persons the composite sanctions now")
    sanctioned_with_perfect_linkage: int | None = Field(
        None, description="persons it would sanction with one cluster per true person")
    sanctioned_by_merge: int | None = Field(
        None, description="sanctioned only because a wrong merge joined them to another's "
                          "records")
    sanctioned_by_split: int | None = Field(
        None, description="sanctioned only because a split left part of their records alone")
    escaped_by_split: int | None = Field(
        None, description="escaped the sanction a perfect linkage would give, by a split")
    sanctioned_ever: int
    restriction_person_days: int
    fragmented_sanctioned_any: int = Field(
        description="persons any separate system sanctioned (the same run, not integrated)")


@dataclass
class IntegrationTotals:
    """The integrator's figures at the end of a run (it is global: nothing to add up); the
    ledger adds what only the shards know (``fragmented_sanctioned_any``)."""

    linkages: int
    sanctioned_ever: int
    restriction_person_days: int
    last: dict[str, int | float | None]  # the last linkage's figures, by field of the summary

    def summary(self, fragmented_sanctioned_any: int) -> IntegrationSummary:
        return IntegrationSummary.model_validate({
            "linkages": self.linkages, "sanctioned_ever": self.sanctioned_ever,
            "restriction_person_days": self.restriction_person_days,
            "fragmented_sanctioned_any": fragmented_sanctioned_any, **self.last})
