"""Checkpoint and resume: a run killed with SIGKILL mid-way, resumed, gives the bytes of an
uninterrupted run; a finished run has nothing to resume; a corrupt or mismatched checkpoint is
refused with the reason."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from killing import killed_at

from scorelab.cli import main
from scorelab.engine.checkpoint import manifest_digest
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
    manifest["manifest_sha256"] = manifest_digest(manifest)
    (checkpoint / "manifest.json").write_text(json.dumps(manifest))
    assert main(["resume", str(tmp_path / "out")]) == 2
    assert "the saved state does not fit this run" in capsys.readouterr().err
    tree.write_bytes(good_tree)
    manifest["files"]["shard-0.json"] = hashlib.sha256(good_tree).hexdigest()
    manifest["scenario_yaml"] = manifest["scenario_yaml"].replace("days: 20", "days: 21")
    manifest["manifest_sha256"] = manifest_digest(manifest)
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


def test_a_first_checkpoint_left_between_its_two_renames_is_found(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], uninterrupted: dict[str, bytes]
        ) -> None:
    """Killed before renaming the run's start record aside: the whole checkpoint beside it
    is the one to resume from."""
    from scorelab.engine.checkpoint import peek_manifest, write_started

    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    killed_at(["run", "s.yaml", "--shards", "3", "--checkpoint-every", "7", "--out", "out",
               "--quiet"], "day:23", tmp_path)
    checkpoint = tmp_path / ".out.checkpoint"
    whole = checkpoint.rename(tmp_path / "whole")
    manifest = peek_manifest(whole)
    assert manifest is not None
    write_started(checkpoint, manifest, "out")
    whole.rename(tmp_path / ".out.checkpoint.writing")
    assert main(["resume", str(tmp_path / "out"), "--quiet"]) == 0
    capsys.readouterr()
    assert files(tmp_path / "out") == uninterrupted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]


def test_a_new_run_discards_an_older_runs_checkpoint_only_with_force(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    killed_at(["run", "s.yaml", "--checkpoint-every", "5", "--out", "out", "--quiet"],
              "day:12", tmp_path)
    assert (tmp_path / ".out.checkpoint" / "driver.npz").exists()
    assert main(["run", str(tmp_path / "s.yaml"), "--days", "3", "--out",
                 str(tmp_path / "out")]) == 2
    assert f"continue it with `scorelab resume {tmp_path / 'out'}`" in capsys.readouterr().err
    # a different run into the same folder, forced, killed before its first checkpoint
    killed_at(["run", "s.yaml", "--days", "3", "--out", "out", "--force", "--quiet"], "day:1",
              tmp_path)
    assert not (tmp_path / ".out.checkpoint" / "driver.npz").exists()
    assert main(["resume", str(tmp_path / "out")]) == 2
    assert "nothing to resume for this run" in capsys.readouterr().err


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


# --- a checkpoint is trusted only when whole -------------------------------------------------


@pytest.fixture(scope="module")
def saved_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files of a checkpoint after day 19 of a run killed on day 22 (2 shards)."""
    tmp = tmp_path_factory.mktemp("saved")
    (tmp / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    killed_at(["run", "s.yaml", "--shards", "2", "--checkpoint-every", "5", "--out", "out",
               "--quiet"], "day:22", tmp)
    folder = tmp / ".out.checkpoint"
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _other_scenario(manifest: dict[str, Any], old: str, new: str) -> None:
    """Edit the manifest's scenario and recompute its digest, as a careful hand would."""
    from scorelab.scenario import load_scenario, scenario_digest

    manifest["scenario_yaml"] = manifest["scenario_yaml"].replace(old, new)
    manifest["scenario_sha256"] = scenario_digest(load_scenario(text=manifest["scenario_yaml"]))


def _restate(folder: Path, manifest: dict[str, Any]) -> None:
    """Rewrite every state file for the manifest's day and scenario, and their digests."""
    for name in list(manifest["files"]):
        if name.endswith(".json"):
            document = json.loads((folder / name).read_text())
            document.update(day=manifest["day"], scenario_sha256=manifest["scenario_sha256"])
            (folder / name).write_text(json.dumps(document, separators=(",", ":")))
            manifest["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()


EDITS: dict[str, tuple[Callable[[Path, dict[str, Any]], None], str]] = {
    # each field of the manifest is covered: an edit is refused, however plausible
    "day": (lambda f, m: m.update(day=14), "its manifest was changed after it was written"),
    "checkpoint_every": (lambda f, m: m.update(checkpoint_every=4), "manifest was changed"),
    "backend": (lambda f, m: m.update(backend="processes"), "manifest was changed"),
    "scenario": (lambda f, m: _other_scenario(m, "persons: 40000", "persons: 30000"),
                 "manifest was changed"),
    # with the manifest's digest recomputed too, the state files say what they hold
    "day, digest recomputed": (lambda f, m: (m.update(day=14), _digest(m)),
                               ("driver's state cannot be read (it holds the state after day "
                               "19, the manifest says after day 14)")),
    "scenario, digest recomputed": (
        lambda f, m: (_other_scenario(m, "days: 20", "days: 12"), _digest(m)),
        "it holds the state of another scenario than the manifest's"),
    # and with every file rewritten to agree, the state is held against the rebuilt run
    "persons, everything recomputed": (
        lambda f, m: (_other_scenario(m, "persons: 40000", "persons: 30000"), _restate(f, m),
                      _digest(m)),
        ("the saved state does not fit this run: it is a state of persons 0 to 20480 over 20 "
        "days (30 with warm-up); this run's shard holds persons 0 to 16384")),
    "days, everything recomputed": (
        lambda f, m: (_other_scenario(m, "days: 20", "days: 25"), _restate(f, m), _digest(m)),
        ("the saved state does not fit this run: it is a state of persons 0 to 20480 over 20 "
        "days")),
    "day off the cadence, everything recomputed": (
        lambda f, m: (m.update(day=17), _restate(f, m), _digest(m)),
        ("it says it was saved after day 17, and a run of 30 days (warm-up included) saving "
        "every 5 days saves after none such")),
    "day past the run, everything recomputed": (
        lambda f, m: (m.update(day=29), _restate(f, m), _digest(m)), "saves after none such"),
    "shards": (lambda f, m: (m.update(shards=3), _digest(m)),
               "its manifest does not list the files of 3 shards"),
}


def _digest(manifest: dict[str, Any]) -> None:
    manifest["manifest_sha256"] = manifest_digest(manifest)


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_checkpoint_is_refused_before_any_day_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], saved_checkpoint: dict[str, bytes],
        edit: str) -> None:
    """Before, an edited day gave other numbers with exit 0 and an edited scenario (its
    digest recomputed) an IndexError; now each is a clear error, exit 2, nothing written."""
    folder = tmp_path / ".out.checkpoint"
    folder.mkdir()
    for name, data in saved_checkpoint.items():
        (folder / name).write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["day"] == 19
    change, message = EDITS[edit]
    change(folder, manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    code = main(["resume", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"error: checkpoint: checkpoint {folder} cannot be used: " in err
    assert message in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_an_untouched_copy_of_the_checkpoint_still_resumes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], saved_checkpoint: dict[str, bytes]
        ) -> None:
    folder = tmp_path / ".out.checkpoint"
    folder.mkdir()
    for name, data in saved_checkpoint.items():
        (folder / name).write_bytes(data)
    assert main(["resume", str(tmp_path / "out"), "--quiet"]) == 0
    capsys.readouterr()
    assert (tmp_path / "out" / "summary.json").exists()
