"""The scoring systems in the report: how many systems see each person, each system's key
numbers and daily lines, and recorded against true grades. Every kind is shown through the
same interface (the catalogue's figures it has, its summary model's main daily line)."""

from __future__ import annotations

from collections.abc import Mapping

from ..ledger.catalogue import RUN, SYSTEM
from ..ledger.catalogue import Figure as CatalogueFigure
from ..ledger.summary import Summary, SystemSummary
from .cells import (
    CAUSES,
    Numbers,
    cause_items,
    causes_of,
    keynums,
    keyrow,
    pair_columns,
    share_cell,
    valuerow,
)
from .daily import DailySeries
from .figures import WRONG, Line, bar_trace, color, figure, line_chart
from .numbers import (
    format_count,
)
from .page import Section
from .tables import Cell, Column, Row, Table


def _systems_word(key: str) -> str:
    return f"{key} system" if key == "1" else f"{key} systems"


def overlap_section(summary: Summary, numbers: Numbers) -> Section:
    reading = numbers.reading
    bins = list(dict.fromkeys([*reading.names(RUN.coverage_histogram),
                               *reading.names(RUN.scored_histogram)]))
    x = [_systems_word(b) for b in bins]
    data = []
    for label, histogram, hue in (("covered by", RUN.coverage_histogram, "#9aa5b8"),
                                  ("with records in", RUN.scored_histogram, "#3f51b5")):
        ys = [numbers.count(histogram, b) for b in bins]
        data.append(bar_trace(x, ys, label, hue, text=[format_count(y) for y in ys],
                              textposition="outside", cliponaxis=False))
    chart = figure("scorelab-overlap", data, 320, barmode="group",
                   xaxis={"title": {"text": "number of systems"}},
                   yaxis={"title": {"text": "persons (simulated)"}})
    rows = tuple(Row((Cell(_systems_word(b), cls="label"),
                      *numbers.pair(RUN.coverage_histogram, b),
                      *numbers.pair(RUN.scored_histogram, b))) for b in bins)
    columns = (Column("Seen by"), *pair_columns("covered"), *pair_columns("with records"))
    n = numbers.count(RUN.conflicting_grades)
    who = "No person was" if not numbers.fired(RUN.conflicting_grades) else (
        f"{numbers.text(RUN.conflicting_grades)} {'was' if n == 1 else 'were'}")
    return Section(
        "overlap", "Overlap: how many systems see each person",
        lead="Synthetic persons by the number of systems that cover them (live in their "
             "jurisdiction) and by the number of systems that hold records on them (scored).",
        paragraphs=((f"{who} rated at the top grade by one system while at the bottom grade, or "
                    "blacklisted, by another."),),
        tables=(Table("overlap-table", columns, rows),),
        figures=(chart,) if bins else ())


def system_cards(name: str, s: SystemSummary, numbers: Numbers, index: int) -> list[Table]:
    cards: list[Table] = []

    def card(title: str, rows: list[Row]) -> None:
        if rows:
            cards.append(keynums(f"system-{index}-{len(cards) + 1}", title, rows))

    def row(label: str, figure: CatalogueFigure, *more: str, cls: str = "",
            wrong: bool = False) -> Row:
        return keyrow(numbers, label, figure, name, *more, cls=cls, wrong=wrong)

    card("Reach", [row("Covered (in its jurisdiction)", SYSTEM.covered),
                   row("Scored (with records)", SYSTEM.scored),
                   row("Records filed", SYSTEM.records)])
    if numbers.has(SYSTEM.listed, name):
        card("Listed", [row("Listed (ever)", SYSTEM.listed),
                        row("wrongly", SYSTEM.listed_wrongly, cls="sub", wrong=True),
                        row("Listed at the end", SYSTEM.listed_at_end),
                        row("wrongly", SYSTEM.listed_wrongly_at_end, cls="sub", wrong=True)])
    rows = [row("Sanctioned", SYSTEM.sanctioned),
            row("Sanctioned wrongly", SYSTEM.sanctioned_wrongly, wrong=True)]
    share = share_cell(numbers, SYSTEM.share_wrongly, SYSTEM.sanctioned, (name,), "sanctioned",
                       wrong=True)
    rows.append(Row((Cell("share wrongly", cls="label"), share, Cell("", cls="num est")), "sub"))
    long = {k: label for k, _s, label in CAUSES}
    rows += [row(f"by {long.get(c, c)}", SYSTEM.by_cause, c, cls="sub", wrong=True)
             for c, _v in cause_items(causes_of(numbers, name))]
    rows.append(row("Wrongful person-days", SYSTEM.wrongful_person_days, wrong=True))
    if s.precision_participants is not None:
        rows.append(valuerow("Precision (participants among sanctioned)",
                             numbers.rate(SYSTEM.precision_participants, name),
                             numbers.value(SYSTEM.precision_participants, name)))
    card("Sanctioned", rows)
    card("Restrictions", [row("Restriction person-days", SYSTEM.restriction_person_days)]
         + [row(k, SYSTEM.by_sanction, k, cls="sub")
            for k in numbers.reading.names(SYSTEM.by_sanction, name)
            if numbers.fired(SYSTEM.by_sanction, name, k)])
    card("Rewards", [row("Rewarded (persons)", SYSTEM.rewarded)]
         + [row(f"{k} (person-days)", SYSTEM.by_reward, k, cls="sub")
            for k in numbers.reading.names(SYSTEM.by_reward, name)
            if numbers.fired(SYSTEM.by_reward, name, k)])
    if s.appeals_filed is not None:
        won = share_cell(numbers, SYSTEM.appeals_share_won, SYSTEM.appeals_decided, (name,),
                         "appeals decided")
        card("Appeals", [row("Appeals filed", SYSTEM.appeals_filed),
                         row("decided", SYSTEM.appeals_decided, cls="sub"),
                         row("won", SYSTEM.appeals_won, cls="sub"),
                         Row((Cell("share won of decided", cls="label"), won,
                              Cell("", cls="num est")), "sub"),
                         row("Largest backlog (one day)", SYSTEM.appeal_backlog_max),
                         row("Backlog at the end", SYSTEM.appeal_backlog_at_end)])
    for source in s.joint_punishment or {}:
        card(f"Joint punishment of persons on {source}",
             [row("Sanctioned", SYSTEM.joint_sanctioned, source),
              row("Sanctioned wrongly", SYSTEM.joint_wrongly, source, wrong=True),
              row("Restriction person-days", SYSTEM.joint_person_days, source)]
             + [row(k, SYSTEM.joint_by_sanction, source, k, cls="sub")
                for k in numbers.reading.names(SYSTEM.joint_by_sanction, name, source)
                if numbers.fired(SYSTEM.joint_by_sanction, name, source, k)])
    return cards


def system_sections(summary: Summary, numbers: Numbers, series: DailySeries,
                    colors: Mapping[str, str], x_title: str) -> list[Section]:
    out = []
    for index, (name, s) in enumerate(summary.systems.items(), start=1):
        hue = colors.get(name, color(0))
        lines = []
        main = s.main_line if series.has(name, s.main_line) else "sanctioned"
        for column, label, style, axis in (
                (main, main, {"color": hue}, "y"),
                ("sanctioned_wrongly", "sanctioned wrongly", {"color": WRONG, "dash": "dash"},
                 "y"),
                ("joint_sanctioned", "jointly sanctioned", {"color": "#ff9800"}, "y"),
                ("joint_sanctioned_wrongly", "jointly sanctioned wrongly",
                 {"color": "#ff9800", "dash": "dash"}, "y"),
                ("appeal_backlog", "appeal backlog (right axis)",
                 {"color": "#8a92a3", "dash": "dot"}, "y2")):
            line = series.series(name, column)
            if line is not None:
                lines.append(Line(label, line, style["color"], style.get("dash", "solid"), axis))
        chart = line_chart(f"scorelab-system-{index}-daily", lines, x_title,
                           "persons (simulated)", "appeals waiting")
        notes = () if chart else ("Nothing to draw by day: every daily count of this system "
                                  "is zero." if lines else "No daily data for this system.",)
        if s.uncalibrated:
            notes = (f"Uncalibrated: {s.uncalibrated}.", *notes)
        out.append(Section(f"system-{index}", f"System: {name}", cls="system",
                           tags=(f"kind: {s.kind}", f"jurisdiction: {s.jurisdiction}",
                                 *(("uncalibrated",) if s.uncalibrated else ())),
                           cards=tuple(system_cards(name, s, numbers, index)),
                           figures=(chart,) if chart else (), notes=notes))
    return out


def grades_section(summary: Summary, numbers: Numbers) -> Section:
    xs_sys: list[str] = []
    xs_grade: list[str] = []
    recorded: list[float] = []
    truth: list[float] = []
    reading = numbers.reading
    for name in sorted(summary.systems):
        for grade in dict.fromkeys([*reading.names(SYSTEM.grades, name),
                                    *reading.names(SYSTEM.grades_truth, name)]):
            xs_sys.append(name)
            xs_grade.append(grade)
            recorded.append(numbers.count(SYSTEM.grades, name, grade))
            truth.append(numbers.count(SYSTEM.grades_truth, name, grade))
    if not xs_grade:
        return Section("grades", "Recorded vs true grades",
                       notes=("No system in this run publishes grades.",))
    x = [xs_sys, xs_grade]
    chart = figure("scorelab-grades", [bar_trace(x, recorded, "recorded", "#3f51b5"),
                                       bar_trace(x, truth, "truth", "#9aa5b8")],
                   420, barmode="group", yaxis={"title": {"text": "persons (simulated)"}},
                   margin={"l": 60, "r": 20, "t": 30, "b": 80})
    return Section("grades", "Recorded vs true grades",
                   lead="For each system, the grade distribution on the record next to the "
                        "distribution the same persons would get from their true conduct "
                        "(simulated persons).", figures=(chart,))
