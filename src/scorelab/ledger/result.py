"""What a run produced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    #: the case files (``cases.parquet``; None: the run told none, ``report.cases: 0``)
    cases: pl.DataFrame | None = None

    def __repr__(self) -> str:  # a notebook shows this, not the whole summary and table
        return (f"Result({self.summary.short()}; .summary, .daily: "
                f"{self.daily.height:,} rows x {self.daily.width} columns)")

    def plot(self, column: str = "sanctioned") -> Any:
        """A plotly figure of one daily column, a line per system and measure (with
        replicates: the median a day, in a 2.5-97.5% band)."""
        import plotly.graph_objects as go

        if column not in self.daily.columns:
            raise ValueError(f"no daily column {column!r}; columns: "
                             f"{', '.join(self.daily.columns)}")
        x = "date" if "date" in self.daily.columns else "day"
        frame = self.daily.filter(pl.col(column).is_not_null())
        figure = go.Figure()
        for (name,), rows in frame.group_by(["name"], maintain_order=True):
            by_day = rows.group_by(x, maintain_order=True).agg(
                pl.col(column).median().alias("mid"),
                pl.col(column).quantile(0.025, "linear").alias("low"),
                pl.col(column).quantile(0.975, "linear").alias("high")).sort(x)
            if "replicate" in rows.columns and rows["replicate"].n_unique() > 1:
                days = by_day[x].to_list()
                figure.add_trace(go.Scatter(
                    x=days + days[::-1], y=by_day["high"].to_list() + by_day["low"].to_list()[::-1],
                    fill="toself", line={"width": 0}, opacity=0.2, showlegend=False,
                    hoverinfo="skip", name=f"{name} 95%"))
            figure.add_trace(go.Scatter(x=by_day[x].to_list(), y=by_day["mid"].to_list(),
                                        mode="lines", name=str(name)))
        figure.update_layout(title=f"{self.summary.scenario}: {column} a day",
                             xaxis_title=x, yaxis_title=f"{column} (synthetic persons)")
        return figure
