"""Sweeps: a scenario over a grid of parameter values, each point with replicates.

Grid points are the product of the ``--param`` value lists, numbered in that order; the run
of point p and replicate r uses ``derive_seed(seed, p, r)``. Each run adds one row to the
experiment's table (its point, replicate, seed, parameter values and every figure of the
catalogue, :mod:`scorelab.ledger.catalogue`, by its path):
an interrupted sweep resumes where it stopped, and the rows end in ``sweep.parquet``, drawn
in ``sweep.html`` (:mod:`scorelab.report.sweep`) beside the resolved ``scenario.yaml``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.run import check_resources
from ..ledger.reading import resolve
from ..scenario.loader import scenario_digest
from ..scenario.schema import Scenario
from .batch import check_settings, run_many
from .params import Param, apply
from .replicates import with_seed
from .seeds import derive_seed
from .table import RunTable

MAX_RUNS = 100_000


@dataclass(frozen=True)
class SweepResult:
    table: Path  # sweep.parquet
    runs: int  # runs in the grid
    ran: int  # runs made now (the others were done before)
    page: Path | None = None  # sweep.html


def param_column(param: Param) -> str:
    return f"param.{param.text}"


def run_sweep(scenario: Scenario, params: list[Param], replicates: int, out: Path,
              backend: str = "local", workers: int | None = None,
              address: str | None = None, force: bool = False,
              progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """Run every (grid point, replicate) not done yet; write ``sweep.parquet``."""
    total = check_grid(params, replicates)
    check_settings(backend, workers, address)
    points = list(itertools.product(*(p.values for p in params)))
    # every grid point is validated and sized before the folder is touched
    scenarios = [apply(scenario, dict(zip(params, values, strict=True))) for values in points]
    for point in scenarios:
        check_resources(point, 1)
    manifest: dict[str, Any] = {
        "kind": "sweep", "scenario_sha256": scenario_digest(scenario),
        "params": {p.text: [repr(v) for v in p.values] for p in params},
        "replicates": replicates}
    with RunTable(out, manifest, force) as table:  # locked, published whole at the end
        base = scenario.population.seed
        todo: list[tuple[tuple[int, int], Scenario]] = []
        for p, point in enumerate(scenarios):
            for r in range(replicates):
                if not table.done(_key(p, r)):
                    todo.append(((p, r), with_seed(point, derive_seed(base, p, r))))
        done = total - len(todo)
        for (p, r), result in run_many(todo, backend, workers, address):
            row: dict[str, Any] = {"point": p, "replicate": r,
                                   "seed": result.summary.seed}
            for param, value in zip(params, points[p], strict=True):
                row[param_column(param)] = _cell(param, value)
            row.update(resolve(result.summary))
            table.add(_key(p, r), row)
            done += 1
            if progress is not None:
                progress(done, total)
        from ..report.sweep import write_sweep_files

        write_sweep_files(table.finish("sweep.parquet", ["point", "replicate"]), scenario)
        table.publish()
    return SweepResult(out / "sweep.parquet", total, len(todo), out / "sweep.html")


def check_grid(params: list[Param], replicates: int) -> int:
    """The runs of a sweep (grid points x replicates), refused above ``MAX_RUNS`` before
    the grid is built."""
    from ..scenario.errors import Problem, ScenarioError, short

    grid = math.prod(len(p.values) for p in params)
    total = grid * replicates
    if replicates < 1 or total > MAX_RUNS:
        raise ScenarioError(Problem(
            f"a sweep runs grid points x replicates = {grid:,} x {short(replicates)}; "
            f"give at least 1 replicate and at most {MAX_RUNS:,} runs", path="--replicates"))
    return total


def _key(point: int, replicate: int) -> str:
    return f"p{point:06d}-r{replicate:05d}"


def _cell(param: Param, value: Any) -> Any:
    """One column type per parameter: numbers as floats when any value is fractional, text
    for anything that is not a plain number, flag or text."""
    values = param.values
    if all(isinstance(v, bool) for v in values) or all(isinstance(v, str) for v in values):
        return value
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return value if all(isinstance(v, int) for v in values) else float(value)
    return repr(value)
