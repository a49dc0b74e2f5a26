"""The control measures in the report's view model: whom each flagged by what they really did,
what it cost, and, for a measure that never acted, that it never did (a shutdown that never
fired cut nobody off)."""

from __future__ import annotations

from typing import Any

from ..ledger.summary import MeasureSummary, Summary
from .daily import DailySeries
from .figures import Figure, Line, bar_trace, figure, line_chart
from .numbers import (
    format_cost,
    format_count,
    format_per,
    format_rate,
    too_few,
)
from .tables import Cell, Column, Row, Table
from .view import Numbers, Section, keynums, keyrow, pair_columns, valuerow

# Truth roles around protests, most involved first: (key, plural label, colour).
ROLES = (("participant", "participants", "#3f51b5"), ("bystander", "bystanders", "#ff9800"),
         ("recipient", "recipients", "#ab47bc"), ("uninvolved", "uninvolved", "#c62828"))
INNOCENT_ROLES = ROLES[1:]
KIND_LABEL = {"checkpoint": "checkpoint (phone searches)",
              "device_scan": "device scan (on-phone scanning)",
              "shutdown": "shutdown (city cut off)"}
# Costs: (key, label, format).
COSTS = (("officer_hours", "Officer-hours", "count"),
         ("reviewer_hours", "Reviewer-hours", "count"),
         ("images_scanned", "Images scanned", "count"),
         ("device_flops", "Device compute (FLOPs)", "sci"),
         ("energy_kwh", "Energy (kWh)", "count"),
         ("upload_bytes", "Data uploaded", "bytes"),
         ("detention_days", "Detention days", "count"),
         ("economic_usd", "Economic cost (US$)", "usd"))
# Daily lines: (column, label, colour, dash, axis).
TRACES = (("searches", "searched", "#607d8b", "solid", "y"),
          ("flagged", "flagged", "#3f51b5", "solid", "y"),
          ("flagged_wrongly", "flagged wrongly", "#c62828", "dash", "y"),
          ("restricted", "restricted", "#ff9800", "solid", "y"),
          ("collateral", "collateral (uninvolved restricted)", "#8e24aa", "dot", "y"),
          ("review_backlog", "review backlog (right axis)", "#8a92a3", "dot", "y2"))


def fired(m: MeasureSummary) -> bool:
    """The measure searched, flagged or restricted someone at least once."""
    return bool(m.flagged or m.restriction_person_days or m.searches or m.matches)


def never_fired_text(m: MeasureSummary) -> str:
    if m.kind == "shutdown":
        return "never fired: no city was cut off, so nobody was restricted"
    return "never fired: nobody was searched, flagged or restricted"


def measures_line(summary: Summary, numbers: Numbers) -> str | None:
    """The sentence in "Who was wronged" about the control measures."""
    measures = summary.measures or {}
    if not measures:
        return None
    wrong = sum(m.flagged_wrongly_total for m in measures.values())
    innocent_days = sum(m.restriction_person_days_innocent for m in measures.values())
    collateral = sum(m.collateral_person_days for m in measures.values())
    word = "measure" if len(measures) == 1 else "measures"
    return (f"Control {word} against protesters flagged {numbers.text(wrong)} who were "
            "innocent: bystanders, recipients of forwarded photos and uninvolved people. "
            f"Innocents spent {format_count(innocent_days)} person-days restricted or "
            f"detained, {format_count(collateral)} of them uninvolved people (collateral). "
            f"Summed over {word}; a person flagged by several measures is counted once per "
            "measure.")


def ratio_cell(value: float | None, base: int | None, noun: str, text: str,
               wrong: bool = False) -> Cell:
    """A precision, a recall or a per-caught ratio, or the mark that its base is too small."""
    cls = "num wrong" if wrong else "num"
    mark = too_few(base, noun) if base else None
    if mark:
        return Cell(mark, None, cls + " few")
    return Cell(text, value, cls)


def _ratios(m: MeasureSummary) -> list[tuple[str, Cell, str]]:
    return [
        ("Innocents per participant caught",
         ratio_cell(m.innocent_per_participant_caught, m.flagged_rightly, "participants caught",
                    format_per(m.innocent_per_participant_caught), True),
         "innocents flagged \u00f7 participants flagged"),
        ("Precision", ratio_cell(m.precision, m.flagged, "flagged", format_rate(m.precision)),
         "share of the flagged who took part"),
        ("Recall", ratio_cell(m.recall, m.participants, "participants", format_rate(m.recall)),
         "share of participants flagged"),
    ]


def measure_table(summary: Summary, numbers: Numbers) -> Table:
    """All measures side by side, innocents harmed first."""
    measures = summary.measures or {}
    names = list(measures)
    columns = (Column("Per measure"),
               *[c for n in names for c in pair_columns(f"{n} ({measures[n].kind})")])
    blank = Cell("", cls="num est")
    rows: list[Row] = []

    def counts(label: str, field: str, values: list[int | None], cls: str = "",
               wrong: bool = False, detail: str = "") -> None:
        cells = [Cell(label, cls="label", detail=detail)]
        for name, value in zip(names, values):
            key = f"measures.{name}.{field}" if field else ""
            cells += numbers.pair(value, key, wrong)
        rows.append(Row(tuple(cells), cls))

    data = [measures[n] for n in names]
    rows.append(Row((Cell("Flagged", cls="part"), *[blank] * (2 * len(names))), "part"))
    counts("Innocents flagged", "flagged_wrongly_total", [m.flagged_wrongly_total for m in data],
           wrong=True, detail="bystanders, recipients and uninvolved")
    for key, label, _c in INNOCENT_ROLES:
        counts(label, "", [m.flagged_wrongly.get(key, 0) for m in data], "sub", True)
    for index, (label, _cell, detail) in enumerate(_ratios(data[0]) if data else []):
        cells = [Cell(label, cls="label", detail=detail)]
        for m in data:
            cells += [_ratios(m)[index][1], blank]
        rows.append(Row(tuple(cells)))
    counts("Flagged rightly", "flagged_rightly", [m.flagged_rightly for m in data],
           detail="participants flagged")
    rows.append(Row((Cell("Restricted (person-days)", cls="part"),
                     *[blank] * (2 * len(names))), "part"))
    counts("Collateral person-days", "collateral_person_days",
           [m.collateral_person_days for m in data], wrong=True,
           detail="uninvolved people restricted or detained")
    counts("Innocent restriction person-days", "restriction_person_days_innocent",
           [m.restriction_person_days_innocent for m in data], wrong=True,
           detail="bystanders, recipients and uninvolved restricted or detained")
    rows.append(Row((Cell("Cost (\u2014: none or not applicable)", cls="part"),
                     *[blank] * (2 * len(names))), "part"))
    for key, label, fmt in COSTS:
        cells = [Cell(label, cls="label")]
        for m in data:
            value = getattr(m.cost, key)
            cells += [Cell(format_cost(value, fmt), value, "num"),
                      Cell(format_cost(value, fmt, summary.scale), value * summary.scale,
                           "num est")]
        rows.append(Row(tuple(cells)))
    return Table("measures-table", columns, tuple(rows))


def roles_figure(summary: Summary) -> Figure:
    """Stacked bars: flagged persons by truth role, one bar per measure, first on top."""
    measures = summary.measures or {}
    names = list(measures)
    n = len(names)
    ys = [n - 1 - i for i in range(n)]
    counts = [[m.flagged_rightly, *[m.flagged_wrongly.get(k, 0) for k, _l, _c in INNOCENT_ROLES]]
              for m in measures.values()]
    data = []
    for r, (_key, label, hue) in enumerate(ROLES):
        values = [row[r] for row in counts]
        data.append(bar_trace(values, ys, label, hue, orientation="h", width=0.42,
                              text=[format_count(v) if v else "" for v in values],
                              textposition="inside", insidetextanchor="middle",
                              hovertext=[f"{name}: {format_count(v)} {label}"
                                         for name, v in zip(names, values)],
                              hoverinfo="text"))
    annotations: list[dict[str, Any]] = []
    for i, (name, m) in enumerate(measures.items()):
        total = sum(counts[i])
        if total:
            text = f"flagged {format_count(total)}: " + " \u00b7 ".join(
                f"{label} {format_count(v)}" for (_k, label, _c), v in zip(ROLES, counts[i]))
        elif not fired(m):
            text = never_fired_text(m)
        elif m.kind == "shutdown":
            text = (f"nobody flagged: the shutdown restricted everyone in the city instead "
                    f"({format_count(m.restriction_person_days)} person-days)")
        else:
            text = "nobody flagged"
        annotations.append({"x": 0, "y": ys[i] + 0.23, "xref": "x", "yref": "y",
                            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                            "align": "left", "text": text,
                            "font": {"size": 12, "color": "#3a4254"}})
    peak = max((sum(row) for row in counts), default=0)
    return figure("scorelab-measures-flagged", data, 130 + 78 * n,
                  "Persons flagged by each measure, by what they really did (labels give "
                  "every count, so small groups stay visible).",
                  barmode="stack", annotations=annotations,
                  legend={"traceorder": "normal"},
                  xaxis={"title": {"text": "persons flagged (simulated)"},
                         "range": [0, peak * 1.02 if peak else 1]},
                  yaxis={"tickmode": "array", "tickvals": ys, "ticktext": names,
                         "range": [-0.6, n - 0.25], "showgrid": False})


def protests_paragraph(summary: Summary, numbers: Numbers) -> str:
    p = summary.protests
    assert p is not None
    events = "Protests took place" if p.protests is None else (
        f"{format_count(p.protests)} protest{'' if p.protests == 1 else 's'} took place")
    return (f"{events} in the reported days (drawn at the scenario's national rate, so this "
            f"count is not scaled). Among the synthetic persons, {format_count(p.participants)} "
            f"took part; {format_count(p.bystanders)} were there without taking part; "
            f"{format_count(p.recipients)} got protest photos forwarded; "
            f"{format_count(p.uninvolved)} were uninvolved. Only participants are flagged "
            "rightly by a control measure.")


def control_section(summary: Summary, numbers: Numbers) -> Section | None:
    """Protests and the comparison of control measures; None when the run has neither."""
    measures = summary.measures or {}
    if not measures and summary.protests is None:
        return None
    paragraphs = (protests_paragraph(summary, numbers),) if summary.protests else ()
    if not measures:
        return Section("control-measures", "Protests", paragraphs=paragraphs, cls="wronged",
                       notes=("No control measures in this scenario.",))
    notes = tuple(f"{name} {never_fired_text(m)}." for name, m in measures.items()
                  if not fired(m))
    return Section(
        "control-measures", "Control measures: who was flagged", cls="wronged",
        lead="Measures taken against protest participants: checkpoints that search phones, "
             "scanners on phones, shutdowns that cut a city off. Each flags or restricts "
             "synthetic persons; only participants are flagged rightly, so innocents flagged "
             "(bystanders, recipients of forwarded photos and uninvolved people) leads the "
             "comparison. A precision or recall resting on fewer than 30 persons is marked too "
             "few to estimate.",
        paragraphs=paragraphs, notes=notes,
        tables=(measure_table(summary, numbers),), figures=(roles_figure(summary),))


def measure_cards(name: str, m: MeasureSummary, numbers: Numbers, index: int) -> list[Table]:
    key = f"measures.{name}"
    cards: list[Table] = []

    def card(title: str, rows: list[Row]) -> None:
        if rows:
            cards.append(keynums(f"measure-{index}-{len(cards) + 1}", title, rows))

    rows = [keyrow(numbers, "Flagged (all)", m.flagged, f"{key}.flagged"),
            keyrow(numbers, "rightly (participants)", m.flagged_rightly,
                   f"{key}.flagged_rightly", "sub"),
            keyrow(numbers, "wrongly (innocents)", m.flagged_wrongly_total,
                   f"{key}.flagged_wrongly_total", "sub", True)]
    rows += [keyrow(numbers, label, m.flagged_wrongly[k], cls="sub", wrong=True)
             for k, label, _c in INNOCENT_ROLES if k in m.flagged_wrongly]
    rows.append(keyrow(numbers, "Participants (all, in truth)", m.participants))
    rows += [Row((Cell(label, cls="label", detail=detail), cell, Cell("", cls="num est")))
             for label, cell, detail in _ratios(m)]
    card("Flagged", rows)
    if m.searches is not None:
        card("Searches", [keyrow(numbers, "Phones searched", m.searches),
                          keyrow(numbers, "Searches that found something", m.search_hits)])
    if m.installed is not None:
        scan = [keyrow(numbers, "Phones with the scanner installed", m.installed),
                keyrow(numbers, "Images matched", m.matches)]
        if m.confirmed is not None:
            scan += [keyrow(numbers, "Confirmed by reviewers", m.confirmed),
                     keyrow(numbers, "confirmed wrongly", m.confirmed_wrongly, cls="sub",
                            wrong=True)]
        if m.review_backlog_max is not None:
            scan.append(keyrow(numbers, "Largest review backlog (one day)",
                               m.review_backlog_max))
        card("Scanning", scan)
    innocent, collateral = m.restriction_person_days_innocent, m.collateral_person_days
    card("Restricted (person-days)", [
        keyrow(numbers, "All persons", m.restriction_person_days),
        keyrow(numbers, "participants", max(m.restriction_person_days - innocent, 0), cls="sub"),
        keyrow(numbers, "innocents", innocent, f"{key}.restriction_person_days_innocent",
               "sub", True),
        keyrow(numbers, "bystanders and recipients", max(innocent - collateral, 0), cls="sub",
               wrong=True),
        keyrow(numbers, "uninvolved (collateral)", collateral, f"{key}.collateral_person_days",
               "sub", True)])
    costs = [Row((Cell(label, cls="label"), Cell(format_cost(v, fmt), v, "num"),
                  Cell(format_cost(v, fmt, numbers.scale), v * numbers.scale, "num est")))
             for k, label, fmt in COSTS if (v := getattr(m.cost, k))]
    card("Cost", costs or [valuerow("none counted", "\u2014")])
    return cards


def measure_sections(summary: Summary, numbers: Numbers, series: DailySeries,
                     x_title: str) -> list[Section]:
    out = []
    for index, (name, m) in enumerate((summary.measures or {}).items(), start=1):
        lines = [Line(label, s, hue, dash, axis)
                 for column, label, hue, dash, axis in TRACES
                 if (s := series.series(name, column)) is not None]
        chart = line_chart(f"scorelab-measure-{index}-daily", lines, x_title,
                           "persons (simulated)", "awaiting review",
                           caption="Each day, the lines that are not zero throughout: phones "
                                   "searched, persons newly flagged and the innocents among "
                                   "them, persons restricted and the uninvolved among them, "
                                   "the review backlog.")
        if not fired(m):
            notes: tuple[str, ...] = (f"This measure {never_fired_text(m)}.",)
        elif chart is None:
            notes = ("Nothing to draw by day: every daily count of this measure is zero."
                     if lines else "No daily data for this measure.",)
        else:
            notes = ()
        out.append(Section(f"measure-{index}", f"Measure: {name}", cls="measure",
                           tags=(f"kind: {KIND_LABEL.get(m.kind, m.kind)}",),
                           cards=tuple(measure_cards(name, m, numbers, index)),
                           figures=(chart,) if chart else (), notes=notes))
    return out
