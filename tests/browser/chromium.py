"""Debian's Chromium for the browser tests: where it is, how it is launched, and the skip
(saying why) where it or Playwright is missing."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

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
