"""The explorer's page without a browser: one Explorer per session, driven as its widgets
would be; what it shows is the report's view model (the same sections, tables and figures);
a bad box runs nothing; two sessions keep their own runs. Skipped without Panel (the app
extra)."""

from __future__ import annotations

import re
import time
from typing import Any, ClassVar

import pytest

pn = pytest.importorskip("panel", reason="the explorer needs Panel: pip install -e '.[app]'")

from scorelab.app.explorer import Explorer
from scorelab.app.server import origins, warning
from scorelab.ledger.catalogue import MEASURE
from scorelab.report.view import build_page

FPR = "measures.scanner.match_fpr"
WRONGLY = MEASURE.flagged_wrongly_total.at("scanner")


def explorer(persons: int = 10_000, days: int = 20) -> Explorer:
    page = Explorer("phone-scanner")
    page.persons.value, page.days.value = persons, days
    page.box.value_input = ""
    return page


def finish(page: Explorer, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while page.job is not None:
        assert time.monotonic() < end, "the run did not finish"
        page.tick()
        time.sleep(0.05)


def html_of(column: Any) -> str:
    return "".join(str(getattr(o, "object", "")) for o in column.objects
                   if isinstance(getattr(o, "object", None), str))


def test_a_run_shows_the_reports_sections_and_figures_and_compares() -> None:
    page = explorer()
    page._run()
    assert page.job is not None and page.run_button.disabled and not page.cancel_button.disabled
    page._run()  # one run at a time: a second press while it runs starts nothing
    finish(page)
    assert len(page.runs) == 1 and not page.run_button.disabled
    run = page.runs.runs[0]
    expected = build_page(run.result.summary, run.result.daily)
    first = html_of(page.result_view)
    assert f'data-key="{WRONGLY}"' in first  # the chain of harm, first
    for section in ("control-measures", "who-was-wronged", "over-time", "measure-1"):
        assert f'<section id="{section}"' in first, section
    assert '<section id="disparity"' not in first
    more = page.result_view.objects[-1]
    assert isinstance(more, pn.Card) and more.collapsed and not more.objects
    more.collapsed = False  # the rest of the report is made when opened
    parts = [*page.result_view.objects[:-1], *more.objects]
    shown = html_of(pn.Column(*parts))
    for section in expected.sections:
        assert f'<section id="{section.id}"' in shown, section.id
    charts = [o for o in parts if isinstance(o, pn.pane.Plotly)]
    assert sorted(str(c.object["data"]) for c in charts) == \
        sorted(str(f.data) for f in expected.figures)
    for warning_text in run.result.summary.warnings:
        assert warning_text.split(":")[0] in shown

    # a second run with a lower false-match rate: fewer innocents flagged, side by side
    page.slider_widgets[FPR].value = 0.0001
    assert page.knobs == {FPR: 0.0001}
    page._run()
    finish(page)
    first, second = (r.result.summary.measures["scanner"].flagged_wrongly_total
                     for r in page.runs.runs)
    assert second < first
    page.tabs.active = 1
    compared = html_of(page.compare_view)
    assert "run 1: phone-scanner vs run 2: phone-scanner" in compared
    assert compared.count(f'data-key="{WRONGLY}"') == 2
    assert f"{FPR} = 0.0001 (preset 0.001)" in page.runs_table.object


def test_a_bad_box_is_marked_at_its_line_and_runs_nothing() -> None:
    page = explorer()
    page.box.value_input = "protests:\n  size_median: -5\n"
    assert page.check() is None
    assert page.box.annotations[0]["row"] == 1 and page.box.annotations[0]["type"] == "error"
    assert "YAML box:2:16: protests.size_median" in page.problems.object
    page._run()
    assert page.job is None and len(page.runs) == 0
    assert "Not run" in page.status.object
    page.box.value_input = ""
    assert page.check() is not None and page.box.annotations == []


def test_a_run_too_large_for_memory_is_refused_with_the_estimate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    page = explorer()
    monkeypatch.setattr("scorelab.engine.run.available_bytes", lambda: 2**20)
    page._run()
    assert page.job is None
    assert "needs about" in page.status.object and "Not run" in page.status.object


def test_cancel_stops_the_run_and_keeps_nothing() -> None:
    page = explorer(persons=500_000, days=365)
    page._run()
    end = time.monotonic() + 60
    while page.job is not None and not page.job.total and time.monotonic() < end:
        page.tick()
        time.sleep(0.05)
    assert page.progress.visible
    page._cancel()
    assert page.job is None and len(page.runs) == 0 and "Cancelled" in page.status.object
    assert not page.progress.visible and not page.run_button.disabled


def test_sessions_keep_their_own_runs() -> None:
    one, two = explorer(days=3), explorer(days=3)
    one._run()
    finish(one)
    assert len(one.runs) == 1 and len(two.runs) == 0
    assert two.result_select.options == {}


def test_a_new_preset_brings_its_own_sliders_and_values() -> None:
    page = explorer()
    page.preset.value = "checkpoints-2022"
    assert page.days.value == 30 and FPR not in page.slider_widgets
    assert "measures.checkpoints.app_prevalence" in page.slider_widgets
    assert "phone searches at checkpoints" in page.description.object


def test_the_server_stays_local_unless_told_and_says_so() -> None:
    assert warning("127.0.0.1") is None and warning("localhost") is None
    said = warning("0.0.0.0")
    assert said is not None and "anyone who can reach this port" in said
    assert origins("127.0.0.1", 5006) == ["127.0.0.1:5006", "localhost:5006"]
    assert origins("0.0.0.0", 5006) == ["*"]


def test_a_notebook_gets_the_same_page() -> None:
    import scorelab

    view = scorelab.explore()
    assert isinstance(view, pn.viewable.Viewable)
    assert any("scorelab explorer" in str(getattr(o, "object", ""))
               for o in view.select(pn.pane.HTML))


class FakeServer:
    """Stands in for Panel's server: records how it was asked to serve, binds nothing."""

    asked: ClassVar[dict[str, Any]] = {}

    def __init__(self, panels: Any, **kw: Any) -> None:
        FakeServer.asked = {"panels": panels, **kw}
        self.io_loop = self

    def start(self) -> None:
        raise KeyboardInterrupt  # as Ctrl-C would

    def stop(self) -> None:
        FakeServer.asked["stopped"] = True


@pytest.mark.parametrize(("args", "host", "warned"), [
    ([], "127.0.0.1", False), (["--host", "0.0.0.0"], "0.0.0.0", True)])
def test_scorelab_explore_binds_locally_unless_told(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str],
        host: str, warned: bool) -> None:
    from scorelab.cli import main

    monkeypatch.setattr("panel.serve", FakeServer)
    monkeypatch.setattr("scorelab.app.jobs.warm_up", lambda: None)
    assert main(["explore", *args, "--port", "5999"]) == 0
    asked = FakeServer.asked
    assert asked["address"] == host and asked["port"] == 5999 and asked["stopped"]
    assert asked["websocket_origin"] == origins(host, 5999)
    captured = capsys.readouterr()
    assert f"http://{host}:5999/" in captured.out
    assert ("warning: the explorer listens on 0.0.0.0" in captured.err) is warned


def test_replicated_runs_show_and_compare_medians_with_their_ranges() -> None:
    page = explorer(days=3)
    page.replicates.value = 2
    for seed in (7, 8):
        page.seed.value = seed
        page._run()
        finish(page)
    assert [r.result.summary.replicates is not None for r in page.runs.runs] == [True, True]
    assert "every figure is the median over the replicates" in html_of(page.result_view)
    assert "--replicates 2" in page.runs.runs[1].command()
    page.tabs.active = 1
    compared = html_of(page.compare_view)
    assert "median [2.5th\u201397.5th percentile]" in compared
    assert re.search(rf'data-key="{re.escape(WRONGLY)}">[\d,]+ \[[\d,]+\u2013[\d,]+\]', compared)
