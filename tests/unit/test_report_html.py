"""The HTML report: its view model, compared by equality, and the page the templates make."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from scorelab import __version__
from scorelab.ledger.catalogue import MEASURE
from scorelab.ledger.reading import resolve
from scorelab.ledger.summary import MIN_BASE, Interval, Replicates, Summary
from scorelab.report import numbers, render_comparison, render_report
from scorelab.report.compare import build_comparison, difference
from scorelab.report.daily import DailySeries, Series
from scorelab.report.figures import Line, line_chart, x_values
from scorelab.report.html import static
from scorelab.report.measures import control_section, measure_sections
from scorelab.report.numbers import format_estimate, too_few
from scorelab.report.tables import Cell, Column, Row, Table
from scorelab.report.view import (
    build_page,
    headline_section,
    numbers_of,
    province_figure,
    system_sections,
)

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


def golden(name: str) -> tuple[Summary, pl.DataFrame]:
    summary = Summary.model_validate_json((GOLDEN / name / "summary.json").read_text())
    daily = pl.read_csv(GOLDEN / name / "daily.csv", try_parse_dates=True)
    return summary, daily


def with_system(summary: Summary, **changes: Any) -> Summary:
    """The summary with one system (the first), changed."""
    name, system = next(iter(summary.systems.items()))
    return summary.model_copy(update={"systems": {name: system.model_copy(update=changes)}})


@pytest.mark.parametrize(("value", "expected"), [
    (0, "0"), (7.4, "7"), (999, "999"), (70488.9, "70,500"), (704889, "705,000"),
    (999_960, "1.0 M"), (1_234_567, "1.2 M"), (123_456_789, "123 M"),
    (1_409_778_000, "1.4 B"), (2.5e13, "25.0 T"), (None, "\u2014"),
])
def test_format_estimate(value: Any, expected: str) -> None:
    assert format_estimate(value) == expected


def test_too_few_names_the_base() -> None:
    assert too_few(2, "participants") == "2 participants: too few to estimate"
    assert too_few(MIN_BASE, "participants") is None
    assert too_few(None, "participants") is None


def test_cli_and_report_round_national_estimates_alike() -> None:
    from scorelab import console
    from scorelab.report import keys

    assert keys.estimate is numbers.estimate
    assert console.format_count is numbers.format_count  # what the CLI prints


def test_headline_table_by_equality() -> None:
    summary, _daily = golden("scenario-small")
    summary = with_system(summary, covered=1234, scored=1200, sanctioned=40,
                          sanctioned_wrongly=10, restriction_person_days=9876,
                          wrongful_person_days=55,
                          sanctioned_wrongly_by_cause={"stale_record": 7, "false_record": 3,
                                                       "identity": 0})
    summary = summary.model_copy(update={"scale": 1000.0})
    name, system = next(iter(summary.systems.items()))
    section = headline_section(summary, numbers_of(summary), None)
    key = f"systems.{name}"
    label = Cell(name, cls="label", detail=f"{system.kind} \u00b7 {system.jurisdiction}")
    headline, reach = section.tables
    # the headline: sanctioned, wrongly, the share and the cause (a card per system on a phone)
    assert headline.id == "wronged-table" and headline.stack
    assert headline.rows == (Row((
        label,
        Cell("40", 40, "num", key=f"{key}.sanctioned"), Cell("40,000", 40000, "num est"),
        Cell("10", 10, "num wrong", key=f"{key}.sanctioned_wrongly"),
        Cell("10,000", 10000, "num est"),
        Cell("25.0%", 0.25, "num wrong", key=f"{key}.share_wrongly"),
        Cell("stale 7 \u00b7 false 3", cls="causes"),
    )),)
    assert headline.labels[1:] == [
        "Sanctioned simulated", "Sanctioned national est.", "Sanctioned wrongly simulated",
        "Sanctioned wrongly national est.", "Sanctioned wrongly share of sanctioned",
        "Sanctioned wrongly by cause (persons)"]
    # then how far each system reached and how long its sanctions lasted
    assert reach.id == "reach-table" and not reach.stack
    assert reach.rows == (Row((
        label,
        Cell("1,234", 1234, "num", key=f"{key}.covered"), Cell("1.2 M", 1234000, "num est"),
        Cell("1,200", 1200, "num", key=f"{key}.scored"), Cell("1.2 M", 1200000, "num est"),
        Cell("9,876", 9876, "num", key=f"{key}.restriction_person_days"),
        Cell("9.9 M", 9876000, "num est"),
        Cell("55", 55, "num wrong", key=f"{key}.wrongful_person_days"),
        Cell("55,000", 55000, "num est"),
    )),)


def test_share_on_few_sanctioned_is_marked() -> None:
    summary, _daily = golden("scenario-small")
    summary = with_system(summary, sanctioned=4, sanctioned_wrongly=1)
    row = headline_section(summary, numbers_of(summary), None).tables[0].rows[0]
    assert Cell("4 sanctioned: too few to estimate", None, "num wrong few") in row.cells


def test_recall_on_two_participants_is_too_few() -> None:
    summary, _daily = golden("checkpoints-2022")
    assert summary.measures is not None
    name, measure = next(iter(summary.measures.items()))
    measure = measure.model_copy(update={"participants": 2, "recall": 0.0, "flagged": 500,
                                         "flagged_rightly": 0, "precision": 0.0})
    summary = summary.model_copy(update={"measures": {name: measure}})
    section = control_section(summary, numbers_of(summary))
    assert section is not None
    table = next(t for t in section.tables if t.id == "measures-table")
    rows = {row.cells[0].text: row.cells[1] for row in table.rows}
    assert rows["Recall"] == Cell("2 participants: too few to estimate", None, "num few")
    assert rows["Precision"] == Cell("0%", 0.0, "num", key=f"measures.{name}.precision")


def test_a_shutdown_that_never_fired_says_so() -> None:
    summary, daily = golden("checkpoints-2022")
    assert summary.measures is not None
    measures = {name: (m.model_copy(update={"restriction_person_days": 0,
                                            "restriction_person_days_innocent": 0,
                                            "collateral_person_days": 0})
                       if m.kind == "shutdown" else m)
                for name, m in summary.measures.items()}
    name = next(n for n, m in measures.items() if m.kind == "shutdown")
    summary = summary.model_copy(update={"measures": measures})
    section = control_section(summary, numbers_of(summary))
    assert section is not None
    assert (f"{name} never fired: no city was cut off, so nobody was restricted."
            in section.notes)
    text = " ".join(a["text"] for a in section.figures[0].layout["annotations"])
    assert "cuts everyone" not in text and "never fired" in text
    sections = measure_sections(summary, numbers_of(summary), DailySeries.of(daily), "day")
    shutdown = next(s for s in sections if s.title == f"Measure: {name}")
    assert shutdown.notes == (("This measure never fired: no city was cut off, so nobody was "
                              "restricted."),)


def test_province_colours_only_readable_excess() -> None:
    summary, _daily = golden("china-2022")
    rows = list(summary.disparity.province.items())
    few = rows[0][1].model_copy(update={"persons": 4, "sanctioned": 2, "ratio_to_national": 1.9})
    many = rows[1][1].model_copy(update={"sanctioned": 40, "ratio_to_national": 1.5})
    low = rows[2][1].model_copy(update={"sanctioned": 40, "ratio_to_national": 0.53})
    chosen = [(rows[0][0], few), (rows[1][0], many), (rows[2][0], low)]
    disparity = summary.disparity.model_copy(update={"province": dict(chosen)})
    summary = summary.model_copy(update={"disparity": disparity})
    fig = province_figure(numbers_of(summary), chosen)
    assert fig.data[0]["marker"]["color"] == ["#cfd5df", "#c62828", "#607d8b"]
    assert fig.data[0]["hovertext"][0].endswith("(2 sanctioned: too few to estimate)")


def test_replicates_show_median_and_percentiles() -> None:
    summary, _daily = golden("scenario-small")
    name = next(iter(summary.systems))
    interval = Interval(median=12, low=8, high=17, mean=12.3, mean_low=11, mean_high=13.5)
    replicates = Replicates(count=5, seeds=[1, 2, 3, 4, 5],
                            intervals={f"systems.{name}.sanctioned_wrongly": interval})
    summary = summary.model_copy(update={"replicates": replicates, "scale": 1000.0})
    page = build_page(summary, None)
    row = page.sections[0].tables[0].rows[0]
    wrong = next(c for c in row.cells if c.key == f"systems.{name}.sanctioned_wrongly")
    assert wrong.text == "12 [8\u201317]"
    assert row.cells[row.cells.index(wrong) + 1].text == "12,000 [8,000\u201317,000]"
    assert any("5 replicates (seeds 1, 2, 3, 4, 5)" in line for line in page.meta)


def replicate_daily() -> pl.DataFrame:
    rows = [{"day": day, "name": "a", "replicate": r, "sanctioned": 10 * day + r,
             "sanctioned_wrongly": 0}
            for day in range(3) for r in range(5)]
    return pl.DataFrame(rows)


def test_replicate_days_give_a_median_and_a_band() -> None:
    series = DailySeries.of(replicate_daily()).series("a", "sanctioned")
    assert series == Series([0, 1, 2], [2.0, 12.0, 22.0], [0.1, 10.1, 20.1],
                            [3.9, 13.9, 23.9])
    chart = line_chart("c", [Line("a", series, "#636efa")], "day", "persons")
    assert chart is not None
    assert [(t.get("fill"), t.get("name")) for t in chart.data] == [
        (None, None), ("tonexty", None), (None, "a (median)")]


def test_all_zero_lines_are_hidden() -> None:
    zero = Series([0, 1], [0.0, 0.0])
    some = Series([0, 1], [0.0, 3.0])
    assert line_chart("c", [Line("z", zero, "#000000")], "day", "persons") is None
    chart = line_chart("c", [Line("z", zero, "#000000"), Line("s", some, "#111111")], "day", "p")
    assert chart is not None and [t["name"] for t in chart.data] == ["s"]


def test_system_without_any_daily_count_gets_a_note() -> None:
    summary, daily = golden("scenario-small")
    zeroed = daily.with_columns(pl.col(c) * 0 for c in ("sanctioned", "sanctioned_wrongly",
                                                         "listed", "appeal_backlog",
                                                         "joint_sanctioned",
                                                         "joint_sanctioned_wrongly")
                                if c in daily.columns)
    sections = system_sections(summary, numbers_of(summary), DailySeries.of(zeroed), {}, "day")
    assert sections[0].figures == ()
    assert sections[0].notes == (("Nothing to draw by day: every daily count of this system is "
                                 "zero."),)


def test_time_axes_show_dates_when_the_run_has_them() -> None:
    summary, daily = golden("plan-2014")
    assert "date" in daily.columns
    page = build_page(summary, daily)
    chart = next(f for f in page.figures if f.id == "scorelab-daily-sanctioned")
    assert chart.layout["xaxis"]["title"]["text"] == "date"
    assert chart.layout["xaxis"]["type"] == "date"
    assert (chart.data[0]["x0"], chart.data[0]["dx"]) == (str(summary.start_date), 86_400_000)
    summary, daily = golden("scenario-small")
    chart = next(f for f in build_page(summary, daily).figures
                 if f.id == "scorelab-daily-sanctioned")
    assert chart.layout["xaxis"]["title"]["text"] == f"day (of {summary.days})"
    assert (chart.data[0]["x0"], chart.data[0]["dx"]) == (0, 1)


def test_days_with_gaps_keep_their_list() -> None:
    assert x_values([0, 1, 3]) == {"x": [0, 1, 3]}
    assert x_values(["2022-12-31", "2023-01-01"]) == {"x0": "2022-12-31", "dx": 86_400_000}
    assert x_values(["2022-12-30", "2023-01-01"]) == {"x": ["2022-12-30", "2023-01-01"]}


def test_table_csv_and_its_link() -> None:
    table = Table("t", (Column("name"), Column("n", "num", "persons")),
                  (Row((Cell("a,b"), Cell("1,234", 1234))),))
    assert table.csv() == 'name,persons n\r\n"a,b",1234\r\n'
    assert table.csv_uri().startswith("data:text/csv;charset=utf-8,name%2Cpersons%20n")
    assert table.groups == [("", 1), ("persons", 1)]


def test_methods_name_version_hash_and_sources() -> None:
    summary, daily = golden("checkpoints-2022")
    methods = build_page(summary, daily).methods
    assert methods is not None
    run = dict(methods.run)
    assert run["scorelab version"] == __version__
    assert run["scenario sha256"] == summary.scenario_sha256
    titles = [s.title for s in methods.sources]
    assert titles[0] == "Population (population.*)"
    assert any(t.startswith("Protests and control measures") for t in titles)


def test_shipped_sources_are_the_docs() -> None:
    assert static("sources.md") == (ROOT / "docs" / "sources.md").read_text("utf-8"), (
        "the report ships a copy of docs/sources.md: "
        "cp docs/sources.md src/scorelab/report/static/sources.md")


def test_page_is_escaped_deterministic_and_small() -> None:
    summary, daily = golden("checkpoints-2022")
    summary = summary.model_copy(update={"description": "<b>bold</b> & co"})
    page = render_report(summary, daily)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page and "<b>bold</b>" not in page
    assert page == render_report(summary, daily)
    assert len(page.encode()) < 1_500_000
    assert page.count("plotly.js (basic - minified)") == 1
    assert 'data-key="measures.' in page and "Download this table as CSV" in page


def test_plotly_can_be_referenced_instead_of_inlined() -> None:
    summary, daily = golden("scenario-small")
    page = render_report(summary, daily, plotlyjs="plotly-basic.min.js")
    assert '<script src="plotly-basic.min.js"></script>' in page
    assert "plotly.js (basic - minified)" not in page
    assert len(page.encode()) < 300_000


def test_report_accepts_the_json_form() -> None:
    summary, daily = golden("scenario-small")
    assert render_report(summary.as_dict(), daily) == render_report(summary, daily)


def test_comparison_by_equality() -> None:
    summary, daily = golden("scenario-small")
    name = next(iter(summary.systems))
    other = with_system(summary, sanctioned_wrongly=summary.systems[name].sanctioned_wrongly + 5)
    page = build_comparison([("base", summary, daily), ("more", other, daily)])
    table = page.sections[1].tables[0]
    assert [c.label for c in table.columns] == ["system", "figure", "simulated", "simulated",
                                                "vs base"]
    wrong = next(r for r in table.rows
                 if r.cells[0].text == name and r.cells[1].text == "sanctioned wrongly")
    first = summary.systems[name].sanctioned_wrongly
    assert wrong.cells[2:] == (
        Cell(f"{first:,}", first, "num", key=f"systems.{name}.sanctioned_wrongly"),
        Cell(f"{first + 5:,}", first + 5, "num", key=f"systems.{name}.sanctioned_wrongly"),
        difference(first + 5, first))
    assert difference(15, 10) == Cell("+5 (+50.0%)", 5, "num diff")
    assert difference(3, 0) == Cell("+3", 3, "num diff")
    assert difference(3.29, 3.88, ratio=True).text == "-0.59 (-15.2%)"
    charts = page.figures
    assert charts and all(len([t for t in c.data if t.get("name")]) == 2 for c in charts)


def test_comparison_sets_the_measures_side_by_side_per_participant_reached() -> None:
    """The figure that puts flagging and area measures on one scale keeps its decimals."""
    summary, daily = golden("area-control-2022")
    page = build_comparison([("a", summary, daily), ("b", summary, daily)])
    table = next(t for s in page.sections for t in s.tables if t.id == "measures-table")
    rows = {(r.cells[0].text, r.cells[1].text): r.cells for r in table.rows}
    label = MEASURE.innocent_days_per_participant_reached.label
    for name in summary.measures:
        cells = rows[(name, label)]
        value = resolve(summary).get(f"measures.{name}.innocent_days_per_participant_reached")
        assert cells[2].value == value
        assert cells[4].text.startswith("\u2014" if value is None else "+0")
        assert value is None or cells[2].text == numbers.format_per(value)


def test_comparison_page_with_replicates() -> None:
    summary, _daily = golden("scenario-small")
    name = next(iter(summary.systems))
    interval = Interval(median=3, low=1, high=6, mean=3.2, mean_low=2, mean_high=4)
    replicated = summary.model_copy(update={"replicates": Replicates(
        count=5, seeds=[1, 2, 3, 4, 5], intervals={f"systems.{name}.sanctioned": interval})})
    daily = replicate_daily().with_columns(pl.lit(name).alias("name"))
    html = render_comparison([("one", summary, daily.filter(pl.col("replicate") == 0)
                               .drop("replicate")), ("five", replicated, daily)])
    assert "3 [1\u20136]" in html
    assert re.search(r'"fill": ?"tonexty"', html)
