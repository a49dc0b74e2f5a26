"""Credit files and the integrator's state (linkages done, sanctions held, person-days) are
checkpointed: a run killed between two linkage days resumes to the bytes of one never
interrupted."""

from __future__ import annotations

from pathlib import Path

import pytest
from killing import killed_at

from scorelab.cli import main
from scorelab.report.files import OUTPUT_FILES

SCENARIO = """\
extends: integrated
name: resumable-integration
days: 12
warmup_days: 6
population: {persons: 6000, block_size: 2048, seed: 3}
integration: {every_days: 4, linkage: {u_max_pairs: 50000}}
"""


def files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def test_an_integrated_run_resumes_to_the_same_bytes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    assert main(["run", str(tmp_path / "s.yaml"), "--out",
                 str(tmp_path / "whole"), "--quiet"]) == 0
    whole = files(tmp_path / "whole")
    # saved after day 14 (reported 8: linkages on reported days 3 and 7 done), killed on day 16
    killed_at(["run", "s.yaml", "--checkpoint-every", "5", "--out", "out", "--quiet"],
              "day:16", tmp_path)
    assert main(["resume", str(tmp_path / "out"), "--quiet"]) == 0
    capsys.readouterr()
    assert files(tmp_path / "out") == whole
