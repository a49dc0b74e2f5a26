"""What the ledger adds up: typed plain data that a shard, or the driver, hands over at the
end of a run.

Nothing here refers to a live part, so a shard on another process or machine can send its
``ShardTotals`` back as it is. Every part's totals are a ``core.results.Totals`` dataclass of
integers and integer arrays, combined over shards by the part's own rule; the ledger combines
the shards' totals once and reads the figures off the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.results import Totals
from ..integration.summary import CompositeSummary, IntegrationTotals
from ..measures.base import CoordinatorTotals, MeasureTotals
from ..systems.appeals import AppealTotals
from ..systems.base import SystemTotals
from .overlap import OverlapTotals


@dataclass
class PopulationCounts(Totals):
    """Persons of one shard by what the summary reports of the population."""

    persons: int
    adults: int
    urban: int
    minority: int
    phone: int
    borrowers: int
    provinces: np.ndarray  # persons per province, in the geography's order


@dataclass
class ShardTotals(Totals):
    """Everything one shard counted."""

    population: PopulationCounts
    events: dict[str, np.ndarray]  # daily counts per event type
    systems: tuple[SystemTotals, ...]
    measures: tuple[MeasureTotals[Any], ...]
    overlap: OverlapTotals
    roles: np.ndarray | None  # persons by protest role (with protests)
    #: persons the integrated score sanctioned, by protest role (with both)
    composite_by_role: np.ndarray | None = None


@dataclass
class CompositeTotals:
    """The integrated score audited as a system: its summary entry and daily counts."""

    name: str
    kind: str
    summary: CompositeSummary
    daily: dict[str, np.ndarray | None]  # by column of DAILY_COLUMNS (None: not its column)


@dataclass
class RunTotals:
    """What the driver counted: appeal desks (by system index), protests, measures."""

    desks: dict[int, AppealTotals] = field(default_factory=dict)
    protests: int | None = None
    measures: list[CoordinatorTotals[Any]] = field(default_factory=list)
    #: the integrated score's figures (with an integration: section)
    integration: IntegrationTotals | None = None
    #: the integrated score's composite, audited as a system (with an integration: section)
    composite: CompositeTotals | None = None
    #: the case files: each shard's trails (``cases.trails``; None: none tracked)
    cases: list[dict[str, list[Any]]] | None = None
