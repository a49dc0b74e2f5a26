"""The control measures in the report's view model: whom each flagged by what they really did,
what it cost, and, for a measure that never acted, that it never did (a shutdown that never
fired cut nobody off)."""

from __future__ import annotations

from typing import Any

from ..ledger.catalogue import COSTS, MEASURE, PROTESTS, RUN, kind_figures
from ..ledger.catalogue import Figure as CatalogueFigure
from ..ledger.summary import MIN_BASE, MeasureSummary, Summary
from .cells import Numbers, keynums, keyrow, pair_columns, share_cell, valuerow
from .daily import DailySeries
from .figures import Figure, Line, bar_trace, figure, line_chart
from .numbers import (
    DASH,
    estimate,
    format_cost,
    format_count,
    format_per,
    format_rate,
)
from .page import Section
from .tables import Cell, Column, Row, Table

# Truth roles around protests, most involved first: (key, plural label, colour).
ROLES = (("participant", "participants", "#3f51b5"), ("bystander", "bystanders", "#ff9800"),
         ("recipient", "recipients", "#ab47bc"), ("uninvolved", "uninvolved", "#c62828"))
INNOCENT_ROLES = ROLES[1:]
# How each cost reads (the catalogue has their paths and labels).
COST_FORMAT = {MEASURE.device_flops: "sci", MEASURE.upload_bytes: "bytes",
               MEASURE.economic_usd: "usd"}
# Daily lines: (column, label, colour, dash, axis).
TRACES = (("searches", "searched", "#607d8b", "solid", "y"),
          ("flagged", "flagged", "#3f51b5", "solid", "y"),
          ("flagged_wrongly", "flagged wrongly", "#c62828", "dash", "y"),
          ("restricted", "restricted", "#ff9800", "solid", "y"),
          ("collateral", "collateral (uninvolved restricted)", "#8e24aa", "dot", "y"),
          ("review_backlog", "review backlog (right axis)", "#8a92a3", "dot", "y2"))


def fired(numbers: Numbers, name: str) -> bool:
    """The measure searched, flagged or restricted someone at least once (over replicates:
    in any of them)."""
    return any(numbers.fired(f, name) for f in (MEASURE.flagged, MEASURE.restriction_person_days,
                                               MEASURE.searches, MEASURE.matches))


def never_fired_text(m: MeasureSummary) -> str:
    """What the report says of a measure that never acted (its kind says it)."""
    return m.NEVER_FIRED


def measures_line(summary: Summary, numbers: Numbers) -> str | None:
    """The sentence in "Who was wronged" about the control measures."""
    measures = summary.measures or {}
    if not measures:
        return None
    word = "measure" if len(measures) == 1 else "measures"
    return (f"Control {word} against protesters flagged "
            f"{numbers.text(RUN.measures_flagged_wrongly)} who were innocent: bystanders, "
            "recipients of forwarded photos and uninvolved people. Innocents spent "
            f"{numbers.plain(RUN.measures_innocent_days)} person-days restricted or "
            f"detained, {numbers.plain(RUN.measures_collateral_days)} of them uninvolved "
            f"people (collateral). Summed over {word}; a person flagged by several measures "
            "is counted once per measure.")


def _ratios(numbers: Numbers, name: str) -> list[tuple[str, Cell, str]]:
    return [
        ("Innocents per participant caught",
         share_cell(numbers, MEASURE.innocent_per_caught, MEASURE.flagged_rightly, (name,),
                    "participants caught", wrong=True, fmt=format_per),
         "innocents flagged \u00f7 participants flagged"),
        ("Precision", share_cell(numbers, MEASURE.precision, MEASURE.flagged, (name,),
                                 "flagged", fmt=format_rate),
         "share of the flagged who took part"),
        ("Recall", share_cell(numbers, MEASURE.recall, MEASURE.participants, (name,),
                              "participants", fmt=format_rate),
         "share of participants flagged"),
    ]


def per_reached_cell(numbers: Numbers, name: str) -> Cell:
    """Innocents' restriction person-days per participant reached: the figure that puts
    measures that flag (checkpoints, scanners) and measures that cut whole areas off
    (shutdowns, jammers) on one scale. Shown however few participants were reached (a
    shutdown reaches few but cuts off millions), with their number when under ``MIN_BASE``."""
    figure = MEASURE.innocent_days_per_participant_reached
    text = numbers.rate(figure, name, fmt=format_per)
    reached = numbers.value(MEASURE.participants_reached, name)
    if reached and reached < MIN_BASE and text != DASH:
        text += f" (from {format_count(reached)} reached)"
    return Cell(text, numbers.value(figure, name), "num wrong", key=figure.at(name))


PER_REACHED = ("Innocent person-days per participant reached",
               ("innocents' restriction person-days \u00f7 participants restricted or detained "
                "at least once: the measures that flag and those that cut areas off on one "
                "scale"))


def _cost_cells(numbers: Numbers, cost: CatalogueFigure, name: str) -> tuple[Cell, Cell]:
    """A cost, simulated and as a national estimate (over replicates: the median)."""
    fmt = COST_FORMAT.get(cost, "count")
    value = numbers.value(cost, name)
    spread = numbers.reading.interval(cost, name)
    sim, est = format_cost(value, fmt), format_cost(value, fmt, numbers.scale)
    if spread is not None and value:
        sim += f" [{format_cost(spread.low, fmt)}\u2013{format_cost(spread.high, fmt)}]"
    return (Cell(sim, value, "num", key=cost.at(name)),
            Cell(est, None if value is None else value * numbers.scale, "num est"))


def _cost_label(cost: CatalogueFigure) -> str:
    label = cost.label[:1].upper() + cost.label[1:]
    return f"{label} ({cost.unit})" if cost.unit in ("FLOPs", "kWh", "US$") else label


def measure_table(summary: Summary, numbers: Numbers) -> Table:
    """All measures side by side, innocents harmed first."""
    measures = summary.measures or {}
    names = list(measures)
    columns = (Column("Per measure"),
               *[c for n in names for c in pair_columns(f"{n} ({measures[n].kind})")])
    blank = Cell("", cls="num est")
    rows: list[Row] = []

    def counts(label: str, figure: CatalogueFigure, *more: str, cls: str = "",
               wrong: bool = False, detail: str = "") -> None:
        cells = [Cell(label, cls="label", detail=detail)]
        for name in names:
            cells += numbers.pair(figure, name, *more, wrong=wrong)
        rows.append(Row(tuple(cells), cls))

    def part(label: str) -> None:
        rows.append(Row((Cell(label, cls="part"), *[blank] * (2 * len(names))), "part"))

    part("Flagged")
    counts("Innocents flagged", MEASURE.flagged_wrongly_total, wrong=True,
           detail="bystanders, recipients and uninvolved")
    for key, label, _c in INNOCENT_ROLES:
        counts(label, MEASURE.flagged_wrongly, key, cls="sub", wrong=True)
    for index, (label, _cell, detail) in enumerate(_ratios(numbers, names[0]) if names else []):
        cells = [Cell(label, cls="label", detail=detail)]
        for name in names:
            cells += [_ratios(numbers, name)[index][1], blank]
        rows.append(Row(tuple(cells)))
    counts("Flagged rightly", MEASURE.flagged_rightly, detail="participants flagged")
    part("Restricted (person-days)")
    counts("Collateral person-days", MEASURE.collateral_person_days, wrong=True,
           detail="uninvolved people restricted or detained")
    counts("Innocent restriction person-days", MEASURE.restriction_person_days_innocent,
           wrong=True, detail="bystanders, recipients and uninvolved restricted or detained")
    counts("Participants reached", MEASURE.participants_reached,
           detail="participants restricted or detained at least once")
    rows.append(Row((Cell(PER_REACHED[0], cls="label", detail=PER_REACHED[1]),
                     *[c for name in names for c in (per_reached_cell(numbers, name), blank)])))
    part("Cost (\u2014: none or not applicable)")
    for cost in COSTS:
        cells = [Cell(_cost_label(cost), cls="label")]
        for name in names:
            cells += _cost_cells(numbers, cost, name)
        rows.append(Row(tuple(cells)))
    return Table("measures-table", columns, tuple(rows))


def roles_figure(summary: Summary, numbers: Numbers) -> Figure:
    """Stacked bars: flagged persons by truth role, one bar per measure, first on top."""
    measures = summary.measures or {}
    names = list(measures)
    n = len(names)
    ys = [n - 1 - i for i in range(n)]
    counts = [[numbers.count(MEASURE.flagged_rightly, name),
               *[numbers.count(MEASURE.flagged_wrongly, name, k) for k, _l, _c in INNOCENT_ROLES]]
              for name in names]
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
        elif not fired(numbers, name):
            text = never_fired_text(m)
        else:
            text = m.nobody_flagged(numbers.plain(MEASURE.restriction_person_days, name))
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
    many = numbers.count(PROTESTS.protests)
    events = "Protests took place" if p.protests is None else (
        f"{numbers.plain(PROTESTS.protests)} protest{'' if many == 1 else 's'} took place")
    return (f"{events} in the reported days (drawn at the scenario's national rate, so this "
            "count is not scaled). Among the synthetic persons, "
            f"{numbers.plain(PROTESTS.participants)} took part; "
            f"{numbers.plain(PROTESTS.bystanders)} were there without taking part; "
            f"{numbers.plain(PROTESTS.recipients)} got protest photos forwarded; "
            f"{numbers.plain(PROTESTS.uninvolved)} were uninvolved. Only participants are "
            "flagged rightly by a control measure.")


def chain_of_harm(summary: Summary, numbers: Numbers) -> Table | None:
    """Each measure's chain, step by step, with the innocents at each step: flagged, waiting
    for review, confirmed, restricted. A reader sees where the wrong persons enter and how
    many go on to be restricted."""
    measures = summary.measures or {}
    if not measures:
        return None
    rows: list[Row] = []
    for name, m in measures.items():
        def step(label: str, everyone: CatalogueFigure | None, innocent: CatalogueFigure | None,
                 detail: str = "", m_name: str = name) -> None:
            cells = [Cell(label, cls="label", detail=detail)]
            for shown in (everyone, innocent):
                cells += (numbers.pair(shown, m_name, wrong=shown is innocent)
                          if shown is not None else (Cell(DASH, None, "num"),
                                                      Cell("", cls="num est")))
            rows.append(Row(tuple(cells), "sub"))

        rows.append(Row((Cell(f"{name}: {m.label()}", cls="part"),
                         *[Cell("", cls="num est")] * 4), "part"))
        if numbers.has(MEASURE.searches, name):
            step("searched", MEASURE.searches, None, "phones searched")
        step("flagged", MEASURE.flagged, MEASURE.flagged_wrongly_total,
             "persons flagged at least once")
        if numbers.has(MEASURE.review_backlog_max, name):
            step("waiting for review", MEASURE.review_backlog_max, None,
                 "the most flagged persons waiting on one day")
        if numbers.has(MEASURE.confirmed, name):
            step("confirmed by reviewers", MEASURE.confirmed, MEASURE.confirmed_wrongly)
        step("restricted (person-days)", MEASURE.restriction_person_days,
             MEASURE.restriction_person_days_innocent,
             "innocents: bystanders, recipients and uninvolved")
        step("participants reached", MEASURE.participants_reached, None,
             "participants restricted or detained at least once")
    columns = (Column("Step"), *pair_columns("everyone"), *pair_columns("innocents"))
    return Table("chain-of-harm", columns, tuple(rows), "The chain of harm")


def chain_sentence(numbers: Numbers, name: str, m: MeasureSummary) -> str:
    """The chain of harm of one measure in a sentence, innocents at each step."""
    if not fired(numbers, name):
        return f"{name} {never_fired_text(m)}."
    steps = []
    if numbers.has(MEASURE.searches, name):
        steps.append(f"searched {numbers.plain(MEASURE.searches, name)} phones")
    steps.append(f"flagged {numbers.plain(MEASURE.flagged, name)} persons, "
                 f"{numbers.plain(MEASURE.flagged_wrongly_total, name)} of them innocent")
    if numbers.has(MEASURE.review_backlog_max, name):
        steps.append(f"up to {numbers.plain(MEASURE.review_backlog_max, name)} flagged "
                     "persons waited for review on one day")
    if numbers.has(MEASURE.confirmed, name):
        steps.append(f"reviewers confirmed {numbers.plain(MEASURE.confirmed, name)}, "
                     f"{numbers.plain(MEASURE.confirmed_wrongly, name)} of them wrongly")
    steps.append("innocents spent "
                 f"{numbers.plain(MEASURE.restriction_person_days_innocent, name)} person-days "
                 "restricted or detained")
    if numbers.value(MEASURE.innocent_days_per_participant_reached, name) is not None:
        per = numbers.rate(MEASURE.innocent_days_per_participant_reached, name, fmt=format_per)
        steps.append(f"{per} innocent person-days per "
                     f"participant reached ({numbers.plain(MEASURE.participants_reached, name)} "
                     "reached)")
    return f"{name}: " + "; ".join(steps) + "."


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
                  if not fired(numbers, name))
    paragraphs = (*(chain_sentence(numbers, name, m) for name, m in measures.items()
                    if fired(numbers, name)), *paragraphs)
    chain = chain_of_harm(summary, numbers)
    return Section(
        "control-measures", "Control measures: who was flagged", cls="wronged",
        lead="Measures taken against protest participants: checkpoints that search phones, "
             "scanners on phones, shutdowns that cut a city off, jammers that cut a protest "
             "site off. Each flags or restricts "
             "synthetic persons; only participants are flagged rightly, so innocents flagged "
             "(bystanders, recipients of forwarded photos and uninvolved people) leads the "
             "comparison. A precision or recall resting on fewer than 30 persons is marked too "
             "few to estimate.",
        paragraphs=paragraphs, notes=notes,
        tables=(*((chain,) if chain else ()), measure_table(summary, numbers)),
        figures=(roles_figure(summary, numbers),))


def measure_cards(name: str, m: MeasureSummary, numbers: Numbers, index: int) -> list[Table]:
    cards: list[Table] = []

    def card(title: str, rows: list[Row]) -> None:
        if rows:
            cards.append(keynums(f"measure-{index}-{len(cards) + 1}", title, rows))

    def row(label: str, figure: CatalogueFigure, *more: str, cls: str = "",
            wrong: bool = False) -> Row:
        return keyrow(numbers, label, figure, name, *more, cls=cls, wrong=wrong)

    rows = [row("Flagged (all)", MEASURE.flagged),
            row("rightly (participants)", MEASURE.flagged_rightly, cls="sub"),
            row("wrongly (innocents)", MEASURE.flagged_wrongly_total, cls="sub", wrong=True)]
    rows += [row(label, MEASURE.flagged_wrongly, k, cls="sub", wrong=True)
             for k, label, _c in INNOCENT_ROLES if k in m.flagged_wrongly]
    rows.append(row("Participants (all, in truth)", MEASURE.participants))
    rows += [Row((Cell(label, cls="label", detail=detail), cell, Cell("", cls="num est")))
             for label, cell, detail in _ratios(numbers, name)]
    card("Flagged", rows)
    if numbers.has(MEASURE.searches, name):
        card("Searches", [row("Phones searched", MEASURE.searches),
                          row("Searches that found something", MEASURE.search_hits)])
    if numbers.has(MEASURE.installed, name):
        scan = [row("Phones with the scanner installed", MEASURE.installed),
                row("Images matched", MEASURE.matches)]
        if numbers.has(MEASURE.confirmed, name):
            scan += [row("Confirmed by reviewers", MEASURE.confirmed),
                     row("confirmed wrongly", MEASURE.confirmed_wrongly, cls="sub", wrong=True)]
        if numbers.has(MEASURE.review_backlog_max, name):
            scan.append(row("Largest review backlog (one day)", MEASURE.review_backlog_max))
        card("Scanning", scan)
    innocent = numbers.count(MEASURE.restriction_person_days_innocent, name)
    collateral = numbers.count(MEASURE.collateral_person_days, name)
    everyone = numbers.count(MEASURE.restriction_person_days, name)
    # the parts between the catalogue's figures: medians do not add up over replicates, so
    # these are shown only for a single run
    single = not numbers.reading.replicated
    card("Restricted (person-days)", [
        row("All persons", MEASURE.restriction_person_days),
        *([_part_row(numbers, "participants", everyone - innocent)] if single else []),
        row("innocents", MEASURE.restriction_person_days_innocent, cls="sub", wrong=True),
        *([_part_row(numbers, "bystanders and recipients", innocent - collateral, True)]
          if single else []),
        row("uninvolved (collateral)", MEASURE.collateral_person_days, cls="sub", wrong=True),
        row("Participants reached", MEASURE.participants_reached),
        Row((Cell(PER_REACHED[0], cls="label", detail=PER_REACHED[1]),
             per_reached_cell(numbers, name), Cell("", cls="num est")))])
    # the kind's own figures: counts of persons have a national estimate, counts of places
    # and events (drawn at the national rate) do not
    own = [row(f.label[:1].upper() + f.label[1:], f, wrong=bool(f.worse))
           if f.unit == "persons" else
           valuerow(f.label[:1].upper() + f.label[1:], numbers.plain(f, name),
                    numbers.value(f, name))
           for f in kind_figures() if numbers.has(f, name)]
    card(m.label()[:1].upper() + m.label()[1:], own)
    costs = [Row((Cell(_cost_label(cost), cls="label"), *_cost_cells(numbers, cost, name)))
             for cost in COSTS if numbers.fired(cost, name)]
    card("Cost", costs or [valuerow("none counted", "\u2014")])
    return cards


def _part_row(numbers: Numbers, label: str, value: float, wrong: bool = False) -> Row:
    """A difference of two figures of one run, simulated and as a national estimate."""
    value = max(value, 0.0)
    return Row((Cell(label, cls="label"),
                Cell(format_count(value), value, "num wrong" if wrong else "num"),
                Cell(estimate(value, numbers.scale), round(value * numbers.scale), "num est")),
               "sub")


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
        if not fired(numbers, name):
            notes: tuple[str, ...] = (f"This measure {never_fired_text(m)}.",)
        elif chart is None:
            notes = ("Nothing to draw by day: every daily count of this measure is zero."
                     if lines else "No daily data for this measure.",)
        else:
            notes = ()
        out.append(Section(f"measure-{index}", f"Measure: {name}", cls="measure",
                           tags=(f"kind: {m.label()}",),
                           cards=tuple(measure_cards(name, m, numbers, index)),
                           figures=(chart,) if chart else (), notes=notes))
    return out
