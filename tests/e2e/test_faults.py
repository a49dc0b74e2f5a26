"""Faults never cost a run or a file: the output folder is checked and locked before the run,
a second writer is turned away, and a run killed at any point leaves the old complete run, the
new complete run, or no folder; bad files are refused at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scorelab.cli import main
from scorelab.core.faults import PAUSE_ENV
from scorelab.core.owned import MARKER
from scorelab.report.files import OUTPUT_FILES

SMALL = "extends: china-2022\nname: small\npopulation: {persons: 3000, block_size: 1024}\n" \
        "days: 3\nwarmup_days: 0\n"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def scenario(tmp_path: Path, text: str = SMALL, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def digest_of(out: Path) -> str:
    return str(json.loads((out / "summary.json").read_text())["scenario_sha256"])


def assert_complete(out: Path) -> str:
    """A complete run: exactly the four files, and they belong together."""
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] in (out / "scenario.yaml").read_text()
    assert summary["scenario_sha256"] in (out / "report.html").read_text()
    return str(summary["scenario_sha256"])


# --- the output folder is checked before any day runs ----------------------------------------


def test_a_folder_holding_another_run_is_refused_before_simulating(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli(capsys, "run", str(scenario(tmp_path)), "--out", str(out), "--quiet")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    start = time.perf_counter()
    # a run that would take minutes: refused at once
    code, message = cli(capsys, "run", "--preset", "china-2022", "--persons", "5000000",
                        "--seed", "99", "--out", str(out))
    assert code == 2 and "holds a different run" in message
    assert time.perf_counter() - start < 5
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_an_output_path_that_is_a_file_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], force: list[str]) -> None:
    afile = tmp_path / "afile.txt"
    afile.write_text("mine", encoding="utf-8")
    code, message = cli(capsys, "run", str(scenario(tmp_path)), "--out", str(afile), *force)
    assert code == 2 and "exists and is not a folder" in message and "Traceback" not in message
    code, message = cli(capsys, "run", str(scenario(tmp_path)), "--out", str(afile / "sub"),
                        *force)
    assert code == 2 and "a part of its path is a file" in message
    assert afile.read_text(encoding="utf-8") == "mine"


def test_the_current_folder_is_never_an_output_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, message = cli(capsys, "run", str(scenario(tmp_path)), "--out", "", "--force")
    assert code == 2 and "cannot be the current folder" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


@pytest.mark.parametrize("name", ["../../escape", "/abs/dir", "a b", ".hidden", "x" * 65])
def test_a_scenario_name_is_a_name_not_a_path(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              name: str) -> None:
    text = SMALL.replace("name: small", f"name: {json.dumps(name)}")
    code, message = cli(capsys, "validate", str(scenario(tmp_path, text)))
    assert code == 2 and "name: string should match pattern" in message


# --- a second writer is turned away; a killed run leaves no mix --------------------------------


def start_paused(args: list[str], point: str, cwd: Path) -> subprocess.Popen[str]:
    """Start the real entry point and wait until it pauses at ``point``."""
    env = {**os.environ, PAUSE_ENV: point}
    proc = subprocess.Popen([sys.executable, "-m", "scorelab", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert f"paused at {point}" in line, line
    return proc


def stop(proc: subprocess.Popen[str]) -> None:
    """SIGKILL: no handler runs, no file is closed cleanly."""
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.stderr is not None
    proc.stderr.close()


def test_two_runs_into_one_folder_the_second_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    first = start_paused(["run", str(scenario(tmp_path)), "--out", str(out), "--quiet"],
                         "simulate", tmp_path)
    try:
        code, message = cli(capsys, "run", str(scenario(tmp_path)), "--out", str(out),
                            "--force")
        assert code == 2 and f"another scorelab run (pid {first.pid}) is writing" in message
    finally:
        stop(first)
    # its writer is dead: the lock is stale and the next run takes it over
    assert cli(capsys, "run", str(scenario(tmp_path)), "--out", str(out), "--quiet")[0] == 0
    assert_complete(out)


POINTS = ["simulate", *(f"write:{name}" for name in
                        ("summary.json", "daily.parquet", "scenario.yaml", "report.html"))]


@pytest.mark.parametrize("point", POINTS)
def test_killed_into_an_empty_place_leaves_nothing_and_a_rerun_works(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], point: str) -> None:
    out = tmp_path / "out"
    proc = start_paused(["run", str(scenario(tmp_path)), "--out", str(out), "--quiet"], point,
                        tmp_path)
    stop(proc)
    assert not out.exists()
    # without --force: nothing complete was there
    assert cli(capsys, "run", str(scenario(tmp_path)), "--out", str(out), "--quiet")[0] == 0
    assert_complete(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]  # no temporaries


@pytest.mark.parametrize("point", [*POINTS, "swap"])
def test_killed_while_overwriting_leaves_the_old_run_or_the_new_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], point: str) -> None:
    out = tmp_path / "out"
    old_scenario = scenario(tmp_path, SMALL, "old.yaml")
    new_scenario = scenario(tmp_path, SMALL.replace("days: 3", "days: 4"), "new.yaml")
    assert cli(capsys, "run", str(old_scenario), "--out", str(out), "--quiet")[0] == 0
    old = assert_complete(out)
    proc = start_paused(["run", str(new_scenario), "--out", str(out), "--force", "--quiet"],
                        point, tmp_path)
    stop(proc)
    if out.exists():
        assert assert_complete(out) == old
    # the next writer cleans up (and puts back a run moved aside), then writes its own
    assert cli(capsys, "run", str(old_scenario), "--out", str(out), "--quiet")[0] == 0
    assert assert_complete(out) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.yaml", "old.yaml", "out"]
    assert cli(capsys, "run", str(new_scenario), "--out", str(out), "--force", "--quiet")[0] == 0
    assert assert_complete(out) != old


def test_killed_after_placing_its_folder_leaves_the_new_run_and_the_next_writer_tidies(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Killed after renaming its folder into place, before removing what it no longer needs:
    the new run is whole (its writer's marker still inside, the old run and the checkpoint
    beside it); the next writer, or ``resume``, removes all three and keeps the new run."""
    out = tmp_path / "out"
    old_scenario = scenario(tmp_path, SMALL, "old.yaml")
    new_scenario = scenario(tmp_path, SMALL.replace("days: 3", "days: 4"), "new.yaml")
    assert cli(capsys, "run", str(old_scenario), "--out", str(out), "--quiet")[0] == 0
    old = assert_complete(out)
    proc = start_paused(["run", str(new_scenario), "--out", str(out), "--force", "--quiet",
                         "--checkpoint-every", "1"], "placed", tmp_path)
    stop(proc)
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, MARKER])
    new = digest_of(out)
    assert new != old
    left = sorted(p.name for p in tmp_path.iterdir())
    assert ".out.checkpoint" in left and any(n.endswith(".old") for n in left), left
    # the run is finished: nothing to resume, and resuming tidies what the dead writer left
    code, message = cli(capsys, "resume", str(out))
    assert code == 0 and "the run is complete; nothing to resume" in message, message
    assert assert_complete(out) == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.yaml", "old.yaml", "out"]


def test_a_lock_is_held_by_a_live_writer_only(tmp_path: Path) -> None:
    """The kernel's lock, not the pid in the file, decides: a leftover lock file naming a
    live process (pid 1) does not block, and a second claim in the same process is refused."""
    from scorelab.report.folder import OutputFolder

    out = tmp_path / "out"
    (tmp_path / ".out.lock").write_text("1\n", encoding="ascii")
    with OutputFolder(out, "d1") as first:
        with pytest.raises(Exception, match=f"another scorelab run \\(pid {os.getpid()}\\)"):
            OutputFolder(out, "d1").claim()
        first.publish({"summary.json": b'{"scenario_sha256": "d1"}'})
    assert not (tmp_path / ".out.lock").exists()
    with OutputFolder(out, "d1") as again:  # released: the next claim succeeds
        again.publish({"summary.json": b'{"scenario_sha256": "d1"}'})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_preset_under_a_file_without_extends(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = SMALL.replace("extends: china-2022\n", "")
    out = tmp_path / "o"
    code, message = cli(capsys, "run", str(scenario(tmp_path, text)), "--preset",
                        "china-2022", "--out", str(out), "--quiet")
    assert code == 0, message
    assert_complete(out)


# --- bad files are refused at once --------------------------------------------------------


def test_files_that_are_not_scenarios_are_refused_at_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"extends: china-2022\nname: caf\xe9\n")
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    cases = {str(latin): f"{latin}:2:10: not UTF-8 text: byte 0xe9",
             str(tmp_path): "it is a folder",
             str(pipe): "not a regular file",
             "/dev/zero": "not a regular file",
             "/dev/urandom": "not a regular file"}
    big = scenario(tmp_path, "# padding\n" * 4000, "big.yaml")
    cases[str(big)] = "at most 32,768 are allowed"
    for path, expected in cases.items():
        start = time.perf_counter()
        code, message = cli(capsys, "validate", path)
        assert code == 2 and expected in message, (path, message)
        assert time.perf_counter() - start < 2


@pytest.mark.parametrize(("text", "expected"), [
    ("extends: china-2022\nx: " + "[" * 1000 + "]" * 1000 + "\n", "nested deeper than 32"),
    ("extends: " + "a" * 300 + "\n", "unknown preset 'aaaa"),
    ("extends: ../presets/china-2022\n", "not a path"),
    ("extends: china-2022\npopulation: {scale: .inf}\n", "finite number"),
    ("extends: china-2022\ndays: true\n", "days: input should be a valid integer (got True)"),
    ("extends: china-2022\ndays: '10'\n", "valid integer (got '10')"),
    ("extends: china-2022\ndays: 1e3\n", "valid integer (got 1000.0)"),
    ("extends: china-2022\ndays: 36500\n", "got warmup_days 365 + days 36,500 = 36,865"),
    ("extends: china-2022\nprocesses: {a/remedy: {rate: 0.1, otherwise: x}}\n",
     "string should match pattern"),
    (("extends: china-2022\nsystems: {court-list: {appeals: {rate: 1, capacity: 1e308, "
      "success: 1}}}\n"), "less than or equal to 1000000000000"),
    (("extends: china-2022\nmeasures: {c: {kind: shutdown, duration: 1}}\nprotests: "
      "{rate_per_million: 1, size_median: 1e300}\n"), "less than or equal to 1000000000"),
    ("&a extends: china-2022\n&a days: 3\n", "malformed YAML: found duplicate anchor"),
])
def test_bad_values_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                                expected: str) -> None:
    code, message = cli(capsys, "validate", str(scenario(tmp_path, text)))
    assert code == 2 and expected in message and "Traceback" not in message


def test_an_alias_bomb_is_refused_not_expanded(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["extends: china-2022", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    start = time.perf_counter()
    code, message = cli(capsys, "validate", str(scenario(tmp_path, "\n".join(lines) + "\n")))
    assert code == 2 and "expands to more than 200,000 values" in message
    assert time.perf_counter() - start < 2


def test_many_problems_are_summed_up_and_long_values_cut(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "extends: china-2022\n" + "".join(f"k{i}: 1\n" for i in range(500))
    text += "name: " + "n" * 3000 + "\n"
    code, message = cli(capsys, "validate", str(scenario(tmp_path, text)))
    assert code == 2 and "... and 481 more problems" in message
    assert message.count("error:") == 21 and len(message) < 8000


def test_validate_applies_the_memory_check_of_run(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = SMALL.replace("persons: 3000", "persons: 1_000_000_000_000")
    code, message = cli(capsys, "validate", str(scenario(tmp_path, text)))
    assert code == 2 and "needs about" in message and "GiB" in message


def test_preset_conflicting_with_extends_is_refused(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, message = cli(capsys, "run", str(scenario(tmp_path)), "--preset", "phone-scanner",
                        "--out", str(tmp_path / "o"))
    assert code == 2 and "extends 'china-2022' and --preset asks for 'phone-scanner'" in message
    assert not (tmp_path / "o").exists()


def test_grade_order_does_not_depend_on_key_order(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from scorelab.scenario import load_scenario

    shuffled = SMALL + "systems:\n  rongcheng:\n    grades: {D: 0, AAA: 1050, B: 850, " \
                       "AA: 1030, C: 600, A: 960}\n"
    grades = load_scenario(text=shuffled).systems["rongcheng"].grades  # type: ignore[attr-defined]
    assert list(grades) == ["AAA", "AA", "A", "B", "C", "D"]


def test_presets_show_prints_the_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, message = cli(capsys, "presets", "--show", "hash-threshold")
    assert code == 0 and "extends: phone-scanner" in message and "match_fpr" in message


# --- figures on too few persons are flagged -------------------------------------------------


def test_figures_on_few_persons_carry_a_warning(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["run", "--preset", "phone-scanner", "--persons", "200000", "--days", "30",
                 "--seed", "5", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    recall = [w for w in summary["warnings"] if w.startswith("measures.scanner.recall")]
    assert recall and "protest participants (fewer than 30" in recall[0]
    assert f"warning: {recall[0]}" in err
    assert "Read with care" in (out / "report.html").read_text()


def test_an_unwritable_place_is_refused_before_simulating(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """(Tests run as root here, who may write anywhere: the refusal is simulated.)"""
    from scorelab.report import folder

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(folder.os, "open", refuse)
    code, message = cli(capsys, "run", str(scenario(tmp_path)), "--out", str(tmp_path / "o"))
    assert code == 2 and f"cannot write into {tmp_path}: permission denied" in message
    assert "Traceback" not in message and not (tmp_path / "o").exists()
