"""Replicates: one scenario over several seeds, every headline figure with its spread.

Replicate 0 runs with the scenario's own seed (it is the plain run); replicate r with
``derive_seed(seed, r)``. The result's summary is replicate 0's, with a ``replicates`` section
holding every figure of the catalogue (:mod:`scorelab.ledger.catalogue`) over the replicates:
its median, 2.5-97.5 percentile range and mean with its 95% interval. Readers take figures
through :class:`~scorelab.ledger.reading.Reading`, which gives the medians, never replicate
0's values. The daily table holds every replicate's rows, with ``replicate`` and ``seed``
columns.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from ..ledger.reading import resolve
from ..ledger.result import Result
from ..ledger.summary import Replicates, Summary
from ..scenario.errors import Problem, ScenarioError, short
from ..scenario.schema import Scenario
from .batch import run_many
from .seeds import derive_seed
from .spread import interval

MAX_REPLICATES = 10_000


def with_seed(scenario: Scenario, seed: int) -> Scenario:
    """The scenario with another population seed (nothing else to validate)."""
    return scenario.model_copy(update={
        "population": scenario.population.model_copy(update={"seed": seed})})


def run_replicates(scenario: Scenario, count: int, backend: str = "local",
                   workers: int | None = None, address: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Result:
    """Run ``count`` replicates and combine them (see the module docstring)."""
    if not 2 <= count <= MAX_REPLICATES:
        raise ScenarioError(Problem(f"--replicates must be between 2 and {MAX_REPLICATES:,}, "
                                    f"got {short(count)}", path="replicates"))
    base = scenario.population.seed
    seeds = [derive_seed(base, r) for r in range(count)]
    results: dict[int, Result] = {}
    for r, result in run_many([(r, with_seed(scenario, s)) for r, s in enumerate(seeds)],
                              backend, workers, address, cases=True):
        results[r] = result
        if progress is not None:
            progress(len(results), count)
    figures = [resolve(results[r].summary) for r in range(count)]
    # a figure undefined in some replicate (a share of nothing) has no median
    common = [path for path in figures[0] if all(path in f for f in figures)]
    intervals = {path: interval(np.array([f[path] for f in figures])) for path in common}
    replicated = Replicates(count=count, seeds=seeds, intervals=intervals)
    summary = Summary.model_validate({**results[0].summary.as_dict(),
                                      "replicates": replicated.as_dict()})
    daily = pl.concat([
        results[r].daily.with_columns(pl.lit(r, pl.Int32).alias("replicate"),
                                      pl.lit(seeds[r], pl.Int64).alias("seed"))
        for r in range(count)], how="vertical")
    # the case files are replicate 0's: persons of one run, told whole
    return Result(scenario, summary, daily, results[0].cases)
