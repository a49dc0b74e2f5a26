"""Fuzzed input: scenario files, region tables (CSV files and the paths that name them) and
the options of sweeps and sensitivity analyses. Every input gives exit code 0 or 2, never a
traceback and never a hang; a rejected scenario is rejected within 2 seconds, leaves nothing
in the output folder, and no error echoes a file outside the scenario's folder.

A few dozen examples run in the test suite; ``make fuzz`` runs 2,000 scenario files and 500
each of region tables and option sets (``SCORELAB_FUZZ_EXAMPLES`` scenario files, a quarter
as many of the others).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scorelab.cli import main

BASE: dict[str, Any] = {
    "extends": "china-2022",
    "name": "fuzz",
    "days": 3,
    "warmup_days": 0,
    "population": {"persons": 2000, "seed": 1, "block_size": 1024},
    "systems": {"rongcheng": {"rules": {"traffic_offence": {"coverage": 0.5, "points": -5}}},
                "mine": {"kind": "points", "jurisdiction": {"cities": ["Hangzhou"]}, "base": 10,
                         "grades": {"ok": 0, "bad": -100}, "sanctions": {"bad": ["loans"]},
                         "rules": {"traffic_offence": {"points": -5}}}},
    "protests": {"rate_per_million": 1, "size_median": 100},
    "start_date": "2022-01-01",
    "schedule": [{"at": 1, "until": 2, "set": "systems.rongcheng.rules.traffic_offence.coverage",
                  "to": 0.8}],
    "measures": {"scan": {"kind": "device_scan", "install_rate": 0.5, "photos_per_day": 2,
                          "match_tpr": 0.9, "match_fpr": 0.001, "threshold": 2, "window": 7}},
}

HUGE = [10**400, -(10**400), 10**100, 2**63, 10**12 + 1]

NASTY = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.integers(-3, 40),
    st.sampled_from(HUGE), st.sampled_from(["9999-12-31", "0001-01-01", "2022-02-30"]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.5, 1e-9, 1.0, 2.0]),
    st.text(max_size=40), st.sampled_from(["", "\x00", "../../x", "/etc", "é", "china-2022",
                                           "Hangzhou", "points", "list", "checkpoint"]),
    st.lists(st.integers(0, 5), max_size=4), st.dictionaries(st.text(max_size=8),
                                                             st.integers(0, 3), max_size=3),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, prefix + (i,))
    return out


@st.composite
def structured(draw: st.DrawFn) -> str:
    """The base scenario with a few values, keys or sections replaced by nasty ones."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "set":
            parent[path[-1]] = draw(NASTY)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(NASTY)
    return json.dumps(data, allow_nan=True)  # JSON is YAML


@st.composite
def textual(draw: st.DrawFn) -> str:
    """YAML text with characters inserted, deleted or repeated."""
    text = "\n".join(f"{k}: {json.dumps(v)}" for k, v in BASE.items()) + "\n"
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "repeat"]))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(
                ["&a ", "*a", "[", "{", ":", "- ", "\t", "'", '"', "!!python/object:os.system ",
                 "\n  ", "#", "%YAML 1.1\n", "---\n", "<<: *a\n", "?", "|", ">"]
            )) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        else:
            text = text[:at] + text[at:at + 30] * draw(st.integers(2, 50)) + text[at + 30:]
    return text


EXAMPLES = int(os.environ.get("SCORELAB_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
#: region tables and option sets: a quarter as many (500 with make fuzz)
FEWER = settings(max_examples=max(10, EXAMPLES // 4), deadline=None,
                 suppress_health_check=list(HealthCheck))


class Hang(BaseException):
    """An example ran past its time: a hang (a BaseException, so nothing swallows it)."""


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail an example that runs longer than ``seconds`` instead of waiting for it."""
    def hang(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@FUZZ
@given(text=st.one_of(structured(), textual()))
def test_any_scenario_file_is_run_or_refused_cleanly(text: str, tmp_path_factory: pytest.TempPathFactory,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    path = tmp / "scenario.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    start = time.perf_counter()
    with within(60):
        code = main(["validate", str(path)])  # any other exception fails the test: a traceback
    elapsed = time.perf_counter() - start
    message = capsys.readouterr().err
    assert code in (0, 2), (code, message)
    event(f"validate: exit {code}")
    out = tmp / "out"
    if code == 0:
        # accepted: it runs (when small enough to run here) and writes a complete folder
        from scorelab.scenario import load_scenario

        accepted = load_scenario(path)
        if accepted.population.persons <= 20_000 and accepted.days + accepted.warmup_days <= 400:
            with within(120):
                assert main(["run", str(path), "--out", str(out), "--quiet"]) in (0, 2)
            capsys.readouterr()
        return
    assert elapsed < 2, f"rejected in {elapsed:.2f} s"
    assert message.startswith("error: ") and "Traceback" not in message
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    capsys.readouterr()
    assert not out.exists()
    assert sorted(p.name for p in Path(tmp).iterdir()) == ["scenario.yaml"]


# --- region tables ------------------------------------------------------------------------

SECRET = "secret-first-line-of-a-foreign-file"
HEADER = ["name", "population", "urban_share", "minority_share", "code"]
ROWS = [["North", "3000000", "0.9", "", ""], ["South", "1000000", "", "0.5", ""],
        ['"East, coast"', "2000000", "0.7", "0.1", ""]]
CELLS = st.one_of(
    st.sampled_from(["0.5", "12", "North2", "0", "1", "5000000"]), st.integers(1, 10**7).map(str),
    st.sampled_from(["", "0", "-1", "1e400", "nan", "inf", "1" * 5000, "1" + "0" * 400,
                     "0x10", "1_000", " 7 ", '"', '""', "a,b", "\x00", "é", ":x:", "[red]x",
                     "North", "name", "population", "0.5", "1.5", "12"]),
    st.text(max_size=12), st.integers(-(10**20), 10**20).map(str))
#: how the scenario names its table: mostly the table itself, else a way out of its folder
REGION_PATHS = ["regions.csv"] * 13 + [
    "../foreign.csv", "{outside}/foreign.csv", "link.csv", "linked/foreign.csv",
    "sub/../regions.csv", "fifo.csv", "dir.csv", "nowhere.csv", "regions.CSV", "",
    "/dev/null.csv", "sub/regions.csv"]


@st.composite
def region_tables(draw: st.DrawFn) -> tuple[bytes, str]:
    """A region table with cells, rows, columns or bytes changed, and the path naming it."""
    rows = [list(HEADER)] + [list(r) for r in ROWS]
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3, 4]))):
        edit = draw(st.sampled_from(["cell", "cell", "drop-row", "copy-row", "column", "drop"]))
        if edit == "cell" and rows:
            row = draw(st.integers(0, len(rows) - 1))
            if rows[row]:
                rows[row][draw(st.integers(0, len(rows[row]) - 1))] = draw(CELLS)
        elif edit == "drop-row" and rows:
            del rows[draw(st.integers(0, len(rows) - 1))]
        elif edit == "copy-row" and rows:
            rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
        elif edit == "column":
            for row in rows:
                row.append(draw(CELLS))
        elif rows and rows[0]:
            column = draw(st.integers(0, len(rows[0]) - 1))
            for row in rows:
                del row[column:column + 1]
    data = "\n".join(",".join(row) for row in rows).encode("utf-8", "surrogateescape")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xef\xbb\xbf", b"\r", b"\n",
                                                 b'"', b",", b"\x00"])) + data[at:]
    return data, draw(st.sampled_from(REGION_PATHS))


@FEWER
@given(table=region_tables())
def test_any_region_table_is_read_or_refused_cleanly(
        table: tuple[bytes, str], tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str]) -> None:
    data, name = table
    root = tmp_path_factory.mktemp("regions")
    outside, folder = root / "outside", root / "scenario"
    outside.mkdir()
    (folder / "sub").mkdir(parents=True)
    (outside / "foreign.csv").write_text(f"{SECRET}\nname,population\nLeaked,10\n")
    (folder / "regions.csv").write_bytes(data)
    (folder / "sub" / "regions.csv").write_bytes(data)
    (folder / "link.csv").symlink_to(outside / "foreign.csv")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    (folder / "dir.csv").mkdir()
    os.mkfifo(folder / "fifo.csv")
    path = folder / "scenario.yaml"
    path.write_text(
        "extends: united-states-2020\nname: fuzz-regions\ndays: 2\nwarmup_days: 0\n"
        "population:\n  persons: 600\n  block_size: 64\n  identity: {scheme: none}\n"
        f"  regions: {json.dumps(name.format(outside=outside))}\n", encoding="utf-8")
    start = time.perf_counter()
    with within(60):
        code = main(["validate", str(path)])
    elapsed = time.perf_counter() - start
    message = capsys.readouterr().err
    assert code in (0, 2), (code, message)
    event(f"validate: exit {code}")
    assert SECRET not in message and "Leaked" not in message
    out = folder / "out"
    with within(120):
        ran = main(["run", str(path), "--out", str(out), "--quiet"])
    message += capsys.readouterr().err
    assert SECRET not in message and "Leaked" not in message
    if code == 0:
        assert ran == 0, message
        assert "Leaked" not in (out / "scenario.yaml").read_text(encoding="utf-8")
        return
    assert elapsed < 2, f"rejected in {elapsed:.2f} s"
    assert message.startswith("error: ") and "Traceback" not in message
    assert ran == 2 and not out.exists()


# --- options of sweeps and sensitivity analyses -------------------------------------------

TINY = """\
extends: china-2022
name: fuzz-options
days: 2
warmup_days: 0
population: {persons: 300, seed: 1, block_size: 64}
"""
GOOD_PATHS = st.sampled_from([
    "processes.driving.rate", "systems.rongcheng.rules.traffic_offence.coverage",
    "systems.rongcheng.base", "population.seed", "systems.hangzhou.rules.traffic_offence.points"])
GOOD_VALUES = st.sampled_from(["0.1", "0.5", "0.01", "1", "2", "3", "0.9"])
PARAM_PATHS = st.one_of(GOOD_PATHS, GOOD_PATHS, st.sampled_from([
    "processes.driving.rate", "systems.rongcheng.rules.traffic_offence.coverage",
    "systems.rongcheng.base", "systems.rongcheng.grades.AAA", "population.persons",
    "population.seed", "days", "warmup_days", "name", "schedule", "population.age_bands",
    "processes.driving", "systems", "nothing.here", "", "a" * 300, ":x:",
    "processes.driving.rate.x", "population.regions", "start_date", "joint_punishment",
    "systems.court-list.sanctions"]), st.text(max_size=20))
PARAM_VALUES = st.one_of(GOOD_VALUES, GOOD_VALUES, st.sampled_from([
    "0.1", "0.5", "1", "2", "0", "-1", "1e400", ".nan", ".inf", "1" * 5000, "1" + "0" * 400,
    "[", "{a: 1}", "&a [*a]", "[[1]]", "[loans]", "true", "'x'", "2022-01-01", "", "~",
    "!!python/object:os.system x", ":x:", "[red]x", "9999-12-31"]),
    st.text(max_size=10), st.integers(-50, 500).map(str), st.floats().map(repr))
COUNTS = ["1", "2", "0", "-1", "100001", "1000000000", "1" + "0" * 400, "x", "2.5"]


@st.composite
def option_sets(draw: st.DrawFn) -> list[str]:
    """A sweep or a sensitivity analysis of a tiny scenario that runs, with a few of its
    parameters, values or options changed (or none)."""
    command = draw(st.sampled_from(["sweep", "sensitivity"]))
    sweep = command == "sweep"
    params = [["processes.driving.rate", ["0.1", "0.2"] if sweep else ["0.1", "0.5"]]]
    options: dict[str, str] = {"--samples": "2"} if not sweep else {}
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 2, 3]))):
        edit = draw(st.sampled_from(["path", "value", "add", "drop", "raw", "option"]))
        if edit == "path" and params:
            draw(st.sampled_from(params))[0] = draw(PARAM_PATHS)
        elif edit == "value" and any(values for _, values in params):
            values = draw(st.sampled_from([values for _, values in params if values]))
            values[draw(st.integers(0, len(values) - 1))] = draw(PARAM_VALUES)
        elif edit == "add":
            count = draw(st.integers(1, 3)) if sweep else 2
            params.append([draw(PARAM_PATHS), [draw(PARAM_VALUES) for _ in range(count)]])
        elif edit == "drop" and params:
            params.remove(draw(st.sampled_from(params)))
        elif edit == "raw":  # an option that is not PATH=VALUES at all
            params.append([draw(PARAM_PATHS), []])
        else:
            option, choices = draw(st.sampled_from(OPTIONS[command]))
            options[option] = draw(st.sampled_from(choices))
    args = [command]
    for path, values in params:
        joined = (",".join(values) if sweep else ":".join(values)) if values else ""
        args += ["--param", f"{path}={joined}" if values else path]
    for option, value in options.items():
        args += [option, value]
    return args


COMMON = [("--backend", ["local", "nope", ""]), ("--workers", ["1", "2", "0", "-1"]),
          ("--persons", ["300", "0", "1" + "0" * 400, "1000000000000"]),
          ("--days", ["2", "3", "0", "40000", "x"]), ("--seed", ["1", "-1", "1" + "0" * 400])]
OPTIONS = {
    "sweep": [("--replicates", ["1", "2", *COUNTS]), *COMMON],
    "sensitivity": [("--samples", ["2", "4", *COUNTS]),
                    ("--method", ["sobol", "morris", "fast", ""]),
                    ("--output", ["systems.rongcheng.records", "sanctioned_wrongly_any", "nope",
                                  "", ":x:"]), *COMMON],
}


@FEWER
@given(args=option_sets())
def test_any_sweep_or_sensitivity_options_are_run_or_refused_cleanly(
        args: list[str], tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str]) -> None:
    tmp = tmp_path_factory.mktemp("options")
    path = tmp / "scenario.yaml"
    path.write_text(TINY, encoding="utf-8")
    with within(120):
        code = main([args[0], str(path), *args[1:], "--out", str(tmp / "out"), "--quiet"])
    message = capsys.readouterr().err
    assert code in (0, 2), (code, message)
    event(f"{args[0]}: exit {code}")
    assert "Traceback" not in message
    if code == 2:
        assert message.startswith("error: ") or "Usage: " in message, message
