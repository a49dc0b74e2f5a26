"""What the ledger adds up: plain data that a shard, or the driver, hands over at the end.

Nothing here refers to a live shard, so a shard on another process or machine can send its
``ShardTotals`` back as it is (dicts of integers and integer arrays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class SystemTotals:
    """One system over one shard."""

    summary: dict[str, Any]  # integer totals (the kind's summary())
    daily: dict[str, np.ndarray | None]  # daily counts (None: not this kind's column)
    links: list[dict[str, Any]]  # joint punishment through each of its links
    by_role: np.ndarray | None  # persons sanctioned, by protest role (with protests)


@dataclass
class MeasureTotals:
    """One measure over one shard."""

    summary: dict[str, Any]  # integer totals, with the integer ``counts`` behind its costs
    daily: dict[str, np.ndarray]


@dataclass
class ShardTotals:
    """Everything one shard counted."""

    population: dict[str, Any]
    events: dict[str, np.ndarray]  # daily counts per event type
    systems: list[SystemTotals]
    measures: list[MeasureTotals]
    overlap: dict[str, Any]
    roles: np.ndarray | None  # persons by protest role (with protests)
    #: persons the integrated score sanctioned, by protest role (with both)
    composite_by_role: np.ndarray | None = None


@dataclass
class DeskTotals:
    """An appeal desk (global, one per system with appeals)."""

    summary: dict[str, int]
    daily: dict[str, np.ndarray]


@dataclass
class CoordinatorTotals:
    """A measure's global part: its own summary entries, daily columns and costs."""

    summary: dict[str, Any]
    daily: dict[str, np.ndarray]
    costs: dict[str, float]


@dataclass
class CompositeTotals:
    """The integrated score audited as a system: its summary entry and daily counts."""

    name: str
    kind: str
    summary: dict[str, Any]  # the fields of a system's summary
    daily: dict[str, np.ndarray | None]  # by column of DAILY_COLUMNS (None: not its column)


@dataclass
class RunTotals:
    """What the driver counted: appeal desks (by system index), protests, measures."""

    desks: dict[int, DeskTotals] = field(default_factory=dict)
    protests: int | None = None
    measures: list[CoordinatorTotals] = field(default_factory=list)
    #: the integrated score's figures (with an integration: section)
    integration: dict[str, Any] | None = None
    #: the integrated score's composite, audited as a system (with an integration: section)
    composite: CompositeTotals | None = None
