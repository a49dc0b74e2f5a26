"""The claims page in headless Chromium: no console errors, every claim with figures and
their intervals, a finding and a robustness line, and links to reports that exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chromium import open_page, require

from scorelab.cli import main

require()


@pytest.fixture(scope="module")
def claims_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("claims")
    assert main(["claims", "--claim", "no-national-score", "--claim", "phone-checks",
                 "--persons", "3000", "--replicates", "2", "--samples", "2",
                 "--out", str(out), "--quiet"]) == 0
    return out


def test_the_claims_page_in_chromium(claims_out: Path, browser: Any) -> None:
    page, errors = open_page(browser, claims_out / "claims.html", 1400)
    try:
        sections = page.query_selector_all("section.claim")
        assert len(sections) == 2
        for section in sections:
            cells = section.query_selector_all("td[data-key]")
            assert cells and all("[" in c.text_content() or c.text_content() == "\u2014"
                                 for c in cells)
            text = section.text_content()
            assert "Robustness:" in text and "In the model, under its stated assumptions" in text
            for link in section.query_selector_all("p.links a"):
                assert (claims_out / link.get_attribute("href")).is_file()
        assert errors == []
    finally:
        page.close()
