"""Several runs side by side on one page: their headline figures per system and measure, the
difference of each against the first run, intervals where a run has replicates, and the daily
sanctioned counts of each system overlaid. Same templates, CSS and figure helper as the
report.

>>> import scorelab
>>> a = scorelab.run(preset="china-2022", persons=2000, days=5)
>>> b = scorelab.run(preset="china-2022", persons=2000, days=5, seed=8)
>>> page = build_comparison([("seed 7", a.summary, a.daily), ("seed 8", b.summary, b.daily)])
>>> [s.id for s in page.sections][:2]
['runs', 'systems']
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..ledger.catalogue import MEASURE, SYSTEM
from ..ledger.catalogue import Figure as CatalogueFigure
from ..ledger.summary import Summary
from .daily import DailySeries
from .figures import Figure, Line, color, line_chart
from .numbers import format_count, format_per, format_scale
from .tables import Cell, Column, Row, Table
from .view import Numbers, Page, Section, numbers_of, replicates_of

Run = tuple[str, Summary, pl.DataFrame]

#: the figures compared per system and per measure (the catalogue's, by its labels)
SYSTEM_FIGURES = (SYSTEM.sanctioned, SYSTEM.sanctioned_wrongly, SYSTEM.share_wrongly,
                  SYSTEM.wrongful_person_days, SYSTEM.restriction_person_days)
MEASURE_FIGURES = (MEASURE.flagged, MEASURE.flagged_rightly, MEASURE.flagged_wrongly_total,
                   MEASURE.restriction_person_days_innocent, MEASURE.collateral_person_days,
                   MEASURE.participants_reached,
                   MEASURE.innocent_days_per_participant_reached)


def difference(value: float | None, first: float | None, share: bool = False,
               ratio: bool = False) -> Cell:
    """``+12 (+30.0%)`` against the first run (of medians, where runs have replicates); a
    dash when either is missing. A share differs in percentage points; a ratio keeps its
    decimals (``+0.25``)."""
    if value is None or first is None:
        return Cell("\u2014", None, "num diff")
    delta = value - first
    if share:
        return Cell(f"{100.0 * delta:+.1f} pp", delta, "num diff")
    text = ("-" if delta < 0 else "+") + format_per(abs(delta)) if ratio else f"{round(delta):+,}"
    if first:
        text += f" ({100.0 * delta / first:+.1f}%)"
    return Cell(text, delta, "num diff")


def _figure_table(id: str, runs: Sequence[Run], numbers: list[Numbers], component: str,
                  names: list[str], figures: tuple[CatalogueFigure, ...]) -> Table:
    columns = [Column(component.rstrip("s")), Column("figure")]
    for index, (label, _s, _d) in enumerate(runs):
        columns.append(Column("simulated", "num", label))
        if index:
            columns.append(Column(f"vs {runs[0][0]}", "num", label))
    rows = []
    for name in names:
        for shown in figures:
            values = [n.value(shown, name) for n in numbers]
            share, ratio = shown.unit == "share", shown.unit == "ratio"
            cells = [Cell(name, cls="label"), Cell(shown.label)]
            for index, value in enumerate(values):
                n = numbers[index]
                cells.append(Cell(n.rate(shown, name), value, "num", key=shown.at(name))
                             if share else
                             Cell(n.rate(shown, name, fmt=format_per), value, "num",
                                  key=shown.at(name))
                             if ratio else n.sim(shown, name))
                if index:
                    cells.append(difference(value, values[0], share, ratio))
            rows.append(Row(tuple(cells)))
    return Table(id, tuple(columns), tuple(rows))


def _names(runs: Sequence[Run], component: str) -> list[str]:
    return list(dict.fromkeys(n for _l, s, _d in runs for n in (getattr(s, component) or {})))


def build_comparison(runs: Sequence[Run]) -> Page:
    """The view model of the comparison page."""
    if not runs:
        raise ValueError("a comparison needs at least one run")
    numbers = [numbers_of(summary) for _l, summary, _d in runs]
    run_rows = []
    for label, s, _daily in runs:
        replicates = replicates_of(s)
        run_rows.append(Row((
            Cell(label, cls="label"), Cell(s.scenario), Cell(format_count(s.persons), s.persons,
                                                             "num"),
            Cell(format_count(s.days), s.days, "num"), Cell(str(s.seed), s.seed, "num"),
            Cell(format_scale(s.scale), s.scale, "num"), Cell(s.scenario_sha256[:12]),
            Cell(str(replicates.count) if replicates else "1", None, "num"))))
    run_table = Table("runs-table", (Column("run"), Column("scenario"), Column("persons", "num"),
                                     Column("days", "num"), Column("seed", "num"),
                                     Column("scale", "num"), Column("scenario sha256"),
                                     Column("replicates", "num")), tuple(run_rows))
    systems, measures = _names(runs, "systems"), _names(runs, "measures")
    sections = [
        Section("runs", "Runs", lead="The runs compared; differences are against the first. "
                "Counts are synthetic persons; where a run has replicates its figures show "
                "the median [2.5th\u201397.5th percentile].", tables=(run_table,)),
        Section("systems", "Scoring systems",
                tables=(_figure_table("systems-table", runs, numbers, "systems", systems,
                                      SYSTEM_FIGURES),) if systems else (),
                notes=() if systems else ("No run has a scoring system.",)),
    ]
    if measures:
        sections.append(Section("measures", "Control measures", tables=(
            _figure_table("measures-table", runs, numbers, "measures", measures,
                          MEASURE_FIGURES),)))
    sections.append(_daily_section(runs, systems))
    heading = " vs ".join(label for label, _s, _d in runs)
    return Page(title=f"scorelab comparison \u2014 {heading}", heading=heading,
                description=f"{len(runs)} runs side by side",
                meta=tuple(f"{label}: {s.short()}" for label, s, _d in runs),
                nav=tuple((s.id, s.title) for s in sections), warnings=(),
                sections=tuple(sections),
                footer=("Generated by scorelab. All persons are synthetic.",))


def _daily_section(runs: Sequence[Run], systems: list[str]) -> Section:
    figures: list[Figure] = []
    notes = []
    series = [DailySeries.of(daily) for _l, _s, daily in runs]
    dated = all(s.dated for s in series)
    for index, name in enumerate(systems, start=1):
        lines = [Line(label, line, color(i))
                 for i, ((label, _s, _d), daily) in enumerate(zip(runs, series))
                 if (line := daily.series(name, "sanctioned")) is not None]
        chart = line_chart(f"compare-system-{index}-sanctioned", lines,
                           "date" if dated else "day", "persons sanctioned (simulated)",
                           caption=f"{name}: persons under sanction each day, one line per run.")
        if chart is None:
            notes.append(f"{name}: nobody was under a sanction on any day in any run.")
        else:
            figures.append(chart)
    return Section("over-time", "Sanctioned over time", figures=tuple(figures),
                   notes=tuple(notes))


def render_comparison(runs: list[tuple[str, Summary, pl.DataFrame]], *,
                      plotlyjs: str = "inline") -> str:
    """One HTML page with the runs side by side (labels, typed summaries, daily tables)."""
    from .html import render_page

    return render_page("compare.html.j2", build_comparison(runs), plotlyjs)
