"""The hypothetical integrated score's spec: how records are linked to persons, and how the
linked sources' standings combine into one graded score."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from .fields import MAX_DAYS, MAX_ITEMS, MAX_PARTS, Name, Sanction, Strict, Text
from .parts import IdentityNoise

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
    #: random pairs to estimate this comparison's u from; none: the linkage's (see
    #: ``LinkageSpec.u_min_pairs``). A field that two persons share only by error (an ID
    #: number) shows random pairs nothing but disagreement, so a few pairs give the u of many
    u_pairs: int | None = Field(default=None, ge=1_000, le=10**9)


#: random pairs for the ID number's u: two persons' IDs agree (or are one or two edits
#: apart) only if born the same day in the same county with near sequence numbers, about
#: 1e-8 a pair, so a random pair reaches those levels only when it is two records of one
#: person, and more pairs refine nothing but that; its Damerau-Levenshtein distance is the
#: dearest comparison to compute (docs/model.md, "How many pairs for u")
ID_U_PAIRS = 20_000


def _default_comparisons() -> list[Comparison]:
    return [Comparison(field="surname", method="jaro_winkler", term_frequency=True),
            Comparison(field="given", method="jaro_winkler", term_frequency=True),
            Comparison(field="birth", method="date"),
            Comparison(field="id_number", method="levenshtein", u_pairs=ID_U_PAIRS),
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
    #: u is estimated from 2 random pairs a record, at least ``u_min_pairs`` and at most
    #: ``u_max_pairs`` (the cap wins; why: ``scorelab.integration.linkage.u_pairs``)
    u_max_pairs: int = Field(default=1_000_000, ge=1_000, le=10**9)
    u_min_pairs: int = Field(default=200_000, ge=1_000, le=10**9)

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
    composite is audited as a system named ``name``.

    ``relink``: ``incremental`` (the default) trains the linkage model at the first linkage
    and then links only the records new since the last linkage against the clusters kept from
    it; every ``full_every`` linkages (if set) a full re-link re-trains the model and links
    every record afresh. ``full`` does that at every linkage."""

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
    relink: Literal["incremental", "full"] = "incremental"
    full_every: int | None = Field(default=None, ge=1, le=MAX_DAYS)

    @model_validator(mode="after")
    def _full_every_incremental(self) -> IntegrationSpec:
        if self.full_every is not None and self.relink == "full":
            raise ValueError("full_every sets when an incremental linkage re-links in full; "
                             "with relink: full every linkage does (drop full_every, or set "
                             "relink: incremental)")
        return self

    def full_relink(self, linkage: int) -> bool:
        """Whether linkage number ``linkage`` (0 = the first) re-trains and re-links every
        record."""
        return (self.relink == "full" or linkage == 0
                or (self.full_every is not None and linkage % self.full_every == 0))

    def is_linkage_day(self, day: int, warmup: int, total_days: int) -> bool:
        """Whether records are linked on ``day`` (0 = the first warm-up day): every
        ``every_days`` reported days, and the last day."""
        every = self.every_days
        return day >= warmup and (day == total_days - 1
                                  or (every is not None and (day - warmup + 1) % every == 0))

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
