"""Tests for the self-contained HTML report (scorelab.report.html)."""

from __future__ import annotations

import copy
import html
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
                    "name": system,
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
            "name": pl.Utf8,
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
            "name": pl.Utf8,
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
    bare_daily = pl.DataFrame(schema={"day": pl.Int32, "name": pl.Utf8})
    out = render_report(summary, bare_daily)
    visible = _visible_html(out)
    assert "No daily data" in visible
    assert "25.0%" in visible


# --------------------------------------------------------------------------
# summaries with lists, causes, appeals, joint punishment, overlap, disparity
# --------------------------------------------------------------------------

NEW_SCALE = 1000.0
ZERO_SANCTIONS = {
    "flights": 0,
    "high_speed_rail": 0,
    "loans": 0,
    "private_schooling": 0,
    "public_jobs": 0,
    "luxury_spending": 0,
    "social_media": 0,
}
ZERO_REWARDS = {"deposit_free_rentals": 0, "fast_approvals": 0, "discounts": 0, "free_parking": 0}


def _new_summary() -> dict[str, Any]:
    """A small hand-built summary with every key the ledger now writes.

    Systems are deliberately not in sorted order (summary order: court-list, rongcheng, hangzhou).
    """
    return {
        "scenario": "china-2022",
        "description": "court list and city points",
        "seed": 7,
        "persons": 3000,
        "days": 4,
        "warmup_days": 30,
        "scale": NEW_SCALE,
        "population": {"persons": 3000, "adults": 2400, "urban": 1900},
        "events": {"loan_late": 40},
        "systems": {
            "court-list": {
                "kind": "list",
                "jurisdiction": "national",
                "covered": 3000,
                "scored": 120,
                "records": 60,
                "sanctioned": 600,
                "sanctioned_wrongly": 57,
                "sanctioned_wrongly_by_cause": {
                    "false_record": 17,
                    "identity": 1,
                    "stale_record": 39,
                    "incomplete_record": 0,
                },
                "rewarded": 0,
                "restriction_person_days": 2400,
                "wrongful_person_days": 4321,
                "restriction_person_days_by_sanction": {
                    **ZERO_SANCTIONS,
                    "flights": 2400,
                    "loans": 2400,
                },
                "reward_person_days_by_reward": dict(ZERO_REWARDS),
                "listed": 600,
                "listed_wrongly": 57,
                "listed_at_end": 580,
                "listed_wrongly_at_end": 5,
                "appeals_filed": 151,
                "appeals_decided": 149,
                "appeals_won": 126,
                "appeal_backlog_max": 14,
                "appeal_backlog_at_end": 9,
            },
            "rongcheng": {
                "kind": "points",
                "jurisdiction": "cities: Rongcheng",
                "covered": 152,
                "scored": 72,
                "records": 86,
                "sanctioned": 3,
                "sanctioned_wrongly": 2,
                "sanctioned_wrongly_by_cause": {
                    "false_record": 0,
                    "identity": 0,
                    "stale_record": 0,
                    "incomplete_record": 2,
                },
                "rewarded": 0,
                "restriction_person_days": 12,
                "wrongful_person_days": 8,
                "restriction_person_days_by_sanction": {**ZERO_SANCTIONS, "public_jobs": 12},
                "reward_person_days_by_reward": dict(ZERO_REWARDS),
                "grades": {"AAA": 0, "A": 148, "D": 4},
                "grades_truth": {"AAA": 1, "A": 147, "D": 4},
                "joint_punishment": {
                    "court-list": {
                        "sanctioned": 2,
                        "sanctioned_wrongly": 1,
                        "restriction_person_days": 730,
                        "restriction_person_days_by_sanction": {**ZERO_SANCTIONS, "loans": 730},
                    }
                },
            },
            "hangzhou": {
                "kind": "points",
                "jurisdiction": "cities: Hangzhou",
                "covered": 254,
                "scored": 127,
                "records": 155,
                "sanctioned": 0,
                "sanctioned_wrongly": 0,
                "sanctioned_wrongly_by_cause": {
                    "false_record": 0,
                    "identity": 0,
                    "stale_record": 0,
                    "incomplete_record": 0,
                },
                "rewarded": 1,
                "restriction_person_days": 0,
                "wrongful_person_days": 0,
                "restriction_person_days_by_sanction": dict(ZERO_SANCTIONS),
                "reward_person_days_by_reward": {**ZERO_REWARDS, "fast_approvals": 234},
            },
        },
        "restrictions": {
            "flights": {"court-list": 2400},
            "loans": {"court-list": 2400, "rongcheng (joint: court-list)": 730},
            "public_jobs": {"rongcheng": 12},
        },
        "coverage_histogram": {"0": 0, "1": 2700, "2": 290, "3+": 10},
        "scored_histogram": {"0": 2810, "1": 180, "2": 9, "3+": 1},
        "conflicting_grades": 6,
        "sanctioned_any": 601,
        "sanctioned_wrongly_any": 58,
        "disparity": {
            "sanction_rate": 0.20033333,
            "group": {
                "majority": {
                    "persons": 2700,
                    "sanctioned": 500,
                    "sanctioned_wrongly": 40,
                    "rate": 0.18518519,
                    "wrong_rate": 0.01481481,
                },
                "minority": {
                    "persons": 300,
                    "sanctioned": 101,
                    "sanctioned_wrongly": 18,
                    "rate": 0.33666667,
                    "wrong_rate": 0.06,
                },
                "ratio_minority_to_majority": 1.818,
            },
            "urban": {
                "rural": {
                    "persons": 1100,
                    "sanctioned": 300,
                    "sanctioned_wrongly": 30,
                    "rate": 0.27272727,
                    "wrong_rate": 0.02727273,
                },
                "urban": {
                    "persons": 1900,
                    "sanctioned": 301,
                    "sanctioned_wrongly": 28,
                    "rate": 0.15842105,
                    "wrong_rate": 0.01473684,
                },
                "ratio_rural_to_urban": 1.721495,
            },
            "province": {
                "Zhejiang": {
                    "persons": 2000,
                    "sanctioned": 300,
                    "sanctioned_wrongly": 20,
                    "rate": 0.15,
                    "wrong_rate": 0.01,
                    "ratio_to_national": 0.748752,
                },
                "Anhui": {
                    "persons": 999,
                    "sanctioned": 301,
                    "sanctioned_wrongly": 38,
                    "rate": 0.3013013,
                    "wrong_rate": 0.03803804,
                    "ratio_to_national": 1.503999,
                },
                "Tibet": {
                    "persons": 1,
                    "sanctioned": 0,
                    "sanctioned_wrongly": 0,
                    "rate": 0.0,
                    "wrong_rate": 0.0,
                    "ratio_to_national": 0.0,
                },
                "Empty": {
                    "persons": 0,
                    "sanctioned": 0,
                    "sanctioned_wrongly": 0,
                    "rate": None,
                    "wrong_rate": None,
                    "ratio_to_national": None,
                },
            },
        },
    }


_NEW_DAILY_SCHEMA = {
    "day": pl.Int32,
    "name": pl.Utf8,
    "records": pl.Int64,
    "listed": pl.Int64,
    "sanctioned": pl.Int64,
    "sanctioned_wrongly": pl.Int64,
    "newly_sanctioned": pl.Int64,
    "newly_wronged": pl.Int64,
    "restriction_person_days": pl.Int64,
    "rewarded": pl.Int64,
    "appeals_filed": pl.Int64,
    "appeals_won": pl.Int64,
    "appeal_backlog": pl.Int64,
    "joint_sanctioned": pl.Int64,
    "joint_sanctioned_wrongly": pl.Int64,
}


def _new_daily(systems: tuple[str, ...] = ("court-list", "rongcheng", "hangzhou")) -> pl.DataFrame:
    rows = []
    for day in range(4):
        for system in systems:
            is_list = system == "court-list"
            rows.append(
                {
                    "day": day,
                    "name": system,
                    "records": day,
                    "listed": 590 + day if is_list else None,
                    "sanctioned": 590 + day if is_list else 0,
                    "sanctioned_wrongly": 50 + day if is_list else 0,
                    "newly_sanctioned": 1,
                    "newly_wronged": 0,
                    "restriction_person_days": 600 if is_list else 0,
                    "rewarded": 0,
                    "appeals_filed": 1 if is_list else 0,
                    "appeals_won": 1 if is_list else 0,
                    "appeal_backlog": 7 + day if is_list else 0,
                    "joint_sanctioned": 2 if system == "rongcheng" else 0,
                    "joint_sanctioned_wrongly": 0,
                }
            )
    return pl.DataFrame(rows, schema=_NEW_DAILY_SCHEMA)


@pytest.fixture(scope="module")
def new_page() -> str:
    return render_report(_new_summary(), _new_daily())


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    no_tags = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(no_tags))


def _section(page: str, section_id: str) -> str:
    visible = _visible_html(page)
    start = visible.index(f'id="{section_id}"')
    return visible[start : visible.index("</section>", start)]


def _plot_data(page: str, div_id: str) -> str:
    """The script that draws one plotly figure (its data and layout as JSON)."""
    start = page.index(f'<div id="{div_id}"')
    return page[start : page.index("</script>", start)]


def test_new_header_shows_warmup(new_page: str) -> None:
    header = _text(_visible_html(new_page).split("</header>")[0])
    assert "4 days (after 30 warm-up days, not reported)" in header


def test_headline_counts_persons_once_across_systems(new_page: str) -> None:
    headline = _section(new_page, "who-was-wronged")
    text = _text(headline)
    # per-system sum (counted once per system) is still there
    assert "Across all systems, 59 synthetic persons" in text
    assert "out of 603 sanctioned" in text
    # cross-system, once per person, with national estimates (x 1,000)
    assert (
        "Counting each person once across systems: 601 synthetic persons "
        "(national estimate 601,000) were sanctioned by at least one system, "
        "58 (national estimate 58,000) of them wrongly by at least one (9.7%)."
    ) in text
    # wrongful person-days summed over systems: 4,321 + 8 + 0
    assert "Wrongful sanctions lasted 4,329 person-days (national estimate 4.3 M)" in text


def test_headline_table_has_wrongful_days_and_causes(new_page: str) -> None:
    headline = _section(new_page, "who-was-wronged")
    assert "Wrongful person-days" in headline
    assert "Wrongly, by cause" in headline
    rows = {
        _text(m.group(1)).split()[0]: _text(m.group(1))
        for m in re.finditer(r"<tr>(<td class=\"system\">.*?)</tr>", headline)
    }
    assert set(rows) == {"court-list", "hangzhou", "rongcheng"}
    # largest cause first, zero causes left out
    assert "stale 39 · false 17 · namesake 1" in rows["court-list"]
    assert "incomplete" not in rows["court-list"]
    assert "4,321 4.3 M" in rows["court-list"]  # wrongful person-days + estimate
    assert "incomplete 2" in rows["rongcheng"]
    assert "none" in rows["hangzhou"]
    # the headline table keeps its sorted order
    order = [headline.index(f">{n}<") for n in ("court-list", "hangzhou", "rongcheng")]
    assert order == sorted(order)


def test_overlap_section(new_page: str) -> None:
    section = _section(new_page, "overlap")
    text = _text(section)
    assert 'id="scorelab-overlap"' in section
    for line in (
        "0 systems 0 0 2,810 2.8 M",
        "1 system 2,700 2.7 M 180 180,000",
        "2 systems 290 290,000 9 9,000",
        "3+ systems 10 10,000 1 1,000",
    ):
        assert line in text
    assert (
        "6 synthetic persons (national estimate 6,000) were rated at the top grade by one "
        "system while at the bottom grade, or blacklisted, by another."
    ) in text
    data = _plot_data(new_page, "scorelab-overlap")
    assert '"x":["0 systems","1 system","2 systems","3+ systems"]' in data
    assert '"y":[0,2700,290,10]' in data
    assert '"y":[2810,180,9,1]' in data


def test_overlap_without_conflicts_or_single_conflict() -> None:
    summary = _new_summary()
    summary["conflicting_grades"] = 0
    text = _text(_section(render_report(summary, _new_daily()), "overlap"))
    assert "No person was rated at the top grade" in text
    summary["conflicting_grades"] = 1
    text = _text(_section(render_report(summary, _new_daily()), "overlap"))
    assert "1 synthetic person (national estimate 1,000) was rated" in text


def test_disparity_table(new_page: str) -> None:
    section = _section(new_page, "disparity")
    text = _text(section)
    assert "national sanction rate: 20%" in text
    assert "all persons 3,000 601 601,000 58 58,000 20% 1.93%" in text
    assert "majority 2,700 500 500,000 40 40,000 18.5% 1.48%" in text
    assert "minority 300 101 101,000 18 18,000 33.7% 6%" in text
    # sanction-rate ratio from the summary; wrongful-rate ratio from the counts:
    # (18 / 300) / (40 / 2700) = 4.05
    assert "ratio minority ÷ majority 1.82× 4.05×" in text
    assert "rural 1,100 300 300,000 30 30,000 27.3% 2.73%" in text
    assert "urban 1,900 301 301,000 28 28,000 15.8% 1.47%" in text
    # (30 / 1100) / (28 / 1900) = 1.85
    assert "ratio rural ÷ urban 1.72× 1.85×" in text
    assert text.index("majority") < text.index("minority") < text.index("rural")


def test_disparity_provinces_in_given_order(new_page: str) -> None:
    section = _section(new_page, "disparity")
    assert 'id="scorelab-provinces"' in section
    data = _plot_data(new_page, "scorelab-provinces")
    # the summary's province order, not sorted; a null ratio stays a gap
    assert '"x":["Zhejiang","Anhui","Tibet","Empty"]' in data
    assert '"y":[0.748752,1.503999,0.0,null]' in data
    text = _text(section)
    assert (
        "Highest: Anhui 1.50× (301 of 999 sanctioned); lowest: Tibet 0.00× (0 of 1 sanctioned)."
    ) in text


def test_disparity_falls_back_to_rate_and_tolerates_nulls() -> None:
    summary = _new_summary()
    disparity = summary["disparity"]
    for row in disparity["province"].values():
        row["ratio_to_national"] = None
    disparity["sanction_rate"] = None
    disparity["group"]["minority"]["rate"] = None
    disparity["group"]["ratio_minority_to_majority"] = None
    del disparity["urban"]
    out = render_report(summary, _new_daily())
    section = _section(out, "disparity")
    text = _text(section)
    assert "national sanction rate: \u2014" in text
    assert "ratio minority ÷ majority \u2014 4.05×" in text
    assert "rural" not in text
    assert "sanction rate (%)" in _plot_data(out, "scorelab-provinces")
    assert '"y":[15.0,30.13013,0.0,null]' in _plot_data(out, "scorelab-provinces")
    assert "Highest: Anhui 30.1%" in text


def test_system_sections_in_summary_order(new_page: str) -> None:
    visible = _visible_html(new_page)
    starts = [visible.index(f'<section class="system" id="system-{i}">') for i in (1, 2, 3)]
    assert starts == sorted(starts)
    titles = re.findall(r'<section class="system" id="system-\d">\s*<h2>(.*?)</h2>', visible)
    assert titles == ["System: court-list", "System: rongcheng", "System: hangzhou"]
    # all system sections come after the headline and before the grades
    assert visible.index("Who was wronged") < starts[0]
    assert starts[-1] < visible.index("Recorded vs true grades")


def test_list_system_section(new_page: str) -> None:
    section = _section(new_page, "system-1")
    text = _text(section)
    assert "kind: list" in text and "jurisdiction: national" in text
    for line in (
        "Covered (in its jurisdiction) 3,000 3.0 M",
        "Listed (ever) 600 600,000 wrongly 57 57,000",
        "Listed at the end 580 580,000 wrongly 5 5,000",
        "Sanctioned wrongly 57 (9.5%) 57,000",
        "by stale record 39 39,000 by false record 17 17,000",
        "by namesake's record (identity) 1 1,000",
        "Wrongful person-days 4,321 4.3 M",
        "Restriction person-days 2,400 2.4 M flights 2,400 2.4 M loans 2,400 2.4 M Rewards",
        "Appeals filed 151 151,000 decided 149 149,000 won (84.6% of decided) 126 126,000",
        "Largest backlog (one day) 14 14,000",
        "Backlog at the end 9 9,000",
    ):
        assert line in text, line
    # zero sanctions, zero causes and zero rewards are left out
    assert "social_media" not in text
    assert "incomplete" not in text
    assert "person-days)" not in text
    assert "Joint punishment" not in text
    data = _plot_data(new_page, "scorelab-system-1-daily")
    assert '"name":"listed"' in data and '"y":[590,591,592,593]' in data
    assert '"name":"sanctioned wrongly"' in data and '"y":[50,51,52,53]' in data
    assert '"name":"appeal backlog (right axis)"' in data and '"y":[7,8,9,10]' in data
    assert '"yaxis2"' in data


def test_points_system_with_joint_punishment(new_page: str) -> None:
    section = _section(new_page, "system-2")
    text = _text(section)
    assert "kind: points" in text and "jurisdiction: cities: Rongcheng" in text
    assert "Listed" not in text
    assert "Appeals" not in text
    assert "by incomplete record 2 2,000" in text
    assert "public_jobs 12 12,000" in text
    assert (
        "Joint punishment of persons on court-list simulated national est. "
        "Sanctioned 2 2,000 Sanctioned wrongly 1 1,000 "
        "Restriction person-days 730 730,000 loans 730 730,000"
    ) in text
    data = _plot_data(new_page, "scorelab-system-2-daily")
    assert '"name":"sanctioned"' in data
    assert '"name":"jointly sanctioned"' in data and '"y":[2,2,2,2]' in data
    assert "appeal backlog" not in data
    assert '"name":"listed"' not in data


def test_points_system_with_rewards(new_page: str) -> None:
    text = _text(_section(new_page, "system-3"))
    assert "Rewarded (persons) 1 1,000 fast_approvals (person-days) 234 234,000" in text
    assert "discounts" not in text
    assert "Sanctioned wrongly 0 0" in text  # no share for zero sanctioned
    data = _plot_data(new_page, "scorelab-system-3-daily")
    assert "jointly" not in data and "appeal" not in data


def test_system_without_daily_rows() -> None:
    out = render_report(_new_summary(), _new_daily(("court-list", "rongcheng")))
    assert "No daily data for this system." in _section(out, "system-3")
    assert "scorelab-system-3-daily" not in out


def test_restrictions_by_sanction_and_cause(new_page: str) -> None:
    section = _section(new_page, "restrictions")
    text = _text(section)
    assert "Sanction Imposed by person-days simulated national est." in text
    assert "flights court-list 2,400 2.4 M" in text
    assert "loans court-list 2,400 2.4 M rongcheng (joint: court-list) 730 730,000" in text
    assert "public_jobs rongcheng 12 12,000" in text
    assert '<td rowspan="2">loans</td>' in section
    assert "social_media" not in section


def test_restrictions_skip_zero_rows() -> None:
    summary = _new_summary()
    summary["restrictions"] = {"flights": {"court-list": 0}}
    text = _text(_section(render_report(summary, _new_daily()), "restrictions"))
    assert "Nobody was restricted in this run." in text


def test_howto_explains_new_terms(new_page: str) -> None:
    text = _text(_section(new_page, "how-to-read"))
    assert "a record of something that never happened" in text
    assert "namesake" in text
    assert "learned of the remedy late or never" in text
    assert "good deeds the system missed" in text
    assert "wrongful person-day" in text
    assert "30 warm-up days" in text and "not reported" in text
    assert "Joint punishment" in text


def test_new_page_is_deterministic(new_page: str) -> None:
    shuffled = _new_daily().sample(fraction=1.0, shuffle=True, seed=11)
    again = render_report(copy.deepcopy(_new_summary()), shuffled)
    assert again == new_page
    ids = re.findall(r'<div id="([^"]+)"', new_page)
    assert ids == [
        "scorelab-daily-sanctioned",
        "scorelab-provinces",
        "scorelab-overlap",
        "scorelab-system-1-daily",
        "scorelab-system-2-daily",
        "scorelab-system-3-daily",
        "scorelab-grades",
        "scorelab-events",
    ]


def test_new_page_embeds_plotlyjs_once_and_loads_nothing(new_page: str) -> None:
    import plotly.offline

    js = plotly.offline.get_plotlyjs()
    assert new_page.count(js[:200]) == 1
    assert not re.search(r"<script[^>]*\bsrc\s*=", new_page, flags=re.IGNORECASE)
    assert not re.search(r"https?://", _visible_html(new_page))


def test_new_keys_are_escaped() -> None:
    evil = "<i>list</i>"
    summary = _new_summary()
    systems = summary["systems"]
    systems[evil] = systems.pop("court-list")
    systems["rongcheng"]["joint_punishment"] = {
        evil: systems["rongcheng"]["joint_punishment"]["court-list"]
    }
    systems["rongcheng"]["sanctioned_wrongly_by_cause"]["<b>odd</b>"] = 3
    systems["hangzhou"]["reward_person_days_by_reward"]["<u>perk</u>"] = 5
    summary["restrictions"] = {"<s>flights</s>": {f"rongcheng (joint: {evil})": 730}}
    summary["coverage_histogram"] = {"0": 1, "<4>": 2}
    provinces = summary["disparity"]["province"]
    provinces["<em>Prov</em>"] = provinces.pop("Anhui")
    summary["disparity"]["group"]["<q>g</q>"] = {"persons": 1, "sanctioned": 1}
    daily = _new_daily().with_columns(pl.col("name").replace({"court-list": evil}))
    out = render_report(summary, daily)
    for raw in (
        evil,
        "<b>odd</b>",
        "<u>perk</u>",
        "<s>flights</s>",
        "<4>",
        "<em>Prov</em>",
        "<q>g</q>",
    ):
        assert raw not in out, raw
    visible = _visible_html(out)
    for escaped in (
        "System: &lt;i&gt;list&lt;/i&gt;",
        "Joint punishment of persons on &lt;i&gt;list&lt;/i&gt;",
        "&lt;b&gt;odd&lt;/b&gt; 3",
        "&lt;u&gt;perk&lt;/u&gt; (person-days)",
        "&lt;s&gt;flights&lt;/s&gt;",
        "rongcheng (joint: &lt;i&gt;list&lt;/i&gt;)",
        "&lt;4&gt; systems",
        "&lt;em&gt;Prov&lt;/em&gt;",
        "&lt;q&gt;g&lt;/q&gt;",
    ):
        assert escaped in visible, escaped
    # plotly labels are escaped too (plotly.js would render raw HTML in them)
    # (plotly's JSON writes "/" as \u002f)
    assert '"&lt;em&gt;Prov&lt;\\u002fem&gt;"' in _plot_data(out, "scorelab-provinces")
    assert out == render_report(copy.deepcopy(summary), daily)


def test_old_summary_has_no_new_sections_but_renders(page: str) -> None:
    visible = _visible_html(page)
    assert "No overlap counts in this summary." in visible
    assert "No disparity counts in this summary." in visible
    assert "Counting each person once" not in visible
    assert "Wrongful person-days" not in _section(page, "who-was-wronged")
    assert "Wrongly, by cause" not in visible
    assert "warm-up days, not reported" not in visible
    # one section per system, even for the old summary (in its order)
    titles = re.findall(r"<h2>(System: .*?)</h2>", visible)
    assert titles == ["System: rongcheng", "System: &lt;b&gt;x&lt;/b&gt;"]
    # restrictions fall back to per-system rows, zeros left out
    section = _section(page, "restrictions")
    assert "<td>rongcheng</td><td>loans</td>" in section


def test_partial_new_keys_are_tolerated() -> None:
    summary = _new_summary()
    summary["systems"]["court-list"]["sanctioned_wrongly_by_cause"] = None
    summary["systems"]["court-list"]["joint_punishment"] = {"x": None}
    summary["systems"]["rongcheng"].pop("wrongful_person_days")
    summary["coverage_histogram"] = "not a mapping"
    summary["scored_histogram"] = {"0": None, "1": "12"}
    summary["disparity"] = {"group": {"majority": {}}, "province": {"A": {}}}
    summary["restrictions"] = {"loans": None}
    summary["sanctioned_any"] = None
    summary["sanctioned_wrongly_any"] = 3
    out = render_report(summary, _new_daily())
    visible = _visible_html(out)
    assert "How to read this report" in visible
    assert "Joint punishment of persons on x" in visible
    assert out == render_report(summary, _new_daily())


# --------------------------------------------------------------------------
# protests and control measures (checkpoint, device scan, shutdown)
# --------------------------------------------------------------------------

ZERO_COST = {
    "officer_hours": 0.0,
    "reviewer_hours": 0.0,
    "images_scanned": 0.0,
    "device_flops": 0.0,
    "energy_kwh": 0.0,
    "upload_bytes": 0.0,
    "detention_days": 0.0,
    "economic_usd": 0.0,
}
MEASURE_COLUMNS = (
    "searches",
    "flagged",
    "flagged_wrongly",
    "restricted",
    "restricted_innocent",
    "collateral",
    "review_backlog",
)


def _measures() -> dict[str, Any]:
    """Three small measures, deliberately not in sorted order (cp, scan, cut)."""
    return {
        "cp": {
            "kind": "checkpoint",
            "flagged": 40,
            "flagged_rightly": 10,
            "flagged_wrongly": {"bystander": 12, "recipient": 3, "uninvolved": 15},
            "participants": 20,
            "restriction_person_days": 500,
            "restriction_person_days_innocent": 420,
            "collateral_person_days": 210,
            "flagged_wrongly_total": 30,
            "precision": 0.25,
            "recall": 0.5,
            "innocent_per_participant_caught": 3.0,
            "searches": 300,
            "search_hits": 45,
            "cost": {**ZERO_COST, "officer_hours": 12.5, "detention_days": 45.0},
        },
        "scan": {
            "kind": "device_scan",
            "flagged": 1207,
            "flagged_rightly": 7,
            "flagged_wrongly": {"bystander": 4, "recipient": 96, "uninvolved": 1100},
            "participants": 20,
            "restriction_person_days": 900,
            "restriction_person_days_innocent": 880,
            "collateral_person_days": 800,
            "confirmed": 60,
            "confirmed_wrongly": 55,
            "flagged_wrongly_total": 1200,
            "precision": 0.0058,
            "recall": 0.35,
            "innocent_per_participant_caught": 171.428571,
            "installed": 2400,
            "matches": 5000,
            "review_backlog_max": 350,
            "cost": {
                **ZERO_COST,
                "reviewer_hours": 2.5,
                "images_scanned": 1_500_000.0,
                "device_flops": 6.5e14,
                "energy_kwh": 0.25,
                "upload_bytes": 2.5e9,
            },
        },
        "cut": {
            "kind": "shutdown",
            "flagged": 0,
            "flagged_rightly": 0,
            "flagged_wrongly": {"bystander": 0, "recipient": 0, "uninvolved": 0},
            "participants": 20,
            "restriction_person_days": 3000,
            "restriction_person_days_innocent": 2990,
            "collateral_person_days": 2900,
            "flagged_wrongly_total": 0,
            "precision": None,
            "recall": 0.0,
            "innocent_per_participant_caught": None,
            "cost": {**ZERO_COST, "economic_usd": 125_000.0},
        },
    }


def _measure_summary() -> dict[str, Any]:
    summary = _new_summary()
    summary["protests"] = {
        "protests": 12,
        "participants": 20,
        "bystanders": 40,
        "recipients": 75,
        "uninvolved": 2865,
    }
    summary["measures"] = _measures()
    return summary


_MEASURE_DAILY_SCHEMA = {
    **_NEW_DAILY_SCHEMA,
    "kind": pl.Utf8,
    **{column: pl.Int64 for column in MEASURE_COLUMNS},
}


def _measure_daily(names: tuple[str, ...] = ("cp", "scan", "cut")) -> pl.DataFrame:
    """System rows (with their kind, nulls in the measure columns) plus measure rows."""
    kinds = {"court-list": "list", "rongcheng": "points", "hangzhou": "points"}
    systems = _new_daily().with_columns(
        pl.col("name").replace_strict(kinds, default=None).alias("kind"),
        *[pl.lit(None, dtype=pl.Int64).alias(c) for c in MEASURE_COLUMNS],
    )
    measure_kinds = {"cp": "checkpoint", "scan": "device_scan", "cut": "shutdown"}
    rows = []
    for day in range(4):
        for name in names:
            kind = measure_kinds.get(name, "checkpoint")
            rows.append(
                {
                    "day": day,
                    "name": name,
                    "kind": kind,
                    "searches": 70 + day if kind == "checkpoint" else 0,
                    "flagged": 10 if kind != "shutdown" else 0,
                    "flagged_wrongly": 7 if kind != "shutdown" else 0,
                    "restricted": 100 + day,
                    "restricted_innocent": 90 + day,
                    "collateral": 50 + day,
                    "review_backlog": 80 * day if kind == "device_scan" else 0,
                }
            )
    keys = ("day", "name", "kind", *MEASURE_COLUMNS)
    measures = pl.DataFrame(rows, schema={k: _MEASURE_DAILY_SCHEMA[k] for k in keys})
    return pl.concat([systems.select(list(_MEASURE_DAILY_SCHEMA)), measures], how="diagonal")


@pytest.fixture(scope="module")
def measure_page() -> str:
    return render_report(_measure_summary(), _measure_daily())


def _row(fragment: str, label: str) -> list[str]:
    """Texts of the cells after the label cell of the table row labelled ``label``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, flags=re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
        if cells and _text(cells[0]).strip().startswith(label):
            return [_text(c).strip() for c in cells[1:]]
    raise AssertionError(f"no row {label!r}")


def test_measures_follow_who_was_wronged(measure_page: str) -> None:
    visible = _visible_html(measure_page)
    wronged = visible.index('id="who-was-wronged"')
    control = visible.index('id="control-measures"')
    assert wronged < control < visible.index("Sanctioned over time")
    assert "<h2>Control measures: who was flagged</h2>" in visible
    # the headline points to the measures: 30 + 1,200 + 0 innocents, 420 + 880 + 2,990 days
    text = _text(_section(measure_page, "who-was-wronged"))
    assert "Control measures against protesters flagged 1,230 innocent synthetic persons" in text
    assert "(national estimate 1.2 M)" in text
    assert "4,290 person-days under their restrictions (national estimate 4.3 M)" in text
    assert "3,910 of them uninvolved people (collateral)" in text


def test_protests_paragraph(measure_page: str) -> None:
    text = _text(_section(measure_page, "control-measures"))
    assert "12 protests took place" in text
    assert "this count is not scaled" in text
    assert "20 participants (national estimate 20,000) took part" in text
    assert "40 bystanders (national estimate 40,000) were there without taking part" in text
    assert "75 recipients (national estimate 75,000) got protest photos forwarded" in text
    assert "2,865 were uninvolved" in text


def test_measures_comparison_table(measure_page: str) -> None:
    section = _section(measure_page, "control-measures")
    table = section[section.index('<table class="measures"') : section.index("</table>")]
    names = re.findall(r'<th colspan="2" class="group"><span class="name">(.*?)</span>', table)
    assert names == ["cp", "scan", "cut"]  # the summary's (scenario's) order
    # innocents first: the first body row after the "Flagged" heading
    body = table[table.index("<tbody>") :]
    first_label = re.search(r'<td class="label">([^<]*)', body)
    assert first_label is not None and first_label.group(1) == "Innocents flagged"
    assert _row(table, "Innocents flagged") == ["30", "30,000", "1,200", "1.2 M", "0", "0"]
    assert _row(table, "uninvolved") == ["15", "15,000", "1,100", "1.1 M", "0", "0"]
    assert _row(table, "recipients") == ["3", "3,000", "96", "96,000", "0", "0"]
    assert _row(table, "Innocents per participant caught") == ["3.00", "", "171", "", "—", ""]
    assert _row(table, "Flagged rightly") == ["10", "10,000", "7", "7,000", "0", "0"]
    assert _row(table, "Precision") == ["25%", "", "0.58%", "", "—", ""]
    assert _row(table, "Recall") == ["50%", "", "35%", "", "0%", ""]
    assert _row(table, "Collateral person-days") == [
        "210",
        "210,000",
        "800",
        "800,000",
        "2,900",
        "2.9 M",
    ]
    assert _row(table, "Innocent restriction person-days") == [
        "420",
        "420,000",
        "880",
        "880,000",
        "2,990",
        "3.0 M",
    ]
    labels = re.findall(r'<td class="label">([^<]*)', table)
    order = [labels.index(x) for x in ("Innocents flagged", "Flagged rightly", "Officer-hours")]
    assert order == sorted(order)


def test_measures_costs_with_units_and_dashes(measure_page: str) -> None:
    section = _section(measure_page, "control-measures")
    table = section[section.index('<table class="measures"') : section.index("</table>")]
    dash = "\u2014"
    assert _row(table, "Officer-hours") == ["12.5", "12,500", dash, dash, dash, dash]
    assert _row(table, "Reviewer-hours") == [dash, dash, "2.5", "2,500", dash, dash]
    assert _row(table, "Images scanned") == [dash, dash, "1,500,000", "1.5 B", dash, dash]
    assert _row(table, "Device compute (FLOPs)") == [
        dash,
        dash,
        "6.50×10 14",
        "6.50×10 17",
        dash,
        dash,
    ]
    assert "6.50\u00d710<sup>14</sup>" in table
    assert _row(table, "Energy (kWh)") == [dash, dash, "0.25", "250", dash, dash]
    assert _row(table, "Data uploaded") == [dash, dash, "2.50 GB", "2.50 TB", dash, dash]
    assert _row(table, "Detention days") == ["45", "45,000", dash, dash, dash, dash]
    assert _row(table, "Economic cost (US$)") == [dash, dash, dash, dash, "$125,000", "$125 M"]


def test_measures_without_scale_have_no_estimates() -> None:
    summary = _measure_summary()
    summary.pop("scale")
    section = _section(render_report(summary, _measure_daily()), "control-measures")
    dash = "\u2014"
    assert _row(section, "Innocents flagged") == ["30", dash, "1,200", dash, "0", dash]
    assert _row(section, "Data uploaded") == [dash, dash, "2.50 GB", dash, dash, dash]
    assert "national estimate" not in _text(section)


def test_flagged_by_role_chart(measure_page: str) -> None:
    data = _plot_data(measure_page, "scorelab-measures-flagged")
    for role in ("participants", "bystanders", "recipients", "uninvolved"):
        assert f'"name":"{role}"' in data
    assert '"barmode":"stack"' in data
    # every count is written out, so small groups stay visible next to large ones
    assert "flagged 1,207:" in data
    assert "uninvolved 1,100" in data and "bystanders 4" in data and "recipients 96" in data
    assert "flagged 40:" in data and "participants 10" in data
    assert "nobody flagged" in data
    assert '"ticktext":["cp","scan","cut"]' in data


def test_measure_sections(measure_page: str) -> None:
    visible = _visible_html(measure_page)
    titles = re.findall(r'<section class="measure" id="measure-\d">\s*<h2>(.*?)</h2>', visible)
    assert titles == ["Measure: cp", "Measure: scan", "Measure: cut"]
    starts = [visible.index(f'id="measure-{i}"') for i in (1, 2, 3)]
    assert visible.index('id="system-3"') < starts[0]
    assert starts[-1] < visible.index("Recorded vs true grades")

    cp = _text(_section(measure_page, "measure-1"))
    assert "kind: checkpoint (phone searches)" in cp
    for line in (
        "Flagged (all) 40 40,000 rightly (participants) 10 10,000 wrongly (innocents) 30 30,000",
        "Phones searched 300 300,000",
        "Searches that found something (hits) 45 45,000",
        "All persons 500 500,000 participants 80 80,000 innocents 420 420,000",
        "bystanders and recipients 210 210,000",
        "uninvolved (collateral) 210 210,000",
        "Officer-hours 12.5 12,500",
        "Detention days 45 45,000",
        "Precision 25%",
        "Innocents per participant caught 3.00",
    ):
        assert line in cp, line
    assert "Phones with the scanner installed" not in cp

    scan = _text(_section(measure_page, "measure-2"))
    for line in (
        "kind: device scan (on-phone scanning)",
        "Phones with the scanner installed 2,400 2.4 M",
        "Images matched 5,000 5.0 M",
        "Confirmed by reviewers 60 60,000 confirmed wrongly 55 55,000",
        "Largest review backlog (flagged, one day) 350 350,000",
        "Data uploaded 2.50 GB 2.50 TB",
    ):
        assert line in scan, line
    assert "Phones searched" not in scan

    cut = _text(_section(measure_page, "measure-3"))
    assert "kind: shutdown (city cut off)" in cut
    assert "Precision \u2014" in cut
    assert "Innocents per participant caught \u2014" in cut
    assert "uninvolved (collateral) 2,900 2.9 M" in cut
    assert "Economic cost (US$) $125,000 $125 M" in cut
    assert "Phones searched" not in cut and "Images matched" not in cut


def test_measure_daily_plots(measure_page: str) -> None:
    cp = _plot_data(measure_page, "scorelab-measure-1-daily")
    for name in ("searched", "flagged", "flagged wrongly", "restricted", "collateral"):
        assert f'"name":"{name}' in cp, name
    assert "review backlog" not in cp
    scan = _plot_data(measure_page, "scorelab-measure-2-daily")
    assert '"name":"review backlog (right axis)"' in scan and '"yaxis2"' in scan
    assert '"name":"searched"' not in scan
    assert '"y":[0,80,160,240]' in scan  # the backlog, day by day
    cut = _plot_data(measure_page, "scorelab-measure-3-daily")
    assert '"name":"restricted"' in cut and '"name":"flagged"' not in cut
    assert "phones searched" in _text(_section(measure_page, "measure-1"))


def test_system_plots_ignore_measure_rows(measure_page: str) -> None:
    plain = render_report(_new_summary(), _new_daily())
    for div_id in (
        "scorelab-daily-sanctioned",
        "scorelab-system-1-daily",
        "scorelab-system-2-daily",
        "scorelab-system-3-daily",
    ):
        assert _plot_data(measure_page, div_id) == _plot_data(plain, div_id), div_id
    assert '"cp:' not in _plot_data(measure_page, "scorelab-daily-sanctioned")


def test_measure_page_is_deterministic(measure_page: str) -> None:
    shuffled = _measure_daily().sample(fraction=1.0, shuffle=True, seed=5)
    assert render_report(copy.deepcopy(_measure_summary()), shuffled) == measure_page
    ids = re.findall(r'<div id="([^"]+)"', measure_page)
    assert ids == [
        "scorelab-measures-flagged",
        "scorelab-daily-sanctioned",
        "scorelab-provinces",
        "scorelab-overlap",
        "scorelab-system-1-daily",
        "scorelab-system-2-daily",
        "scorelab-system-3-daily",
        "scorelab-measure-1-daily",
        "scorelab-measure-2-daily",
        "scorelab-measure-3-daily",
        "scorelab-grades",
        "scorelab-events",
    ]
    assert not re.search(r"https?://", _visible_html(measure_page))


def test_howto_explains_protests_and_measures(measure_page: str) -> None:
    text = _text(_section(measure_page, "how-to-read"))
    for phrase in (
        "participant took part in a protest",
        "bystander was at a protest without taking part",
        "recipient got protest photos forwarded",
        "uninvolved none of these",
        "Precision is the share of the flagged who were participants",
        "recall is the share of all participants",
        "Innocents per participant caught",
        "collateral person-days",
        "everyone in a city cut off by a shutdown",
        "synthetic units",
        "multiplied by the scale",
        "no classifier",
        "parametric",
    ):
        assert phrase in text, phrase


def test_nav_links_measures(measure_page: str) -> None:
    nav = re.search(r'<nav class="toc">(.*?)</nav>', measure_page, flags=re.DOTALL)
    assert nav is not None
    assert '<a href="#control-measures">Control measures</a>' in nav.group(1)
    assert 'Measures: <a href="#measure-1">cp</a>, <a href="#measure-2">scan</a>' in nav.group(1)


def test_old_summaries_have_no_measure_content(page: str, new_page: str) -> None:
    for out in (page, new_page):
        visible = _visible_html(out)
        for text in ("Control measures", "control-measures", "Measure:", "protest", "parametric"):
            assert text not in visible, text
        assert "table.measures" not in out
    # empty measures and daily rows with a kind column change nothing
    summary = _new_summary()
    summary["measures"] = {}
    with_kind = _measure_daily(names=())
    assert render_report(summary, with_kind) == new_page


def test_protests_without_measures() -> None:
    summary = _measure_summary()
    summary.pop("measures")
    out = render_report(summary, _new_daily())
    visible = _visible_html(out)
    section = _text(_section(out, "control-measures"))
    assert "<h2>Protests</h2>" in visible
    assert "12 protests took place" in section
    assert "No control measures in this scenario." in section
    assert "scorelab-measures-flagged" not in out
    assert 'id="measure-1"' not in visible
    assert "Measure:" not in visible
    assert "participant took part in a protest" in _text(_section(out, "how-to-read"))


def test_measures_without_protests() -> None:
    summary = _measure_summary()
    summary.pop("protests")
    out = render_report(summary, _measure_daily())
    section = _section(out, "control-measures")
    assert 'id="protests"' not in section
    assert _row(section, "Innocents flagged")[:2] == ["30", "30,000"]


def test_measure_name_is_escaped() -> None:
    evil = "<i>m</i>"
    summary = _measure_summary()
    measures = summary["measures"]
    summary["measures"] = {evil if k == "scan" else k: v for k, v in measures.items()}
    daily = _measure_daily().with_columns(pl.col("name").replace({"scan": evil}))
    out = render_report(summary, daily)
    assert evil not in out
    visible = _visible_html(out)
    escaped = "&lt;i&gt;m&lt;/i&gt;"
    assert f"<h2>Measure: {escaped}</h2>" in visible
    assert f'<span class="name">{escaped}</span>' in visible
    assert f'<a href="#measure-2">{escaped}</a>' in visible
    assert '"&lt;i&gt;m&lt;\\u002fi&gt;"' in _plot_data(out, "scorelab-measures-flagged")
    assert 'id="scorelab-measure-2-daily"' in out
    assert out == render_report(copy.deepcopy(summary), daily)


def test_partial_measures_are_tolerated() -> None:
    summary = _measure_summary()
    summary["measures"]["cp"] = {"kind": "checkpoint", "flagged": 3}
    summary["measures"]["scan"]["cost"] = "not a mapping"
    summary["measures"]["scan"].pop("flagged_wrongly_total")
    summary["measures"]["cut"] = None
    summary["measures"]["odd"] = {"kind": "<new kind>", "flagged_rightly": 2, "flagged": 4}
    summary["protests"] = {"participants": None}
    out = render_report(summary, _measure_daily(names=("cp",)))
    visible = _visible_html(out)
    assert "<new kind>" not in out
    section = _section(out, "control-measures")
    # innocents flagged falls back to the sum by role; precision from the counts
    assert _row(section, "Innocents flagged")[2:4] == ["1,200", "1.2 M"]
    assert _row(section, "Precision")[6] == "50%"
    assert "Measure: odd" in visible
    assert "No daily data for this measure." in visible
    assert out == render_report(copy.deepcopy(summary), _measure_daily(names=("cp",)))


def test_measure_rows_found_by_kind_or_by_name() -> None:
    plain = render_report(_new_summary(), _new_daily())
    systems_plot = "scorelab-system-3-daily"  # hangzhou
    # a measure that shares a system's name: the kind column tells the rows apart
    summary = _measure_summary()
    summary["measures"] = {
        ("hangzhou" if k == "scan" else k): v for k, v in summary["measures"].items()
    }
    daily = _measure_daily().with_columns(pl.col("name").replace({"scan": "hangzhou"}))
    out = render_report(summary, daily)
    assert _plot_data(out, systems_plot) == _plot_data(plain, systems_plot)
    assert '"y":[0,80,160,240]' in _plot_data(out, "scorelab-measure-2-daily")
    # without a kind column, measure rows are known by their names
    no_kind = render_report(_measure_summary(), _measure_daily().drop("kind"))
    for div_id in ("scorelab-daily-sanctioned", systems_plot):
        assert _plot_data(no_kind, div_id) == _plot_data(plain, div_id)
    assert '"y":[0,80,160,240]' in _plot_data(no_kind, "scorelab-measure-2-daily")


def test_restrictions_point_to_measures(measure_page: str, new_page: str) -> None:
    text = _text(_section(measure_page, "restrictions"))
    assert "Restrictions imposed by control measures are not in this table" in text
    assert "control measures" not in _text(_section(new_page, "restrictions")).lower()


def test_measures_without_scoring_systems() -> None:
    summary = _measure_summary()
    summary["systems"] = {}
    out = render_report(summary, _measure_daily())
    text = _text(_section(out, "who-was-wronged"))
    assert "no scoring systems" in text
    assert "flagged 1,230 innocent synthetic persons" in text
    assert 'id="measure-3"' in out
