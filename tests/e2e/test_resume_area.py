"""A run with area measures (a shutdown of a share of protest cities, a jammer whose persons
stay cut off for days), killed mid-way and resumed, gives the bytes of an uninterrupted run:
the coordinators' schedules and the jammed persons cross the checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

from killing import killed_at

from scorelab.cli import main
from scorelab.report.files import OUTPUT_FILES

SCENARIO = """\
extends: area-control-2022
name: resumable-area
days: 12
population: {persons: 60000, block_size: 4096, seed: 4}
protests: {rate_per_million: 0.05}
measures:
  city-shutdowns: {share: 0.5}
  site-jammers: {duration: 3, passers_by_per_participant: 2}
"""


def files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def test_a_killed_area_run_resumes_to_the_bytes_of_an_uninterrupted_one(tmp_path: Path
                                                                         ) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    assert main(["run", str(tmp_path / "s.yaml"), "--shards", "2", "--out",
                 str(tmp_path / "whole"), "--quiet"]) == 0
    whole = files(tmp_path / "whole")
    summary = json.loads(whole["summary.json"])
    for name in ("city-shutdowns", "site-jammers"):  # both act before and after day 5
        assert summary["measures"][name]["participants_reached"] > 0, name
    killed_at(["run", "s.yaml", "--shards", "2", "--checkpoint-every", "5", "--out", "out",
               "--quiet"], "day:8", tmp_path)
    assert not (tmp_path / "out").exists()
    assert main(["resume", str(tmp_path / "out"), "--quiet"]) == 0
    assert files(tmp_path / "out") == whole
