"""What a run produced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ..scenario.schema import Scenario


@dataclass
class Result:
    """What a run produced: the summary (``summary.json``) and the daily table.

    >>> import scorelab
    >>> result = scorelab.run(preset="china-2022", persons=2000, days=5)
    >>> result.summary["persons"], result.daily.height > 0
    (2000, True)
    """

    scenario: Scenario
    summary: dict[str, Any]
    daily: pl.DataFrame
