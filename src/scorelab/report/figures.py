"""Charts as plain plotly.js specifications (data and layout), built by one helper so every
chart of a page looks alike, hides lines that are zero throughout, and draws replicates as a
median with a shaded band. The page hands each spec to ``Plotly.newPlot``: only scatter and
bar traces are used, which plotly's basic bundle draws.

>>> fig = line_chart("f", [Line("a", Series([0, 1], [0.0, 2.0]), "#636efa")], "day", "persons")
>>> fig.id, [trace["name"] for trace in fig.data]
('f', ['a'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .daily import Series

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

#: plotly's default qualitative colours; systems get them by position in their sorted names
PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692",
           "#b6e880", "#ff97ff", "#fecb52")
WRONG = "#c62828"
MUTED = "#607d8b"


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class Figure:
    """One chart: the id of its element, and what ``Plotly.newPlot`` takes."""

    id: str
    data: list[dict[str, Any]]
    layout: dict[str, Any]
    caption: str = ""

    def spec(self) -> dict[str, Any]:
        return {"id": self.id, "data": self.data, "layout": self.layout}


def figure(id: str, data: list[dict[str, Any]], height: int, caption: str = "",
           **layout: Any) -> Figure:
    """The figure helper: a chart with the report's common layout, ``layout`` on top."""
    base: dict[str, Any] = {
        "height": height,
        "autosize": True,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "font": {"family": FONT, "size": 13, "color": "#1d2330"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "xaxis": {"gridcolor": "#ebeef3", "automargin": True},
        "yaxis": {"gridcolor": "#ebeef3", "automargin": True, "rangemode": "tozero"},
    }
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return Figure(id, data, base, caption)


@dataclass(frozen=True)
class Line:
    """One daily line of a time chart."""

    label: str
    series: Series
    color: str
    dash: str = "solid"
    axis: str = "y"
    width: float = 2.0
    group: str = field(default="")


DAY_MS = 86_400_000


def x_values(x: list[Any]) -> dict[str, Any]:
    """The x of a daily trace: a start and a step where the days follow each other (a run of
    thousands of days would otherwise repeat every date in every trace), else the list."""
    if not x:
        return {"x": x}
    if all(isinstance(v, int) for v in x) and x == list(range(x[0], x[0] + len(x))):
        return {"x0": x[0], "dx": 1}
    if all(isinstance(v, str) for v in x):
        try:
            days = [date.fromisoformat(v).toordinal() for v in x]
        except ValueError:
            return {"x": x}
        if days == list(range(days[0], days[0] + len(days))):
            return {"x0": x[0], "dx": DAY_MS}
    return {"x": x}


def _line_traces(line: Line) -> list[dict[str, Any]]:
    style = {"color": line.color, "width": line.width, "dash": line.dash}
    group = line.group or line.label
    traces: list[dict[str, Any]] = []
    s = line.series
    x = x_values(s.x)
    if s.low is not None and s.high is not None:
        traces.append({"type": "scatter", "mode": "lines", **x, "y": s.low,
                       "line": {"width": 0, "color": line.color}, "hoverinfo": "skip",
                       "showlegend": False, "legendgroup": group, "yaxis": line.axis})
        traces.append({"type": "scatter", "mode": "lines", **x, "y": s.high,
                       "fill": "tonexty", "fillcolor": _translucent(line.color),
                       "line": {"width": 0, "color": line.color}, "hoverinfo": "skip",
                       "showlegend": False, "legendgroup": group, "yaxis": line.axis})
    name = f"{line.label} (median)" if s.low is not None else line.label
    traces.append({"type": "scatter", "mode": "lines", **x, "y": s.y, "name": name,
                   "line": style, "legendgroup": group, "yaxis": line.axis})
    return traces


def _translucent(hex_color: str) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.18)"


def _counts_axis(title: str, peak: float) -> dict[str, Any]:
    # persons are whole numbers: no 0.5 ticks on small counts
    axis: dict[str, Any] = {"title": {"text": title}, "rangemode": "tozero"}
    if peak < 5:
        axis.update({"tickmode": "linear", "tick0": 0, "dtick": 1})
    return axis


def line_chart(id: str, lines: list[Line], x_title: str, y_title: str, y2_title: str = "",
               height: int = 320, caption: str = "") -> Figure | None:
    """A time chart of the lines that are not zero throughout; None when none is left."""
    shown = [line for line in lines if not line.series.zero]
    if not shown:
        return None
    data = [trace for line in shown for trace in _line_traces(line)]

    def peak(axis: str) -> float:
        values = [v for line in shown if line.axis == axis
                  for v in (line.series.high or line.series.y) if v is not None]
        return max(values, default=0.0)

    dated = any(isinstance(v, str) for line in shown for v in line.series.x[:1])
    ends = [v for line in shown if line.series.x for v in (line.series.x[0], line.series.x[-1])]
    # the axis spans the reported days, first to last (named, as traces give only a start)
    span = {"range": [min(ends), max(ends)]} if ends and min(ends) != max(ends) else {}
    extra: dict[str, Any] = {"xaxis": {"title": {"text": x_title}, **span,
                                       **({"type": "date"} if dated else {})},
                             "yaxis": _counts_axis(y_title, peak("y")),
                             "hovermode": "x unified"}
    if any(line.axis == "y2" for line in shown):
        extra["yaxis2"] = {**_counts_axis(y2_title, peak("y2")), "overlaying": "y",
                           "side": "right", "showgrid": False}
        extra["margin"] = {"l": 60, "r": 60, "t": 30, "b": 50}
    return figure(id, data, height, caption, **extra)


def bar_trace(x: list[Any], y: list[Any], name: str, color: str | list[str],
              **extra: Any) -> dict[str, Any]:
    """One bar trace."""
    return {"type": "bar", "x": x, "y": y, "name": name, "marker": {"color": color}, **extra}
