"""Checkpoint and resume: a run killed with SIGKILL mid-way, resumed, gives the bytes of an
uninterrupted run; a finished run has nothing to resume; a corrupt or mismatched checkpoint is
refused with the reason."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from killing import killed_at

from scorelab.cli import main
from scorelab.report.files import OUTPUT_FILES

SCENARIO = """\
extends: phone-scanner
name: resumable
days: 20
warmup_days: 10
population: {persons: 40000, block_size: 4096, seed: 3}
"""


def files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("whole")
    (tmp / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    assert main(["run", str(tmp / "s.yaml"), "--shards", "3", "--out", str(tmp / "out"),
                 "--quiet"]) == 0
    return files(tmp / "out")


@pytest.mark.parametrize(("shards", "backend"), [(3, "local"), (2, "processes")])
def test_a_killed_run_resumes_to_the_bytes_of_an_uninterrupted_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], uninterrupted: dict[str, bytes],
        shards: int, backend: str) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    killed_at(["run", "s.yaml", "--shards", str(shards), "--backend", backend,
               "--checkpoint-every", "7", "--out", "out", "--quiet"], "day:23", tmp_path)
    assert not out.exists()
    manifest = json.loads((tmp_path / ".out.checkpoint" / "manifest.json").read_text())
    assert manifest["day"] == 20 and manifest["shards"] == shards  # the last of days 6, 13, 20
    assert main(["resume", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert files(out) == uninterrupted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]  # checkpoint gone
    # resuming a finished run says so and changes nothing
    assert main(["resume", str(out)]) == 0
    assert "the run is complete; nothing to resume" in capsys.readouterr().out
    assert files(out) == uninterrupted


def test_a_corrupt_or_mismatched_checkpoint_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    killed_at(["run", "s.yaml", "--checkpoint-every", "5", "--out", "out", "--quiet"],
              "day:12", tmp_path)
    checkpoint = tmp_path / ".out.checkpoint"
    shard = checkpoint / "shard-0.npz"
    original = shard.read_bytes()
    data = bytearray(original)
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    assert main(["resume", str(tmp_path / "out")]) == 2
    assert "shard-0.npz is corrupt (its SHA-256 does not match the manifest)" in \
        capsys.readouterr().err
    shard.write_bytes(original)
    # consistent files (digests updated) whose state does not fit the parts rebuilt from the plan
    tree = checkpoint / "shard-0.json"
    good_tree = tree.read_bytes()
    tree.write_bytes(good_tree.replace(b'"$object":"Process"', b'"$object":"Nope"', 1))
    manifest = json.loads((checkpoint / "manifest.json").read_text())
    manifest["files"]["shard-0.json"] = hashlib.sha256(tree.read_bytes()).hexdigest()
    (checkpoint / "manifest.json").write_text(json.dumps(manifest))
    assert main(["resume", str(tmp_path / "out")]) == 2
    assert "the saved state does not fit this run" in capsys.readouterr().err
    tree.write_bytes(good_tree)
    manifest["files"]["shard-0.json"] = hashlib.sha256(good_tree).hexdigest()
    (checkpoint / "manifest.json").write_text(json.dumps(manifest))
    manifest["scenario_yaml"] = manifest["scenario_yaml"].replace("days: 20", "days: 21")
    (checkpoint / "manifest.json").write_text(json.dumps(manifest))
    assert main(["resume", str(tmp_path / "out")]) == 2
    assert "its scenario does not match its digest" in capsys.readouterr().err
    (checkpoint / "manifest.json").write_text("{")
    assert main(["resume", str(tmp_path / "out")]) == 2
    assert "its manifest is unreadable" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_nothing_to_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resume", str(tmp_path / "never")]) == 2
    assert "no checkpoint of a run into" in capsys.readouterr().err
    assert main(["run", "--persons", "2000", "--days", "2", "--checkpoint-every", "0",
                 "--out", str(tmp_path / "o")]) == 2
    assert "checkpoint_every must be at least 1 day" in capsys.readouterr().err


def test_a_checkpoint_left_between_its_two_renames_is_found(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], uninterrupted: dict[str, bytes]
        ) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    killed_at(["run", "s.yaml", "--shards", "3", "--checkpoint-every", "7", "--out", "out",
               "--quiet"], "day:23", tmp_path)
    checkpoint = tmp_path / ".out.checkpoint"
    checkpoint.rename(tmp_path / ".out.checkpoint.previous")  # as if killed mid-write
    assert main(["resume", str(tmp_path / "out"), "--quiet"]) == 0
    capsys.readouterr()
    assert files(tmp_path / "out") == uninterrupted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]


def test_a_new_run_discards_an_older_runs_checkpoint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    killed_at(["run", "s.yaml", "--checkpoint-every", "5", "--out", "out", "--quiet"],
              "day:12", tmp_path)
    assert (tmp_path / ".out.checkpoint").exists()
    # a different run into the same folder, killed before its first checkpoint
    killed_at(["run", "s.yaml", "--days", "3", "--out", "out", "--quiet"], "day:1", tmp_path)
    assert not (tmp_path / ".out.checkpoint").exists()
    assert main(["resume", str(tmp_path / "out")]) == 2
    assert "nothing to resume" in capsys.readouterr().err


def test_a_plugin_kind_is_checkpointed_too(tmp_path: Path) -> None:
    """A kind registered from outside the package (the toy of tests/unit/tally.py) saves and
    resumes like the built-in ones."""
    import scorelab
    from scorelab.scenario import load_scenario
    from scorelab.systems.registry import SYSTEM_KINDS

    sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
    from tally import Tally  # type: ignore[import-not-found]

    SYSTEM_KINDS.register(Tally)
    try:
        text = SCENARIO + "systems:\n  count: {kind: tally, jurisdiction: {national: true}, " \
                          "event: traffic_offence}\n"
        scenario = load_scenario(text=text)
        whole = scorelab.run(scenario, out=tmp_path / "a", checkpoint_every=4)
        assert whole.summary.systems["count"].records > 0
    finally:
        SYSTEM_KINDS.unregister("tally")
