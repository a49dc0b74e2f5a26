"""Self-contained HTML report for one scorelab run.

:func:`render_report` turns a run's ``summary.json`` (a dict) and
``daily.parquet`` (a polars DataFrame) into one HTML page that works
offline: plotly.js is embedded inline once and every figure is rendered with
a fixed div id, so the same inputs always give byte-identical output.

The page leads with who was wronged: the first table after the title lists,
per scoring system, how many (synthetic) persons were sanctioned and how many
of them were sanctioned wrongly, each with a national estimate (simulated
count x ``scale``).

Every string taken from the summary is passed through :func:`html.escape`,
both in the HTML itself and in labels handed to plotly (plotly.js renders
HTML entities in labels, so escaped names are displayed literally).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.offline
import polars as pl

from ..ledger.summary import Summary

__all__ = ["format_count", "format_estimate", "render_report"]

DASH = "\u2014"  # shown where a value is missing or undefined

# Fixed palette (plotly's default qualitative colours); systems get colours by
# their position in the sorted list of system names.
_PALETTE = (
    "#636efa",
    "#ef553b",
    "#00cc96",
    "#ab63fa",
    "#ffa15a",
    "#19d3f3",
    "#ff6692",
    "#b6e880",
    "#ff97ff",
    "#fecb52",
)

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}

_DAILY_COUNT_COLUMNS = (
    "records",
    "sanctioned",
    "sanctioned_wrongly",
    "newly_sanctioned",
    "restriction_person_days",
)

_CSS = (
    """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #1d2330;
  font-family: """
    + _FONT
    + """; font-size: 15px; line-height: 1.5; }
main { max-width: 1280px; margin: 0 auto; padding: 28px 24px 48px; }
.warnings { background: #fff7e6; border: 1px solid #e0b252; border-radius: 6px;
  padding: 4px 16px 8px; margin: 16px 0; }
header h1 { margin: 0 0 4px; font-size: 28px; }
header .description { margin: 0 0 10px; font-size: 17px; color: #3a4254; }
header .meta { margin: 0; color: #4d5566; }
header .meta strong { color: #1d2330; }
section { background: #fff; border: 1px solid #dfe3ea; border-radius: 8px;
  padding: 18px 22px; margin: 22px 0; }
section h2 { margin: 0 0 6px; font-size: 20px; }
section .lead { margin: 0 0 14px; color: #3a4254; }
.wronged { border-left: 5px solid #c62828; }
.wronged .lead strong { color: #c62828; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e6e9ef; vertical-align: top; }
th { background: #f0f2f6; text-align: left; font-weight: 600; }
th.group { text-align: center; border-left: 1px solid #dfe3ea; }
thead tr.sub th { font-weight: 500; font-size: 12px; color: #4d5566; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.est { color: #5b6475; }
td.wrong { color: #c62828; font-weight: 600; }
td.system .name { font-weight: 600; }
td.system .detail { display: block; font-size: 12px; color: #5b6475; }
table.headline { font-size: 13px; }
table.headline th, table.headline td { padding: 5px 5px; }
table.headline td.system { min-width: 120px; }
tbody tr:hover { background: #fafbfc; }
.note { color: #5b6475; font-style: italic; margin: 8px 0; }
.howto p { margin: 0 0 10px; }
.howto dl { margin: 0 0 10px; }
.howto dt { font-weight: 600; }
.howto dd { margin: 0 0 6px 18px; }
nav.toc { margin: 14px 0 0; font-size: 13px; color: #4d5566; }
nav.toc a { color: #2f4a9e; text-decoration: none; white-space: nowrap; }
nav.toc a:hover { text-decoration: underline; }
td.causes { font-size: 12px; color: #5b6475; min-width: 96px; }
td.causes .cause { white-space: nowrap; }
p.total { margin: 0 0 14px; color: #3a4254; }
p.total strong.wrong { color: #c62828; }
.muted { color: #8a92a3; }
.sys-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr));
  gap: 14px 20px; align-items: start; margin: 0 0 10px; }
.sys-cards > div { min-width: 0; }
table.keynums { font-size: 13px; }
table.keynums th, table.keynums td { padding: 4px 8px; }
table.keynums th:first-child { width: 100%; }
table.keynums tr.sub td:first-child { padding-left: 22px; color: #4d5566; }
table.keynums tr.sub td { border-bottom-color: #f0f2f6; }
.lead.after-table { margin-top: 18px; }
table.disparity tr.ratio td { background: #f8f9fb; font-style: italic; }
table.disparity td:first-child { white-space: nowrap; }
table.disparity tr.first td { border-top: 1px solid #cfd5df; }
.system-head { margin: 0 0 12px; color: #3a4254; }
.system-head .tag { display: inline-block; padding: 1px 8px; border-radius: 10px;
  background: #eef1f6; font-size: 13px; margin-right: 6px; }
footer { color: #6b7384; font-size: 12px; margin-top: 18px; }
footer code { font-size: 12px; word-break: break-all; }
"""
)


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any) -> float | None:
    """Coerce a count-like value to float; None for missing / non-numeric / NaN."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        out = float(value)
    else:
        try:
            out = float(value)
        except (TypeError, ValueError):
            return None
    if math.isnan(out) or math.isinf(out):
        return None
    return out


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sorted_keys(mapping: Mapping[Any, Any]) -> list[str]:
    return sorted(str(k) for k in mapping)


def _lookup(mapping: Mapping[Any, Any], key: str) -> Any:
    """Look a stringified key back up (keys are str in JSON, but be tolerant)."""
    if key in mapping:
        return mapping[key]
    for k, v in mapping.items():
        if str(k) == key:
            return v
    return None


def format_count(value: Any) -> str:
    """A simulated count with thousands separators (``12,345``); '—' if missing."""
    v = _num(value)
    if v is None:
        return DASH
    return f"{round(v):,}"


def format_estimate(value: Any) -> str:
    """A national estimate, rounded for reading.

    Below one million: three significant figures with thousands separators
    (``70,500``); above: ``1.2 M``, ``34.5 B``, ``123 T`` (one decimal below
    100 of the unit, none above). '—' if missing.
    """
    v = _num(value)
    if v is None:
        return DASH
    sign = "-" if v < 0 else ""
    a = abs(v)
    for unit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        scaled = a / unit
        if round(scaled, 1) >= 1.0:
            if round(scaled, 1) < 100:
                return f"{sign}{scaled:.1f} {suffix}"
            return f"{sign}{round(scaled):,} {suffix}"
    if a < 1000:
        return f"{sign}{round(a):,}"
    digits = len(str(int(a)))
    rounded = int(round(a, -(digits - 3)))
    return f"{sign}{rounded:,}"


def _format_scale(scale: float) -> str:
    if scale >= 100 or float(scale).is_integer():
        return f"{round(scale):,}"
    return f"{scale:,.2f}".rstrip("0").rstrip(".")


def _estimate(value: Any, scale: float | None) -> str:
    v = _num(value)
    if v is None or scale is None:
        return DASH
    return format_estimate(v * scale)


def _share(part: Any, whole: Any) -> str:
    p, w = _num(part), _num(whole)
    if p is None or w is None or w <= 0:
        return DASH
    return f"{100.0 * p / w:.1f}%"


def _rate(value: Any) -> str:
    """A rate (a fraction of persons) as a percentage, three significant figures."""
    v = _num(value)
    if v is None:
        return DASH
    pct = 100.0 * v
    if pct == 0:
        return "0%"
    if abs(pct) < 0.001:
        return "&lt;0.001%"
    return f"{pct:.3g}%"


def _ratio(value: Any) -> str:
    v = _num(value)
    if v is None:
        return DASH
    return f"{v:.2f}\u00d7"


def _given_keys(mapping: Mapping[Any, Any]) -> list[str]:
    """Keys in the order the summary gives them (for mappings whose order means something)."""
    return [str(k) for k in mapping]


def _int_or_none(value: Any) -> int | None:
    v = _num(value)
    return None if v is None else round(v)


# Wrongful-sanction causes: (summary key, short label for the compact split, long label).
_CAUSES = (
    ("false_record", "false", "false record"),
    ("identity", "namesake", "namesake's record (identity)"),
    ("stale_record", "stale", "stale record"),
    ("incomplete_record", "incomplete", "incomplete record"),
)
_CAUSE_SHORT = {key: short for key, short, _long in _CAUSES}
_CAUSE_LONG = {key: long for key, _short, long in _CAUSES}
_CAUSE_ORDER = {key: i for i, (key, _s, _l) in enumerate(_CAUSES)}


def _cause_items(by_cause: Mapping[Any, Any]) -> list[tuple[str, float]]:
    """Non-zero causes, largest first (ties in the fixed cause order, then by name)."""
    items = []
    for key in _given_keys(by_cause):
        value = _num(_lookup(by_cause, key))
        if value:
            items.append((key, value))
    items.sort(key=lambda kv: (-kv[1], _CAUSE_ORDER.get(kv[0], len(_CAUSES)), kv[0]))
    return items


def _cause_split(by_cause: Any) -> str:
    """``stale 539 · false 17 · namesake 1``; 'none' when all zero, '—' when not given."""
    if not isinstance(by_cause, Mapping) or not by_cause:
        return DASH
    items = _cause_items(by_cause)
    if not items:
        return '<span class="muted">none</span>'
    return " &middot; ".join(
        f'<span class="cause">{_CAUSE_SHORT.get(k, _esc(k))} {format_count(v)}</span>'
        for k, v in items
    )


def _color(index: int) -> str:
    return _PALETTE[index % len(_PALETTE)]


def _base_layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "font": {"family": _FONT, "size": 13},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    }
    layout.update(extra)
    return layout


def _figure_html(fig: go.Figure, div_id: str) -> str:
    out: str = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config=_PLOT_CONFIG,
    )
    return out


def _note(text: str) -> str:
    return f'<p class="note">{text}</p>'


# --------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------


def _header(summary: Mapping[str, Any], scale: float | None) -> str:
    scenario = summary.get("scenario")
    title = _esc(scenario) if scenario not in (None, "") else "Unnamed scenario"
    parts = [f"<h1>{title}</h1>"]
    description = summary.get("description")
    if description not in (None, ""):
        parts.append(f'<p class="description">{_esc(description)}</p>')

    population = _mapping(summary.get("population"))
    persons = summary.get("persons", population.get("persons"))
    meta: list[str] = []
    meta.append(f"<strong>{format_count(persons)}</strong> synthetic persons")
    days_text = f"<strong>{format_count(summary.get('days'))}</strong> days"
    warmup = _num(summary.get("warmup_days"))
    if warmup is not None and warmup > 0:
        days_text += f" (after <strong>{format_count(warmup)}</strong> warm-up days, not reported)"
    meta.append(days_text)
    seed = summary.get("seed")
    meta.append(f"seed <strong>{_esc(seed) if seed is not None else DASH}</strong>")
    if scale is not None:
        meta.append(
            f"scale: 1 synthetic person = <strong>{_format_scale(scale)}</strong> real people"
        )
    else:
        meta.append("scale: not given (no national estimates)")
    parts.append(f'<p class="meta">{" &middot; ".join(meta)}</p>')

    pop_bits = []
    for key, label in (("adults", "adults"), ("urban", "urban")):
        if _num(population.get(key)) is not None:
            pop_bits.append(f"{format_count(population.get(key))} {label}")
    if pop_bits:
        parts.append(f'<p class="meta">Population: {", ".join(pop_bits)}.</p>')
    return "<header>\n" + "\n".join(parts) + "\n</header>"


_HEADLINE_METRICS = (
    ("covered", "Covered"),
    ("scored", "Scored"),
    ("sanctioned", "Sanctioned"),
    ("sanctioned_wrongly", "Sanctioned wrongly"),
    ("restriction_person_days", "Restriction person-days"),
)


def _system_label_cell(name: str, system: Mapping[str, Any]) -> str:
    details = []
    kind = system.get("kind")
    if kind not in (None, ""):
        details.append(_esc(kind))
    jurisdiction = system.get("jurisdiction")
    if jurisdiction not in (None, ""):
        details.append(_esc(jurisdiction))
    detail = f'<span class="detail">{" &middot; ".join(details)}</span>' if details else ""
    return f'<td class="system"><span class="name">{_esc(name)}</span>{detail}</td>'


def _headline_total(
    summary: Mapping[str, Any], systems: Mapping[str, Any], names: list[str], scale: float | None
) -> list[str]:
    """Cross-system lines: persons counted once, and the wrongful person-days."""
    out = []
    any_sanctioned = summary.get("sanctioned_any")
    any_wrong = summary.get("sanctioned_wrongly_any")
    if _num(any_sanctioned) is not None or _num(any_wrong) is not None:
        est_s = f" (national estimate {_estimate(any_sanctioned, scale)})" if scale else ""
        est_w = f" (national estimate {_estimate(any_wrong, scale)})" if scale else ""
        out.append(
            '<p class="total" id="sanctioned-any">Counting each person once across systems: '
            f"<strong>{format_count(any_sanctioned)}</strong> synthetic persons{est_s} were "
            "sanctioned by at least one system, "
            f'<strong class="wrong">{format_count(any_wrong)}</strong>{est_w} of them '
            f"wrongly by at least one ({_share(any_wrong, any_sanctioned)}).</p>"
        )
    wrongful = [
        _num(_mapping(_lookup(systems, n)).get("wrongful_person_days"))
        for n in names
        if "wrongful_person_days" in _mapping(_lookup(systems, n))
    ]
    if wrongful:
        total = sum(v or 0.0 for v in wrongful)
        est = f" (national estimate {_estimate(total, scale)})" if scale else ""
        out.append(
            '<p class="total" id="wrongful-person-days">Wrongful sanctions lasted '
            f'<strong class="wrong">{format_count(total)}</strong> person-days{est}, '
            "summed over systems: one person under a wrongful sanction for one day is one "
            "wrongful person-day.</p>"
        )
    return out


def _headline(
    summary: Mapping[str, Any], systems: Mapping[str, Any], names: list[str], scale: float | None
) -> str:
    out = ['<section class="wronged" id="who-was-wronged">', "<h2>Who was wronged</h2>"]
    measures = _mapping(summary.get("measures"))
    if not names:
        out.append(_note("This run has no scoring systems, so nobody was scored or sanctioned."))
        if measures:
            out.append(_measures_lines(measures, scale))
        out.append("</section>")
        return "\n".join(out)

    total_wrong = sum(
        _num(_mapping(_lookup(systems, n)).get("sanctioned_wrongly")) or 0.0 for n in names
    )
    total_sanctioned = sum(
        _num(_mapping(_lookup(systems, n)).get("sanctioned")) or 0.0 for n in names
    )
    est = ""
    if scale is not None:
        est = f" (national estimate {_estimate(total_wrong, scale)} people)"
    out.append(
        '<p class="lead">Across all systems, '
        f"<strong>{format_count(total_wrong)}</strong> synthetic persons{est} were "
        f"sanctioned wrongly, out of {format_count(total_sanctioned)} sanctioned "
        f"({_share(total_wrong, total_sanctioned)}). "
        "A person sanctioned by several systems is counted once per system.</p>"
    )

    out.extend(_headline_total(summary, systems, names, scale))
    if measures:
        out.append(_measures_lines(measures, scale))

    has_wrongful_days = any("wrongful_person_days" in _mapping(_lookup(systems, n)) for n in names)
    has_causes = any(
        isinstance(_mapping(_lookup(systems, n)).get("sanctioned_wrongly_by_cause"), Mapping)
        for n in names
    )
    metrics = list(_HEADLINE_METRICS)
    if has_wrongful_days:
        metrics.append(("wrongful_person_days", "Wrongful person-days"))

    head1 = ['<th rowspan="2">System</th>']
    head2 = []
    for key, label in metrics:
        head1.append(f'<th colspan="2" class="group">{label}</th>')
        head2.append('<th class="num">simulated</th><th class="num">national<br>est.</th>')
        if key == "sanctioned_wrongly":
            head1.append(
                '<th rowspan="2" class="num">Share<br>wrongly<br>(% of<br>sanctioned)</th>'
            )
            if has_causes:
                head1.append('<th rowspan="2">Wrongly, by cause<br>(persons)</th>')
    out.append('<div class="table-wrap"><table class="headline">')
    out.append("<thead>")
    out.append("<tr>" + "".join(head1) + "</tr>")
    out.append('<tr class="sub">' + "".join(head2) + "</tr>")
    out.append("</thead><tbody>")
    for name in names:
        system = _mapping(_lookup(systems, name))
        cells = [_system_label_cell(name, system)]
        for key, _label in metrics:
            value = system.get(key)
            cls = "num wrong" if key in ("sanctioned_wrongly", "wrongful_person_days") else "num"
            cells.append(f'<td class="{cls}">{format_count(value)}</td>')
            cells.append(f'<td class="num est">{_estimate(value, scale)}</td>')
            if key == "sanctioned_wrongly":
                share = _share(system.get("sanctioned_wrongly"), system.get("sanctioned"))
                cells.append(f'<td class="num wrong">{share}</td>')
                if has_causes:
                    split = _cause_split(system.get("sanctioned_wrongly_by_cause"))
                    cells.append(f'<td class="causes">{split}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    out.append("</section>")
    return "\n".join(out)


def _prepare_daily(daily: pl.DataFrame | None) -> pl.DataFrame | None:
    """Normalise the daily frame; None when it cannot be plotted."""
    if daily is None or not isinstance(daily, pl.DataFrame) or daily.height == 0:
        return None
    needed = {"day", "name", "sanctioned", "sanctioned_wrongly"}
    if not needed.issubset(daily.columns):
        return None
    frame = daily.select(
        pl.col("day").cast(pl.Int64, strict=False),
        pl.col("name").cast(pl.Utf8, strict=False),
        pl.col("sanctioned").cast(pl.Int64, strict=False).fill_null(0),
        pl.col("sanctioned_wrongly").cast(pl.Int64, strict=False).fill_null(0),
    ).drop_nulls(["day", "name"])
    if frame.height == 0:
        return None
    return (
        frame.group_by(["name", "day"])
        .agg(pl.col("sanctioned").sum(), pl.col("sanctioned_wrongly").sum())
        .sort(["name", "day"])
    )


def _daily_section(frame: pl.DataFrame | None, colors: Mapping[str, str]) -> tuple[str, bool]:
    out = ['<section id="over-time">', "<h2>Sanctioned over time</h2>"]
    if frame is None:
        out.append(_note("No daily data in this run."))
        out.append("</section>")
        return "\n".join(out), False
    out.append(
        '<p class="lead">Synthetic persons under sanction on each day, per system: '
        "solid line = all sanctioned, dashed line = sanctioned wrongly.</p>"
    )
    fig = go.Figure()
    for name in sorted(frame["name"].unique().to_list()):
        part = frame.filter(pl.col("name") == name)
        days = _days().axis(part["day"].to_list())
        label = _esc(name)
        color = colors.get(name, _color(0))
        fig.add_trace(
            go.Scatter(
                x=days,
                y=part["sanctioned"].to_list(),
                mode="lines",
                name=f"{label}: sanctioned",
                legendgroup=label,
                line={"color": color, "width": 2, "dash": "solid"},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=days,
                y=part["sanctioned_wrongly"].to_list(),
                mode="lines",
                name=f"{label}: sanctioned wrongly",
                legendgroup=label,
                line={"color": color, "width": 2, "dash": "dash"},
            )
        )
    fig.update_layout(
        **_base_layout(
            420,
            xaxis={"title": {"text": _days().title}},
            yaxis={"title": {"text": "persons (simulated)"}, "rangemode": "tozero"},
            hovermode="x unified",
        )
    )
    out.append(_figure_html(fig, "scorelab-daily-sanctioned"))
    out.append("</section>")
    return "\n".join(out), True


def _grade_order(recorded: Mapping[Any, Any], truth: Mapping[Any, Any]) -> list[str]:
    """Grades in the order the summary lists them (recorded first, then truth-only)."""
    order: list[str] = []
    for mapping in (recorded, truth):
        for key in mapping:
            k = str(key)
            if k not in order:
                order.append(k)
    return order


def _grades_section(systems: Mapping[str, Any], names: list[str]) -> tuple[str, bool]:
    out = ['<section id="grades">', "<h2>Recorded vs true grades</h2>"]
    xs_sys: list[str] = []
    xs_grade: list[str] = []
    recorded_y: list[int] = []
    truth_y: list[int] = []
    for name in names:
        system = _mapping(_lookup(systems, name))
        recorded = _mapping(system.get("grades"))
        truth = _mapping(system.get("grades_truth"))
        for grade in _grade_order(recorded, truth):
            xs_sys.append(_esc(name))
            xs_grade.append(_esc(grade))
            recorded_y.append(round(_num(_lookup(recorded, grade)) or 0))
            truth_y.append(round(_num(_lookup(truth, grade)) or 0))
    if not xs_grade:
        out.append(_note("No system in this run publishes grades."))
        out.append("</section>")
        return "\n".join(out), False
    out.append(
        '<p class="lead">For each system, the grade distribution on the record '
        "next to the distribution the same persons would get from their true conduct "
        "(simulated persons).</p>"
    )
    fig = go.Figure()
    x = [xs_sys, xs_grade]
    fig.add_trace(go.Bar(x=x, y=recorded_y, name="recorded", marker={"color": "#3f51b5"}))
    fig.add_trace(go.Bar(x=x, y=truth_y, name="truth", marker={"color": "#9aa5b8"}))
    fig.update_layout(
        **_base_layout(
            420,
            barmode="group",
            yaxis={"title": {"text": "persons (simulated)"}},
            margin={"l": 60, "r": 20, "t": 20, "b": 80},
        )
    )
    out.append(_figure_html(fig, "scorelab-grades"))
    out.append("</section>")
    return "\n".join(out), True


def _events_section(events: Mapping[str, Any], scale: float | None) -> tuple[str, bool]:
    out = ['<section id="events">', "<h2>What actually happened (truth events)</h2>"]
    rows = []
    for key in _sorted_keys(events):
        value = _num(_lookup(events, key))
        if value is None:
            continue
        rows.append((key, value))
    if not rows:
        out.append(_note("No truth events recorded in this summary."))
        out.append("</section>")
        return "\n".join(out), False
    rows.sort(key=lambda kv: (-kv[1], kv[0]))
    out.append(
        '<p class="lead">Counts of events that really happened in the simulated '
        "population, whether or not any system recorded them.</p>"
    )
    # horizontal bars, largest on top
    plot_rows = list(reversed(rows))
    fig = go.Figure(
        go.Bar(
            x=[round(v) for _k, v in plot_rows],
            y=[_esc(k) for k, _v in plot_rows],
            orientation="h",
            marker={"color": "#607d8b"},
            name="events",
        )
    )
    fig.update_layout(
        **_base_layout(
            max(240, 26 * len(rows) + 80),
            xaxis={"title": {"text": "events (simulated)"}},
            margin={"l": 180, "r": 20, "t": 20, "b": 50},
            showlegend=False,
        )
    )
    out.append(_figure_html(fig, "scorelab-events"))
    out.append('<div class="table-wrap"><table class="events"><thead><tr>')
    out.append('<th>Event</th><th class="num">simulated</th><th class="num">national est.</th>')
    out.append("</tr></thead><tbody>")
    for key, value in rows:
        out.append(
            f'<tr><td>{_esc(key)}</td><td class="num">{format_count(value)}</td>'
            f'<td class="num est">{_estimate(value, scale)}</td></tr>'
        )
    out.append("</tbody></table></div>")
    out.append("</section>")
    return "\n".join(out), True


def _systems_word(key: str) -> str:
    return f"{key} system" if key == "1" else f"{key} systems"


def _overlap_section(summary: Mapping[str, Any], scale: float | None) -> tuple[str, bool]:
    out = ['<section id="overlap">', "<h2>Overlap: how many systems see each person</h2>"]
    coverage = _mapping(summary.get("coverage_histogram"))
    scored = _mapping(summary.get("scored_histogram"))
    conflicting = summary.get("conflicting_grades")
    if not coverage and not scored and _num(conflicting) is None:
        out.append(_note("No overlap counts in this summary."))
        out.append("</section>")
        return "\n".join(out), False

    bins: list[str] = []
    for mapping in (coverage, scored):
        for key in _given_keys(mapping):
            if key not in bins:
                bins.append(key)
    figure = False
    if bins:
        out.append(
            '<p class="lead">Synthetic persons by the number of systems that cover them '
            "(live in their jurisdiction) and by the number of systems that hold records "
            "on them (scored).</p>"
        )
        series = (
            ("covered by", coverage, "#9aa5b8"),
            ("with records in", scored, "#3f51b5"),
        )
        fig = go.Figure()
        x = [_systems_word(_esc(b)) for b in bins]
        for label, mapping, color in series:
            if not mapping:
                continue
            ys = [_int_or_none(_lookup(mapping, b)) for b in bins]
            fig.add_trace(
                go.Bar(
                    x=x,
                    y=ys,
                    name=label,
                    marker={"color": color},
                    text=[format_count(v) for v in ys],
                    textposition="outside",
                    cliponaxis=False,
                )
            )
        fig.update_layout(
            **_base_layout(
                320,
                barmode="group",
                xaxis={"title": {"text": "number of systems"}},
                yaxis={"title": {"text": "persons (simulated)"}, "rangemode": "tozero"},
                margin={"l": 70, "r": 20, "t": 30, "b": 50},
            )
        )
        out.append(_figure_html(fig, "scorelab-overlap"))
        figure = True
        out.append('<div class="table-wrap"><table class="overlap"><thead><tr>')
        out.append(
            '<th>Seen by</th><th class="num">covered</th><th class="num">national est.</th>'
            '<th class="num">with records</th><th class="num">national est.</th>'
        )
        out.append("</tr></thead><tbody>")
        for b in bins:
            c, r = _lookup(coverage, b), _lookup(scored, b)
            out.append(
                f"<tr><td>{_systems_word(_esc(b))}</td>"
                f'<td class="num">{format_count(c)}</td>'
                f'<td class="num est">{_estimate(c, scale)}</td>'
                f'<td class="num">{format_count(r)}</td>'
                f'<td class="num est">{_estimate(r, scale)}</td></tr>'
            )
        out.append("</tbody></table></div>")

    n = _num(conflicting)
    if n is not None:
        est = f" (national estimate {_estimate(n, scale)})" if scale and n > 0 else ""
        if n == 0:
            text = "No person was"
        elif round(n) == 1:
            text = f"<strong>{format_count(n)}</strong> synthetic person{est} was"
        else:
            text = f"<strong>{format_count(n)}</strong> synthetic persons{est} were"
        out.append(
            f'<p class="total" id="conflicting-grades">{text} rated at the top grade by one '
            "system while at the bottom grade, or blacklisted, by another.</p>"
        )
    out.append("</section>")
    return "\n".join(out), figure


def _ratio_label(key: str) -> str:
    """``ratio_minority_to_majority`` -> ``minority ÷ majority``."""
    body = key.removeprefix("ratio_")
    a, sep, b = body.partition("_to_")
    if not sep:
        return _esc(body.replace("_", " "))
    return f"{_esc(a.replace('_', ' '))} \u00f7 {_esc(b.replace('_', ' '))}"


def _wrong_ratio(a: Mapping[str, Any], b: Mapping[str, Any]) -> float | None:
    """Ratio of two wrongful rates, from the counts when given (rates are rounded)."""
    ra = _share_value(a.get("sanctioned_wrongly"), a.get("persons"))
    rb = _share_value(b.get("sanctioned_wrongly"), b.get("persons"))
    if ra is None:
        ra = _num(a.get("wrong_rate"))
    if rb is None:
        rb = _num(b.get("wrong_rate"))
    if ra is None or rb is None or rb == 0:
        return None
    return ra / rb


def _share_value(part: Any, whole: Any) -> float | None:
    p, w = _num(part), _num(whole)
    if p is None or w is None or w <= 0:
        return None
    return p / w


def _disparity_row(label: str, row: Mapping[str, Any], scale: float | None, cls: str) -> str:
    cells = [f"<td>{label}</td>", f'<td class="num">{format_count(row.get("persons"))}</td>']
    for key in ("sanctioned", "sanctioned_wrongly"):
        value = row.get(key)
        num_cls = "num wrong" if key == "sanctioned_wrongly" else "num"
        cells.append(f'<td class="{num_cls}">{format_count(value)}</td>')
        cells.append(f'<td class="num est">{_estimate(value, scale)}</td>')
    cells.append(f'<td class="num">{_rate(row.get("rate"))}</td>')
    cells.append(f'<td class="num wrong">{_rate(row.get("wrong_rate"))}</td>')
    attr = f' class="{cls}"' if cls else ""
    return f"<tr{attr}>" + "".join(cells) + "</tr>"


def _disparity_section(summary: Mapping[str, Any], scale: float | None) -> tuple[str, bool]:
    out = ['<section id="disparity">', "<h2>Disparate impact: who is sanctioned more often</h2>"]
    disparity = _mapping(summary.get("disparity"))
    if not disparity:
        out.append(_note("No disparity counts in this summary."))
        out.append("</section>")
        return "\n".join(out), False

    national = disparity.get("sanction_rate")
    out.append(
        '<p class="lead">Persons sanctioned by at least one system, as a share of each '
        f"part of the population (national sanction rate: <strong>{_rate(national)}</strong>). "
        "The <em>wrongful rate</em> counts only persons sanctioned wrongly. A ratio above 1 "
        "means the first group is sanctioned more often than the second.</p>"
    )
    rows: list[str] = []
    persons = summary.get("persons", _mapping(summary.get("population")).get("persons"))
    if _num(summary.get("sanctioned_any")) is not None:
        everyone = {
            "persons": persons,
            "sanctioned": summary.get("sanctioned_any"),
            "sanctioned_wrongly": summary.get("sanctioned_wrongly_any"),
            "rate": national,
            "wrong_rate": _share_value(summary.get("sanctioned_wrongly_any"), persons),
        }
        rows.append(_disparity_row("<strong>all persons</strong>", everyone, scale, ""))
    for part in ("group", "urban"):
        block = _mapping(disparity.get(part))
        groups = [k for k in _given_keys(block) if isinstance(_lookup(block, k), Mapping)]
        first = True
        for key in groups:
            cls = "first" if first else ""
            rows.append(_disparity_row(_esc(key), _mapping(_lookup(block, key)), scale, cls))
            first = False
        for key in _given_keys(block):
            if not key.startswith("ratio_"):
                continue
            a, _sep, b = key[len("ratio_") :].partition("_to_")
            wrong = None
            if a in groups and b in groups:
                wrong = _wrong_ratio(_mapping(_lookup(block, a)), _mapping(_lookup(block, b)))
            rows.append(
                '<tr class="ratio">'
                f'<td colspan="6">ratio {_ratio_label(key)}</td>'
                f'<td class="num">{_ratio(_lookup(block, key))}</td>'
                f'<td class="num wrong">{_ratio(wrong)}</td></tr>'
            )
    if rows:
        out.append('<div class="table-wrap"><table class="disparity"><thead>')
        out.append(
            '<tr><th rowspan="2">Persons</th><th rowspan="2" class="num">count</th>'
            '<th colspan="2" class="group">Sanctioned</th>'
            '<th colspan="2" class="group">Sanctioned wrongly</th>'
            '<th rowspan="2" class="num">Sanction rate</th>'
            '<th rowspan="2" class="num">Wrongful rate</th></tr>'
        )
        out.append(
            '<tr class="sub"><th class="num">simulated</th><th class="num">national est.</th>'
            '<th class="num">simulated</th><th class="num">national est.</th></tr>'
        )
        out.append("</thead><tbody>")
        out.extend(rows)
        out.append("</tbody></table></div>")

    figure = False
    provinces = _mapping(disparity.get("province"))
    names = [k for k in _given_keys(provinces) if isinstance(_lookup(provinces, k), Mapping)]
    if names:
        data = [(name, _mapping(_lookup(provinces, name))) for name in names]
        use_ratio = any(_num(row.get("ratio_to_national")) is not None for _n, row in data)
        key = "ratio_to_national" if use_ratio else "rate"
        ys = [_num(row.get(key)) for _n, row in data]
        if not use_ratio:
            ys = [None if v is None else 100.0 * v for v in ys]
        if any(v is not None for v in ys):
            figure = True
            out.append(_province_figure(data, ys, use_ratio))
            out.append(_province_extremes(data, key, use_ratio))
    out.append("</section>")
    return "\n".join(out), figure


def _province_figure(
    data: list[tuple[str, Mapping[str, Any]]], ys: list[float | None], use_ratio: bool
) -> str:
    hover = []
    for name, row in data:
        hover.append(
            f"{_esc(name)}<br>sanctioned {format_count(row.get('sanctioned'))} of "
            f"{format_count(row.get('persons'))} ({_rate(row.get('rate'))})<br>"
            f"wrongly {format_count(row.get('sanctioned_wrongly'))} "
            f"({_rate(row.get('wrong_rate'))})<br>"
            f"ratio to national {_ratio(row.get('ratio_to_national'))}"
        )
    reference = 1.0 if use_ratio else None
    colors = [
        "#c62828" if (v is not None and reference is not None and v > reference) else "#607d8b"
        for v in ys
    ]
    fig = go.Figure(
        go.Bar(
            x=[_esc(name) for name, _row in data],
            y=ys,
            marker={"color": colors},
            hovertext=hover,
            hoverinfo="text",
            name="provinces",
        )
    )
    shapes = []
    if reference is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": reference,
                "y1": reference,
                "line": {"color": "#1d2330", "width": 1, "dash": "dot"},
            }
        )
    title = "sanction rate \u00f7 national rate" if use_ratio else "sanction rate (%)"
    fig.update_layout(
        **_base_layout(
            380,
            showlegend=False,
            shapes=shapes,
            xaxis={"tickangle": -45},
            yaxis={"title": {"text": title}, "rangemode": "tozero"},
            margin={"l": 70, "r": 20, "t": 20, "b": 110},
        )
    )
    if use_ratio:
        text = (
            "By province (in the scenario's order): each province's sanction rate divided by "
            "the national rate. Bars above the dotted line at 1 (red) are sanctioned more often "
            "than the country as a whole; provinces with few synthetic persons have noisy rates."
        )
    else:
        text = "Sanction rate by province (in the scenario's order)."
    caption = f'<p class="lead after-table">{text}</p>'
    return caption + "\n" + _figure_html(fig, "scorelab-provinces")


def _province_extremes(data: list[tuple[str, Mapping[str, Any]]], key: str, use_ratio: bool) -> str:
    ranked = [
        (v, i, name, row)
        for i, (name, row) in enumerate(data)
        if (v := _num(row.get(key))) is not None
    ]
    if len(ranked) < 2:
        return ""
    high = min(ranked, key=lambda t: (-t[0], t[1]))
    low = min(ranked, key=lambda t: (t[0], t[1]))

    def describe(item: tuple[float, int, str, Mapping[str, Any]]) -> str:
        value, _i, name, row = item
        shown = _ratio(value) if use_ratio else _rate(value)
        return (
            f"<strong>{_esc(name)}</strong> {shown} ({format_count(row.get('sanctioned'))} "
            f"of {format_count(row.get('persons'))} sanctioned)"
        )

    return (
        f'<p class="total" id="province-extremes">Highest: {describe(high)}; '
        f"lowest: {describe(low)}.</p>"
    )


# --------------------------------------------------------------------------
# one section per system
# --------------------------------------------------------------------------

_SYSTEM_DAILY_COLUMNS = (
    "listed",
    "sanctioned",
    "sanctioned_wrongly",
    "appeal_backlog",
    "joint_sanctioned",
    "joint_sanctioned_wrongly",
)


def _daily_series(
    daily: pl.DataFrame | None,
    columns: tuple[str, ...],
    measures: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, list[Any]]]:
    """Per name (system or measure): day and those of ``columns`` it has (not all null).

    With ``measures``, only the measures' rows are kept."""
    if daily is None or not isinstance(daily, pl.DataFrame) or daily.height == 0:
        return {}
    if not {"day", "name"}.issubset(daily.columns):
        return {}
    present = [c for c in columns if c in daily.columns]
    if not present:
        return {}
    if measures is not None:
        daily = daily.filter(_is_measure_row(daily, measures))
    frame = daily.select(
        pl.col("day").cast(pl.Int64, strict=False),
        pl.col("name").cast(pl.Utf8, strict=False),
        *[pl.col(c).cast(pl.Int64, strict=False) for c in present],
    ).drop_nulls(["day", "name"])
    if measures is not None:
        frame = frame.filter(pl.col("name").is_in(_measure_names(measures)))
    if frame.height == 0:
        return {}
    aggs = []
    for c in present:
        aggs.append(pl.col(c).sum().alias(c))
        aggs.append(pl.col(c).is_not_null().any().alias(f"__has_{c}"))
    grouped = frame.group_by(["name", "day"]).agg(aggs).sort(["name", "day"])
    out: dict[str, dict[str, list[Any]]] = {}
    for name in sorted(grouped["name"].unique().to_list()):
        part = grouped.filter(pl.col("name") == name)
        series: dict[str, list[Any]] = {"day": part["day"].to_list()}
        for c in present:
            if part[f"__has_{c}"].any():
                series[c] = part[c].to_list()
        out[name] = series
    return out


def _prepare_system_daily(daily: pl.DataFrame | None) -> dict[str, dict[str, list[Any]]]:
    """Per system: day and the daily columns it has ('listed' only where not all null)."""
    return _daily_series(daily, _SYSTEM_DAILY_COLUMNS)


def _keynum_row(label: str, value: Any, scale: float | None, cls: str = "", extra: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    num_cls = "num wrong" if "wrong" in cls.split() else "num"
    return (
        f"<tr{attr}><td>{label}</td>"
        f'<td class="{num_cls}">{format_count(value)}{extra}</td>'
        f'<td class="num est">{_estimate(value, scale)}</td></tr>'
    )


def _nonzero_items(mapping: Mapping[Any, Any]) -> list[tuple[str, Any]]:
    return [
        (key, _lookup(mapping, key)) for key in _given_keys(mapping) if _num(_lookup(mapping, key))
    ]


def _system_numbers(system: Mapping[str, Any], scale: float | None) -> str:
    """Key numbers of one system as small tables (cards), one per topic."""
    cards: list[tuple[str, list[str]]] = []
    rows: list[str] = []

    def add(label: str, key: str, cls: str = "", extra: str = "") -> None:
        if key in system:
            rows.append(_keynum_row(label, system.get(key), scale, cls, extra))

    def card(title: str) -> None:
        nonlocal rows
        if rows:
            cards.append((title, rows))
        rows = []

    add("Covered (in its jurisdiction)", "covered")
    add("Scored (with records)", "scored")
    add("Records filed", "records")
    card("Reach")

    if system.get("kind") == "list" or "listed" in system:
        add("Listed (ever)", "listed")
        add("wrongly", "listed_wrongly", "sub wrong")
        add("Listed at the end", "listed_at_end")
        add("wrongly", "listed_wrongly_at_end", "sub wrong")
        card("Listed")

    add("Sanctioned", "sanctioned")
    if "sanctioned_wrongly" in system:
        share = _share(system.get("sanctioned_wrongly"), system.get("sanctioned"))
        extra = f' <span class="muted">({share})</span>' if share != DASH else ""
        add("Sanctioned wrongly", "sanctioned_wrongly", "wrong", extra)
    by_cause = _mapping(system.get("sanctioned_wrongly_by_cause"))
    for key, value in _cause_items(by_cause):
        rows.append(_keynum_row(f"by {_CAUSE_LONG.get(key, _esc(key))}", value, scale, "sub wrong"))
    add("Wrongful person-days", "wrongful_person_days", "wrong")
    card("Sanctioned")

    add("Restriction person-days", "restriction_person_days")
    for key, value in _nonzero_items(_mapping(system.get("restriction_person_days_by_sanction"))):
        rows.append(_keynum_row(_esc(key), value, scale, "sub"))
    card("Restrictions")

    add("Rewarded (persons)", "rewarded")
    for key, value in _nonzero_items(_mapping(system.get("reward_person_days_by_reward"))):
        rows.append(_keynum_row(f"{_esc(key)} (person-days)", value, scale, "sub"))
    card("Rewards")

    if "appeals_filed" in system:
        add("Appeals filed", "appeals_filed")
        add("decided", "appeals_decided", "sub")
        won_share = _share(system.get("appeals_won"), system.get("appeals_decided"))
        won_label = f"won ({won_share} of decided)" if won_share != DASH else "won"
        add(won_label, "appeals_won", "sub")
        add("Largest backlog (one day)", "appeal_backlog_max")
        add("Backlog at the end", "appeal_backlog_at_end")
        card("Appeals")

    joint = _mapping(system.get("joint_punishment"))
    for source in _given_keys(joint):
        link = _mapping(_lookup(joint, source))
        rows.append(_keynum_row("Sanctioned", link.get("sanctioned"), scale))
        rows.append(
            _keynum_row("Sanctioned wrongly", link.get("sanctioned_wrongly"), scale, "wrong")
        )
        rows.append(
            _keynum_row("Restriction person-days", link.get("restriction_person_days"), scale)
        )
        for key, value in _nonzero_items(_mapping(link.get("restriction_person_days_by_sanction"))):
            rows.append(_keynum_row(_esc(key), value, scale, "sub"))
        card(f"Joint punishment of persons on {_esc(source)}")

    if not cards:
        return _note("No counts for this system in this summary.")
    out = ['<div class="sys-cards">']
    for title, card_rows in cards:
        out.append(
            '<div class="table-wrap"><table class="keynums"><thead><tr>'
            f'<th>{title}</th><th class="num">simulated</th><th class="num">national est.</th>'
            "</tr></thead><tbody>" + "".join(card_rows) + "</tbody></table></div>"
        )
    out.append("</div>")
    return "\n".join(out)


def _system_figure(
    index: int,
    system: Mapping[str, Any],
    data: Mapping[str, list[Any]] | None,
    color: str,
) -> tuple[str, bool]:
    if not data or len(data.get("day", [])) == 0:
        return _note("No daily data for this system."), False
    days = _days().axis(data["day"])
    is_list = system.get("kind") == "list" or ("listed" in data and "kind" not in system)
    traces: list[tuple[str, str, dict[str, Any], str]] = []
    if is_list and "listed" in data:
        traces.append(("listed", "listed", {"color": color, "width": 2}, "y"))
    elif "sanctioned" in data:
        traces.append(("sanctioned", "sanctioned", {"color": color, "width": 2}, "y"))
    if "sanctioned_wrongly" in data:
        traces.append(
            (
                "sanctioned_wrongly",
                "sanctioned wrongly",
                {"color": "#c62828", "width": 2, "dash": "dash"},
                "y",
            )
        )
    has_joint = bool(_mapping(system.get("joint_punishment"))) or any(
        data.get("joint_sanctioned", [])
    )
    if has_joint and "joint_sanctioned" in data:
        traces.append(
            ("joint_sanctioned", "jointly sanctioned", {"color": "#ff9800", "width": 2}, "y")
        )
        if any(data.get("joint_sanctioned_wrongly", [])):
            traces.append(
                (
                    "joint_sanctioned_wrongly",
                    "jointly sanctioned wrongly",
                    {"color": "#ff9800", "width": 2, "dash": "dash"},
                    "y",
                )
            )
    has_appeals = "appeals_filed" in system or any(data.get("appeal_backlog", []))
    if has_appeals and "appeal_backlog" in data:
        traces.append(
            (
                "appeal_backlog",
                "appeal backlog (right axis)",
                {"color": "#8a92a3", "width": 1.5, "dash": "dot"},
                "y2",
            )
        )
    if not traces:
        return _note("No daily data for this system."), False
    fig = go.Figure()
    for column, label, line, axis in traces:
        fig.add_trace(
            go.Scatter(x=days, y=data[column], mode="lines", name=label, line=line, yaxis=axis)
        )

    def axis_peak(which: str) -> float:
        values = [v for c, *_r, a in traces if a == which for v in data[c] if v is not None]
        return max(values, default=0)

    def counts_axis(which: str, title: str) -> dict[str, Any]:
        # persons and appeals are whole numbers: no 0.5 ticks on small counts
        out: dict[str, Any] = {"title": {"text": title}, "rangemode": "tozero"}
        small = axis_peak(which) < 5
        out.update(
            {"tickmode": "linear", "tick0": 0, "dtick": 1} if small else {"tickmode": "auto"}
        )
        return out

    extra: dict[str, Any] = {
        "xaxis": {"title": {"text": _days().title}},
        "yaxis": counts_axis("y", "persons (simulated)"),
        "hovermode": "x unified",
        "margin": {"l": 60, "r": 60, "t": 30, "b": 45},
    }
    if any(axis == "y2" for *_rest, axis in traces):
        extra["yaxis2"] = {
            **counts_axis("y2", "appeals waiting"),
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
        }
    fig.update_layout(**_base_layout(300, **extra))
    return _figure_html(fig, f"scorelab-system-{index}-daily"), True


def _system_sections(
    systems: Mapping[str, Any],
    per_system: Mapping[str, Mapping[str, list[Any]]],
    colors: Mapping[str, str],
    scale: float | None,
) -> tuple[list[str], bool]:
    """One section per system, in summary order, with fixed ids ``system-1``, ``system-2``..."""
    out = []
    any_figure = False
    for index, name in enumerate(_given_keys(systems), start=1):
        system = _mapping(_lookup(systems, name))
        tags = []
        for key, label in (("kind", "kind"), ("jurisdiction", "jurisdiction")):
            value = system.get(key)
            if value not in (None, ""):
                tags.append(f'<span class="tag">{label}: {_esc(value)}</span>')
        figure, drawn = _system_figure(
            index, system, per_system.get(name), colors.get(name, _color(0))
        )
        any_figure = any_figure or drawn
        parts = [
            f'<section class="system" id="system-{index}">',
            f"<h2>System: {_esc(name)}</h2>",
        ]
        if tags:
            parts.append(f'<p class="system-head">{"".join(tags)}</p>')
        parts.append(_system_numbers(system, scale))
        parts.append(figure)
        parts.append("</section>")
        out.append("\n".join(parts))
    return out, any_figure


def _restrictions_section(
    summary: Mapping[str, Any], systems: Mapping[str, Any], names: list[str], scale: float | None
) -> str:
    restrictions = summary.get("restrictions")
    if isinstance(restrictions, Mapping):
        out = _restrictions_by_cause(restrictions, scale)
    else:
        out = _restrictions_by_system(systems, names, scale)
    if _measure_names(_mapping(summary.get("measures"))):
        note = _note(
            "Restrictions imposed by control measures are not in this table: see "
            '<a href="#control-measures">Control measures</a> and each measure\'s section.'
        )
        out = out.removesuffix("</section>") + note + "\n</section>"
    return out


def _restrictions_by_cause(restrictions: Mapping[Any, Any], scale: float | None) -> str:
    out = ['<section id="restrictions">', "<h2>Restriction person-days by sanction</h2>"]
    blocks = []
    for sanction in _given_keys(restrictions):
        causes = _mapping(_lookup(restrictions, sanction))
        rows = [(cause, _lookup(causes, cause)) for cause in _given_keys(causes)]
        rows = [(c, v) for c, v in rows if _num(v)]
        if rows:
            blocks.append((sanction, rows))
    if not blocks:
        out.append(_note("Nobody was restricted in this run."))
        out.append("</section>")
        return "\n".join(out)
    out.append(
        '<p class="lead">Days that persons spent under each kind of restriction, by the '
        "system that imposed it (one person restricted for one day = one person-day). "
        "&ldquo;<em>target</em> (joint: <em>list</em>)&rdquo; is joint punishment: the "
        "target system restricting persons because they are on another system's list. "
        "A person under several restrictions on one day counts once per restriction.</p>"
    )
    out.append('<div class="table-wrap"><table class="restrictions"><thead><tr>')
    out.append(
        '<th>Sanction</th><th>Imposed by</th><th class="num">person-days simulated</th>'
        '<th class="num">national est.</th>'
    )
    out.append("</tr></thead><tbody>")
    for sanction, rows in blocks:
        for i, (cause, value) in enumerate(rows):
            head = f'<td rowspan="{len(rows)}">{_esc(sanction)}</td>' if i == 0 else ""
            out.append(
                f"<tr>{head}<td>{_esc(cause)}</td>"
                f'<td class="num">{format_count(value)}</td>'
                f'<td class="num est">{_estimate(value, scale)}</td></tr>'
            )
    out.append("</tbody></table></div>")
    out.append("</section>")
    return "\n".join(out)


def _restrictions_by_system(
    systems: Mapping[str, Any], names: list[str], scale: float | None
) -> str:
    """Older summaries (no top-level ``restrictions``): per system, non-zero sanctions."""
    out = ['<section id="restrictions">', "<h2>Restriction person-days by sanction</h2>"]
    rows = []
    for name in names:
        system = _mapping(_lookup(systems, name))
        by_sanction = _mapping(system.get("restriction_person_days_by_sanction"))
        for sanction in _sorted_keys(by_sanction):
            value = _lookup(by_sanction, sanction)
            if _num(value):
                rows.append((name, sanction, value))
    if not rows:
        out.append(_note("No restrictions by sanction kind in this run."))
        out.append("</section>")
        return "\n".join(out)
    out.append(
        '<p class="lead">Days that persons spent under each kind of restriction '
        "(one person restricted for one day = one person-day).</p>"
    )
    out.append('<div class="table-wrap"><table class="restrictions"><thead><tr>')
    out.append(
        '<th>System</th><th>Sanction</th><th class="num">person-days simulated</th>'
        '<th class="num">national est.</th>'
    )
    out.append("</tr></thead><tbody>")
    for name, sanction, value in rows:
        out.append(
            f"<tr><td>{_esc(name)}</td><td>{_esc(sanction)}</td>"
            f'<td class="num">{format_count(value)}</td>'
            f'<td class="num est">{_estimate(value, scale)}</td></tr>'
        )
    out.append("</tbody></table></div>")
    out.append("</section>")
    return "\n".join(out)


# --------------------------------------------------------------------------
# protests and control measures
# --------------------------------------------------------------------------

# Measure kinds the engine writes (daily rows of these kinds are not scoring systems).
_MEASURE_KINDS = ("checkpoint", "device_scan", "shutdown")
_MEASURE_KIND_LABEL = {
    "checkpoint": "checkpoint (phone searches)",
    "device_scan": "device scan (on-phone scanning)",
    "shutdown": "shutdown (city cut off)",
}

# Truth roles of a person around protests, most involved first: (summary key, plural label,
# colour). Only participants are flagged rightly; the other three are innocents.
_ROLES = (
    ("participant", "participants", "#3f51b5"),
    ("bystander", "bystanders", "#ff9800"),
    ("recipient", "recipients", "#ab47bc"),
    ("uninvolved", "uninvolved", "#c62828"),
)
_INNOCENT_ROLES = _ROLES[1:]

# Costs: (key in ``cost``, label, format). Formats: "count" (a number), "sci" (powers of
# ten), "bytes" (kB/MB/GB/TB), "usd" (a dollar amount).
_COSTS = (
    ("officer_hours", "Officer-hours", "count"),
    ("reviewer_hours", "Reviewer-hours", "count"),
    ("images_scanned", "Images scanned", "count"),
    ("device_flops", "Device compute (FLOPs)", "sci"),
    ("energy_kwh", "Energy (kWh)", "count"),
    ("upload_bytes", "Data uploaded", "bytes"),
    ("detention_days", "Detention days", "count"),
    ("economic_usd", "Economic cost (US$)", "usd"),
)

_MEASURE_DAILY_COLUMNS = (
    "searches",
    "flagged",
    "flagged_wrongly",
    "restricted",
    "restricted_innocent",
    "collateral",
    "review_backlog",
)

_CSS_MEASURES = """
table.measures { font-size: 13px; width: auto; min-width: 60%; }
table.measures th, table.measures td { padding: 5px 8px; }
table.measures th.group .name { display: block; font-weight: 600; }
table.measures th.group .detail { display: block; font-size: 12px; font-weight: 400;
  color: #5b6475; }
table.measures td.label { min-width: 250px; }
table.measures td.num { padding-left: 18px; }
table.measures td.label .detail { display: block; font-size: 12px; color: #5b6475; }
table.measures tr.sub td.label { padding-left: 24px; color: #4d5566; }
table.measures tr.sub td { border-bottom-color: #f0f2f6; }
table.measures tr.part th { background: #fff; color: #4d5566; font-size: 12px;
  text-transform: uppercase; letter-spacing: 0.04em; padding-top: 14px; }
table.measures td.num + td.est { border-right: 1px solid #eef0f4; }
p.protests { margin: 0 0 14px; color: #3a4254; }
p.total a { color: #2f4a9e; text-decoration: none; font-weight: 600; }
p.total a:hover { text-decoration: underline; }
"""


def _measure_names(measures: Mapping[str, Any]) -> list[str]:
    """Measures in the order the summary gives them (the scenario's order)."""
    return _given_keys(measures)


def _innocents_flagged(measure: Mapping[str, Any]) -> float | None:
    total = _num(measure.get("flagged_wrongly_total"))
    if total is not None:
        return total
    by_role = _mapping(measure.get("flagged_wrongly"))
    values = [_num(_lookup(by_role, key)) for key, _label, _color in _INNOCENT_ROLES]
    if not any(v is not None for v in values):
        return None
    return sum(v or 0.0 for v in values)


def _measure_ratio(measure: Mapping[str, Any], key: str) -> float | None:
    """precision / recall / innocent_per_participant_caught: given, else from the counts."""
    if key in measure:
        return _num(measure.get(key))
    rightly = _num(measure.get("flagged_rightly"))
    if key == "precision":
        flagged = _num(measure.get("flagged"))
        return None if rightly is None or not flagged else rightly / flagged
    if key == "recall":
        participants = _num(measure.get("participants"))
        return None if rightly is None or not participants else rightly / participants
    wrongly = _innocents_flagged(measure)
    return None if wrongly is None or not rightly else wrongly / rightly


def _per_caught(value: Any) -> str:
    """Innocents per participant caught: ``0``, ``0.25``, ``18.2``, ``2,780``."""
    v = _num(value)
    if v is None:
        return DASH
    if v == 0:
        return "0"
    if v < 10:
        return f"{v:.2f}"
    if v < 100:
        return f"{v:.1f}"
    return f"{round(v):,}"


def _amount(v: float) -> str:
    """A cost amount: small fractional values keep three significant figures."""
    if abs(v) < 100 and not float(v).is_integer():
        return f"{v:.3g}"
    return format_count(v)


def _sci(v: float) -> str:
    """``3.78×10<sup>16</sup>`` for large values (below a million: a plain count)."""
    if abs(v) < 1e6:
        return _amount(v)
    mantissa, _e, exponent = f"{v:.2e}".partition("e")
    return f"{mantissa}\u00d710<sup>{int(exponent)}</sup>"


def _bytes(v: float) -> str:
    """Decimal byte units: ``13.5 GB``, ``94.8 TB``."""
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB")
    index = 0
    while abs(v) >= 999.5 and index < len(units) - 1:
        v /= 1000.0
        index += 1
    if index == 0:
        return f"{round(v):,} B"
    if abs(v) < 10:
        return f"{v:.2f} {units[index]}"
    if abs(v) < 100:
        return f"{v:.1f} {units[index]}"
    return f"{round(v):,} {units[index]}"


def _cost_text(value: Any, fmt: str, scale: float | None = None, estimate: bool = False) -> str:
    """One cost, simulated (``estimate=False``) or times scale; '—' when zero or missing."""
    v = _num(value)
    if v is None or v == 0:
        return DASH
    if estimate:
        if scale is None:
            return DASH
        v *= scale
    if fmt == "bytes":
        return _bytes(v)
    if fmt == "sci":
        return _sci(v)
    text = format_estimate(v) if estimate else _amount(v)
    if fmt == "usd":
        return "$" + text
    return text


def _measures_lines(measures: Mapping[str, Any], scale: float | None) -> str:
    """The line in "Who was wronged" that points to the control measures."""
    names = _measure_names(measures)
    rows = [_mapping(_lookup(measures, n)) for n in names]
    wrong = sum(_innocents_flagged(m) or 0.0 for m in rows)
    collateral = sum(_num(m.get("collateral_person_days")) or 0.0 for m in rows)
    innocent_days = sum(_num(m.get("restriction_person_days_innocent")) or 0.0 for m in rows)
    est = f" (national estimate {_estimate(wrong, scale)})" if scale else ""
    est_days = f" (national estimate {_estimate(innocent_days, scale)})" if scale else ""
    word = "measure" if len(names) == 1 else "measures"
    return (
        '<p class="total" id="measures-wronged">'
        f'<a href="#control-measures">Control {word}</a> against protesters flagged '
        f'<strong class="wrong">{format_count(wrong)}</strong> innocent synthetic '
        f"persons{est}: bystanders, recipients of forwarded photos and uninvolved people. "
        f'Innocents spent <strong class="wrong">{format_count(innocent_days)}</strong> '
        f"person-days under their restrictions{est_days}, {format_count(collateral)} of them "
        f"uninvolved people (collateral). Summed over {word}; a person flagged by several "
        "measures is counted once per measure.</p>"
    )


def _protests_paragraph(protests: Mapping[str, Any], scale: float | None) -> str:
    def persons(key: str, label: str, text: str) -> str:
        value = protests.get(key)
        est = f" (national estimate {_estimate(value, scale)})" if scale else ""
        return f"<strong>{format_count(value)}</strong> {label}{est} {text}"

    n = _num(protests.get("protests"))
    if n is None:
        events = "Protests took place"
    else:
        word = "protest" if round(n) == 1 else "protests"
        events = f"<strong>{format_count(n)}</strong> {word} took place"
    return (
        f'<p class="protests" id="protests">{events} in the reported days (drawn at the '
        "scenario's national rate, so this count is not scaled). Among the synthetic persons, "
        + persons("participants", "participants", "took part")
        + "; "
        + persons("bystanders", "bystanders", "were there without taking part")
        + "; "
        + persons("recipients", "recipients", "got protest photos forwarded")
        + "; "
        + f"{format_count(protests.get('uninvolved'))} were uninvolved. Only participants "
        "are flagged rightly by a control measure.</p>"
    )


def _measure_table(measures: Mapping[str, Any], names: list[str], scale: float | None) -> str:
    """All measures side by side (columns), innocents harmed first."""
    data = [_mapping(_lookup(measures, n)) for n in names]
    width = 1 + 2 * len(names)

    head1 = ['<th rowspan="2">Per measure</th>']
    head2 = []
    for name, measure in zip(names, data):
        kind = measure.get("kind")
        detail = ""
        if kind not in (None, ""):
            short = str(kind).replace("_", " ") if kind in _MEASURE_KINDS else _esc(kind)
            detail = f'<span class="detail">{short}</span>'
        head1.append(
            f'<th colspan="2" class="group"><span class="name">{_esc(name)}</span>{detail}</th>'
        )
        head2.append('<th class="num">simulated</th><th class="num">national<br>est.</th>')

    rows: list[str] = []

    def part(title: str) -> None:
        rows.append(f'<tr class="part"><th colspan="{width}">{title}</th></tr>')

    def label_cell(label: str, detail: str) -> str:
        extra = f'<span class="detail">{detail}</span>' if detail else ""
        return f'<td class="label">{label}{extra}</td>'

    def count_row(
        label: str, values: list[Any], detail: str = "", cls: str = "", wrong: bool = False
    ) -> None:
        cells = [label_cell(label, detail)]
        num_cls = "num wrong" if wrong else "num"
        for value in values:
            cells.append(f'<td class="{num_cls}">{format_count(value)}</td>')
            cells.append(f'<td class="num est">{_estimate(value, scale)}</td>')
        attr = f' class="{cls}"' if cls else ""
        rows.append(f"<tr{attr}>" + "".join(cells) + "</tr>")

    def value_row(label: str, texts: list[str], detail: str = "", wrong: bool = False) -> None:
        cells = [label_cell(label, detail)]
        num_cls = "num wrong" if wrong else "num"
        for text in texts:
            cells.append(f'<td class="{num_cls}">{text}</td><td class="num est"></td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")

    part("Flagged")
    count_row(
        "Innocents flagged",
        [_innocents_flagged(m) for m in data],
        "bystanders, recipients and uninvolved",
        wrong=True,
    )
    for key, label, _color in _INNOCENT_ROLES:
        count_row(
            label,
            [_lookup(_mapping(m.get("flagged_wrongly")), key) for m in data],
            cls="sub",
            wrong=True,
        )
    value_row(
        "Innocents per participant caught",
        [_per_caught(_measure_ratio(m, "innocent_per_participant_caught")) for m in data],
        "innocents flagged &divide; participants flagged",
        wrong=True,
    )
    count_row(
        "Flagged rightly",
        [m.get("flagged_rightly") for m in data],
        "participants flagged",
    )
    value_row(
        "Precision",
        [_rate(_measure_ratio(m, "precision")) for m in data],
        "share of the flagged who took part",
    )
    value_row(
        "Recall",
        [_rate(_measure_ratio(m, "recall")) for m in data],
        "share of participants flagged",
    )
    part("Restricted (person-days)")
    count_row(
        "Collateral person-days",
        [m.get("collateral_person_days") for m in data],
        "uninvolved people restricted",
        wrong=True,
    )
    count_row(
        "Innocent restriction person-days",
        [m.get("restriction_person_days_innocent") for m in data],
        "bystanders, recipients and uninvolved restricted",
        wrong=True,
    )
    costs = [_mapping(m.get("cost")) for m in data]
    cost_rows = [c for c in _COSTS if any(c[0] in cost for cost in costs)]
    if cost_rows:
        part("Cost (&ldquo;&mdash;&rdquo;: none or not applicable)")
        for key, label, fmt in cost_rows:
            cells = [label_cell(label, "")]
            for cost in costs:
                value = cost.get(key)
                cells.append(f'<td class="num">{_cost_text(value, fmt)}</td>')
                cells.append(f'<td class="num est">{_cost_text(value, fmt, scale, True)}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")

    return "\n".join(
        [
            '<div class="table-wrap"><table class="measures" id="measures-table">',
            "<thead>",
            "<tr>" + "".join(head1) + "</tr>",
            '<tr class="sub">' + "".join(head2) + "</tr>",
            "</thead><tbody>",
            *rows,
            "</tbody></table></div>",
        ]
    )


def _measures_role_figure(measures: Mapping[str, Any], names: list[str]) -> str:
    """Stacked horizontal bars: flagged persons by truth role, one bar per measure."""
    data = [_mapping(_lookup(measures, n)) for n in names]
    counts: list[list[int]] = []
    for measure in data:
        wrongly = _mapping(measure.get("flagged_wrongly"))
        row = [_int_or_none(measure.get("flagged_rightly")) or 0]
        row += [_int_or_none(_lookup(wrongly, key)) or 0 for key, _l, _c in _INNOCENT_ROLES]
        counts.append(row)
    n = len(names)
    # the first measure on top: bar i at y = n - 1 - i
    ys = [n - 1 - i for i in range(n)]
    fig = go.Figure()
    for r, (_key, label, color) in enumerate(_ROLES):
        values = [row[r] for row in counts]
        fig.add_trace(
            go.Bar(
                x=values,
                y=ys,
                orientation="h",
                name=label,
                width=0.42,
                marker={"color": color},
                text=[format_count(v) if v else "" for v in values],
                textposition="inside",
                insidetextanchor="middle",
                hovertext=[
                    f"{_esc(name)}: {format_count(v)} {label}" for name, v in zip(names, values)
                ],
                hoverinfo="text",
            )
        )
    annotations = []
    for i, row in enumerate(counts):
        total = sum(row)
        if total:
            parts = [
                f'<span style="color:{color}">\u25a0</span> {label} {format_count(v)}'
                for (_key, label, color), v in zip(_ROLES, row)
            ]
            text = f"flagged {format_count(total)}: " + " \u00b7 ".join(parts)
        elif data[i].get("kind") == "shutdown":
            text = "nobody flagged: a shutdown cuts everyone in the city off instead"
        else:
            text = "nobody flagged"
        annotations.append(
            {
                "x": 0,
                "y": ys[i] + 0.23,
                "xref": "x",
                "yref": "y",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "align": "left",
                "text": text,
                "font": {"size": 12, "color": "#3a4254"},
            }
        )
    peak = max((sum(row) for row in counts), default=0)
    fig.update_layout(
        **_base_layout(
            130 + 78 * n,
            barmode="stack",
            annotations=annotations,
            legend={
                "orientation": "h",
                "yanchor": "bottom",
                "y": 1.02,
                "x": 0,
                "traceorder": "normal",
            },
            uniformtext={"minsize": 10, "mode": "hide"},
            xaxis={
                "title": {"text": "persons flagged (simulated)"},
                "range": [0, peak * 1.02 if peak else 1],
            },
            yaxis={
                "tickmode": "array",
                "tickvals": ys,
                "ticktext": [_esc(name) for name in names],
                "range": [-0.6, n - 0.25],
                "automargin": True,
                "showgrid": False,
            },
            margin={"l": 60, "r": 20, "t": 30, "b": 50},
        )
    )
    return _figure_html(fig, "scorelab-measures-flagged")


def _measures_section(summary: Mapping[str, Any], scale: float | None) -> tuple[str, bool]:
    """Protests and the control-measure comparison; '' when the summary has neither."""
    measures = _mapping(summary.get("measures"))
    protests = summary.get("protests")
    names = _measure_names(measures)
    if not names and not isinstance(protests, Mapping):
        return "", False
    title = "Control measures: who was flagged" if names else "Protests"
    out = ['<section class="wronged" id="control-measures">', f"<h2>{title}</h2>"]
    if names:
        out.append(
            '<p class="lead">Measures taken against protest participants: checkpoints that '
            "search phones, scanners on phones, shutdowns that cut a city off. Each flags "
            "or restricts synthetic persons; only participants are flagged rightly, so "
            "<strong>innocents flagged</strong> (bystanders, recipients of forwarded photos "
            "and uninvolved people) leads the comparison.</p>"
        )
    if isinstance(protests, Mapping):
        out.append(_protests_paragraph(protests, scale))
    figure = False
    if names:
        out.append(_measure_table(measures, names, scale))
        out.append(
            '<p class="lead after-table">Persons flagged by each measure, by what they '
            "really did (labels give every count, so small groups stay visible).</p>"
        )
        out.append(_measures_role_figure(measures, names))
        figure = True
    else:
        out.append(_note("No control measures in this scenario."))
    out.append("</section>")
    return "\n".join(out), figure


def _measure_kinds(measures: Mapping[str, Any]) -> list[str]:
    """Kinds of daily rows that belong to measures: the known ones and any the summary names."""
    kinds = set(_MEASURE_KINDS)
    for name in _measure_names(measures):
        kind = _mapping(_lookup(measures, name)).get("kind")
        if isinstance(kind, str) and kind:
            kinds.add(kind)
    return sorted(kinds)


def _is_measure_row(daily: pl.DataFrame, measures: Mapping[str, Any]) -> pl.Expr:
    """Rows of measures: by their kind where the frame has one, else by name."""
    system = pl.col("name").cast(pl.Utf8, strict=False)
    by_name = system.is_in(_measure_names(measures)).fill_null(False)
    if "kind" not in daily.columns:
        return by_name
    kind = pl.col("kind").cast(pl.Utf8, strict=False)
    return kind.is_in(_measure_kinds(measures)).fill_null(False) | (kind.is_null() & by_name)


def _drop_measure_rows(
    daily: pl.DataFrame | None, summary: Mapping[str, Any]
) -> pl.DataFrame | None:
    """Daily rows of scoring systems only (measure rows share the frame)."""
    if daily is None or not isinstance(daily, pl.DataFrame) or "name" not in daily.columns:
        return daily
    measures = _mapping(summary.get("measures"))
    measure_names = _measure_names(measures)
    if not measure_names and "kind" not in daily.columns:
        return daily
    keep = ~_is_measure_row(daily, measures)
    system_names = _sorted_keys(_mapping(summary.get("systems")))
    if measure_names and system_names:
        keep = keep & pl.col("name").cast(pl.Utf8, strict=False).is_in(system_names)
    return daily.filter(keep)


def _prepare_measure_daily(
    daily: pl.DataFrame | None, measures: Mapping[str, Any]
) -> dict[str, dict[str, list[Any]]]:
    """Per measure: day and the measure columns it has (not all null)."""
    if not _measure_names(measures):
        return {}
    return _daily_series(daily, _MEASURE_DAILY_COLUMNS, measures)


# Daily measure lines: (column, label, line style, axis, kinds that always show it).
_MEASURE_TRACES: tuple[tuple[str, str, dict[str, Any], str, tuple[str, ...]], ...] = (
    ("searches", "searched", {"color": "#607d8b", "width": 1.5}, "y", ("checkpoint",)),
    ("flagged", "flagged", {"color": "#3f51b5", "width": 2}, "y", ("checkpoint", "device_scan")),
    (
        "flagged_wrongly",
        "flagged wrongly",
        {"color": "#c62828", "width": 2, "dash": "dash"},
        "y",
        ("checkpoint", "device_scan"),
    ),
    ("restricted", "restricted", {"color": "#ff9800", "width": 2}, "y", _MEASURE_KINDS),
    (
        "collateral",
        "collateral (uninvolved restricted)",
        {"color": "#8e24aa", "width": 2, "dash": "dot"},
        "y",
        _MEASURE_KINDS,
    ),
    (
        "review_backlog",
        "review backlog (right axis)",
        {"color": "#8a92a3", "width": 1.5, "dash": "dot"},
        "y2",
        (),
    ),
)


_MEASURE_CAPTIONS = {
    "searches": "phones searched",
    "flagged": "persons newly flagged",
    "flagged_wrongly": "innocents among them (flagged wrongly)",
    "restricted": "persons under the measure's restriction",
    "collateral": "uninvolved people among them (collateral)",
    "review_backlog": "flagged persons waiting for human review (right axis)",
}


def _measure_figure(
    index: int, measure: Mapping[str, Any], data: Mapping[str, list[Any]] | None
) -> tuple[str, bool]:
    if not data or len(data.get("day", [])) == 0:
        return _note("No daily data for this measure."), False
    kind = str(measure.get("kind", ""))
    days = _days().axis(data["day"])
    traces = []
    for column, label, line, axis, kinds in _MEASURE_TRACES:
        if column not in data:
            continue
        shown = kind in kinds or any(data[column])
        if column == "review_backlog":
            shown = "review_backlog_max" in measure or any(data[column])
        if kind not in _MEASURE_KINDS and column in ("flagged", "flagged_wrongly"):
            shown = True
        if shown:
            traces.append((column, label, line, axis))
    if not traces:
        return _note("No daily data for this measure."), False
    if not any(v for column, *_rest in traces for v in data[column]):
        return _note(
            "Nobody was searched, flagged or restricted by this measure on any day."
        ), False
    fig = go.Figure()
    for column, label, line, axis in traces:
        fig.add_trace(
            go.Scatter(x=days, y=data[column], mode="lines", name=label, line=line, yaxis=axis)
        )
    captions = [_MEASURE_CAPTIONS[column] for column, *_rest in traces]
    caption = '<p class="lead after-table">Each day: ' + "; ".join(captions) + ".</p>"

    def counts_axis(which: str, title: str) -> dict[str, Any]:
        values = [v for c, _l, _s, a in traces if a == which for v in data[c] if v is not None]
        out: dict[str, Any] = {"title": {"text": title}, "rangemode": "tozero"}
        if max(values, default=0) < 5:
            out.update({"tickmode": "linear", "tick0": 0, "dtick": 1})
        else:
            out.update({"tickmode": "auto"})
        return out

    extra: dict[str, Any] = {
        "xaxis": {"title": {"text": _days().title}},
        "yaxis": counts_axis("y", "persons (simulated)"),
        "hovermode": "x unified",
        "margin": {"l": 60, "r": 75, "t": 30, "b": 45},
    }
    if any(a == "y2" for *_rest, a in traces):
        extra["yaxis2"] = {
            **counts_axis("y2", "awaiting review"),
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
        }
    fig.update_layout(**_base_layout(300, **extra))
    return caption + "\n" + _figure_html(fig, f"scorelab-measure-{index}-daily"), True


def _keyval_row(label: str, text: str, cls: str = "") -> str:
    """A key-number row with a value that has no national estimate (a rate, a ratio)."""
    attr = f' class="{cls}"' if cls else ""
    num_cls = "num wrong" if "wrong" in cls.split() else "num"
    return (
        f'<tr{attr}><td>{label}</td><td class="{num_cls}">{text}</td><td class="num est"></td></tr>'
    )


def _measure_numbers(measure: Mapping[str, Any], scale: float | None) -> str:
    cards: list[tuple[str, list[str]]] = []
    rows: list[str] = []
    kind = measure.get("kind")

    def add(label: str, key: str, cls: str = "") -> None:
        if key in measure:
            rows.append(_keynum_row(label, measure.get(key), scale, cls))

    def card(title: str) -> None:
        nonlocal rows
        if rows:
            cards.append((title, rows))
        rows = []

    add("Flagged (all)", "flagged")
    add("rightly (participants)", "flagged_rightly", "sub")
    wrongly = _innocents_flagged(measure)
    if wrongly is not None:
        rows.append(_keynum_row("wrongly (innocents)", wrongly, scale, "sub wrong"))
    by_role = _mapping(measure.get("flagged_wrongly"))
    for key, label, _color in _INNOCENT_ROLES:
        if key in by_role:
            rows.append(
                _keynum_row(f"&nbsp;&nbsp;{label}", _lookup(by_role, key), scale, "sub wrong")
            )
    add("Participants (all, in truth)", "participants")
    rows.append(_keyval_row("Precision", _rate(_measure_ratio(measure, "precision"))))
    rows.append(_keyval_row("Recall", _rate(_measure_ratio(measure, "recall"))))
    rows.append(
        _keyval_row(
            "Innocents per participant caught",
            _per_caught(_measure_ratio(measure, "innocent_per_participant_caught")),
            "wrong",
        )
    )
    card("Flagged")

    if kind == "checkpoint" or "searches" in measure:
        add("Phones searched", "searches")
        add("Searches that found something (hits)", "search_hits")
        card("Searches")

    if kind == "device_scan" or "installed" in measure:
        add("Phones with the scanner installed", "installed")
        add("Images matched", "matches")
        add("Confirmed by reviewers", "confirmed")
        add("confirmed wrongly", "confirmed_wrongly", "sub wrong")
        add("Largest review backlog (flagged, one day)", "review_backlog_max")
        card("Scanning")

    total = _num(measure.get("restriction_person_days"))
    innocent = _num(measure.get("restriction_person_days_innocent"))
    collateral = _num(measure.get("collateral_person_days"))
    if total is not None:
        rows.append(_keynum_row("All persons", total, scale))
        if innocent is not None:
            rows.append(_keynum_row("participants", max(total - innocent, 0.0), scale, "sub"))
    if innocent is not None:
        rows.append(_keynum_row("innocents", innocent, scale, "sub wrong"))
        if collateral is not None:
            rows.append(
                _keynum_row(
                    "&nbsp;&nbsp;bystanders and recipients",
                    max(innocent - collateral, 0.0),
                    scale,
                    "sub wrong",
                )
            )
    if collateral is not None:
        label = "&nbsp;&nbsp;uninvolved (collateral)" if innocent is not None else "collateral"
        rows.append(_keynum_row(label, collateral, scale, "sub wrong"))
    card("Restricted (person-days)")

    cost = _mapping(measure.get("cost"))
    for key, label, fmt in _COSTS:
        value = _num(cost.get(key))
        if value:
            rows.append(
                f'<tr><td>{label}</td><td class="num">{_cost_text(value, fmt)}</td>'
                f'<td class="num est">{_cost_text(value, fmt, scale, True)}</td></tr>'
            )
    if cost and not rows:
        rows.append(
            f'<tr><td>none counted</td><td class="num">{DASH}</td>'
            f'<td class="num est">{DASH}</td></tr>'
        )
    card("Cost")

    if not cards:
        return _note("No counts for this measure in this summary.")
    out = ['<div class="sys-cards">']
    for title, card_rows in cards:
        out.append(
            '<div class="table-wrap"><table class="keynums"><thead><tr>'
            f'<th>{title}</th><th class="num">simulated</th><th class="num">national est.</th>'
            "</tr></thead><tbody>" + "".join(card_rows) + "</tbody></table></div>"
        )
    out.append("</div>")
    return "\n".join(out)


def _measure_sections(
    measures: Mapping[str, Any],
    per_measure: Mapping[str, Mapping[str, list[Any]]],
    scale: float | None,
) -> tuple[list[str], bool]:
    """One section per measure, in summary order, with fixed ids ``measure-1``..."""
    out = []
    any_figure = False
    for index, name in enumerate(_measure_names(measures), start=1):
        measure = _mapping(_lookup(measures, name))
        kind = measure.get("kind")
        parts = [
            f'<section class="measure" id="measure-{index}">',
            f"<h2>Measure: {_esc(name)}</h2>",
        ]
        if kind not in (None, ""):
            label = _MEASURE_KIND_LABEL.get(str(kind), _esc(kind))
            parts.append(f'<p class="system-head"><span class="tag">kind: {label}</span></p>')
        parts.append(_measure_numbers(measure, scale))
        figure, drawn = _measure_figure(index, measure, per_measure.get(name))
        any_figure = any_figure or drawn
        parts.append(figure)
        parts.append("</section>")
        out.append("\n".join(parts))
    return out, any_figure


_HOWTO_MEASURES = (
    (
        "<p><strong>Protests and control measures.</strong> Protests are events in the "
        "truth: they happen at the scenario's national rate (so the number of protests is not "
        "scaled) and draw synthetic persons in. Each person has one truth role, the most "
        "involved so far:</p>"
    ),
    "<dl>",
    "<dt>participant</dt><dd>took part in a protest.</dd>",
    "<dt>bystander</dt><dd>was at a protest without taking part.</dd>",
    (
        "<dt>recipient</dt><dd>got protest photos forwarded to their phone, without being "
        "there.</dd>"
    ),
    "<dt>uninvolved</dt><dd>none of these.</dd>",
    "</dl>",
    (
        "<p>A <strong>control measure</strong> (phone checkpoints, on-phone scanning, city "
        "shutdowns) flags or restricts persons. Only participants are <strong>flagged "
        "rightly</strong>; bystanders, recipients and uninvolved people flagged are "
        "<strong>innocents flagged</strong>. <strong>Precision</strong> is the share of the "
        "flagged who were participants; <strong>recall</strong> is the share of all participants "
        "that the measure flagged; both are &ldquo;&mdash;&rdquo; when undefined (nobody "
        "flagged). <strong>Innocents per participant caught</strong> is innocents flagged "
        "divided by participants flagged: how many innocents the measure wrongs for each "
        "participant it catches. A device scan flags a person when the matches on their "
        "phone reach its threshold; where the scenario has human review, reviewers then "
        "confirm or reject the flag.</p>"
    ),
    (
        "<p><strong>Restriction person-days</strong> of a measure count persons under its "
        "restriction, one person for one day; <strong>innocent</strong> ones are those of "
        "non-participants, and <strong>collateral person-days</strong> those of uninvolved "
        "people, for example everyone in a city cut off by a shutdown (a shutdown flags no one: "
        "its harm is all person-days, nearly all of them collateral).</p>"
    ),
    (
        "<p><strong>Costs</strong> (officer-hours, reviewer-hours, images scanned, device "
        "compute, energy, data uploaded, detention days, money) are counted in synthetic units, "
        "for the synthetic population; like every count, a national estimate is the cost "
        "multiplied by the scale. &ldquo;&mdash;&rdquo; means none or not applicable.</p>"
    ),
    (
        "<p>Detection is <strong>parametric</strong>: scorelab contains no classifier and looks "
        "at no image. Match rates, false-match rates, review accuracy and what a search finds "
        "are parameters of the scenario, so these numbers show the consequences of the assumed "
        "rates, not the performance of any real system.</p>"
    ),
)


def _howto_section(
    scale: float | None, warmup_days: float | None, measures_text: bool = False
) -> str:
    scale_text = (
        f"Here 1 synthetic person stands for {_format_scale(scale)} real people."
        if scale is not None
        else "This run gives no scale, so no national estimates are shown."
    )
    if warmup_days is not None and warmup_days > 0:
        warmup_text = (
            f"This run first simulated <strong>{format_count(warmup_days)}</strong> warm-up "
            "days, so that lists, records and scores start settled rather than empty; the "
            "warm-up days are not reported, and every count in this report covers the "
            "reported days only."
        )
    else:
        warmup_text = (
            "A run can first simulate <strong>warm-up days</strong>, so that lists, records "
            "and scores start settled; warm-up days are never reported, and every count "
            "covers the reported days only."
        )
    return "\n".join(
        [
            '<section class="howto" id="how-to-read">',
            "<h2>How to read this report</h2>",
            (
                "<p>The simulation keeps two accounts of every person: the <strong>truth</strong> "
                "(what the person actually did) and the <strong>records</strong> (what the scoring "
                "systems saw, filed and scored). Records can miss events, contain errors, or "
                "outlive the conduct they describe.</p>"
            ),
            (
                "<p><strong>Sanctioned wrongly</strong> means sanctioned on the record while "
                "the person's true conduct would not carry that sanction. "
                "<strong>Share wrongly</strong> is sanctioned wrongly as a percentage of "
                "everyone sanctioned by that system. Each person wrongly sanctioned is counted "
                "under the first cause that wronged them:</p>"
            ),
            "<dl>",
            (
                "<dt>false record (&ldquo;false&rdquo;)</dt>"
                "<dd>a record of something that never happened.</dd>"
            ),
            (
                "<dt>namesake's record (identity, &ldquo;namesake&rdquo;)</dt>"
                "<dd>another person's record, filed under this person through a mix-up of "
                "names or identities.</dd>"
            ),
            (
                "<dt>stale record (&ldquo;stale&rdquo;)</dt>"
                "<dd>a true record of something the person has since put right (a debt "
                "repaid, a judgment obeyed), but the system learned of the remedy late or "
                "never.</dd>"
            ),
            (
                "<dt>incomplete record (&ldquo;incomplete&rdquo;)</dt>"
                "<dd>good deeds the system missed, so the record is worse than the "
                "conduct.</dd>"
            ),
            "</dl>",
            (
                "<p>A <strong>wrongful person-day</strong> is one person under a wrongful "
                "sanction for one day; the wrongful person-days measure how long the wrongs "
                "lasted, not just how many persons they reached. Like restriction person-days "
                "they are counted per system, so a person wronged by two systems on one day "
                "counts twice. Persons <em>sanctioned by any system</em> and the rates of the "
                "disparate-impact section count each person once.</p>"
            ),
            (
                "<p><strong>Joint punishment</strong>: one system's list (say, a court's list of "
                "judgment defaulters) can trigger sanctions imposed by another system on the "
                "persons on it. Those sanctions appear under the system that imposes them, as "
                "&ldquo;joint punishment&rdquo; in its section and as &ldquo;<em>system</em> "
                "(joint: <em>list</em>)&rdquo; in the restrictions table; a wrong on the list "
                "is repeated by every system that punishes jointly.</p>"
            ),
            f"<p>{warmup_text}</p>",
            *(_HOWTO_MEASURES if measures_text else ()),
            (
                "<p>A <strong>national estimate</strong> is the simulated count multiplied by the "
                f"scale, rounded for reading. {scale_text} Estimates inherit every simplification "
                "of the scenario; treat them as orders of magnitude, not measurements.</p>"
            ),
            (
                "<p>All persons in this report are <strong>synthetic</strong>: no real person's "
                "data was used.</p>"
            ),
            "</section>",
        ]
    )


def _nav(
    systems: Mapping[str, Any],
    present: list[tuple[str, str]],
    measures: Mapping[str, Any] | None = None,
) -> str:
    links = [f'<a href="#{anchor}">{label}</a>' for anchor, label in present]
    system_links = [
        f'<a href="#system-{i}">{_esc(name)}</a>'
        for i, name in enumerate(_given_keys(systems), start=1)
    ]
    measure_links = [
        f'<a href="#measure-{i}">{_esc(name)}</a>'
        for i, name in enumerate(_measure_names(measures or {}), start=1)
    ]
    text = " &middot; ".join(links)
    if system_links:
        text += " &middot; Systems: " + ", ".join(system_links)
    if measure_links:
        text += " &middot; Measures: " + ", ".join(measure_links)
    return f'<nav class="toc">On this page: {text}</nav>'


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _DayAxis:
    """The time axis of the charts: day numbers, or dates when the run has a start date."""

    dates: dict[int, str] | None = None

    @property
    def title(self) -> str:
        return "date" if self.dates else "day"

    def axis(self, days: list[Any]) -> list[Any]:
        if not self.dates:
            return list(days)
        return [self.dates.get(int(d), d) if d is not None else d for d in days]

    @classmethod
    def of(cls, daily: pl.DataFrame | None) -> _DayAxis:
        if not isinstance(daily, pl.DataFrame) or not {"day", "date"} <= set(daily.columns):
            return cls()
        pairs = daily.select(["day", "date"]).unique(subset="day").sort("day")
        return cls({int(d): str(t) for d, t in pairs.iter_rows() if d is not None})


_DAYS: ContextVar[_DayAxis | None] = ContextVar("scorelab_report_days", default=None)


def _days() -> _DayAxis:
    """The time axis of the report being rendered."""
    return _DAYS.get() or _DayAxis()


def _warnings(summary: Mapping[str, Any]) -> str:
    """Figures resting on too few synthetic persons, named before any figure is shown."""
    warnings = summary.get("warnings")
    if not isinstance(warnings, list) or not warnings:
        return ""
    items = "".join(f"<li>{_esc(str(w))}</li>" for w in warnings)
    return ('<section class="warnings" id="warnings"><h2>Read with care</h2>'
            f"<p>These figures rest on too few synthetic persons:</p><ul>{items}</ul></section>")


def render_report(summary_in: Summary | Mapping[str, Any], daily: pl.DataFrame) -> str:
    """Render one self-contained, byte-deterministic HTML page for a run (from its typed
    summary, or the same in JSON form)."""
    if isinstance(summary_in, Summary):
        summary_in = summary_in.as_dict()
    token = _DAYS.set(_DayAxis.of(daily))
    try:
        return _render(summary_in, daily)
    finally:
        _DAYS.reset(token)


def _render(summary_in: Mapping[str, Any], daily: pl.DataFrame) -> str:
    summary = _mapping(summary_in)
    scale_value = _num(summary.get("scale"))
    scale = scale_value if scale_value is not None and scale_value > 0 else None

    systems = _mapping(summary.get("systems"))
    names = _sorted_keys(systems)
    events = _mapping(summary.get("events"))
    measures = _mapping(summary.get("measures"))
    has_protests = isinstance(summary.get("protests"), Mapping)
    # measure rows share the daily frame: the per-system plots see scoring systems only
    system_daily = _drop_measure_rows(daily, summary)

    frame = _prepare_daily(system_daily)
    daily_names = sorted(frame["name"].unique().to_list()) if frame is not None else []
    all_names = sorted(set(names) | set(daily_names))
    colors = {name: _color(i) for i, name in enumerate(all_names)}

    daily_html, daily_fig = _daily_section(frame, colors)
    grades_html, grades_fig = _grades_section(systems, names)
    events_html, events_fig = _events_section(events, scale)
    disparity_html, disparity_fig = _disparity_section(summary, scale)
    overlap_html, overlap_fig = _overlap_section(summary, scale)
    system_html, system_fig = _system_sections(
        systems, _prepare_system_daily(system_daily), colors, scale
    )
    measures_html, measures_fig = _measures_section(summary, scale)
    measure_html, measure_fig = _measure_sections(
        measures, _prepare_measure_daily(daily, measures), scale
    )
    any_figure = (
        daily_fig
        or grades_fig
        or events_fig
        or disparity_fig
        or overlap_fig
        or system_fig
        or measures_fig
        or measure_fig
    )
    control = [("control-measures", "Control measures" if measures else "Protests")]
    nav = _nav(
        systems,
        [
            ("who-was-wronged", "Wronged"),
            *(control if measures_html else []),
            ("over-time", "Over time"),
            ("disparity", "Disparate impact"),
            ("overlap", "Overlap"),
            ("grades", "Grades"),
            ("events", "Events"),
            ("restrictions", "Restrictions"),
            ("how-to-read", "How to read"),
        ],
        measures,
    )

    scenario = summary.get("scenario")
    page_title = "scorelab report"
    if scenario not in (None, ""):
        page_title += f" \u2014 {_esc(scenario)}"

    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{page_title}</title>",
        f"<style>{_CSS + _CSS_MEASURES if measures_html else _CSS}</style>",
    ]
    if any_figure:
        head.append("<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>")
        head.append(f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>')
    head.append("</head>")

    footer_bits = ["Generated by scorelab. All persons are synthetic."]
    sha = summary.get("scenario_sha256")
    if sha not in (None, ""):
        footer_bits.append(f"Scenario sha256: <code>{_esc(sha)}</code>")

    body = [
        "<body>",
        "<main>",
        _header(summary, scale),
        nav,
        _warnings(summary),
        _headline(summary, systems, names, scale),
        *([measures_html] if measures_html else []),
        daily_html,
        disparity_html,
        overlap_html,
        *system_html,
        *measure_html,
        grades_html,
        events_html,
        _restrictions_section(summary, systems, names, scale),
        _howto_section(scale, _num(summary.get("warmup_days")), bool(measures) or has_protests),
        "<footer>" + "<br>".join(footer_bits) + "</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body) + "\n"
