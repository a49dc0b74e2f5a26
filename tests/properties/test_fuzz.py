"""Fuzzed scenario files: every input gives exit code 0 or 2, never a traceback, a rejection
within 2 seconds, and nothing in the output folder after a failure.

A few dozen examples run in the test suite; ``make fuzz`` runs 2,000
(``SCORELAB_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
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
    "measures": {"scan": {"kind": "device_scan", "install_rate": 0.5, "photos_per_day": 2,
                          "match_tpr": 0.9, "match_fpr": 0.001, "threshold": 2, "window": 7}},
}

NASTY = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.integers(-3, 40),
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


FUZZ = settings(max_examples=int(os.environ.get("SCORELAB_FUZZ_EXAMPLES", "40")),
                deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(text=st.one_of(structured(), textual()))
def test_any_scenario_file_is_run_or_refused_cleanly(text: str, tmp_path_factory: pytest.TempPathFactory,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    path = tmp / "scenario.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    start = time.perf_counter()
    code = main(["validate", str(path)])  # any other exception fails the test: a traceback
    elapsed = time.perf_counter() - start
    message = capsys.readouterr().err
    assert code in (0, 2), (code, message)
    out = tmp / "out"
    if code == 0:
        # accepted: it runs (when small enough to run here) and writes a complete folder
        from scorelab.scenario import load_scenario

        accepted = load_scenario(path)
        if accepted.population.persons <= 20_000 and accepted.days + accepted.warmup_days <= 400:
            assert main(["run", str(path), "--out", str(out), "--quiet"]) in (0, 2)
            capsys.readouterr()
        return
    assert elapsed < 2, f"rejected in {elapsed:.2f} s"
    assert message.startswith("error: ") and "Traceback" not in message
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    capsys.readouterr()
    assert not out.exists()
    assert sorted(p.name for p in Path(tmp).iterdir()) == ["scenario.yaml"]
