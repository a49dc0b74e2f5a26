"""The report's view model: everything the page shows, as plain data built from the typed
summary and the daily table. The templates only lay it out, so what the report says is tested
here, by equality, without parsing HTML.

>>> import scorelab
>>> result = scorelab.run(preset="china-2022", persons=2000, days=5)
>>> page = build_page(result.summary, result.daily)
>>> page.sections[0].id
'who-was-wronged'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .. import __version__
from ..ledger.summary import MIN_BASE, Interval, RateRow, Replicates, Summary, SystemSummary
from .daily import DailySeries
from .figures import MUTED, WRONG, Figure, Line, bar_trace, color, figure, line_chart
from .methods import Methods, build_methods
from .numbers import (
    DASH,
    estimate,
    format_count,
    format_interval,
    format_rate,
    format_ratio,
    format_scale,
    format_share,
    too_few,
)
from .tables import Cell, Column, Row, Table


@dataclass(frozen=True)
class Section:
    """One section of the page; the template shows its parts in this order."""

    id: str
    title: str
    lead: str = ""
    tags: tuple[str, ...] = ()
    paragraphs: tuple[str, ...] = ()
    cards: tuple[Table, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = ()
    cls: str = ""


@dataclass(frozen=True)
class Page:
    """A whole report."""

    title: str
    heading: str
    description: str
    meta: tuple[str, ...]
    nav: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]
    sections: tuple[Section, ...]
    methods: Methods | None = None
    footer: tuple[str, ...] = ()
    scale: str = ""
    warmup_days: int = 0
    protests: bool = False
    min_base: int = MIN_BASE

    @property
    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]


@dataclass(frozen=True)
class Numbers:
    """Counts as cells: simulated and national estimate, or over replicates the median with
    its 2.5-97.5 percentiles where the summary has an interval for the figure."""

    scale: float
    intervals: Mapping[str, Interval] = field(default_factory=dict)

    def sim(self, value: float | None, key: str = "", cls: str = "num") -> Cell:
        interval = self.intervals.get(key) if key else None
        text = format_interval(interval) if interval else format_count(value)
        return Cell(text, value, cls, key=key)

    def est(self, value: float | None, key: str = "") -> Cell:
        interval = self.intervals.get(key) if key else None
        text = format_interval(interval, self.scale) if interval else estimate(value, self.scale)
        raw = None if value is None else round(value * self.scale)
        return Cell(text, raw, "num est")

    def pair(self, value: float | None, key: str = "", wrong: bool = False
             ) -> tuple[Cell, Cell]:
        return self.sim(value, key, "num wrong" if wrong else "num"), self.est(value, key)

    def text(self, value: float | None, key: str = "") -> str:
        """A count in a sentence: simulated, with its national estimate."""
        interval = self.intervals.get(key) if key else None
        if interval:
            return (f"{format_interval(interval)} synthetic persons (national estimate "
                    f"{format_interval(interval, self.scale)})")
        return (f"{format_count(value)} synthetic persons (national estimate "
                f"{estimate(value, self.scale)})")


def replicates_of(summary: Summary) -> Replicates | None:
    """The summary's replicates section, where its runs had several seeds."""
    return summary.replicates


def numbers_of(summary: Summary) -> Numbers:
    replicates = replicates_of(summary)
    return Numbers(summary.scale, replicates.intervals if replicates else {})


def pair_columns(label: str) -> tuple[Column, Column]:
    return Column("simulated", "num", label), Column("national est.", "num", label)


def keynums(id: str, title: str, rows: list[Row]) -> Table:
    """A small card of key numbers: label, simulated, national estimate."""
    return Table(id, (Column(title), Column("simulated", "num"), Column("national est.", "num")),
                 tuple(rows), title)


def keyrow(numbers: Numbers, label: str, value: float | None, key: str = "",
           cls: str = "", wrong: bool = False) -> Row:
    return Row((Cell(label, cls="label"), *numbers.pair(value, key, wrong)), cls)


def valuerow(label: str, text: str, value: float | None = None, wrong: bool = False,
             detail: str = "") -> Row:
    """A row with a value that has no national estimate (a rate, a ratio)."""
    return Row((Cell(label, cls="label", detail=detail),
                Cell(text, value, "num wrong" if wrong else "num"), Cell("", cls="num est")))


def share_cell(part: int | None, whole: int | None, noun: str, wrong: bool = False) -> Cell:
    """A share, or the mark that its base is too small to read."""
    cls = "num wrong" if wrong else "num"
    mark = too_few(whole, noun) if whole else None
    if mark:
        return Cell(mark, None, cls + " few")
    value = None if not whole or part is None else part / whole
    return Cell(format_share(part, whole), value, cls)


# Wrongful-sanction causes: (summary key, short label, long label).
CAUSES = (("false_record", "false", "false record"),
          ("identity", "namesake", "namesake's record (identity)"),
          ("stale_record", "stale", "stale record"),
          ("incomplete_record", "incomplete", "incomplete record"),
          ("wrong_merge", "merge", "wrong merge (another person's records linked in)"),
          ("split", "split", "split (part of their records graded alone)"))
_CAUSE_ORDER = {key: i for i, (key, _s, _l) in enumerate(CAUSES)}


def cause_items(by_cause: Mapping[str, int]) -> list[tuple[str, int]]:
    """Non-zero causes, largest first (ties in the fixed cause order)."""
    items = [(k, v) for k, v in by_cause.items() if v]
    return sorted(items, key=lambda kv: (-kv[1], _CAUSE_ORDER.get(kv[0], len(CAUSES)), kv[0]))


def cause_split(by_cause: Mapping[str, int]) -> str:
    """``stale 539 · false 17``; 'none' when all are zero."""
    short = {key: s for key, s, _l in CAUSES}
    items = cause_items(by_cause)
    if not items:
        return "none"
    return " \u00b7 ".join(f"{short.get(k, k)} {format_count(v)}" for k, v in items)


# --------------------------------------------------------------------------------------------


def build_page(summary: Summary, daily: pl.DataFrame | None) -> Page:
    """The view model of one run's report."""
    from .measures import control_section, measure_sections, measures_line

    numbers = numbers_of(summary)
    series = DailySeries.of(daily)
    names = sorted(summary.systems)
    colors = {name: color(i) for i, name in enumerate(sorted(set(names) | set(series.names())))}
    x_title = series.axis_title if series.dated else f"day (of {summary.days})"
    measures = summary.measures or {}

    sections = [headline_section(summary, numbers, measures_line(summary, numbers))]
    control = control_section(summary, numbers)
    if control is not None:
        sections.append(control)
    schedule = schedule_section(summary)
    integration = integration_section(summary, numbers)
    if integration is not None:
        sections.append(integration)
    sections += [
        over_time_section(summary, series, colors, x_title),
        *([schedule] if schedule is not None else []),
        disparity_section(summary, numbers),
        overlap_section(summary, numbers),
        *system_sections(summary, numbers, series, colors, x_title),
        *measure_sections(summary, numbers, series, x_title),
        grades_section(summary),
        events_section(summary, numbers),
        restrictions_section(summary, numbers),
    ]
    nav = [("who-was-wronged", "Wronged")]
    if control is not None:
        nav.append(("control-measures", "Control measures" if measures else "Protests"))
    if integration is not None:
        nav.append(("integration", "Integration"))
    nav += [("over-time", "Over time")]
    if schedule is not None:
        nav.append(("schedule", "Schedule"))
    nav += [("disparity", "Disparate impact"),
            ("overlap", "Overlap"), ("grades", "Grades"), ("events", "Events"),
            ("restrictions", "Restrictions"), ("how-to-read", "How to read"),
            ("methods", "Methods")]
    nav += [(f"system-{i}", f"System: {n}") for i, n in enumerate(summary.systems, 1)]
    nav += [(f"measure-{i}", f"Measure: {n}") for i, n in enumerate(measures, 1)]
    return Page(
        title=f"scorelab report \u2014 {summary.scenario}",
        heading=summary.scenario,
        description=summary.description,
        meta=header_meta(summary),
        nav=tuple(nav),
        warnings=tuple(summary.warnings),
        sections=tuple(sections),
        methods=build_methods(summary, __version__),
        footer=("Generated by scorelab. All persons are synthetic.",),
        scale=format_scale(summary.scale),
        warmup_days=summary.warmup_days,
        protests=bool(measures) or summary.protests is not None,
    )


def header_meta(summary: Summary) -> tuple[str, ...]:
    days = f"{summary.days:,} days"
    if summary.warmup_days > 0:
        days += f" (after {summary.warmup_days:,} warm-up days, not reported)"
    if summary.start_date:
        days += f", from {summary.start_date}"
    meta = [(f"{summary.persons:,} synthetic persons \u00b7 {days} \u00b7 seed {summary.seed} "
            f"\u00b7 scale: 1 synthetic person = {format_scale(summary.scale)} real people"),
            (f"Population: {summary.population.adults:,} adults, "
            f"{summary.population.urban:,} urban.")]
    r = replicates_of(summary)
    if r:
        meta.append(f"{r.count} replicates (seeds {', '.join(str(s) for s in r.seeds)}): "
                    "headline figures show the median [2.5th\u201397.5th percentile] over "
                    "the replicates; other figures are the first replicate's.")
    return tuple(meta)


def headline_section(summary: Summary, numbers: Numbers, measures_line: str | None) -> Section:
    systems = summary.systems
    paragraphs: list[str] = []
    if not systems:
        return Section("who-was-wronged", "Who was wronged", cls="wronged",
                       paragraphs=(measures_line,) if measures_line else (),
                       notes=(("This run has no scoring systems, so nobody was scored or "
                              "sanctioned."),))
    wrong = sum(s.sanctioned_wrongly for s in systems.values())
    sanctioned = sum(s.sanctioned for s in systems.values())
    lead = (f"Across all systems, {format_count(wrong)} synthetic persons (national estimate "
            f"{estimate(wrong, summary.scale)} people) were sanctioned wrongly, out of "
            f"{format_count(sanctioned)} sanctioned ({format_share(wrong, sanctioned)}). A "
            "person sanctioned by several systems is counted once per system.")
    paragraphs.append(
        f"Counting each person once across systems: "
        f"{numbers.text(summary.sanctioned_any, 'sanctioned_any')} were sanctioned by at least "
        f"one system, {numbers.text(summary.sanctioned_wrongly_any, 'sanctioned_wrongly_any')}"
        f" of them wrongly by at least one "
        f"({format_share(summary.sanctioned_wrongly_any, summary.sanctioned_any)}).")
    days = sum(s.wrongful_person_days for s in systems.values())
    paragraphs.append(
        f"Wrongful sanctions lasted {format_count(days)} person-days (national estimate "
        f"{estimate(days, summary.scale)}), summed over systems: one person under a wrongful "
        "sanction for one day is one wrongful person-day.")
    if measures_line:
        paragraphs.append(measures_line)
    columns = (Column("System"), *pair_columns("Covered"), *pair_columns("Scored"),
               *pair_columns("Sanctioned"), *pair_columns("Sanctioned wrongly"),
               Column("share of sanctioned", "num", "Sanctioned wrongly"),
               Column("by cause (persons)", "", "Sanctioned wrongly"),
               *pair_columns("Restriction person-days"), *pair_columns("Wrongful person-days"))
    rows = []
    for name in sorted(systems):
        s = systems[name]
        key = f"systems.{name}"
        rows.append(Row((
            Cell(name, cls="label", detail=f"{s.kind} \u00b7 {s.jurisdiction}"),
            *numbers.pair(s.covered, f"{key}.covered"),
            *numbers.pair(s.scored, f"{key}.scored"),
            *numbers.pair(s.sanctioned, f"{key}.sanctioned"),
            *numbers.pair(s.sanctioned_wrongly, f"{key}.sanctioned_wrongly", wrong=True),
            share_cell(s.sanctioned_wrongly, s.sanctioned, "sanctioned", wrong=True),
            Cell(cause_split(s.sanctioned_wrongly_by_cause), cls="causes"),
            *numbers.pair(s.restriction_person_days, f"{key}.restriction_person_days"),
            *numbers.pair(s.wrongful_person_days, f"{key}.wrongful_person_days", wrong=True),
        )))
    return Section("who-was-wronged", "Who was wronged", lead=lead, paragraphs=tuple(paragraphs),
                   tables=(Table("wronged-table", columns, tuple(rows)),), cls="wronged")


def over_time_section(summary: Summary, series: DailySeries, colors: Mapping[str, str],
                      x_title: str) -> Section:
    lines = []
    for name in sorted(summary.systems):
        for column, label, dash in (("sanctioned", "sanctioned", "solid"),
                                    ("sanctioned_wrongly", "sanctioned wrongly", "dash")):
            s = series.series(name, column)
            if s is not None:
                lines.append(Line(f"{name}: {label}", s, colors[name], dash, group=name))
    chart = line_chart("scorelab-daily-sanctioned", lines, x_title, "persons (simulated)",
                       height=420)
    if chart is None:
        return Section("over-time", "Sanctioned over time",
                       notes=("Nobody was under a sanction on any reported day."
                              if lines else "No daily data in this run.",))
    band = " Shaded: 95% of replicates." if series.replicates else ""
    return Section("over-time", "Sanctioned over time",
                   lead="Synthetic persons under sanction on each day, per system: solid line "
                        "= all sanctioned, dashed line = sanctioned wrongly. Lines that are "
                        "zero throughout are left out." + band,
                   figures=(chart,))


def _rate_cells(row: RateRow) -> tuple[Cell, Cell]:
    mark = too_few(row.sanctioned, "sanctioned") if row.sanctioned else None
    if mark:
        return Cell(mark, None, "num few"), Cell(mark, None, "num wrong few")
    return (Cell(format_rate(row.rate), row.rate, "num"),
            Cell(format_rate(row.wrong_rate), row.wrong_rate, "num wrong"))


def disparity_section(summary: Summary, numbers: Numbers) -> Section:
    d = summary.disparity
    columns = (Column("Persons"), Column("count", "num"), *pair_columns("Sanctioned"),
               *pair_columns("Sanctioned wrongly"), Column("sanction rate", "num"),
               Column("wrongful rate", "num"))
    everyone = RateRow(persons=summary.persons, sanctioned=summary.sanctioned_any,
                       sanctioned_wrongly=summary.sanctioned_wrongly_any, rate=d.sanction_rate,
                       wrong_rate=(summary.sanctioned_wrongly_any / summary.persons
                                   if summary.persons else None))

    def row(label: str, r: RateRow, cls: str = "") -> Row:
        return Row((Cell(label, cls="label"), Cell(format_count(r.persons), r.persons, "num"),
                    *numbers.pair(r.sanctioned), *numbers.pair(r.sanctioned_wrongly, wrong=True),
                    *_rate_cells(r)), cls)

    def ratio(label: str, value: float | None, a: RateRow, b: RateRow) -> Row:
        mark = too_few(min(a.sanctioned, b.sanctioned), "sanctioned in the smaller group")
        wrong = (a.sanctioned_wrongly / a.persons) / (b.sanctioned_wrongly / b.persons) \
            if a.persons and b.persons and b.sanctioned_wrongly else None
        wmark = too_few(min(a.sanctioned_wrongly, b.sanctioned_wrongly),
                        "sanctioned wrongly in the smaller group")
        blank = Cell("", cls="num")
        return Row((Cell(f"ratio {label}", cls="label"), blank, blank, blank, blank, blank,
                    Cell(mark or format_ratio(value), None if mark else value, "num"),
                    Cell(wmark or format_ratio(wrong), None if wmark else wrong, "num wrong")),
                   "ratio")

    g, u = d.group, d.urban
    rows = (row("all persons", everyone),
            row("majority", g.majority, "first"), row("minority", g.minority),
            ratio("minority \u00f7 majority", g.ratio_minority_to_majority, g.minority,
                  g.majority),
            row("rural", u.rural, "first"), row("urban", u.urban),
            ratio("rural \u00f7 urban", u.ratio_rural_to_urban, u.rural, u.urban))
    figures: tuple[Figure, ...] = ()
    paragraphs: tuple[str, ...] = ()
    provinces = [(p, r) for p, r in d.province.items() if r.ratio_to_national is not None]
    if provinces:
        figures = (province_figure(provinces),)
        readable = [(p, r) for p, r in provinces if r.sanctioned >= 30]
        if len(readable) >= 2:
            high = max(readable, key=lambda pr: pr[1].ratio_to_national or 0.0)
            low = min(readable, key=lambda pr: pr[1].ratio_to_national or 0.0)
            paragraphs = ((f"Highest: {_province_text(*high)}; lowest: "
                          f"{_province_text(*low)} (among provinces with at least 30 "
                          "sanctioned persons)."),)
    return Section(
        "disparity", "Disparate impact: who is sanctioned more often",
        lead="Persons sanctioned by at least one system, as a share of each part of the "
             f"population (national sanction rate: {format_rate(d.sanction_rate)}). The "
             "wrongful rate counts only persons sanctioned wrongly. A ratio above 1 means the "
             "first group is sanctioned more often than the second. Rates and ratios resting "
             "on fewer than 30 sanctioned persons are marked too few to estimate.",
        paragraphs=paragraphs,
        tables=(Table("disparity-table", columns, rows),), figures=figures)


def _province_text(name: str, row: RateRow) -> str:
    return (f"{name} {format_ratio(row.ratio_to_national)} ({format_count(row.sanctioned)} of "
            f"{format_count(row.persons)} sanctioned)")


def province_figure(provinces: list[tuple[str, RateRow]]) -> Figure:
    """Each province's sanction rate over the national one; red only where it is above 1 and
    rests on enough sanctioned persons, light where it rests on too few."""
    names = [p for p, _r in provinces]
    ys = [r.ratio_to_national for _p, r in provinces]
    colors, hover = [], []
    for name, r in provinces:
        few = too_few(r.sanctioned, "sanctioned")
        above = (r.ratio_to_national or 0.0) > 1.0
        colors.append("#cfd5df" if few else (WRONG if above else MUTED))
        hover.append(f"{name}: {format_ratio(r.ratio_to_national)}, sanctioned "
                     f"{format_count(r.sanctioned)} of {format_count(r.persons)}"
                     + (f" ({few})" if few else ""))
    line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 1, "y1": 1,
            "line": {"color": "#1d2330", "width": 1, "dash": "dot"}}
    return figure("scorelab-provinces",
                  [bar_trace(names, ys, "provinces", colors, hovertext=hover, hoverinfo="text")],
                  380, "By province (in the scenario's order): each province's sanction rate "
                       "divided by the national rate. Red bars are above the dotted line at 1 "
                       "on at least 30 sanctioned persons; pale bars rest on fewer: too few to "
                       "estimate.",
                  showlegend=False, shapes=[line], xaxis={"tickangle": -45},
                  yaxis={"title": {"text": "sanction rate \u00f7 national rate"}},
                  margin={"l": 60, "r": 20, "t": 20, "b": 110})


def _systems_word(key: str) -> str:
    return f"{key} system" if key == "1" else f"{key} systems"


def overlap_section(summary: Summary, numbers: Numbers) -> Section:
    coverage, scored = summary.coverage_histogram, summary.scored_histogram
    bins = list(dict.fromkeys([*coverage, *scored]))
    x = [_systems_word(b) for b in bins]
    data = [bar_trace(x, [mapping.get(b, 0) for b in bins], label, hue,
                      text=[format_count(mapping.get(b, 0)) for b in bins],
                      textposition="outside", cliponaxis=False)
            for label, mapping, hue in (("covered by", coverage, "#9aa5b8"),
                                        ("with records in", scored, "#3f51b5"))]
    chart = figure("scorelab-overlap", data, 320, barmode="group",
                   xaxis={"title": {"text": "number of systems"}},
                   yaxis={"title": {"text": "persons (simulated)"}})
    rows = tuple(Row((Cell(_systems_word(b), cls="label"), *numbers.pair(coverage.get(b)),
                      *numbers.pair(scored.get(b)))) for b in bins)
    columns = (Column("Seen by"), *pair_columns("covered"), *pair_columns("with records"))
    n = summary.conflicting_grades
    who = "No person was" if n == 0 else (
        f"{format_count(n)} synthetic person{'' if n == 1 else 's'} (national estimate "
        f"{estimate(n, summary.scale)}) {'was' if n == 1 else 'were'}")
    return Section(
        "overlap", "Overlap: how many systems see each person",
        lead="Synthetic persons by the number of systems that cover them (live in their "
             "jurisdiction) and by the number of systems that hold records on them (scored).",
        paragraphs=((f"{who} rated at the top grade by one system while at the bottom grade, or "
                    "blacklisted, by another."),),
        tables=(Table("overlap-table", columns, rows),),
        figures=(chart,) if bins else ())


def system_cards(name: str, s: SystemSummary, numbers: Numbers, index: int) -> list[Table]:
    key = f"systems.{name}"
    cards: list[Table] = []

    def card(title: str, rows: list[Row]) -> None:
        if rows:
            cards.append(keynums(f"system-{index}-{len(cards) + 1}", title, rows))

    card("Reach", [keyrow(numbers, "Covered (in its jurisdiction)", s.covered, f"{key}.covered"),
                   keyrow(numbers, "Scored (with records)", s.scored, f"{key}.scored"),
                   keyrow(numbers, "Records filed", s.records, f"{key}.records")])
    if s.listed is not None:
        card("Listed", [keyrow(numbers, "Listed (ever)", s.listed, f"{key}.listed"),
                        keyrow(numbers, "wrongly", s.listed_wrongly, f"{key}.listed_wrongly",
                               "sub", True),
                        keyrow(numbers, "Listed at the end", s.listed_at_end),
                        keyrow(numbers, "wrongly", s.listed_wrongly_at_end, cls="sub",
                               wrong=True)])
    rows = [keyrow(numbers, "Sanctioned", s.sanctioned, f"{key}.sanctioned"),
            keyrow(numbers, "Sanctioned wrongly", s.sanctioned_wrongly,
                   f"{key}.sanctioned_wrongly", wrong=True)]
    share = share_cell(s.sanctioned_wrongly, s.sanctioned, "sanctioned", wrong=True)
    rows.append(Row((Cell("share wrongly", cls="label"), share, Cell("", cls="num est")), "sub"))
    long = {k: label for k, _s, label in CAUSES}
    rows += [keyrow(numbers, f"by {long.get(c, c)}", v, cls="sub", wrong=True)
             for c, v in cause_items(s.sanctioned_wrongly_by_cause)]
    rows.append(keyrow(numbers, "Wrongful person-days", s.wrongful_person_days, wrong=True))
    if s.precision_participants is not None:
        rows.append(valuerow("Precision (participants among sanctioned)",
                             format_rate(s.precision_participants), s.precision_participants))
    card("Sanctioned", rows)
    card("Restrictions", [keyrow(numbers, "Restriction person-days", s.restriction_person_days,
                                 f"{key}.restriction_person_days")]
         + [keyrow(numbers, k, v, cls="sub")
            for k, v in s.restriction_person_days_by_sanction.items() if v])
    card("Rewards", [keyrow(numbers, "Rewarded (persons)", s.rewarded)]
         + [keyrow(numbers, f"{k} (person-days)", v, cls="sub")
            for k, v in s.reward_person_days_by_reward.items() if v])
    if s.appeals_filed is not None:
        won = share_cell(s.appeals_won, s.appeals_decided, "appeals decided")
        card("Appeals", [keyrow(numbers, "Appeals filed", s.appeals_filed),
                         keyrow(numbers, "decided", s.appeals_decided, cls="sub"),
                         keyrow(numbers, "won", s.appeals_won, cls="sub"),
                         Row((Cell("share won of decided", cls="label"), won,
                              Cell("", cls="num est")), "sub"),
                         keyrow(numbers, "Largest backlog (one day)", s.appeal_backlog_max),
                         keyrow(numbers, "Backlog at the end", s.appeal_backlog_at_end)])
    for source, link in (s.joint_punishment or {}).items():
        card(f"Joint punishment of persons on {source}",
             [keyrow(numbers, "Sanctioned", link.sanctioned),
              keyrow(numbers, "Sanctioned wrongly", link.sanctioned_wrongly, wrong=True),
              keyrow(numbers, "Restriction person-days", link.restriction_person_days)]
             + [keyrow(numbers, k, v, cls="sub")
                for k, v in link.restriction_person_days_by_sanction.items() if v])
    return cards


def system_sections(summary: Summary, numbers: Numbers, series: DailySeries,
                    colors: Mapping[str, str], x_title: str) -> list[Section]:
    out = []
    for index, (name, s) in enumerate(summary.systems.items(), start=1):
        hue = colors.get(name, color(0))
        lines = []
        main = "listed" if s.kind == "list" and series.has(name, "listed") else "sanctioned"
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
        out.append(Section(f"system-{index}", f"System: {name}", cls="system",
                           tags=(f"kind: {s.kind}", f"jurisdiction: {s.jurisdiction}"),
                           cards=tuple(system_cards(name, s, numbers, index)),
                           figures=(chart,) if chart else (), notes=notes))
    return out


def grades_section(summary: Summary) -> Section:
    xs_sys: list[str] = []
    xs_grade: list[str] = []
    recorded: list[int] = []
    truth: list[int] = []
    for name in sorted(summary.systems):
        s = summary.systems[name]
        grades, true = s.grades or {}, s.grades_truth or {}
        for grade in dict.fromkeys([*grades, *true]):
            xs_sys.append(name)
            xs_grade.append(grade)
            recorded.append(grades.get(grade, 0))
            truth.append(true.get(grade, 0))
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


def integration_section(summary: Summary, numbers: Numbers) -> Section | None:
    """The hypothetical integrated score: how well its linkage matched records to persons,
    and whom its sanctions reached that separate systems would not have."""
    found = summary.integration
    if found is None:
        return None
    key = "integration."
    linkage = Table("integration-linkage", (Column("Linkage (last run)"),
                                            Column("value", "num")), tuple(
        Row((Cell(label, cls="label"), cell)) for label, cell in (
            ("identity records linked", Cell(format_count(found.records), found.records, "num",
                                             key=key + "records")),
            ("true persons behind them", Cell(format_count(found.persons), found.persons,
                                              "num", key=key + "persons")),
            ("clusters made", Cell(format_count(found.clusters), found.clusters, "num",
                                   key=key + "clusters")),
            ("pairwise precision (linked pairs that are one person)",
             share_cell(found.true_positive_pairs, found.predicted_pairs, "linked pairs")),
            ("pairwise recall (same-person pairs linked)",
             share_cell(found.true_positive_pairs, found.true_pairs, "same-person pairs")),
            ("wrong merges (clusters of two or more persons)",
             Cell(format_count(found.wrongful_merges), found.wrongful_merges, "num wrong",
                  key=key + "wrongful_merges")),
            ("persons split over two or more clusters",
             Cell(format_count(found.split_persons), found.split_persons, "num wrong",
                  key=key + "split_persons")))), "Linkage")
    effects = keynums("integration-effects", "Sanctioned", [
        keyrow(numbers, "by the integrated score now", found.sanctioned, key + "sanctioned"),
        keyrow(numbers, "by it with a perfect linkage", found.sanctioned_with_perfect_linkage,
               key + "sanctioned_with_perfect_linkage"),
        keyrow(numbers, "by any separate system (the same run, not integrated)",
               found.fragmented_sanctioned_any, key + "fragmented_sanctioned_any"),
        keyrow(numbers, "only because a wrong merge joined them to another's records",
               found.sanctioned_by_merge, key + "sanctioned_by_merge", wrong=True),
        keyrow(numbers, "only because a split left part of their records alone",
               found.sanctioned_by_split, key + "sanctioned_by_split", wrong=True),
        keyrow(numbers, "escaped the sanction a perfect linkage would give, by a split",
               found.escaped_by_split, key + "escaped_by_split", wrong=True),
    ])
    return Section("integration", "Integration: the hypothetical national score",
                   lead="HYPOTHETICAL: no integrated national score exists. Here every "
                        "source's identity records are linked to persons by a real "
                        "record-linkage engine (splink, Fellegi-Sunter, on DuckDB) and one "
                        "composite score grades and sanctions each linked cluster, so the "
                        "linkage's own errors carry sanctions to the wrong persons. "
                        f"{format_count(found.linkages)} linkage runs; the figures are the "
                        "last one's.",
                   tables=(linkage, effects), cls="wronged")


def schedule_section(summary: Summary) -> Section | None:
    """The scenario's scheduled changes, when it has any: when, what, to which value."""
    if not summary.schedule:
        return None
    rows = []
    for change in summary.schedule:
        when = change.at_date or f"day {change.at}"
        if change.until is not None:
            when += f" to {change.until_date or f'day {change.until}'}"
        how = "ramped linearly to" if change.until is not None else "set to"
        rows.append(Row((Cell(when, cls="label"), Cell(change.set), Cell(how),
                         Cell(_value_text(change.to)))))
    table = Table("schedule-table", (Column("When"), Column("Parameter"), Column("Change"),
                                     Column("Value")), tuple(rows))
    return Section("schedule", "Scheduled changes",
                   lead="Parameters the scenario changes during the run, in date order. A "
                        "ramp moves one step a day from the value in force when it starts; "
                        "the charts show each change's effect day by day.",
                   tables=(table,))


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    return str(value)


def events_section(summary: Summary, numbers: Numbers) -> Section:
    rows = sorted(((k, v) for k, v in summary.events.items()), key=lambda kv: (-kv[1], kv[0]))
    if not rows:
        return Section("events", "What actually happened (truth events)",
                       notes=("No truth events in this run.",))
    plot = list(reversed(rows))
    chart = figure("scorelab-events",
                   [bar_trace([v for _k, v in plot], [k for k, _v in plot], "events", MUTED,
                              orientation="h")],
                   max(240, 26 * len(rows) + 80), showlegend=False,
                   xaxis={"title": {"text": "events (simulated)"}},
                   margin={"l": 20, "r": 20, "t": 20, "b": 50})
    table = Table("events-table", (Column("Event"), Column("simulated", "num"),
                                   Column("national est.", "num")),
                  tuple(Row((Cell(k, cls="label"), *numbers.pair(v))) for k, v in rows))
    return Section("events", "What actually happened (truth events)",
                   lead="Counts of events that really happened in the simulated population, "
                        "whether or not any system recorded them.",
                   tables=(table,), figures=(chart,))


def restrictions_section(summary: Summary, numbers: Numbers) -> Section:
    rows = [Row((Cell(sanction, cls="label"), Cell(cause), *numbers.pair(value)))
            for sanction, causes in summary.restrictions.items()
            for cause, value in causes.items() if value]
    notes = []
    if not rows:
        notes.append("Nobody was restricted by a scoring system in this run.")
    if summary.measures:
        notes.append("Restrictions imposed by control measures are not in this table: see "
                     "Control measures and each measure's section.")
    columns = (Column("Sanction"), Column("Imposed by"), *pair_columns("person-days"))
    return Section(
        "restrictions", "Restriction person-days by sanction",
        lead="Days that persons spent under each kind of restriction, by the system that "
             "imposed it (one person restricted for one day = one person-day). \u201ctarget "
             "(joint: list)\u201d is joint punishment: the target system restricting persons "
             "because they are on another system's list. A person under several restrictions "
             "on one day counts once per restriction." if rows else "",
        tables=(Table("restrictions-table", columns, tuple(rows)),) if rows else (),
        notes=tuple(notes))


__all__ = ["DASH", "Numbers", "Page", "Section", "build_page"]
