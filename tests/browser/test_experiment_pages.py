"""The pages of experiments in a real browser (headless Chromium): the sweep page and a Morris
sensitivity page, as the commands write them, at 1400 and 400 px: no console errors, every
chart drawn with data (the sweep's with their bands), nothing wider than the window. Skipped,
saying why, only where Chromium or Playwright is missing. About 10 s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chromium import open_page, playwright, require

from scorelab.cli import main

WIDTHS = (1400, 400)
SIZE = ["--preset", "phone-scanner", "--persons", "2000", "--days", "5", "--quiet"]

require()
sync_api = playwright()


@pytest.fixture(scope="module")
def sweep_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep")
    assert main(["sweep", *SIZE, "--param", "measures.scanner.match_fpr=0.0001,0.001,0.01",
                 "--param", "measures.scanner.threshold=1,3", "--replicates", "2",
                 "--out", str(out), "--force"]) == 0
    return out / "sweep.html"


@pytest.fixture(scope="module")
def morris_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("morris")
    assert main(["sensitivity", *SIZE, "--method", "morris", "--samples", "3",
                 "--param", "measures.scanner.match_fpr=0.0001:0.01",
                 "--param", "measures.scanner.threshold=1:10",
                 "--output", "measures.scanner.flagged_wrongly_total",
                 "--out", str(out), "--force"]) == 0
    return out / "sensitivity.html"


def drawn(page: Any) -> list[dict[str, Any]]:
    """Per chart: its id, and per trace its points, whether it fills a band (the upper edge
    of one) and whether it is a named line."""
    result: list[dict[str, Any]] = page.evaluate("""() =>
        Array.from(document.querySelectorAll('.chart')).map(el => ({id: el.id,
            traces: (el.data || []).map(t => ({points: (t.y || []).length,
                                               band: t.fill === 'tonexty', line: !!t.name})),
            svg: el.querySelectorAll('.main-svg').length}))""")
    return result


@pytest.mark.parametrize("width", WIDTHS)
def test_sweep_page_in_chromium(browser: Any, sweep_page: Path, width: int) -> None:
    page, errors = open_page(browser, sweep_page, width)
    try:
        charts = drawn(page)
        # a chart per varying key figure and parameter
        assert len(charts) >= 4 and len(charts) % 2 == 0, [c["id"] for c in charts]
        for chart in charts:
            lines = [t for t in chart["traces"] if t["line"]]
            bands = [t for t in chart["traces"] if t["band"]]
            assert chart["svg"] and lines and all(t["points"] >= 2 for t in lines), chart
            assert len(bands) == len(lines), chart  # replicates: a band per line
        by_fpr = [c for c in charts if c["id"].endswith("-by-measures.scanner.match_fpr")]
        assert by_fpr and all(len(c["traces"]) == 6 for c in by_fpr)  # 2 thresholds
        assert page.locator("#sweep-points-table tbody tr").count() == 6  # grid points
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_morris_page_in_chromium(browser: Any, morris_page: Path, width: int) -> None:
    page, errors = open_page(browser, morris_page, width)
    try:
        charts = drawn(page)
        assert len(charts) == 1 and charts[0]["svg"], charts
        assert [t["points"] for t in charts[0]["traces"]] == [2]  # mu* for 2 parameters
        assert "phone-scanner" in page.locator("h1").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        page.close()
