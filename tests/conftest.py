from __future__ import annotations

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
def small_scenario() -> Path:
    return SCENARIOS / "small.yaml"
