"""Nothing is lost or moved without --force: beside an output, scorelab removes or moves only
what it wrote for that output (exact names with a random token, a marker inside naming the
output); a killed run's checkpoint, experiments' folders, comparison pages and linked folders
are never replaced by accident."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from killing import go_on, kill, killed_at, paused_at

from scorelab.cli import main
from scorelab.report.files import OUTPUT_FILES

SMALL = "extends: china-2022\nname: {name}\npopulation: {{persons: 3000, block_size: 1024}}\n" \
        "days: {days}\nwarmup_days: 0\n"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def scenario(folder: Path, file: str, name: str = "small", days: int = 3) -> str:
    (folder / file).write_text(SMALL.format(name=name, days=days), encoding="utf-8")
    return str(folder / file)


def run_of(out: Path) -> str:
    """The scenario name of the whole run in ``out`` (exactly the four files)."""
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario_sha256"] in (out / "report.html").read_text()
    return str(summary["scenario"])


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# --- 1. the clean-up of dead writers removes only this output's own temporaries -------------


def test_folders_that_only_look_like_temporaries_are_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = scenario(tmp_path, "s.yaml")
    assert cli(capsys, "run", s, "--out", str(tmp_path / "x"), "--quiet")[0] == 0
    users = [tmp_path / ".x.old", tmp_path / ".x.tmp", tmp_path / ".x.123-0badcafe.tmp",
             tmp_path / ".x.123-0badcafe.old"]
    for folder in users:
        folder.mkdir()
        (folder / "f").write_text("keep", encoding="utf-8")
    (tmp_path / "x").rename(tmp_path / "elsewhere")  # the .old would be moved into its place
    assert cli(capsys, "run", s, "--out", str(tmp_path / "x"), "--quiet")[0] == 0
    assert cli(capsys, "run", s, "--out", str(tmp_path / "x"), "--force", "--quiet")[0] == 0
    for folder in users:
        assert (folder / "f").read_text(encoding="utf-8") == "keep", folder
    assert run_of(tmp_path / "x") == "small"


def test_a_run_beside_a_live_writer_leaves_its_temporaries_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    d.mkdir()
    beta = scenario(tmp_path, "beta.yaml", "beta")
    writer = paused_at(["run", beta, "--out", str(d / "run.2"), "--quiet"],
                       "write:report.html", tmp_path)
    try:
        code, message = cli(capsys, "run", scenario(tmp_path, "alpha.yaml", "alpha"), "--out",
                            str(d / "run"), "--quiet")
        assert code == 0, message
    finally:
        code, rest = go_on(writer)
    assert code == 0, rest
    assert run_of(d / "run") == "alpha" and run_of(d / "run.2") == "beta"
    assert sorted(p.name for p in d.iterdir()) == ["run", "run.2"]


def test_a_siblings_run_moved_aside_is_never_moved_into_this_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    beta = scenario(tmp_path, "beta.yaml", "beta")
    assert cli(capsys, "run", beta, "--out", str(d / "run.2"), "--quiet")[0] == 0
    killed_at(["run", scenario(tmp_path, "gamma.yaml", "gamma"), "--out", str(d / "run.2"),
               "--force", "--quiet"], "swap", tmp_path)
    assert not (d / "run.2").exists()  # killed between its two renames
    code, message = cli(capsys, "run", scenario(tmp_path, "alpha.yaml", "alpha"), "--out",
                        str(d / "run"), "--quiet")
    assert code == 0, message
    assert run_of(d / "run") == "alpha"
    # the next writer of run.2 puts its previous run back, and cleans up
    assert cli(capsys, "run", beta, "--out", str(d / "run.2"), "--quiet")[0] == 0
    assert run_of(d / "run.2") == "beta"
    assert sorted(p.name for p in d.iterdir()) == ["run", "run.2"]


# --- 2. a killed run's checkpoint is resumed, not deleted, unless --force ---------------------


def test_a_resumable_checkpoint_turns_a_new_run_away(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = scenario(tmp_path, "s.yaml", days=4)
    x = tmp_path / "x"
    killed_at(["run", s, "--checkpoint-every", "1", "--out", str(x), "--quiet"], "day:2",
              tmp_path)
    checkpoint = tmp_path / ".x.checkpoint"
    saved = tree(checkpoint)
    for args in (["run", scenario(tmp_path, "other.yaml", "other"), "--out", str(x)],
                 ["run", s, "--checkpoint-every", "1", "--out", str(x)],  # the same again
                 ["run", s, "--replicates", "2", "--out", str(x)]):
        code, message = cli(capsys, *args)
        assert code == 2 and f"scorelab resume {x}" in message, message
        assert "Traceback" not in message
        assert tree(checkpoint) == saved and not x.exists()
    code, message = cli(capsys, "resume", str(x), "--quiet")
    assert code == 0, message
    assert run_of(x) == "small" and not checkpoint.exists()
    # --force discards a checkpoint on purpose
    killed_at(["run", s, "--checkpoint-every", "1", "--out", str(x), "--quiet"], "day:2",
              tmp_path)
    assert checkpoint.exists()
    code, message = cli(capsys, "run", scenario(tmp_path, "other.yaml", "other"), "--out",
                        str(x), "--force", "--quiet")
    assert code == 0, message
    assert run_of(x) == "other" and not checkpoint.exists()


# --- 4. resume after a run killed before its first checkpoint ---------------------------------


@pytest.mark.parametrize("checkpoints", [["--checkpoint-every", "2"], []])
def test_resume_after_a_run_killed_before_its_first_checkpoint_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], checkpoints: list[str]) -> None:
    x = tmp_path / "x"
    assert cli(capsys, "run", scenario(tmp_path, "a.yaml", "alpha"), "--out", str(x),
               "--quiet")[0] == 0
    before = tree(x)
    killed_at(["run", scenario(tmp_path, "b.yaml", "beta"), *checkpoints, "--out", str(x),
               "--force", "--quiet"], "day:0", tmp_path)
    for _ in range(2):  # and again: the answer does not change
        code, message = cli(capsys, "resume", str(x))
        assert code == 2, message
        assert "nothing to resume for this run" in message and "complete" not in message
        assert "Traceback" not in message
        assert tree(x) == before
    # a new run goes ahead (nothing resumable is lost)
    assert cli(capsys, "run", scenario(tmp_path, "b.yaml", "beta"), "--out", str(x), "--force",
               "--quiet")[0] == 0
    assert run_of(x) == "beta"
    assert cli(capsys, "resume", str(x))[0] == 0  # complete: nothing to resume
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml", "x"]


# --- 5. linked output folders ---------------------------------------------------------------


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_linked_output_folder_is_refused_and_nothing_is_left(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], force: list[str]) -> None:
    real = tmp_path / "real"
    s = scenario(tmp_path, "s.yaml")
    assert cli(capsys, "run", s, "--out", str(real), "--quiet")[0] == 0
    before = tree(real)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    for out in (link, dangling):
        code, message = cli(capsys, "run", scenario(tmp_path, "t.yaml", "other"), "--out",
                            str(out), *force)
        assert code == 2 and "is a symbolic link" in message, message
        assert "Traceback" not in message
        code, message = cli(capsys, "resume", str(out))
        assert code == 2 and "is a symbolic link" in message, message
    assert link.is_symlink() and os.readlink(link) == str(real) and tree(real) == before
    assert dangling.is_symlink() and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "link", "real", "s.yaml",
                                                          "t.yaml"]


# --- 3. experiments and comparison pages: the same check, lock and publish as a run ----------


def sweep(s: str, out: Path, value: str = "1000,900", *more: str) -> list[str]:
    return ["sweep", s, "--param", f"systems.rongcheng.base={value}", "--out", str(out),
            "--quiet", *more]


def test_a_sweep_never_deletes_a_users_files(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    s = scenario(tmp_path, "s.yaml", days=2)
    mine = tmp_path / "mine"
    (mine / "runs").mkdir(parents=True)
    (mine / "runs" / "data.parquet").write_bytes(b"PAR1 mine")
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    only_runs = tmp_path / "only-runs"
    (only_runs / "runs").mkdir(parents=True)
    (only_runs / "runs" / "p000000-r00000.parquet").write_bytes(b"PAR1 mine too")
    for folder in (mine, only_runs):
        before = tree(folder)
        for command in (sweep(s, folder, "1000,900", "--force"),
                        ["sensitivity", s, "--param", "systems.rongcheng.base=900:1000",
                         "--samples", "2", "--out", str(folder), "--force", "--quiet"]):
            code, message = cli(capsys, *command)
            assert code == 2 and "scorelab did not write" in message, message
            assert tree(folder) == before


def test_two_sweeps_into_one_folder_the_second_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = scenario(tmp_path, "s.yaml", days=2)
    out = tmp_path / "sw"
    first = paused_at(sweep(s, out, "1000,900,800"), "day:1", tmp_path)
    try:
        for command in (sweep(s, out, "700"), sweep(s, out, "700", "--force"),
                        ["sensitivity", s, "--param", "systems.rongcheng.base=900:1000",
                         "--samples", "2", "--out", str(out), "--force", "--quiet"],
                        ["run", s, "--out", str(out), "--force"]):
            code, message = cli(capsys, *command)
            assert code == 2 and f"another scorelab run (pid {first.pid})" in message, message
    finally:
        code, rest = go_on(first)
    assert code == 0, rest
    table = json.loads((out / "experiment.json").read_text())
    assert table["params"] == {"systems.rongcheng.base": ["1000", "900", "800"]}
    assert sorted(p.name for p in (out / "runs").iterdir()) == [
        f"p00000{i}-r00000.parquet" for i in range(3)]


def test_a_killed_forced_sweep_leaves_the_old_sweep_whole_and_resumes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import polars as pl

    s = scenario(tmp_path, "s.yaml", days=2)
    out = tmp_path / "sw"
    assert cli(capsys, *sweep(s, out, "1000,900"))[0] == 0
    old = tree(out)
    # killed during its second run (the first one's row saved), and at its publish
    for point in ("day:1", "swap"):
        proc = paused_at(sweep(s, out, "800,700,600", "--force"), point, tmp_path)
        if point == "day:1":
            proc.send_signal(signal.SIGUSR1)
            assert proc.stderr is not None and "paused at day:1" in proc.stderr.readline()
        kill(proc)
        if out.exists():
            assert tree(out) == old
        # the old sweep again is turned away: the unfinished one would be lost
        code, message = cli(capsys, *sweep(s, out, "1000,900"))
        assert code == 2 and "unfinished sweep" in message, message
        assert tree(out) == old
    # the same sweep again (without --force, which would start it afresh) finishes it
    code, message = cli(capsys, *sweep(s, out, "800,700,600"))
    assert code == 0, message
    rows = pl.read_parquet(out / "sweep.parquet")
    assert rows["point"].to_list() == [0, 1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml", "sw"]


def test_compare_refuses_to_overwrite_a_file_it_did_not_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = scenario(tmp_path, "s.yaml", days=2)
    for name in ("a", "b"):
        assert cli(capsys, "run", s, "--out", str(tmp_path / name), "--quiet")[0] == 0
    runs = [str(tmp_path / "a"), str(tmp_path / "b")]
    mine = tmp_path / "mine.html"
    mine.write_text("<p>my notes</p>", encoding="utf-8")
    code, message = cli(capsys, "compare", *runs, "--out", str(mine))
    assert code == 2 and "--force" in message and "Traceback" not in message, message
    assert mine.read_text(encoding="utf-8") == "<p>my notes</p>"
    page = tmp_path / "page.html"
    assert cli(capsys, "compare", *runs, "--out", str(page), "--quiet")[0] == 0
    assert cli(capsys, "compare", *runs, "--out", str(page), "--quiet")[0] == 0  # its own page
    link = tmp_path / "link.html"
    link.symlink_to(page)
    code, message = cli(capsys, "compare", *runs, "--out", str(link), "--force")
    assert code == 2 and "is a symbolic link" in message, message
    assert cli(capsys, "compare", *runs, "--out", str(mine), "--force", "--quiet")[0] == 0
    assert mine.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "link.html", "mine.html",
                                                          "page.html", "s.yaml"]


def test_a_temporary_in_use_is_never_removed(tmp_path: Path) -> None:
    """Even if the lock file beside the output is removed by hand, a live writer's temporary
    folder is known by its marker's lock and left alone."""
    from scorelab.report.folder import OutputFolder

    out = tmp_path / "x"
    first = OutputFolder(out, "d1")
    first.claim()
    staged = first.stage()
    (staged / "summary.json").write_bytes(b'{"scenario_sha256": "d1"}')
    (tmp_path / ".x.lock").unlink()
    with OutputFolder(out, "d1"):
        assert (staged / "summary.json").exists()
    first.commit()
    first.release()
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]


def test_a_users_file_named_like_the_lock_is_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".x.lock").write_text("my notes", encoding="utf-8")
    code, message = cli(capsys, "run", scenario(tmp_path, "s.yaml"), "--out",
                        str(tmp_path / "x"), "--force")
    assert code == 2 and ".x.lock is in the way" in message, message
    assert (tmp_path / ".x.lock").read_text(encoding="utf-8") == "my notes"
    (tmp_path / ".x.checkpoint").mkdir()
    (tmp_path / ".x.checkpoint" / "f").write_text("mine", encoding="utf-8")
    (tmp_path / ".x.lock").unlink()
    code, message = cli(capsys, "run", scenario(tmp_path, "s.yaml"), "--out",
                        str(tmp_path / "x"), "--force")
    assert code == 2 and ".x.checkpoint is in the way" in message, message
    assert (tmp_path / ".x.checkpoint" / "f").read_text(encoding="utf-8") == "mine"
