"""The page of a sweep: each key figure against each swept parameter, the median over a grid
point's replicates with the band where 95% of them fall (2.5th-97.5th percentile), one line
per setting of the other parameters; then every grid point's medians in a table. Same
templates, CSS and figure helper as the report. Figures, their labels and units come from the
catalogue (:mod:`scorelab.ledger.catalogue`): a column of ``sweep.parquet`` is a figure's
path.

>>> import polars as pl
>>> frame = pl.DataFrame({"point": [0, 0, 1, 1], "replicate": [0, 1, 0, 1],
...                       "seed": [7, 9, 11, 13], "param.days": [5, 5, 10, 10],
...                       RUN.sanctioned_any.path: [3.0, 5.0, 8.0, 10.0]})
>>> page = build_sweep(frame, "tiny")
>>> [s.id for s in page.sections]
['sweep-params', 'sweep-1', 'sweep-points']
>>> page.sections[1].figures[0].data[-1]["y"]
[4.0, 9.0]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from ..core.version import __version__
from ..ledger.catalogue import INTEGRATION, MEASURE, RUN, SYSTEM, figure_of
from ..ledger.catalogue import Figure as CatalogueFigure
from ..scenario import Scenario, dump_scenario
from .daily import BAND
from .figures import Figure, _translucent, color, figure
from .html import render_page
from .numbers import format_count
from .tables import Cell, Column, Row, Table
from .view import Page, Section

#: the figures a sweep page draws, in this order (every other figure is in sweep.parquet)
KEY_FIGURES: tuple[CatalogueFigure, ...] = (
    RUN.sanctioned_any, RUN.sanctioned_wrongly_any, RUN.share_wrongly_any,
    SYSTEM.sanctioned, SYSTEM.sanctioned_wrongly, SYSTEM.share_wrongly,
    SYSTEM.wrongful_person_days,
    MEASURE.flagged, MEASURE.flagged_rightly, MEASURE.flagged_wrongly_total,
    MEASURE.precision, MEASURE.recall, MEASURE.restriction_person_days_innocent,
    MEASURE.collateral_person_days, MEASURE.officer_hours, MEASURE.reviewer_hours,
    INTEGRATION.precision, INTEGRATION.recall, INTEGRATION.wrongful_merges,
    INTEGRATION.sanctioned_by_merge)

PARAM = "param."
#: at most this many lines (settings of the other parameters) in one chart
MAX_LINES = 10


@dataclass(frozen=True)
class KeyColumn:
    """A key figure's column: its path, catalogue figure and the names filling its stars."""

    path: str
    figure: CatalogueFigure
    names: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{', '.join(self.names)}: {self.figure.label}" if self.names else \
            self.figure.label

    @property
    def axis(self) -> str:
        return f"{self.figure.label} ({self.figure.unit})"


def params_of(frame: pl.DataFrame) -> list[str]:
    """The swept parameters' paths, in the order given on the command line."""
    return [c[len(PARAM):] for c in frame.columns if c.startswith(PARAM)]


def _names(found: CatalogueFigure, path: str) -> tuple[str, ...]:
    return tuple(p for p, q in zip(path.split("."), found.path.split("."), strict=True)
                 if q == "*")


def key_columns(frame: pl.DataFrame) -> list[KeyColumn]:
    """The key figures the sweep's table has, in the order of :data:`KEY_FIGURES`."""
    found: list[KeyColumn] = []
    for key in KEY_FIGURES:
        for column in frame.columns:
            if column.startswith(PARAM) or column in ("point", "replicate", "seed"):
                continue
            if figure_of(column) is key:
                found.append(KeyColumn(column, key, _names(key, column)))
    return found


@dataclass(frozen=True)
class Point:
    """A grid point's parameter values and one figure's spread over its replicates."""

    values: tuple[Any, ...]
    median: float
    low: float
    high: float


def spread(frame: pl.DataFrame, column: str, params: list[str]) -> list[Point]:
    """Per grid point: the figure's median and 2.5-97.5 percentiles over replicates (runs
    where the figure is undefined left out; a point where it is undefined everywhere too)."""
    low, high = BAND
    grouped = (frame.filter(pl.col(column).is_not_null())
               .group_by("point", maintain_order=True)
               .agg(*(pl.col(PARAM + p).first() for p in params),
                    pl.col(column).median().alias("mid"),
                    pl.col(column).quantile(low, "linear").alias("low"),
                    pl.col(column).quantile(high, "linear").alias("high"))
               .sort("point"))
    return [Point(tuple(row[PARAM + p] for p in params), float(row["mid"]), float(row["low"]),
                  float(row["high"])) for row in grouped.iter_rows(named=True)]


def _numeric(values: list[Any]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _x_axis(param: str, values: list[Any]) -> dict[str, Any]:
    """The parameter's axis: logarithmic where positive values span two orders of magnitude
    (false-match rates), categories where they are not numbers."""
    axis: dict[str, Any] = {"title": {"text": param}}
    if not _numeric(values):
        return {**axis, "type": "category"}
    if min(values) > 0 and max(values) / min(values) >= 100:  # ticks at powers of ten
        return {**axis, "type": "log", "dtick": 1, "exponentformat": "power"}
    return axis


def _y_axis(column: KeyColumn) -> dict[str, Any]:
    axis: dict[str, Any] = {"title": {"text": column.axis}, "rangemode": "tozero"}
    if column.figure.unit == "share":
        axis["tickformat"] = ".1%"
    return axis


def _setting(params: list[str], values: tuple[Any, ...], skip: int) -> str:
    """The other parameters' values, named by their last key: ``threshold=3``."""
    return ", ".join(f"{p.rsplit('.', 1)[-1]}={v}" for i, (p, v) in
                     enumerate(zip(params, values, strict=True)) if i != skip)


def chart(id: str, column: KeyColumn, points: list[Point], params: list[str], j: int,
          replicated: bool) -> Figure:
    """The figure against parameter ``j``: a line (and band) per setting of the others."""
    lines: dict[str, list[Point]] = {}
    for point in points:
        lines.setdefault(_setting(params, point.values, j), []).append(point)
    data: list[dict[str, Any]] = []
    for k, (label, line) in enumerate(list(lines.items())[:MAX_LINES]):
        line = sorted(line, key=lambda p: (str(type(p.values[j])), p.values[j]))
        x = [p.values[j] for p in line]
        hue = color(k)
        group = label or column.label
        if replicated:
            data.append({"type": "scatter", "mode": "lines", "x": x,
                         "y": [p.low for p in line], "line": {"width": 0, "color": hue},
                         "hoverinfo": "skip", "showlegend": False, "legendgroup": group})
            data.append({"type": "scatter", "mode": "lines", "x": x,
                         "y": [p.high for p in line], "fill": "tonexty",
                         "fillcolor": _translucent(hue), "line": {"width": 0, "color": hue},
                         "hoverinfo": "skip", "showlegend": False, "legendgroup": group})
        name = (label or column.label) + (" (median)" if replicated else "")
        data.append({"type": "scatter", "mode": "lines+markers", "x": x,
                     "y": [p.median for p in line], "name": name,
                     "line": {"color": hue, "width": 2}, "marker": {"size": 7},
                     "legendgroup": group})
    values = sorted({p.values[j] for p in points}, key=lambda v: (str(type(v)), v))
    return figure(id, data, 340, "", showlegend=len(lines) > 1 or replicated,
                  xaxis=_x_axis(params[j], values), yaxis=_y_axis(column))


def _text(value: float, unit: str) -> str:
    """A value as the table shows it: shares as percentages, counts with separators."""
    if unit == "share":
        return f"{100 * value:.2f}%"
    if unit == "ratio" or (not float(value).is_integer() and abs(value) < 100):
        return f"{value:.3g}"
    return format_count(value)


def _cell(point: Point, unit: str, replicated: bool) -> Cell:
    shown = _text(point.median, unit)
    if replicated:
        shown += f" [{_text(point.low, unit)}\u2013{_text(point.high, unit)}]"
    return Cell(shown, point.median, "num")


def build_sweep(frame: pl.DataFrame, scenario: str, *, version: str = __version__) -> Page:
    """The view model of a sweep, from its table (``sweep.parquet``)."""
    params = params_of(frame)
    replicates = frame["replicate"].n_unique() if frame.height else 0
    points = frame["point"].n_unique() if frame.height else 0
    replicated = replicates > 1
    base = frame.filter((pl.col("point") == 0) & (pl.col("replicate") == 0))["seed"]
    seed = int(base[0]) if base.len() else None
    sections = [_params_section(frame, params)]
    unchanged: list[str] = []
    shown: list[tuple[KeyColumn, dict[str, Point]]] = []
    for column in key_columns(frame):
        found = spread(frame, column.path, params)
        values = frame[column.path].drop_nulls()
        if not found or values.n_unique() <= 1:
            value = _text(float(values[0]), column.figure.unit) if values.len() else "undefined"
            unchanged.append(f"{column.label} ({value})")
            continue
        k = len(shown) + 1
        figures = tuple(chart(f"sweep-{column.path}-by-{param}", column, found, params, j,
                              replicated) for j, param in enumerate(params))
        # the lead names no path: a long dotted path would widen a narrow page
        sections.append(Section(
            f"sweep-{k}", column.label,
            lead=f"In {column.figure.unit}, against "
                 f"{'each swept parameter' if len(params) > 1 else 'the swept parameter'}"
                 + ("; the line is the median over a grid point's replicates, the band where "
                    "95% of them fall." if replicated else "."),
            figures=figures))
        shown.append((column, {str(p.values): p for p in found}))
    sections.append(_points_section(frame, params, shown, replicated))
    if unchanged:
        sections[-1] = replace(sections[-1], notes=(
            f"The same in every run, so not drawn: {'; '.join(unchanged)}.",))
    run_count = frame.height
    meta = (f"{run_count:,} runs: {points:,} grid points x {replicates:,} replicates",
            f"seed {seed} (grid point 0, replicate 0; every other run's seed derived from it)"
            if seed is not None else "no runs",
            f"scorelab {version}")
    return Page(title=f"scorelab sweep \u2014 {scenario}", heading=f"{scenario}: sweep",
                description=f"{len(params)} parameter{'s' if len(params) != 1 else ''} swept "
                            f"over {points:,} grid points: each key figure against each "
                            "parameter",
                meta=meta, nav=tuple((s.id, s.title) for s in sections), warnings=(),
                sections=tuple(sections),
                footer=("Generated by scorelab. All persons are synthetic.",))


def _params_section(frame: pl.DataFrame, params: list[str]) -> Section:
    rows = []
    for p in params:
        values = frame[PARAM + p].unique(maintain_order=True).to_list()
        rows.append(Row((Cell(p, cls="label"), Cell(", ".join(str(v) for v in values)))))
    return Section("sweep-params", "Parameters swept",
                   lead="Every combination of these values is a grid point; each point ran "
                        "with the same replicates.",
                   tables=(Table("sweep-params-table", (Column("parameter"), Column("values")),
                                 tuple(rows)),))


def _points_section(frame: pl.DataFrame, params: list[str],
                    shown: list[tuple[KeyColumn, dict[str, Point]]], replicated: bool) -> Section:
    grid = (frame.group_by("point", maintain_order=True)
            .agg(*(pl.col(PARAM + p).first() for p in params)).sort("point"))
    rows = []
    for row in grid.iter_rows(named=True):
        values = tuple(row[PARAM + p] for p in params)
        cells = [Cell(str(row["point"]), row["point"], "num"),
                 *(Cell(str(v), v if _numeric([v]) else str(v)) for v in values)]
        for column, found in shown:
            point = found.get(str(values))
            cells.append(Cell("\u2014") if point is None else
                         _cell(point, column.figure.unit, replicated))
        rows.append(Row(tuple(cells)))
    columns = (Column("point", "num"), *(Column(p) for p in params),
               *(Column(column.path, "num") for column, _f in shown))
    return Section("sweep-points", "Every grid point",
                   lead="Each point's median over its replicates"
                        + (" [2.5th\u201397.5th percentile]" if replicated else "")
                        + ", by the figures' columns in sweep.parquet.",
                   tables=(Table("sweep-points-table", columns, tuple(rows)),))


def render_sweep(frame: pl.DataFrame, scenario: str, *, plotlyjs: str = "inline") -> str:
    """One HTML page of a sweep (from ``sweep.parquet``), opening offline."""
    return render_page("compare.html.j2", build_sweep(frame, scenario), plotlyjs)


def write_sweep_files(table: Path, scenario: Scenario) -> Path:
    """Beside the sweep's table, write the scenario swept (``scenario.yaml``, resolved, as a
    run writes it) and the page (``sweep.html``), each whole or not at all; return the
    page's path."""
    _write(table.with_name("scenario.yaml"), dump_scenario(scenario))
    page = table.with_name("sweep.html")
    _write(page, render_sweep(pl.read_parquet(table, glob=False), scenario.name))
    return page


def _write(target: Path, text: str) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(text, "utf-8")
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)
