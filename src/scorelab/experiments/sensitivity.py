"""Global sensitivity analysis with SALib: which parameters move a headline figure.

``sobol`` samples Saltelli's design (``samples`` x (parameters + 2) runs) and reports the
first-order (S1) and total (ST) indices with their 95% confidence bounds; ``morris`` samples
``samples`` trajectories ((parameters + 1) runs each) and reports the elementary effects
(mu*, with its bound, and sigma). Every sample point runs with the scenario's own seed
(common random numbers), so the indices measure the parameters and not the noise between
seeds. A parameter whose scenario value is a whole number is sampled as whole numbers; any
other keeps its sampled decimals, and ``sensitivity.json`` records the values actually run.
Outputs are figures of the catalogue (:mod:`scorelab.ledger.catalogue`), by path.
Runs go through the experiment table, so an interrupted analysis resumes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..ledger.reading import resolve
from ..report.sensitivity import render_sensitivity
from ..scenario.errors import Problem, ScenarioError, short
from ..scenario.loader import dump_scenario, scenario_digest
from ..scenario.schema import Scenario
from .batch import run_many
from .params import Param, apply
from .table import RunTable

METHODS = ("sobol", "morris")
MAX_RUNS = 100_000


@dataclass(frozen=True)
class Indices:
    """The indices of one output figure, per parameter (in the order given)."""

    output: str
    params: list[str]
    values: dict[str, list[float]]  # S1, S1_conf, ST, ST_conf or mu_star, mu_star_conf, sigma


def _problem(params: list[Param]) -> dict[str, Any]:
    return {"num_vars": len(params), "names": [p.text for p in params],
            "bounds": [[p.low, p.high] for p in params]}


def run_count(method: str, params: int, samples: int) -> int:
    """How many runs a design has, from its formula: known before anything is sampled."""
    return samples * (params + 2) if method == "sobol" else samples * (params + 1)


def check_runs(method: str, params: int, samples: int) -> None:
    """Refuse a design of more than ``MAX_RUNS`` runs before it is sampled (sampling a
    billion rows would fill the memory first)."""
    runs = run_count(method, params, samples)
    if runs > MAX_RUNS:
        formula = "params + 2" if method == "sobol" else "params + 1"

        def count(n: int) -> str:
            return f"{n:,}" if n < 10**30 else short(n)

        raise ScenarioError(Problem(
            f"{count(samples)} samples of {params} parameter{'s' if params > 1 else ''} make "
            f"{count(runs)} runs ({method}: samples x ({formula})); at most {MAX_RUNS:,}",
            path="--samples"))


def sample(method: str, params: list[Param], samples: int, seed: int) -> np.ndarray:
    """The design: one row per run, one column per parameter."""
    problem = _problem(params)
    if method == "sobol":
        from SALib.sample import sobol

        design: np.ndarray = sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        design = morris.sample(problem, samples, num_levels=4, seed=seed)
    return design


def analyse(method: str, params: list[Param], design: np.ndarray, y: np.ndarray,
            seed: int) -> dict[str, list[float]]:
    problem = _problem(params)
    if np.ptp(y) == 0:  # no parameter moves the figure: every index is 0 (SALib divides by 0)
        keys0 = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else (
            "mu_star", "mu_star_conf", "sigma")
        return {k: [0.0] * len(params) for k in keys0}
    if method == "sobol":
        from SALib.analyze import sobol

        found = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        keys: tuple[str, ...] = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        from SALib.analyze import morris

        found = morris.analyze(problem, design, y, seed=seed)
        keys = ("mu_star", "mu_star_conf", "sigma")
    return {k: [float(v) for v in np.asarray(found[k], dtype=np.float64)] for k in keys}


def run_sensitivity(scenario: Scenario, method: str, params: list[Param], outputs: list[str],
                    out: Path, samples: int = 64, backend: str = "local",
                    workers: int | None = None, address: str | None = None,
                    force: bool = False, progress: Callable[[int, int], None] | None = None
                    ) -> list[Indices]:
    """Sample, run what is not done yet, analyse; write ``sensitivity.json``."""
    if method not in METHODS:
        raise ScenarioError(Problem(f"unknown method {method!r}; methods: "
                                    f"{', '.join(METHODS)}", path="--method"))
    if not params:
        raise ScenarioError(Problem("give at least one --param PATH=LOW:HIGH", path="--param"))
    if samples < 2:
        raise ScenarioError(Problem(f"--samples must be at least 2, got {short(samples)}",
                                    path="--samples"))
    check_runs(method, len(params), samples)
    _check_outputs_named(outputs, scenario)
    seed = scenario.population.seed
    design = sample(method, params, samples, seed)
    if design.shape[0] > MAX_RUNS:
        raise ScenarioError(Problem(f"{design.shape[0]:,} runs: at most {MAX_RUNS:,}",
                                    path="--samples"))
    values = [[p.sample(x) for p, x in zip(params, row, strict=True)] for row in design]
    manifest = {"kind": f"sensitivity/{method}", "scenario_sha256": scenario_digest(scenario),
                "params": {p.text: [p.low, p.high] for p in params}, "samples": samples}
    with RunTable(out, manifest, force) as table:  # locked, published whole at the end
        todo = [(i, apply(scenario, dict(zip(params, row, strict=True))))
                for i, row in enumerate(values) if not table.done(f"s{i:06d}")]
        done = len(values) - len(todo)
        for i, result in run_many(todo, backend, workers, address):
            figures = resolve(result.summary)
            _check_outputs(outputs, figures)  # at the first run, not after them all
            table.add(f"s{i:06d}", {"sample": i, **{f"param.{p.text}": v for p, v in
                                                    zip(params, values[i], strict=True)},
                                    **figures})
            done += 1
            if progress is not None:
                progress(done, len(values))
        rows = table.finish("runs.parquet", ["sample"]).resolve()
        import polars as pl

        frame = pl.read_parquet(rows, glob=False)
        found = []
        _check_outputs(outputs, {c: 0.0 for c in frame.columns
                                 if not c.startswith("param.") and c != "sample"})
        for output in outputs:
            y = frame[output].to_numpy().astype(np.float64)
            found.append(Indices(output, [p.text for p in params],
                                 analyse(method, params, np.asarray(values, dtype=np.float64), y,
                                         seed)))
        results = {"method": method, "scenario": scenario.name, "seed": seed,
                   "samples": samples, "runs": len(values),
                   "params": [_values_run(p, [row[j] for row in values])
                              for j, p in enumerate(params)],
                   "indices": [{"output": f.output, "params": f.params, **f.values}
                               for f in found]}
        table.write("sensitivity.json", (json.dumps(results, indent=2) + "\n").encode("utf-8"))
        table.write("sensitivity.html", render_sensitivity(results).encode("utf-8"))
        table.write("scenario.yaml", dump_scenario(scenario).encode("utf-8"))
        table.publish()
    return found


def _values_run(param: Param, run: list[float | int]) -> dict[str, Any]:
    """What a parameter's runs actually used: its range, whether it was rounded, and the
    smallest, largest and number of distinct values run."""
    return {"path": param.text, "low": param.low, "high": param.high, "whole": param.whole,
            "min_run": min(run), "max_run": max(run), "distinct_run": len(set(run))}


def _check_outputs_named(outputs: list[str], scenario: Scenario) -> None:
    """Before any run: each output is a figure of the catalogue, and the system or measure it
    names is in the scenario (a figure the runs then lack is caught at the first run)."""
    from ..ledger.catalogue import FIGURES, figure_of
    from ..scenario.schema import did_you_mean

    sections = {"systems": sorted(scenario.systems), "measures": sorted(scenario.measures)}
    for output in outputs:
        if figure_of(output) is None:
            known = [f.path.replace("*", name, 1) if f.path.split(".")[0] in sections
                     else f.path for f in FIGURES
                     for name in sections.get(f.path.split(".")[0], ["*"])]
            raise ScenarioError(Problem(
                f"{output!r} is not a figure of the catalogue{did_you_mean(output, known)} "
                f"(scorelab figures lists them)", path="--output"))
        section, _, rest = output.partition(".")
        name = rest.partition(".")[0]
        if section in sections and name not in sections[section]:
            known = sections[section]
            raise ScenarioError(Problem(
                f"no {section[:-1]} {name!r} in this scenario{did_you_mean(name, known)}; "
                f"{section}: {', '.join(known) or 'none'}", path="--output"))


def _check_outputs(outputs: list[str], figures: dict[str, float]) -> None:
    from ..scenario.schema import did_you_mean

    for output in outputs:
        if output not in figures:
            known = sorted(figures)
            raise ScenarioError(Problem(
                f"no figure {output!r} in this scenario's summary"
                f"{did_you_mean(output, known)}; figures: {', '.join(known[:30])}"
                f"{' ...' if len(known) > 30 else ''} (the catalogue: scorelab figures)",
                path="--output"))
