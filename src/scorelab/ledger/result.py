"""What a run produced."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..scenario.schema import Scenario
from .summary import Summary


@dataclass
class Result:
    """What a run produced: the summary (``summary.json``) and the daily table.

    >>> import scorelab
    >>> result = scorelab.run(preset="china-2022", persons=2000, days=5)
    >>> result.summary["persons"], result.daily.height > 0
    (2000, True)
    """

    scenario: Scenario
    summary: Summary
    daily: pl.DataFrame

    def __repr__(self) -> str:  # a notebook shows this, not the whole summary and table
        return (f"Result({self.summary.short()}; .summary, .daily: "
                f"{self.daily.height:,} rows x {self.daily.width} columns)")
