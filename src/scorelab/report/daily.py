"""The daily table as time series for the charts: one value per day, or, over replicates, the
median per day with the 2.5-97.5 percentile band (where 95% of runs fall).

>>> import polars as pl
>>> frame = pl.DataFrame({"day": [0, 1], "name": ["a", "a"], "sanctioned": [3, 4]})
>>> DailySeries.of(frame).series("a", "sanctioned")
Series(x=[0, 1], y=[3, 4], low=None, high=None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

#: percentiles of the band over replicates
BAND = (0.025, 0.975)


@dataclass(frozen=True)
class Series:
    """One daily line: ``x`` are days or dates; ``low``/``high`` bound the band over
    replicates (None for a single run)."""

    x: list[Any]
    y: list[float]
    low: list[float] | None = None
    high: list[float] | None = None

    @property
    def zero(self) -> bool:
        """Nothing but zeros: the line says nothing a sentence could not."""
        return not any(self.y) and not any(self.high or ())


@dataclass(frozen=True)
class DailySeries:
    """The daily rows of one run, summed per name and day (and per replicate, if any)."""

    frame: pl.DataFrame
    replicates: bool
    dated: bool

    @classmethod
    def of(cls, daily: pl.DataFrame | None) -> DailySeries:
        if daily is None or daily.height == 0 or not {"day", "name"} <= set(daily.columns):
            return cls(pl.DataFrame({"day": [], "name": []},
                                    schema={"day": pl.Int64, "name": pl.Utf8}), False, False)
        return cls(daily, "replicate" in daily.columns, "date" in daily.columns)

    @property
    def axis_title(self) -> str:
        return "date" if self.dated else "day"

    def names(self) -> list[str]:
        return sorted(str(n) for n in self.frame["name"].unique().to_list() if n is not None)

    def has(self, name: str, column: str) -> bool:
        """The name has this column on some day (not all null)."""
        if column not in self.frame.columns:
            return False
        part = self.frame.filter(pl.col("name") == name)[column]
        return part.len() > 0 and part.null_count() < part.len()

    def series(self, name: str, column: str) -> Series | None:
        """The column of one name by day; None when it has no values."""
        if not self.has(name, column):
            return None
        keys = ["day", "date"] if self.dated else ["day"]
        rows = self.frame.filter(pl.col("name") == name)
        if not self.replicates:
            per_day = rows.group_by(keys).agg(pl.col(column).fill_null(0).sum()).sort("day")
            return Series(self._x(per_day), per_day[column].to_list())
        per_run = rows.group_by([*keys, "replicate"]).agg(pl.col(column).fill_null(0).sum())
        per_day = per_run.group_by(keys).agg(
            pl.col(column).cast(pl.Float64).median().alias("y"),
            pl.col(column).cast(pl.Float64).quantile(BAND[0], "linear").alias("low"),
            pl.col(column).cast(pl.Float64).quantile(BAND[1], "linear").alias("high"),
        ).sort("day")
        return Series(self._x(per_day), per_day["y"].to_list(), per_day["low"].to_list(),
                      per_day["high"].to_list())

    def _x(self, per_day: pl.DataFrame) -> list[Any]:
        if self.dated:
            return [str(d) for d in per_day["date"]]
        return [int(d) for d in per_day["day"]]
