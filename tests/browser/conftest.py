"""One headless Chromium per test module (the modules skip themselves, saying why, where
Chromium or Playwright is missing: see chromium.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chromium import ARGS, CHROMIUM, playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright().sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
