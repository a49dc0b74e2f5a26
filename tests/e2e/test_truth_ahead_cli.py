"""The real entry point with the truth run ahead (``engine.ahead``: a shard of at least
``AHEAD_LEAST`` persons on two cores or more) writes the bytes of a run on one lane, which
never runs ahead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scorelab.core.lanes import CAP, cores
from scorelab.engine.ahead import can_fork
from scorelab.engine.shard import AHEAD_LEAST
from scorelab.report.files import OUTPUT_FILES

SCENARIO = f"""\
extends: china-2022
name: ahead
days: 20
warmup_days: 10
population: {{persons: {AHEAD_LEAST + 4000}, seed: 11}}
"""


@pytest.mark.skipif(not can_fork() or cores() < 2,
                    reason="the truth runs ahead on two cores or more, where it can fork")
def test_a_run_with_its_truth_ahead_writes_the_bytes_of_one_on_one_lane(tmp_path: Path
                                                                         ) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    written = {}
    for name, lanes in (("ahead", {}), ("one-lane", {CAP: "1"})):
        env = {k: v for k, v in os.environ.items() if k != CAP} | lanes
        subprocess.run([sys.executable, "-m", "scorelab", "run", "s.yaml", "--out", name,
                        "--quiet"], cwd=tmp_path, env=env, check=True, capture_output=True,
                       timeout=300)
        written[name] = {f: (tmp_path / name / f).read_bytes() for f in OUTPUT_FILES}
    assert written["ahead"] == written["one-lane"]
