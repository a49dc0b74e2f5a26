"""Bad input: a located message, exit code 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorelab.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SMALL = "extends: china-2022\npopulation:\n  persons: 2000\n  block_size: 1024\ndays: 3\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("extends: china-2022\npopulation: {persons: 10\n", ["malformed YAML", "scenario.yaml:3:1:"]),
        ("extends: china-2022\npopluation:\n  persons: 10\n",
         ["scenario.yaml:2:1:", "popluation:", "unknown key 'popluation'",
          "did you mean 'population'"]),
        ("extends: china-2022\npopulation:\n  persons: many\n",
         ["scenario.yaml:3:12:", "population.persons:", "valid integer", "'many'"]),
        ("extends: china-2022\nprocesses:\n  driving:\n    rate: 1.5\n",
         ["scenario.yaml:4:11:", "processes.driving.rate:", "less than or equal to 1", "1.5"]),
        ("extends: china-2022\nprocesses:\n  driving:\n    rate: -0.1\n",
         ["scenario.yaml:4:11:", "greater than or equal to 0"]),
        ("extends: china-2099\n",
         ["scenario.yaml:1:10:", "unknown preset 'china-2099'", "did you mean 'china-2022'"]),
        ("extends: china-2022\nsystems:\n  rongcheng:\n    jurisdiction: {cities: [Rongchen]}\n",
         ["scenario.yaml:4:", "systems.rongcheng.jurisdiction.cities[0]:",
          "unknown city 'Rongchen'", "did you mean 'Rongcheng'"]),
        (("extends: china-2022\nsystems:\n  x:\n    kind: points\n    jurisdiction: "
         "{provinces: [Atlantis]}\n    base: 1\n    grades: {a: 0}\n"
         "    rules: {traffic_offence: {coverage: 1, points: -1}}\n"),
         ["scenario.yaml:5:", "unknown province 'Atlantis'"]),
        ("extends: china-2022\npopulation:\n  persons: 0\n",
         ["scenario.yaml:3:12:", "population.persons:", "greater than 0"]),
        ("extends: china-2022\npopulation:\n  persons: -5\n", ["greater than 0"]),
        ("extends: china-2022\nsystems:\n  rongcheng:\n    kind: scores\n",
         ["scenario.yaml:4:11:", "unknown kind 'scores'"]),
        (("extends: china-2022\nsystems:\n  rongcheng:\n    rules:\n      jaywalking: "
         "{coverage: 0.5, points: -1}\n"),
         ["scenario.yaml:5:7:", "unknown event type 'jaywalking'"]),
        ("extends: china-2022\nsystems:\n  rongcheng:\n    grades: {A: 10, B: 10}\n",
         ["scenario.yaml:4:", "two grades have the same floor"]),
        ("extends: china-2022\nsystems:\n  rongcheng:\n    sanctions: {C: [jail]}\n",
         ["scenario.yaml:4:", "'jail'", "flights"]),
        ("extends: china-2022\nsystems:\n  court-list:\n    exit: {on_remedy: false}\n",
         ["scenario.yaml:4:11:", "systems.court-list.exit:", "needs an exit rule"]),
        (("extends: china-2022\njoint_punishment:\n  - {source: court-list, target: bank, "
         "sanctions: [loans]}\n"),
         ["scenario.yaml:3:", "joint_punishment[0].target:", "unknown system 'bank'"]),
        (("extends: china-2022\njoint_punishment:\n  - {source: rongcheng, target: hangzhou, "
         "sanctions: [loans]}\n"),
         ["joint_punishment[0].source:", "unknown list 'rongcheng'", "lists: court-list"]),
        ("extends: china-2022\nsystems:\n  court-list:\n    entry: {event: traffic_ofence}\n",
         ["scenario.yaml:4:", "systems.court-list.entry.event:",
          "did you mean 'traffic_offence'"]),
        ("extends: china-2022\nsystems:\n  court-list:\n    entry: {event: tax_evaded}\n",
         ["systems.court-list.entry.event:", "has no remedy rate"]),
        ("extends: china-2022\nsystems:\n  court-list:\n    entry: {count: 3}\n",
         ["systems.court-list.entry:", "needs a window"]),
        ("extends: china-2022\nsystems:\n  court-list:\n    polarity: grey\n",
         ["scenario.yaml:4:15:", "got 'grey'", "'black' or 'red'"]),
        ("extends: china-2022\nsystems:\n  court-list:\n    entyr: {count: 3}\n",
         ["scenario.yaml:4:5:", "unknown key 'entyr'", "did you mean 'entry'", "polarity"]),
        ("extends: phone-scanner\nmeasures:\n  scanner:\n    threshold: 0\n",
         ["scenario.yaml:4:16:", "measures.scanner.threshold:", "greater than or equal to 1"]),
        ("extends: phone-scanner\nmeasures:\n  scanner:\n    window: 0\n",
         ["measures.scanner.window:", "greater than or equal to 1"]),
        ("extends: phone-scanner\nmeasures:\n  scanner:\n    review: {capacity: -5}\n",
         ["measures.scanner.review.capacity:", "greater than or equal to 0"]),
        ("extends: phone-scanner\nmeasures:\n  scanner:\n    install_rate: 1.2\n",
         ["scenario.yaml:4:19:", "measures.scanner.install_rate:",
          "less than or equal to 1"]),
        ("extends: phone-scanner\nmeasures:\n  scanner:\n    kind: mind_reader\n",
         ["scenario.yaml:4:11:", "unknown kind 'mind_reader'",
          "'checkpoint', 'device_scan', 'jammer', 'shutdown'"]),
        ("extends: checkpoints-2022\nmeasures:\n  urumqi-shutdown:\n    cities: [Urumchi]\n",
         ["scenario.yaml:4:14:", "measures.urumqi-shutdown.cities[0]:",
          "unknown city 'Urumchi'", "did you mean 'Urumqi'"]),
        ("extends: phone-scanner\nmeasures:\n  scanner:\n    treshold: 3\n",
         ["unknown key 'treshold'", "did you mean 'threshold'", "burst_mean"]),
        ("extends: china-2022\nmeasures:\n  cut: {kind: shutdown, duration: 3}\n",
         ["measures.cut.kind:", "add a protests: section"]),
        ("extends: china-2022\nsystems:\n  rongcheng:\n    floor: 10\n    ceiling: 5\n",
         ["systems.rongcheng:", "floor 10 is above ceiling 5"]),
        (("extends: china-2022\nsystems:\n  rongcheng:\n    appeals: {rate: 0.1, capacity: -1, "
         "success: 0.5}\n"),
         ["systems.rongcheng.appeals.capacity:", "greater than or equal to 0"]),
    ],
)
def test_bad_input_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                              expected: list[str]) -> None:
    path = write(tmp_path, text)
    out = tmp_path / "out"
    code, message = run_cli(capsys, "run", str(path), "--out", str(out), "--quiet")
    assert code == 2, message
    assert "Traceback" not in message
    for fragment in expected:
        assert fragment in message
    assert not out.exists()


def test_validate_reports_without_running(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, message = run_cli(capsys, "validate", str(write(tmp_path, "days: [1\n")))
    assert code == 2 and "malformed YAML" in message
    code, message = run_cli(capsys, "validate", str(write(tmp_path, SMALL)))
    assert code == 0 and "valid" in message


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, message = run_cli(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "cannot read scenario file" in message


def test_population_too_big_for_memory(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, message = run_cli(capsys, "run", "--persons", "900000000000", "--out", str(out))
    assert code == 2
    assert "needs about" in message and "GiB" in message and "available" in message
    assert not out.exists()


def test_out_dir_with_another_run_is_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, SMALL)
    out = tmp_path / "out"
    assert run_cli(capsys, "run", str(path), "--out", str(out), "--quiet")[0] == 0
    before = (out / "summary.json").read_bytes()
    # the same run again is fine
    assert run_cli(capsys, "run", str(path), "--out", str(out), "--quiet")[0] == 0
    code, message = run_cli(capsys, "run", str(path), "--seed", "99", "--out", str(out),
                            "--quiet")
    assert code == 2 and "holds a different run" in message and "--force" in message
    assert (out / "summary.json").read_bytes() == before
    code, _ = run_cli(capsys, "run", str(path), "--seed", "99", "--out", str(out), "--quiet",
                      "--force")
    assert code == 0 and (out / "summary.json").read_bytes() != before


def test_out_dir_with_foreign_files_is_refused(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("precious", encoding="utf-8")
    for force in ([], ["--force"]):  # never overwritten, even with --force
        code, message = run_cli(capsys, "run", str(write(tmp_path, SMALL)), "--out", str(out),
                                *force)
        assert code == 2 and "holds files scorelab did not write (thesis.tex)" in message
        assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]


def test_too_many_shards(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, message = run_cli(capsys, "run", str(write(tmp_path, SMALL)), "--shards", "5",
                            "--out", str(tmp_path / "o"))
    assert code == 2 and "--shards must be between 1 and" in message


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, message = run_cli(capsys, "run", "--persns", "5")
    assert code == 2 and "No such option" in message


def test_version_and_presets(capsys: pytest.CaptureFixture[str]) -> None:
    code, message = run_cli(capsys, "--version")
    assert code == 0 and message.startswith("scorelab ")
    code, message = run_cli(capsys, "presets")
    assert code == 0 and "china-2022" in message and "court list" in message


# --- numbers too large for their field -----------------------------------------------------

HUGE = "1" + "0" * 400  # 10**400: a whole number YAML and the command line read


@pytest.mark.parametrize(("text", "args", "expected"), [
    (f"extends: china-2022\npopulation: {{persons: {HUGE}}}\n", [],
     ["scenario.yaml:2:23: population.persons: input should be less than or equal to",
      "about 401 digits"]),
    (SMALL, ["--persons", HUGE],
     ["<command line>: population.persons: input should be less than or equal to"]),
    (("extends: united-states-2020\npopulation:\n  persons: 2000\n  regions:\n"
      f"    - {{name: A, population: {HUGE}}}\n    - {{name: B, population: 5}}\n"), [],
     ["scenario.yaml:5:", "population.regions[0].population: input should be less than"]),
    (SMALL + f"systems:\n  rongcheng:\n    grades: {{AAA: 1{'0' * 100}, D: -32000}}\n", [],
     ["scenario.yaml:8:", ("systems.rongcheng.grades.AAA: input should be less than or equal "
      "to 32000")]),
    (SMALL + "start_date: '9999-12-31'\nschedule:\n  - {at: 0, set: processes.driving.rate, "
     "to: 0.01}\n",
     [], ["scenario.yaml:6:13: start_date: 3 days from 9999-12-31 run past the last date",
          "start by 9999-12-29"]),
    (SMALL + f"warmup_days: 1{'0' * 5000}\n", [],
     ["scenario.yaml:6:14: a number of 5,001 digits", "at most 4,300 digits"]),
    (SMALL + f"warmup_days: 0x1{'0' * 5000}\n", [],
     ["scenario.yaml:6:14: warmup_days: input should be less than", "about 6,021 digits"]),
    (SMALL.replace("days: 3", "days: 10") + "schedule:\n  - {at: 0, until: 5, set: "
     f"processes.driving.rate, to: {HUGE}}}\n", [],
     ["scenario.yaml:7:56:", ("schedule[0].to: to is a whole number of about 401 digits: too "
      "large a number to ramp over")]),
])
@pytest.mark.parametrize("command", ["validate", "run", "estimate"])
def test_numbers_too_large_for_their_field_are_located(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, args: list[str],
        expected: list[str], command: str) -> None:
    """A number its field cannot hold is a located error (exit 2) for every command that
    reads a scenario, before anything is written, and it is not echoed digit by digit."""
    path = write(tmp_path, text)
    out = tmp_path / "out"
    extra = {"run": ["--out", str(out), "--quiet"], "estimate": ["--no-calibrate"],
             "validate": []}[command]
    if args and command == "validate":  # validate has no --persons: the file says it
        path = write(tmp_path, text.replace("persons: 2000", f"persons: {HUGE}"))
        expected = ["scenario.yaml:3:12: population.persons: input should be less than"]
        args = []
    code, message = run_cli(capsys, command, str(path), *args, *extra)
    assert code == 2, message
    assert "Traceback" not in message and HUGE not in message
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


def test_estimate_refuses_a_worker_memory_that_is_not_a_size(
        capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("1e400", "nan", "-1", "0"):
        code, message = run_cli(capsys, "estimate", "--persons", "2000", "--no-calibrate",
                                "--memory-per-worker", value)
        assert code == 2, message
        assert "--memory-per-worker: expected GiB of memory above 0" in message


# --- user text is printed as written ----------------------------------------------------------

ODD = ":x: a:b:c [red]r[/red] :thumbs_up: [link=x]y [/]"


def test_user_text_is_printed_as_written(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Paths, names and values reach the terminal literally: rich's emoji codes and markup
    are off for everything the CLI prints (errors, results, tables)."""
    def literal(message: str) -> None:
        assert ODD in message, message
        for emoji in ("❌", "🅱", "👍"):
            assert emoji not in message, message

    code, message = run_cli(capsys, "validate", str(tmp_path / f"{ODD}.yaml"))
    assert code == 2 and "cannot read scenario file" in message
    literal(message)
    code, message = run_cli(capsys, "run", "--preset", ODD)
    assert code == 2 and "unknown preset" in message
    literal(message)
    path = write(tmp_path, SMALL)
    code, message = run_cli(capsys, "sweep", str(path), "--param", f"{ODD}=1",
                            "--out", str(tmp_path / "s"))
    assert code == 2 and "no such parameter" in message
    literal(message)
    out = tmp_path / ODD
    code, message = run_cli(capsys, "run", str(path), "--out", str(out))
    assert code == 0, message
    assert f"report: {out / 'report.html'}" in message
    literal(message)
    code, message = run_cli(capsys, "compare", str(out), str(out), "--out",
                            str(tmp_path / "c.html"))
    assert code == 0, message
    literal(message)  # the runs' labels head the table's columns
