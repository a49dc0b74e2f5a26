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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from .. import __version__
from ..ledger.catalogue import DISPARITY, INTEGRATION, RUN, SYSTEM, Reading
from ..ledger.catalogue import Figure as CatalogueFigure
from ..ledger.summary import MIN_BASE, RateRow, Replicates, Summary, SystemSummary
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
    """Figures of the catalogue as cells and sentences: simulated and national estimate of a
    single run, or over replicates the median with its 2.5-97.5 percentiles. Every figure
    the report shows comes through here, by the catalogue's figure and its names."""

    reading: Reading

    @property
    def scale(self) -> float:
        return self.reading.summary.scale

    def value(self, figure: CatalogueFigure, *names: str) -> float | None:
        """The figure (over replicates: its median)."""
        return self.reading.value(figure, *names)

    def count(self, figure: CatalogueFigure, *names: str) -> float:
        """The figure, zero where the run does not have it."""
        return self.reading.count(figure, *names)

    def has(self, figure: CatalogueFigure, *names: str) -> bool:
        """The run has the figure (one of a kind's own: a list's listings, a checkpoint's
        searches), so the report shows the part that reads it."""
        return self.value(figure, *names) is not None

    def fired(self, figure: CatalogueFigure, *names: str) -> bool:
        """The figure is above zero in the run (over replicates: in any of them)."""
        spread = self.reading.interval(figure, *names)
        if spread is not None:
            return spread.high > 0 or spread.median > 0
        return self.count(figure, *names) > 0

    def sim(self, figure: CatalogueFigure, *names: str, cls: str = "num") -> Cell:
        spread = self.reading.interval(figure, *names)
        value = self.value(figure, *names)
        text = format_interval(spread) if spread else format_count(value)
        return Cell(text, value, cls, key=figure.at(*names))

    def est(self, figure: CatalogueFigure, *names: str) -> Cell:
        spread = self.reading.interval(figure, *names)
        value = self.value(figure, *names)
        text = format_interval(spread, self.scale) if spread else estimate(value, self.scale)
        raw = None if value is None else round(value * self.scale)
        return Cell(text, raw, "num est")

    def pair(self, figure: CatalogueFigure, *names: str, wrong: bool = False
             ) -> tuple[Cell, Cell]:
        return (self.sim(figure, *names, cls="num wrong" if wrong else "num"),
                self.est(figure, *names))

    def text(self, figure: CatalogueFigure, *names: str, noun: str = "synthetic persons"
             ) -> str:
        """A count in a sentence: simulated, with its national estimate."""
        spread = self.reading.interval(figure, *names)
        if spread:
            return (f"{format_interval(spread)} {noun} (national estimate "
                    f"{format_interval(spread, self.scale)})")
        value = self.value(figure, *names)
        return f"{format_count(value)} {noun} (national estimate {estimate(value, self.scale)})"

    def plain(self, figure: CatalogueFigure, *names: str) -> str:
        """A count in a sentence without its national estimate."""
        spread = self.reading.interval(figure, *names)
        return format_interval(spread) if spread else format_count(self.value(figure, *names))

    def rate(self, figure: CatalogueFigure, *names: str, fmt: Callable[[float | None], str]
             = format_rate) -> str:
        """A share, rate or ratio (over replicates: the median of the runs' values, with
        their range)."""
        spread = self.reading.interval(figure, *names)
        if spread:
            return f"{fmt(spread.median)} [{fmt(spread.low)}\u2013{fmt(spread.high)}]"
        return fmt(self.value(figure, *names))


def replicates_of(summary: Summary) -> Replicates | None:
    """The summary's replicates section, where its runs had several seeds."""
    return summary.replicates


def numbers_of(summary: Summary) -> Numbers:
    return Numbers(Reading(summary))


def pair_columns(label: str) -> tuple[Column, Column]:
    return Column("simulated", "num", label), Column("national est.", "num", label)


def keynums(id: str, title: str, rows: list[Row]) -> Table:
    """A small card of key numbers: label, simulated, national estimate."""
    return Table(id, (Column(title), Column("simulated", "num"), Column("national est.", "num")),
                 tuple(rows), title)


def keyrow(numbers: Numbers, label: str, figure: CatalogueFigure, *names: str, cls: str = "",
           wrong: bool = False) -> Row:
    return Row((Cell(label, cls="label"), *numbers.pair(figure, *names, wrong=wrong)), cls)


def valuerow(label: str, text: str, value: float | None = None, wrong: bool = False,
             detail: str = "") -> Row:
    """A row with a value that has no national estimate (a rate, a ratio)."""
    return Row((Cell(label, cls="label", detail=detail),
                Cell(text, value, "num wrong" if wrong else "num"), Cell("", cls="num est")))


def share_cell(numbers: Numbers, share: CatalogueFigure, base: CatalogueFigure,
               names: tuple[str, ...], noun: str, wrong: bool = False,
               fmt: Callable[[float | None], str] | None = None) -> Cell:
    """A share (over replicates: the median of the runs' shares), or the mark that its base
    is too small to read."""
    cls = "num wrong" if wrong else "num"
    whole = numbers.value(base, *names)
    mark = too_few(whole, noun) if whole else None
    if mark:
        return Cell(mark, None, cls + " few")
    value = numbers.value(share, *names)
    text = numbers.rate(share, *names, fmt=fmt or _share_text)
    return Cell(text, value, cls, key=share.at(*names))


def _share_text(value: float | None) -> str:
    """A share with one decimal, as the report writes shares of the sanctioned."""
    return DASH if value is None else f"{100.0 * value:.1f}%"


# Wrongful-sanction causes: (summary key, short label, long label).
CAUSES = (("false_record", "false", "false record"),
          ("identity", "namesake", "namesake's record (identity)"),
          ("stale_record", "stale", "stale record"),
          ("incomplete_record", "incomplete", "incomplete record"),
          ("wrong_merge", "merge", "wrong merge (another person's records linked in)"),
          ("split", "split", "split (part of their records graded alone)"))
_CAUSE_ORDER = {key: i for i, (key, _s, _l) in enumerate(CAUSES)}


def causes_of(numbers: Numbers, name: str) -> dict[str, float]:
    """A system's wrongful sanctions by cause (over replicates: medians)."""
    return {cause: numbers.count(SYSTEM.by_cause, name, cause)
            for cause in numbers.reading.names(SYSTEM.by_cause, name)}


def cause_items(by_cause: Mapping[str, float]) -> list[tuple[str, float]]:
    """Non-zero causes, largest first (ties in the fixed cause order)."""
    items = [(k, v) for k, v in by_cause.items() if v]
    return sorted(items, key=lambda kv: (-kv[1], _CAUSE_ORDER.get(kv[0], len(CAUSES)), kv[0]))


def cause_split(by_cause: Mapping[str, float]) -> str:
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

    control = control_section(summary, numbers)
    integration = integration_section(summary, numbers)
    parts = {"systems": headline_section(summary, numbers, measures_line(summary, numbers)),
             "measures": control, "integration": integration}
    first = [parts[c] for c in lead_order(summary)]
    sections = [s for s in first if s is not None]
    schedule = schedule_section(summary)
    sections += [
        over_time_section(summary, series, colors, x_title),
        *([schedule] if schedule is not None else []),
        disparity_section(summary, numbers),
        overlap_section(summary, numbers),
        *system_sections(summary, numbers, series, colors, x_title),
        *measure_sections(summary, numbers, series, x_title),
        grades_section(summary, numbers),
        events_section(summary, numbers),
        restrictions_section(summary, numbers),
    ]
    titles = {"who-was-wronged": "Wronged",
              "control-measures": "Control measures" if measures else "Protests",
              "integration": "Integration"}
    nav = [(s.id, titles[s.id]) for s in sections if s.id in titles]
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


def lead_order(summary: Summary) -> list[str]:
    """The components the first screen shows, in order: those the scenario names
    (``report.lead``), then the others; by default the control measures first when there
    are any, then the scoring systems, then the integrated score."""
    default = (["measures"] if summary.measures else []) + ["systems", "integration",
                                                            "measures"]
    return list(dict.fromkeys([*(summary.lead or []), *default]))


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
        meta.append(replicates_note(r))
    return tuple(meta)


def replicates_note(replicates: Replicates) -> str:
    """The one sentence that says a replicated run's figures are medians."""
    return (f"{replicates.count} replicates (seeds "
            f"{', '.join(str(s) for s in replicates.seeds)}): every figure is the median over "
            "the replicates, with the range where 95% of them fall: median "
            "[2.5th\u201397.5th percentile]; each share is the median of the replicates' "
            "shares.")


def headline_section(summary: Summary, numbers: Numbers, measures_line: str | None) -> Section:
    systems = summary.systems
    paragraphs: list[str] = []
    if not systems:
        return Section("who-was-wronged", "Who was wronged", cls="wronged",
                       paragraphs=(measures_line,) if measures_line else (),
                       notes=(("This run has no scoring systems, so nobody was scored or "
                              "sanctioned."),))
    lead = (f"Across all systems, {numbers.text(RUN.systems_sanctioned_wrongly)} were "
            f"sanctioned wrongly, out of {numbers.plain(RUN.systems_sanctioned)} sanctioned. A "
            "person sanctioned by several systems is counted once per system.")
    paragraphs.append(
        f"Counting each person once across systems: {numbers.text(RUN.sanctioned_any)} were "
        f"sanctioned by at least one system, {numbers.text(RUN.sanctioned_wrongly_any)} of "
        f"them wrongly by at least one ({numbers.rate(RUN.share_wrongly_any, fmt=_share_text)}"
        ").")
    paragraphs.append(
        "Wrongful sanctions lasted "
        f"{numbers.text(RUN.systems_wrongful_person_days, noun='person-days')}, summed over systems: one person under a wrongful sanction for one day is one "
        "wrongful person-day.")
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
        rows.append(Row((
            Cell(name, cls="label", detail=f"{s.kind} \u00b7 {s.jurisdiction}"
                 + (" \u00b7 uncalibrated" if s.uncalibrated else "")),
            *numbers.pair(SYSTEM.covered, name),
            *numbers.pair(SYSTEM.scored, name),
            *numbers.pair(SYSTEM.sanctioned, name),
            *numbers.pair(SYSTEM.sanctioned_wrongly, name, wrong=True),
            share_cell(numbers, SYSTEM.share_wrongly, SYSTEM.sanctioned, (name,), "sanctioned",
                       wrong=True),
            Cell(cause_split(causes_of(numbers, name)), cls="causes"),
            *numbers.pair(SYSTEM.restriction_person_days, name),
            *numbers.pair(SYSTEM.wrongful_person_days, name, wrong=True),
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


def _rate_cells(numbers: Numbers, part: str, name: str) -> tuple[Cell, Cell]:
    """A part's sanction rate and wrongful rate, or the mark that they rest on too few."""
    sanctioned, rate, wrong_rate = _RATES[part]
    base = numbers.value(sanctioned, name)
    mark = too_few(base, "sanctioned") if base else None
    if mark:
        return Cell(mark, None, "num few"), Cell(mark, None, "num wrong few")
    return (Cell(numbers.rate(rate, name), numbers.value(rate, name), "num"),
            Cell(numbers.rate(wrong_rate, name), numbers.value(wrong_rate, name), "num wrong"))


_RATES = {"group": (DISPARITY.group_sanctioned, DISPARITY.group_rate,
                    DISPARITY.group_wrong_rate),
          "urban": (DISPARITY.urban_sanctioned, DISPARITY.urban_rate,
                    DISPARITY.urban_wrong_rate)}
_WRONGLY = {"group": DISPARITY.group_wrongly, "urban": DISPARITY.urban_wrongly}


def disparity_section(summary: Summary, numbers: Numbers) -> Section:
    d = summary.disparity
    columns = (Column("Persons"), Column("count", "num"), *pair_columns("Sanctioned"),
               *pair_columns("Sanctioned wrongly"), Column("sanction rate", "num"),
               Column("wrongful rate", "num"))
    blank = Cell("", cls="num")
    rows: list[Row] = [Row((
        Cell("all persons", cls="label"), Cell(format_count(summary.persons), summary.persons,
                                               "num"),
        *numbers.pair(RUN.sanctioned_any), *numbers.pair(RUN.sanctioned_wrongly_any, wrong=True),
        Cell(numbers.rate(DISPARITY.sanction_rate), numbers.value(DISPARITY.sanction_rate),
             "num"), blank))]
    parts = {"group": (d.group.majority, d.group.minority), "urban": (d.urban.rural,
                                                                       d.urban.urban)}
    ratios = {"group": ("minority \u00f7 majority", DISPARITY.group_ratio, "minority",
                        "majority"),
              "urban": ("rural \u00f7 urban", DISPARITY.urban_ratio, "rural", "urban")}
    for part, (label, ratio, a, b) in ratios.items():
        for index, name in enumerate((b, a) if part == "group" else (a, b)):
            persons = (parts[part][0] if index == 0 else parts[part][1]).persons
            rows.append(Row((Cell(name, cls="label"), Cell(format_count(persons), persons, "num"),
                             *numbers.pair(_RATES[part][0], name),
                             *numbers.pair(_WRONGLY[part], name, wrong=True),
                             *_rate_cells(numbers, part, name)), "first" if index == 0 else ""))
        rows.append(_ratio_row(numbers, label, ratio, part, a, b))
    figures: tuple[Figure, ...] = ()
    paragraphs: tuple[str, ...] = ()
    provinces = [(p, r) for p, r in d.province.items()
                 if numbers.value(DISPARITY.province_ratio, p) is not None]
    if provinces:
        figures = (province_figure(numbers, provinces),)
        readable = [(p, r) for p, r in provinces
                    if numbers.count(DISPARITY.province_sanctioned, p) >= MIN_BASE]
        if len(readable) >= 2:
            def ratio_of(pr: tuple[str, RateRow]) -> float:
                return numbers.count(DISPARITY.province_ratio, pr[0])
            high, low = max(readable, key=ratio_of), min(readable, key=ratio_of)
            paragraphs = ((f"Highest: {_province_text(numbers, *high)}; lowest: "
                          f"{_province_text(numbers, *low)} (among provinces with at least "
                          f"{MIN_BASE} sanctioned persons)."),)
    return Section(
        "disparity", "Disparate impact: who is sanctioned more often",
        lead="Persons sanctioned by at least one system, as a share of each part of the "
             f"population (national sanction rate: {numbers.rate(DISPARITY.sanction_rate)}). "
             "The wrongful rate counts only persons sanctioned wrongly. A ratio above 1 means "
             "the first group is sanctioned more often than the second. Rates and ratios "
             f"resting on fewer than {MIN_BASE} sanctioned persons are marked too few to "
             "estimate.",
        paragraphs=paragraphs,
        tables=(Table("disparity-table", columns, tuple(rows)),), figures=figures)


def _ratio_row(numbers: Numbers, label: str, ratio: CatalogueFigure, part: str, a: str, b: str
               ) -> Row:
    """The ratio of two parts' sanction rates, and of their wrongful rates."""
    sanctioned, _rate, wrong_rate = _RATES[part]
    mark = too_few(min(numbers.count(sanctioned, a), numbers.count(sanctioned, b)),
                   "sanctioned in the smaller group")
    wrongly = _WRONGLY[part]
    wmark = too_few(min(numbers.count(wrongly, a), numbers.count(wrongly, b)),
                    "sanctioned wrongly in the smaller group")
    wa, wb = numbers.value(wrong_rate, a), numbers.value(wrong_rate, b)
    wrong = wa / wb if wa is not None and wb else None
    blank = Cell("", cls="num")
    value = numbers.value(ratio)
    return Row((Cell(f"ratio {label}", cls="label"), blank, blank, blank, blank, blank,
                Cell(mark or numbers.rate(ratio, fmt=format_ratio), None if mark else value,
                     "num"),
                Cell(wmark or format_ratio(wrong), None if wmark else wrong, "num wrong")),
               "ratio")


def _province_text(numbers: Numbers, name: str, row: RateRow) -> str:
    return (f"{name} {numbers.rate(DISPARITY.province_ratio, name, fmt=format_ratio)} "
            f"({numbers.plain(DISPARITY.province_sanctioned, name)} of "
            f"{format_count(row.persons)} sanctioned)")


def province_figure(numbers: Numbers, provinces: list[tuple[str, RateRow]]) -> Figure:
    """Each province's sanction rate over the national one; red only where it is above 1 and
    rests on enough sanctioned persons, light where it rests on too few."""
    names = [p for p, _r in provinces]
    ys = [numbers.value(DISPARITY.province_ratio, p) for p in names]
    colors, hover = [], []
    for (name, r), ratio in zip(provinces, ys):
        sanctioned = numbers.count(DISPARITY.province_sanctioned, name)
        few = too_few(sanctioned, "sanctioned")
        above = (ratio or 0.0) > 1.0
        colors.append("#cfd5df" if few else (WRONG if above else MUTED))
        hover.append(f"{name}: {format_ratio(ratio)}, sanctioned "
                     f"{format_count(sanctioned)} of {format_count(r.persons)}"
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


def integration_section(summary: Summary, numbers: Numbers) -> Section | None:
    """The hypothetical integrated score: how well its linkage matched records to persons,
    and whom its sanctions reached that separate systems would not have."""
    found = summary.integration
    if found is None:
        return None

    def count(figure: CatalogueFigure, wrong: bool = False) -> Cell:
        return numbers.sim(figure, cls="num wrong" if wrong else "num")

    linkage = Table("integration-linkage", (Column("Linkage (last run)"),
                                            Column("value", "num")), tuple(
        Row((Cell(label, cls="label"), cell)) for label, cell in (
            ("identity records linked", count(INTEGRATION.records)),
            ("true persons behind them", count(INTEGRATION.persons)),
            ("clusters made", count(INTEGRATION.clusters)),
            ("pairwise precision (linked pairs that are one person)",
             share_cell(numbers, INTEGRATION.precision, INTEGRATION.predicted_pairs, (),
                        "linked pairs", fmt=_share_text)),
            ("pairwise recall (same-person pairs linked)",
             share_cell(numbers, INTEGRATION.recall, INTEGRATION.true_pairs, (),
                        "same-person pairs", fmt=_share_text)),
            ("wrong merges (clusters of two or more persons)",
             count(INTEGRATION.wrongful_merges, wrong=True)),
            ("persons split over two or more clusters",
             count(INTEGRATION.split_persons, wrong=True)))), "Linkage")
    effects = keynums("integration-effects", "Sanctioned", [
        keyrow(numbers, "by the integrated score now", INTEGRATION.sanctioned),
        keyrow(numbers, "by it with a perfect linkage",
               INTEGRATION.sanctioned_with_perfect_linkage),
        keyrow(numbers, "by any separate system (the same run, not integrated)",
               INTEGRATION.fragmented_sanctioned_any),
        keyrow(numbers, "only because a wrong merge joined them to another's records",
               INTEGRATION.sanctioned_by_merge, wrong=True),
        keyrow(numbers, "only because a split left part of their records alone",
               INTEGRATION.sanctioned_by_split, wrong=True),
        keyrow(numbers, "escaped the sanction a perfect linkage would give, by a split",
               INTEGRATION.escaped_by_split, wrong=True),
    ])
    return Section("integration", "Integration: the hypothetical national score",
                   lead="HYPOTHETICAL: no integrated national score exists. Here every "
                        "source's identity records are linked to persons by a real "
                        "record-linkage engine (splink, Fellegi-Sunter, on DuckDB) and one "
                        "composite score grades and sanctions each linked cluster, so the "
                        "linkage's own errors carry sanctions to the wrong persons. "
                        f"{numbers.plain(INTEGRATION.linkages)} linkage runs; the figures are "
                        "the last one's.",
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
    rows = sorted(((k, numbers.count(RUN.events, k)) for k in numbers.reading.names(RUN.events)),
                  key=lambda kv: (-kv[1], kv[0]))
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
                  tuple(Row((Cell(k, cls="label"), *numbers.pair(RUN.events, k)))
                        for k, _v in rows))
    return Section("events", "What actually happened (truth events)",
                   lead="Counts of events that really happened in the simulated population, "
                        "whether or not any system recorded them.",
                   tables=(table,), figures=(chart,))


def restrictions_section(summary: Summary, numbers: Numbers) -> Section:
    reading = numbers.reading
    rows = [Row((Cell(sanction, cls="label"), Cell(cause),
                 *numbers.pair(RUN.restrictions, sanction, cause)))
            for sanction in reading.names(RUN.restrictions)
            for cause in reading.names(RUN.restrictions, sanction)
            if numbers.fired(RUN.restrictions, sanction, cause)]
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
