"""Debian's Chromium for the browser tests: where it is, how it is launched, and the skip
(saying why) where it or Playwright is missing."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def require(what: str = "browser tests") -> None:
    """Skip the calling module, saying why, where Chromium is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{what} need Chromium at {CHROMIUM}: install it with "
                    "'apt-get install -y chromium' (make test does so when run as root)",
                    allow_module_level=True)


def playwright() -> ModuleType:
    """Playwright's sync API, or the calling module skipped, saying why."""
    return pytest.importorskip("playwright.sync_api",
                               reason="browser tests need playwright: pip install -e '.[test]'")


def open_page(browser: Any, path: Path, width: int) -> tuple[Any, list[str]]:
    """A file opened in a new page ``width`` px wide, and the list its console errors and
    uncaught exceptions are collected into."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    return page, errors
