"""Disparate impact in the report: sanction rates by group, rural and urban, and province."""

from __future__ import annotations

from ..ledger.catalogue import DISPARITY, RUN
from ..ledger.catalogue import Figure as CatalogueFigure
from ..ledger.summary import MIN_BASE, RateRow, Summary
from .cells import Numbers, pair_columns
from .figures import MUTED, WRONG, Figure, bar_trace, figure
from .numbers import (
    format_count,
    format_ratio,
    too_few,
)
from .page import Section
from .tables import Cell, Column, Row, Table


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
                     "num few" if mark else "num"),
                Cell(wmark or format_ratio(wrong), None if wmark else wrong,
                     "num wrong few" if wmark else "num wrong")),
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
