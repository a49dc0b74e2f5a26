"""Across systems: how many systems see each person, conflicting grades, disparate impact.

Each shard counts its own persons (integers only); the ledger adds the counts and only then
divides, so the rates are the same for any split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.results import Totals
from ..population.generate import Population
from ..systems.base import EVER_SANCTIONED, EVER_WRONG, SCORED, SystemState

#: the bins of the histograms: persons seen by 0, 1, 2, 3 or more systems
BINS = ("0", "1", "2", "3+")


@dataclass
class Split(Totals):
    """Persons, and those sanctioned (wrongly) by any system, by the labels of one split of
    the population (group, urban, province)."""

    persons: np.ndarray
    sanctioned: np.ndarray
    sanctioned_wrongly: np.ndarray


@dataclass
class OverlapTotals(Totals):
    """Counts across systems over one shard's persons at the end of the run."""

    coverage_histogram: np.ndarray  # by BINS
    scored_histogram: np.ndarray  # by BINS
    conflicting_grades: int
    sanctioned_any: int
    sanctioned_any_separate: int  # without the integrated score
    sanctioned_wrongly_any: int
    by_group: Split
    by_urban: Split
    by_province: Split


def histogram(counts: np.ndarray) -> dict[str, int]:
    """A histogram's counts by bin name."""
    return {name: int(c) for name, c in zip(BINS, counts, strict=True)}


def shard_overlap(pop: Population, systems: Sequence[SystemState], last_day: int,
                  composite: tuple[np.ndarray, np.ndarray] | None = None) -> OverlapTotals:
    """Integer counts over one shard's persons at the end of the run. ``composite``: per
    person, whether the integrated score ever sanctioned them, and wrongly; they count among
    the sanctioned of any system (``sanctioned_any_separate`` leaves them out)."""
    n, start = len(pop), pop.start
    covered = np.zeros(n, dtype=np.uint8)
    scored = np.zeros(n, dtype=np.uint8)
    top = np.zeros(n, dtype=bool)
    bottom = np.zeros(n, dtype=bool)
    sanctioned = np.zeros(n, dtype=bool)
    wrongly = np.zeros(n, dtype=bool)
    # whole runs of persons at a time: no per-person index arrays, so the audit at the end of
    # a run needs no more memory than the run itself
    for system in systems:
        flag_column = system.flag_column()
        for rows, a, b in system.coverage_segments():
            here = slice(a - start, b - start)
            covered[here] += 1
            flags = flag_column[rows]
            scored[here] += (flags & SCORED) != 0
            if system.sanctions_anyone:
                sanctioned[here] |= (flags & EVER_SANCTIONED) != 0
                wrongly[here] |= (flags & EVER_WRONG) != 0
            high, low = system.extremes(rows, last_day)
            if high is not None:
                top[here] |= high
            if low is not None:
                bottom[here] |= low
    separate = int(sanctioned.sum())
    if composite is not None:
        sanctioned |= composite[0]
        wrongly |= composite[1]

    def split(labels: np.ndarray, size: int) -> Split:
        return Split(
            persons=np.bincount(labels, minlength=size).astype(np.int64),
            sanctioned=np.bincount(labels, weights=sanctioned, minlength=size).astype(np.int64),
            sanctioned_wrongly=np.bincount(labels, weights=wrongly, minlength=size)
            .astype(np.int64))

    def bins(counts: np.ndarray) -> np.ndarray:
        return np.bincount(np.minimum(counts, len(BINS) - 1), minlength=len(BINS)
                           ).astype(np.int64)

    provinces = len(pop.geography.province_names)
    return OverlapTotals(
        coverage_histogram=bins(covered),
        scored_histogram=bins(scored),
        conflicting_grades=int(np.count_nonzero(top & bottom)),
        sanctioned_any=int(sanctioned.sum()),
        sanctioned_any_separate=separate,
        sanctioned_wrongly_any=int(wrongly.sum()),
        by_group=split(pop.group.astype(np.int64), 2),
        by_urban=split(pop.urban.astype(np.int64), 2),
        by_province=split(pop.province.astype(np.int64), provinces))


def _rates(counts: Split, labels: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for k, label in enumerate(labels):
        persons = int(counts.persons[k])
        sanctioned, wrongly = int(counts.sanctioned[k]), int(counts.sanctioned_wrongly[k])
        out[label] = {
            "persons": persons,
            "sanctioned": sanctioned,
            "sanctioned_wrongly": wrongly,
            "rate": round(sanctioned / persons, 8) if persons else None,
            "wrong_rate": round(wrongly / persons, 8) if persons else None,
        }
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 6) if a is not None and b else None


def disparity(total: OverlapTotals, province_names: tuple[str, ...], persons: int
              ) -> dict[str, Any]:
    """Sanction rates by group, urban/rural and province, and their ratios."""
    group = _rates(total.by_group, ["majority", "minority"])
    urban = _rates(total.by_urban, ["rural", "urban"])
    national = total.sanctioned_any / persons if persons else None
    province = _rates(total.by_province, list(province_names))
    for row in province.values():
        row["ratio_to_national"] = _ratio(row["rate"], national)
    return {
        "sanction_rate": round(national, 8) if national is not None else None,
        "group": {**group, "ratio_minority_to_majority":
                  _ratio(group["minority"]["rate"], group["majority"]["rate"])},
        "urban": {**urban, "ratio_rural_to_urban":
                  _ratio(urban["rural"]["rate"], urban["urban"]["rate"])},
        "province": province,
    }
