"""The shape of the code: layers, the plan, kind registries, stream claims, the backend seam,
and the typed summary's published schema."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scenario_text import WITHOUT_PRESET_SYSTEMS
from tally import Tally, TallySummary

import scorelab
from scorelab.core.columns import flag_dtype
from scorelab.core.streams import Streams, declare
from scorelab.engine.backends import BACKENDS
from scorelab.engine.backends.local import LocalBackend
from scorelab.engine.shard import Shard
from scorelab.ledger.summary import Summary, json_schema
from scorelab.report.files import daily_bytes, summary_bytes
from scorelab.report.view import build_page
from scorelab.scenario import Scenario, ScenarioError, load_scenario
from scorelab.scenario.plan import compile as compile_plan
from scorelab.systems.base import SystemFlag
from scorelab.systems.registry import SYSTEM_KINDS

SRC = Path(scorelab.__file__).parent
ROOT = SRC.parents[1]

#: lower numbers sit lower; a module may import its own package and anything lower
LAYERS = {"core": 0, "scenario": 1, "population": 2, "processes": 3, "records": 3,
          "systems": 4, "measures": 4, "finance": 5, "integration": 5, "ledger": 6, "engine": 7,
          "report": 8, "experiments": 9, "api": 10, "cli": 11, "__init__": 12, "__main__": 12,
          "cases": 5.5,  # case files: over the systems and measures, under the engine
          "app": 9.5,  # the explorer: over the experiments, under the api and the CLI
          "console": 10.5}  # what the CLI prints: over the report, under the CLI


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module(path: Path, src: Path) -> str:
    return ("scorelab." + ".".join(path.relative_to(src).with_suffix("").parts)
            ).removesuffix(".__init__")


def _resolve(name: str, src: Path) -> str:
    """The module an imported name lives in: the module or package itself, or (for a name
    defined in one, ``from scorelab.core.version import __version__``) its module."""
    parts = name.split(".")[1:]
    path = src.joinpath(*parts)
    if not parts or path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
        return name
    return name.rsplit(".", 1)[0]


def _imports(path: Path, src: Path) -> list[tuple[int, str]]:
    """(line, imported scorelab module) for every import in a source file under ``src``,
    wherever it stands (inside a function or under ``TYPE_CHECKING`` too)."""
    module = _module(path, src)
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names]
            out += [(node.lineno, _resolve(n, src)) for n in names if n.startswith("scorelab")]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, _resolve(a.name, src)) for a in node.names
                    if a.name.startswith("scorelab")]
    return out


def import_graph(src: Path) -> dict[str, dict[str, int]]:
    """Module -> the modules it imports (with the line of the first import of each)."""
    graph: dict[str, dict[str, int]] = {}
    for path in sorted(src.rglob("*.py")):
        module = _module(path, src)
        edges = graph.setdefault(module, {})
        for line, target in _imports(path, src):
            if target != module:
                edges.setdefault(target, line)
    return graph


def violations(src: Path) -> list[str]:
    """Imports from a higher layer (or across packages of one layer), and modules outside
    every layer, in the tree ``src``."""
    wrong = []
    for path in sorted(src.rglob("*.py")):
        own = _package(_module(path, src))
        if own not in LAYERS:
            wrong.append(f"{path.relative_to(src)} is in no layer")
            continue
        for line, target in _imports(path, src):
            other = _package(target)
            if other == own:
                continue
            if other not in LAYERS or LAYERS[other] >= LAYERS[own]:
                wrong.append(f"{path.relative_to(src)}:{line} imports {target}")
    return wrong


def circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The import circles of a graph: its strongly connected components of two or more
    modules (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph.get(target, ()))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_imports_from_a_higher_layer() -> None:
    wrong = violations(SRC)
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_circles() -> None:
    """No module imports, directly or through others, a module that imports it (imports
    inside functions count: they hide a circle, they do not break it)."""
    found = circles(import_graph(SRC))
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_layer_check_catches_an_upward_import(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "probe.py").write_text("from ..engine import loop\n", encoding="utf-8")
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "ok.py").write_text("from ..core import draws\n", encoding="utf-8")
    (tmp_path / "systems").mkdir()
    (tmp_path / "systems" / "side.py").write_text("import scorelab.measures.base\n",
                                                   encoding="utf-8")
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "hidden.py").write_text(
        "def f():\n    from .. import __version__\n", encoding="utf-8")
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "x.py").write_text("", encoding="utf-8")
    # (a name that is no module of the tree resolves to the module it is imported from)
    assert violations(tmp_path) == ["core/probe.py:1 imports scorelab.engine",
                                    "extra/x.py is in no layer",
                                    "report/hidden.py:2 imports scorelab",
                                    "systems/side.py:1 imports scorelab.measures"]


def test_the_circle_check_finds_a_circle_behind_a_function(tmp_path: Path) -> None:
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "a.py").write_text("from .b import x\n", encoding="utf-8")
    (tmp_path / "engine" / "b.py").write_text("def x():\n    from .c import y\n",
                                              encoding="utf-8")
    (tmp_path / "engine" / "c.py").write_text("from . import a\ny = 1\n", encoding="utf-8")
    (tmp_path / "engine" / "d.py").write_text("from .a import z\n", encoding="utf-8")
    graph = import_graph(tmp_path)
    assert circles(graph) == [["scorelab.engine.a", "scorelab.engine.b", "scorelab.engine.c"]]


def test_importing_the_low_layer_loads_nothing_above_it() -> None:
    code = ("import sys, scorelab.core, scorelab.core.streams, scorelab.core.columns, "
            "scorelab.core.draws, scorelab.core.queue\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('scorelab'))))")
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.split()
    assert all(m == "scorelab" or m.startswith("scorelab.core") for m in loaded), loaded


def test_a_worker_loads_no_table_library() -> None:
    """A worker of the processes or Ray backend runs a shard: it imports neither polars nor
    pyarrow (nor the report), which would add about half a second to every worker's start."""
    code = ("import sys, scorelab.engine.backends.worker, scorelab.engine.shard\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('polars', 'pyarrow', 'jinja2', 'rich', 'typer') or m.startswith('scorelab.report'))))")
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.split()
    assert loaded == [], loaded


# --- the plan: cross-references checked in the model -------------------------------------------


def _scenario_data(**changes: Any) -> dict[str, Any]:
    data = load_scenario(overrides={"population": {"persons": 2000}, "days": 3}).model_dump()
    data.update(changes)
    return data


def test_unknown_city_in_a_python_built_scenario_is_a_clear_error() -> None:
    data = _scenario_data(protests={"cities": ["Atlantis"], "rate_per_million": 1,
                                    "size_median": 100})
    with pytest.raises(ScenarioError) as caught:
        Scenario.model_validate(data)
    message = str(caught.value)
    assert message.startswith("protests.cities[0]: unknown city 'Atlantis'")
    assert "known cities: Rongcheng" in message
    data["systems"]["court-list"]["jurisdiction"] = {"cities": ["Hangzou"]}
    with pytest.raises(ScenarioError, match=r"systems.court-list.jurisdiction.cities\[0\]: "
                                            r"unknown city 'Hangzou' \(did you mean 'Hangzhou'"):
        scorelab.run(Scenario.model_validate(data | {"protests": None}))


def test_plan_resolves_names_once() -> None:
    plan = compile_plan(load_scenario(overrides={"population": {"persons": 5000}, "days": 3}))
    rongcheng = plan.systems[plan.system_names.index("rongcheng")]
    start, stop = plan.geography.city_range("Rongcheng")
    assert rongcheng.ranges == ((start, stop),)
    court = plan.systems[plan.system_names.index("court-list")]
    assert court.ranges == ((0, 5000),)
    (link,) = plan.links
    assert (link.source, link.target, link.number) == (court.index, rongcheng.index, 0)
    assert len(set(plan.streams)) == len(plan.streams)
    assert "system/rongcheng/record/traffic_offence" in plan.streams
    import pickle

    again = pickle.loads(pickle.dumps(plan))
    assert again.streams == plan.streams and again.scale == plan.scale


# --- streams: only declared names can be drawn from ----------------------------------------------


def test_streams_draw_only_through_a_claim_on_a_declared_name() -> None:
    streams = Streams(seed=1, names=["a/b"])
    u = streams.claim("a/b").uniform(0, np.arange(3))
    assert u.shape == (3,)
    with pytest.raises(KeyError, match="random stream 'a/c' was not declared"):
        streams.claim("a/c")
    assert not hasattr(streams, "uniform")  # no way to draw by a bare name
    with pytest.raises(ValueError, match="random stream 'x' is claimed twice"):
        declare(["x", "y", "x"])


def test_flag_columns_widen_with_their_enum() -> None:
    assert flag_dtype(SystemFlag) is np.uint8
    import enum

    wide = enum.IntFlag("Wide", {f"F{k}": 1 << k for k in range(9)})
    assert flag_dtype(wide) is np.uint16


# --- a new kind: one module and one registry line ------------------------------------------------


def test_a_new_system_kind_needs_one_module_and_one_registry_line() -> None:
    SYSTEM_KINDS.register(Tally)  # the registry line
    try:
        text = ("extends: china-2022\ndays: 5\nwarmup_days: 0\n"
                "population: {persons: 3000, block_size: 1024}\n" + WITHOUT_PRESET_SYSTEMS
                + "  count:\n    kind: tally\n    jurisdiction: {national: true}\n"
                  "    event: traffic_offence\n")
        result = scorelab.run(load_scenario(text=text))
        tally = result.summary.systems["count"]
        assert isinstance(tally, TallySummary) and tally.kind == "tally"
        assert tally.records == result.summary.events["traffic_offence"] > 0
        assert tally.tallied == tally.records
        assert Summary.model_validate_json(summary_bytes(result.summary)) == result.summary
        published = json_schema()["$defs"]["TallySummary"]
        assert published["properties"]["tallied"]["type"] == "integer"
        rows = result.daily.filter(result.daily["name"] == "count")
        assert rows.height == 5 and rows["records"].sum() == tally.records
        page = build_page(result.summary, result.daily)
        (section,) = [s for s in page.sections if s.title == "System: count"]
        assert "kind: tally" in section.tags and section.cards  # the report shows it
        with pytest.raises(ScenarioError, match="unknown key 'evnt'.*valid keys: .*event"):
            load_scenario(text=text.replace("event:", "evnt:"))
    finally:
        SYSTEM_KINDS.unregister("tally")
    with pytest.raises(ScenarioError, match="unknown kind 'tally'"):
        load_scenario(text=text)


# --- the backend seam ------------------------------------------------------------------------


class ReversedBackend(LocalBackend):
    """Calls the shards last to first: a backend is free to reach shards in any order."""

    name = "reversed"

    def _call(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
        return [method(s, *a) for s, a in zip(self.shards[::-1], args[::-1])][::-1]


def test_a_new_backend_is_one_class_behind_the_seam() -> None:
    BACKENDS["reversed"] = ReversedBackend
    try:
        scenario = load_scenario(preset="checkpoints-2022", overrides={
            "population": {"persons": 20_000, "block_size": 2048}, "days": 10})
        local = scorelab.run(scenario, shards=3)
        other = scorelab.run(scenario, shards=3, backend="reversed")
    finally:
        del BACKENDS["reversed"]
    assert summary_bytes(local.summary) == summary_bytes(other.summary)
    assert daily_bytes(local.daily) == daily_bytes(other.daily)


def test_an_unknown_backend_is_a_clear_error(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from scorelab.cli import main

    out = tmp_path / "out"
    assert main(["run", "--persons", "2000", "--days", "2", "--backend", "ray2",
                 "--out", str(out)]) == 2
    assert "error: backend: unknown backend 'ray2'; backends: local" in capsys.readouterr().err
    assert not out.exists()


def test_the_processes_backend_gives_the_same_bytes_from_other_processes() -> None:
    """Shards in their own interpreters: only plain data crosses, and the result is the same
    as the local backend's, for any shard count."""
    scenario = load_scenario(preset="phone-scanner", overrides={
        "population": {"persons": 30_000, "block_size": 4096}, "days": 8})
    local = scorelab.run(scenario, shards=1)
    for shards in (2, 3):
        other = scorelab.run(scenario, shards=shards, backend="processes")
        assert summary_bytes(local.summary) == summary_bytes(other.summary)
        assert daily_bytes(local.daily) == daily_bytes(other.daily)


def test_a_failing_shard_in_a_worker_is_reported_with_its_traceback() -> None:
    from scorelab.engine.backends.processes import ProcessBackend, WorkerError

    plan = compile_plan(load_scenario(overrides={"population": {"persons": 3000}, "days": 2}))
    backend = ProcessBackend()
    backend.start(plan, [(0, 3000)])
    try:
        # no change is scheduled for day 0: the shard's retune fails, in its worker
        with pytest.raises(WorkerError, match="(?s)shard 0 failed in its worker.*retune"):
            backend.call(Shard.retune, 0)
        assert backend.call(Shard.records, 0) == [None]  # the worker goes on serving
        # a posted call's error comes with the next answer, and what was posted after it
        # does not run (the day would not be the one the driver thinks)
        backend.post(Shard.retune, 0)
        backend.post(Shard.records, 1)
        with pytest.raises(WorkerError, match="(?s)shard 0 failed in its worker.*retune"):
            backend.call(Shard.totals)
        backend.post(Shard.retune, 0)
        with pytest.raises(WorkerError, match="retune"):
            backend.flush()
        backend.flush()  # nothing failed since
        with pytest.raises(TypeError, match="is not a method of Shard"):
            backend.call(LocalBackend.close)  # type: ignore[arg-type]
    finally:
        backend.close()
    assert backend.procs == []


@pytest.mark.parametrize("name", ["local", "processes"])
def test_an_asked_call_is_answered_as_asked_and_what_is_posted_after_runs_after(
        name: str) -> None:
    """The engine asks for the day's appeal filings and reads them once the next day's truth
    is on its way: the answers are the shards' as they were when asked (from another process;
    a local shard's answers may share its arrays); what was posted after runs after them (and
    its error comes with the next wait, from every shard that failed, read in full); a call
    in between reads them first."""
    plan = compile_plan(load_scenario(overrides={
        "population": {"persons": 3000, "block_size": 1024}, "days": 2, "warmup_days": 0}))
    backend = BACKENDS[name]()
    backend.start(plan, [(0, 1024), (1024, 3000)])

    def events(totals: list[Any]) -> int:
        return sum(int(counts.sum()) for t in totals for counts in t.events.values())

    try:
        asked = backend.ask(Shard.totals)
        backend.post(Shard.truth, 0, [], None)
        backend.post(Shard.records, 0)
        remote = name == "processes"
        assert events(backend.answers(asked)) == 0 or not remote  # as asked, before the day
        assert backend.answers(asked) is backend.answers(asked)  # (read once)
        after = events(backend.call(Shard.totals))
        assert after > 0
        asked = backend.ask(Shard.totals)
        backend.post(Shard.truth, 1, [], None)
        later = backend.call(Shard.totals)  # reads the asked answers first
        assert events(later) > after
        assert events(backend.answers(asked)) == after or not remote
        with pytest.raises(ValueError, match="never asked"):
            backend.answers(type(asked)(None))
        if name == "processes":  # (a local post runs, and fails, at once)
            from scorelab.engine.backends.processes import WorkerError

            asked = backend.ask(Shard.totals)
            backend.post(Shard.retune, 0)  # no change is scheduled for day 0: fails
            assert events(backend.answers(asked)) == events(later)
            with pytest.raises(WorkerError, match="(?s)shard 0 failed in its worker.*retune"):
                backend.call(Shard.totals)  # (both shards failed; the first is raised)
            assert events(backend.call(Shard.totals)) == events(later)  # and go on
    finally:
        backend.close()


def test_a_shard_call_names_the_method_itself() -> None:
    """Shard calls pass the method (checked by the type checker); a measure's coordinator
    reaches its part by the part's own methods, which must be its part's."""
    from scorelab.measures.checkpoint import CheckpointState
    from scorelab.measures.shutdown import ShutdownState

    plan = compile_plan(load_scenario(preset="checkpoints-2022", overrides={
        "population": {"persons": 3000}, "days": 2}))
    backend = LocalBackend()
    backend.start(plan, [(0, 3000)])
    index = next(m.index for m in plan.measures if m.spec.kind == CheckpointState.kind)
    none = np.empty(0, np.int64)
    (found,) = backend.call(Shard.measure, index, CheckpointState.propose, 0, 0, False, 5, none)
    assert found[0].size <= 5
    with pytest.raises(TypeError, match="is not a method of measure"):
        backend.call(Shard.measure, index, ShutdownState.step, 0, [])


# --- the typed summary ----------------------------------------------------------------------


def test_published_schema_matches_the_summary_model() -> None:
    published = json.loads((ROOT / "docs" / "summary.schema.json").read_text(encoding="utf-8"))
    assert published == json_schema(), "docs/summary.schema.json is stale: run `make schema`"
