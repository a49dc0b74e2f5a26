"""A measure's entry in ``summary.json``: the fields every kind has, as a pydantic model that
each kind extends with its own (``kind: Literal[...]`` picks the model, through the registry),
and what the report says of the kind.

In the JSON a measure's fields come in this order: what the shards counted (the shared
figures, then the kind's), the ratios derived from them, the kind's figures it lists
``LATE`` (what its coordinator reports), then the costs.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from pydantic import Field

from ..core.results import Model

Counts = dict[str, int]
#: the shared figures derived from the counts, and the costs (see the module docstring)
RATIOS = ("flagged_wrongly_total", "precision", "recall", "innocent_per_participant_caught")
COST = "cost"


class MeasureCosts(Model):
    """Costs in synthetic units (times ``scale`` for real)."""

    officer_hours: float
    reviewer_hours: float
    images_scanned: float
    device_flops: float
    energy_kwh: float
    upload_bytes: float
    detention_days: float
    economic_usd: float


class MeasureSummary(Model):
    """One control measure: whom it flagged, by their true role, and at what cost."""

    #: how the report names the kind (default: its ``kind``)
    LABEL: ClassVar[str] = ""
    #: what the report says of a measure of this kind that never acted
    NEVER_FIRED: ClassVar[str] = "never fired: nobody was searched, flagged or restricted"
    #: the kind's own fields that come after the shared ratios in the JSON
    LATE: ClassVar[tuple[str, ...]] = ()
    #: the kind's own figures, declared here so that a new kind is one module: field ->
    #: (label, unit, whether more is worse); the catalogue adds them as ``measures.*.<field>``
    #: and the report lists them in the measure's section
    FIGURES: ClassVar[dict[str, tuple[str, str, bool | None]]] = {}

    kind: str
    flagged: int
    flagged_rightly: int = Field(description="flagged protest participants")
    flagged_wrongly: Counts = Field(description="flagged persons by true role other than "
                                                "participant")
    participants: int
    restriction_person_days: int = Field(
        description="person-days restricted or detained (a person counts once a day)")
    restriction_person_days_innocent: int = Field(
        description="of them, person-days of persons who did not participate")
    collateral_person_days: int = Field(
        description="of them, person-days of persons uninvolved in any protest")
    participants_reached: int = Field(
        description="persons restricted or detained on a day they were protest participants "
                    "(each once)")
    flagged_wrongly_total: int
    precision: float | None
    recall: float | None
    innocent_per_participant_caught: float | None
    cost: MeasureCosts

    def label(self) -> str:
        """The kind, as the report names it."""
        return self.LABEL or self.kind

    def nobody_flagged(self, person_days: str) -> str:
        """What the report says of a measure that acted but flagged nobody
        (``person_days``: its restriction person-days, as text)."""
        return "nobody flagged"

    @classmethod
    def json_order(cls) -> tuple[str, ...]:
        """The shards' counts, the ratios, the kind's late fields, the costs."""
        return _order(cls)


@cache
def _order(model: type[MeasureSummary]) -> tuple[str, ...]:
    fields = list(model.model_fields)
    shared = list(MeasureSummary.model_fields)
    counted = shared[:shared.index(RATIOS[0])]
    own = [f for f in fields if f not in shared]
    late = [f for f in own if f in model.LATE]
    return (*counted, *(f for f in own if f not in late), *RATIOS, *late, COST)
