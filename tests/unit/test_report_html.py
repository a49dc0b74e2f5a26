"""Tests for the self-contained HTML report (scorelab.report.html)."""

from __future__ import annotations

import copy
import re
from typing import Any

import polars as pl
import pytest

from scorelab.report.html import format_estimate, render_report

SCALE = 70488.9


def _summary() -> dict[str, Any]:
    return {
        "scenario": "china-2022",
        "description": "Rongcheng points & national blacklists",
        "seed": 7,
        "persons": 20000,
        "days": 365,
        "scale": SCALE,
        "scenario_sha256": "ab" * 32,
        "population": {
            "persons": 20000,
            "adults": 16000,
            "urban": 12800,
            "provinces": {"Guangdong": 1788, "Shandong": 1410},
        },
        "events": {"traffic_offence": 12345, "loan_late": 222, "court_judgment": 31},
        "systems": {
            "rongcheng": {
                "kind": "points",
                "jurisdiction": "cities: Rongcheng",
                "covered": 1234,
                "scored": 1200,
                "records": 5000,
                "sanctioned": 40,
                "sanctioned_wrongly": 10,
                "restriction_person_days": 9876,
                "restriction_person_days_by_sanction": {"loans": 5000, "travel": 4876},
                "grades": {"AAA": 100, "AA": 900, "A": 150, "B": 50},
                "grades_truth": {"AAA": 120, "AA": 920, "A": 130, "B": 30},
                "some_future_key": [1, 2, 3],
            },
            "<b>x</b>": {
                "kind": "blacklist",
                "jurisdiction": "national",
                "covered": 20000,
                "scored": 0,
                "records": 7,
                "sanctioned": 0,
                "sanctioned_wrongly": 0,
                "restriction_person_days": 0,
                "restriction_person_days_by_sanction": {},
                "grades": {},
                "grades_truth": {},
            },
        },
        "unknown_top_level_key": {"ignored": True},
    }


def _daily() -> pl.DataFrame:
    rows = []
    for system in ("rongcheng", "<b>x</b>"):
        for day in range(5):
            rows.append(
                {
                    "day": day,
                    "system": system,
                    "records": 10 * day,
                    "sanctioned": 2 * day if system == "rongcheng" else 0,
                    "sanctioned_wrongly": day // 2 if system == "rongcheng" else 0,
                    "newly_sanctioned": 1,
                    "restriction_person_days": 3 * day,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "day": pl.Int32,
            "system": pl.Utf8,
            "records": pl.Int64,
            "sanctioned": pl.Int64,
            "sanctioned_wrongly": pl.Int64,
            "newly_sanctioned": pl.Int64,
            "restriction_person_days": pl.Int64,
        },
    )


def _empty_daily() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "day": pl.Int32,
            "system": pl.Utf8,
            "records": pl.Int64,
            "sanctioned": pl.Int64,
            "sanctioned_wrongly": pl.Int64,
            "newly_sanctioned": pl.Int64,
            "restriction_person_days": pl.Int64,
        }
    )


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(_summary(), _daily())


def _visible_html(page: str) -> str:
    """The page without <script> bodies (the embedded plotly.js is huge)."""
    return re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.DOTALL)


def test_is_a_single_html_page(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<html") == 1
    assert page.rstrip().endswith("</html>")


def test_title_and_run_line(page: str) -> None:
    visible = _visible_html(page)
    assert "<h1>china-2022</h1>" in visible
    assert "Rongcheng points &amp; national blacklists" in visible
    assert "20,000" in visible
    assert "365" in visible
    assert "seed <strong>7</strong>" in visible
    assert "1 synthetic person = <strong>70,489</strong> real people" in visible


def test_leads_with_who_was_wronged(page: str) -> None:
    visible = _visible_html(page)
    wronged = visible.index("Who was wronged")
    for later in (
        "Sanctioned over time",
        "Recorded vs true grades",
        "truth events",
        "Restriction person-days by sanction",
        "How to read this report",
    ):
        assert visible.index(later) > wronged


def test_headline_numbers(page: str) -> None:
    visible = _visible_html(page)
    headline = visible[visible.index("Who was wronged") : visible.index("Sanctioned over time")]
    # rongcheng row: simulated counts
    for text in ("1,234", "1,200", ">40<", ">10<", "9,876"):
        assert text in headline
    # share wrongly = 10 / 40
    assert "25.0%" in headline
    # zero sanctioned -> dash, not a division by zero
    assert "\u2014" in headline
    assert "cities: Rongcheng" in headline


def test_national_estimates(page: str) -> None:
    visible = _visible_html(page)
    headline = visible[visible.index("Who was wronged") : visible.index("Sanctioned over time")]
    assert format_estimate(1234 * SCALE) == "87.0 M"
    assert "87.0 M" in headline  # covered 1,234 x scale
    assert "705,000" in headline  # sanctioned wrongly 10 x scale = 704,889
    assert "2.8 M" in headline  # sanctioned 40 x scale = 2,819,556
    assert "696.2 M" not in headline
    assert "696 M" in headline  # restriction person-days 9,876 x scale
    assert "1.4 B" in headline  # covered 20,000 x scale


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7.4, "7"),
        (999, "999"),
        (70488.9, "70,500"),
        (704889, "705,000"),
        (999_960, "1.0 M"),
        (1_234_567, "1.2 M"),
        (123_456_789, "123 M"),
        (1_409_778_000, "1.4 B"),
        (2.5e13, "25.0 T"),
        (None, "\u2014"),
    ],
)
def test_format_estimate(value: Any, expected: str) -> None:
    assert format_estimate(value) == expected


def test_sections_present(page: str) -> None:
    visible = _visible_html(page)
    assert 'id="scorelab-daily-sanctioned"' in visible
    assert 'id="scorelab-grades"' in visible
    assert 'id="scorelab-events"' in visible
    assert "traffic_offence" in visible and "12,345" in visible
    assert "<td>loans</td>" in visible and "5,000" in visible
    assert "<td>travel</td>" in visible and "4,876" in visible
    assert "sanctioned wrongly" in visible.lower()
    assert "synthetic" in visible


def test_no_external_loads(page: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, flags=re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?://", page, flags=re.IGNORECASE)
    assert "@import" not in page
    visible = _visible_html(page)
    assert "http://" not in visible
    assert "https://" not in visible


def test_plotlyjs_embedded_once(page: str) -> None:
    import plotly.offline

    js = plotly.offline.get_plotlyjs()
    assert page.count(js[:200]) == 1
    assert js in page


def test_deterministic() -> None:
    first = render_report(_summary(), _daily())
    shuffled = _daily().sample(fraction=1.0, shuffle=True, seed=3)
    second = render_report(copy.deepcopy(_summary()), shuffled)
    assert first == second
    assert first.encode("utf-8") == render_report(_summary(), _daily()).encode("utf-8")


def test_system_name_is_escaped(page: str) -> None:
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in _visible_html(page)


def test_escapes_scenario_and_description() -> None:
    summary = _summary()
    summary["scenario"] = "<script>alert(1)</script>"
    summary["description"] = '"quoted" <i>desc</i>'
    out = render_report(summary, _daily())
    assert "<script>alert(1)</script>" not in out
    assert "<i>desc</i>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_empty_systems_and_daily() -> None:
    summary = _summary()
    summary["systems"] = {}
    out = render_report(summary, _empty_daily())
    visible = _visible_html(out)
    assert "Who was wronged" in visible
    assert "no scoring systems" in visible
    assert "No daily data" in visible
    assert "scorelab-daily-sanctioned" not in visible
    assert "scorelab-grades" not in visible
    assert "scorelab-events" in visible  # events still plotted
    assert out == render_report(summary, _empty_daily())


def test_minimal_summary_without_optional_keys() -> None:
    out = render_report({"scenario": "bare"}, _empty_daily())
    visible = _visible_html(out)
    assert "<h1>bare</h1>" in visible
    assert "How to read this report" in visible
    # nothing to plot -> no plotly.js payload at all
    assert "<script" not in out
    assert not re.search(r"https?://", out)


def test_missing_system_fields_are_tolerated() -> None:
    summary = _summary()
    summary["systems"] = {"partial": {"kind": "points", "sanctioned": 3}}
    out = render_report(summary, _daily())
    visible = _visible_html(out)
    assert "partial" in visible
    assert "No system in this run publishes grades." in visible


def test_daily_without_count_columns_and_numpy_counts() -> None:
    np = pytest.importorskip("numpy")
    summary = _summary()
    summary["systems"]["rongcheng"]["sanctioned"] = np.int64(40)
    summary["systems"]["rongcheng"]["sanctioned_wrongly"] = np.int64(10)
    bare_daily = pl.DataFrame(schema={"day": pl.Int32, "system": pl.Utf8})
    out = render_report(summary, bare_daily)
    visible = _visible_html(out)
    assert "No daily data" in visible
    assert "25.0%" in visible
