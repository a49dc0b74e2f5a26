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
from typing import Any

import plotly.graph_objects as go
import plotly.offline
import polars as pl

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
table.headline th, table.headline td { padding: 5px 7px; }
table.headline td.system { min-width: 130px; }
tbody tr:hover { background: #fafbfc; }
.note { color: #5b6475; font-style: italic; margin: 8px 0; }
.howto p { margin: 0 0 10px; }
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
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config=_PLOT_CONFIG,
    )


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
    meta.append(f"<strong>{format_count(summary.get('days'))}</strong> days")
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


def _headline(systems: Mapping[str, Any], names: list[str], scale: float | None) -> str:
    out = ['<section class="wronged" id="who-was-wronged">', "<h2>Who was wronged</h2>"]
    if not names:
        out.append(_note("This run has no scoring systems, so nobody was scored or sanctioned."))
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

    head1 = ['<th rowspan="2">System</th>']
    head2 = []
    for key, label in _HEADLINE_METRICS:
        head1.append(f'<th colspan="2" class="group">{label}</th>')
        head2.append('<th class="num">simulated</th><th class="num">national est.</th>')
        if key == "sanctioned_wrongly":
            head1.append('<th rowspan="2" class="num">Share wrongly<br>(% of sanctioned)</th>')
    out.append('<div class="table-wrap"><table class="headline">')
    out.append("<thead>")
    out.append("<tr>" + "".join(head1) + "</tr>")
    out.append('<tr class="sub">' + "".join(head2) + "</tr>")
    out.append("</thead><tbody>")
    for name in names:
        system = _mapping(_lookup(systems, name))
        cells = [_system_label_cell(name, system)]
        for key, _label in _HEADLINE_METRICS:
            value = system.get(key)
            cls = "num wrong" if key == "sanctioned_wrongly" else "num"
            cells.append(f'<td class="{cls}">{format_count(value)}</td>')
            cells.append(f'<td class="num est">{_estimate(value, scale)}</td>')
            if key == "sanctioned_wrongly":
                share = _share(system.get("sanctioned_wrongly"), system.get("sanctioned"))
                cells.append(f'<td class="num wrong">{share}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    out.append("</section>")
    return "\n".join(out)


def _prepare_daily(daily: pl.DataFrame | None) -> pl.DataFrame | None:
    """Normalise the daily frame; None when it cannot be plotted."""
    if daily is None or not isinstance(daily, pl.DataFrame) or daily.height == 0:
        return None
    needed = {"day", "system", "sanctioned", "sanctioned_wrongly"}
    if not needed.issubset(daily.columns):
        return None
    frame = daily.select(
        pl.col("day").cast(pl.Int64, strict=False),
        pl.col("system").cast(pl.Utf8, strict=False),
        pl.col("sanctioned").cast(pl.Int64, strict=False).fill_null(0),
        pl.col("sanctioned_wrongly").cast(pl.Int64, strict=False).fill_null(0),
    ).drop_nulls(["day", "system"])
    if frame.height == 0:
        return None
    return (
        frame.group_by(["system", "day"])
        .agg(pl.col("sanctioned").sum(), pl.col("sanctioned_wrongly").sum())
        .sort(["system", "day"])
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
    for name in sorted(frame["system"].unique().to_list()):
        part = frame.filter(pl.col("system") == name)
        days = part["day"].to_list()
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
            xaxis={"title": {"text": "day"}},
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


def _restrictions_section(systems: Mapping[str, Any], names: list[str], scale: float | None) -> str:
    out = ['<section id="restrictions">', "<h2>Restriction person-days by sanction</h2>"]
    rows = []
    for name in names:
        system = _mapping(_lookup(systems, name))
        by_sanction = _mapping(system.get("restriction_person_days_by_sanction"))
        for sanction in _sorted_keys(by_sanction):
            rows.append((name, sanction, _lookup(by_sanction, sanction)))
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


def _howto_section(scale: float | None) -> str:
    scale_text = (
        f"Here 1 synthetic person stands for {_format_scale(scale)} real people."
        if scale is not None
        else "This run gives no scale, so no national estimates are shown."
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
                "everyone sanctioned by that system.</p>"
            ),
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


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------


def render_report(summary_in: dict[str, Any], daily: pl.DataFrame) -> str:
    """Render one self-contained, byte-deterministic HTML page for a run."""
    summary = _mapping(summary_in)
    scale_value = _num(summary.get("scale"))
    scale = scale_value if scale_value is not None and scale_value > 0 else None

    systems = _mapping(summary.get("systems"))
    names = _sorted_keys(systems)
    events = _mapping(summary.get("events"))

    frame = _prepare_daily(daily)
    daily_names = sorted(frame["system"].unique().to_list()) if frame is not None else []
    all_names = sorted(set(names) | set(daily_names))
    colors = {name: _color(i) for i, name in enumerate(all_names)}

    daily_html, daily_fig = _daily_section(frame, colors)
    grades_html, grades_fig = _grades_section(systems, names)
    events_html, events_fig = _events_section(events, scale)
    any_figure = daily_fig or grades_fig or events_fig

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
        f"<style>{_CSS}</style>",
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
        _headline(systems, names, scale),
        daily_html,
        grades_html,
        events_html,
        _restrictions_section(systems, names, scale),
        _howto_section(scale),
        "<footer>" + "<br>".join(footer_bits) + "</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body) + "\n"
