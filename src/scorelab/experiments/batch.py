"""Many runs at once: whole runs spread over the backend's workers.

An experiment's runs are independent, so the unit of work is a whole run (each on the local
backend): ``local`` runs them one after another, ``processes`` in a pool of worker processes
(``workers``, default one per core), ``ray`` as Ray tasks on a local Ray (``workers`` CPUs)
or the cluster at ``address``. Results come back as they finish; every run's numbers depend
only on its own scenario and seed, so the order and the number of workers change nothing.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any, TypeVar

from ..engine.run import run_scenario
from ..ledger.result import Result
from ..scenario.errors import Problem, ScenarioError, short
from ..scenario.schema import Scenario

Key = TypeVar("Key", bound=Hashable)
BACKENDS = ("local", "processes", "ray")


def check_settings(backend: str, workers: int | None, address: str | None) -> None:
    if backend not in BACKENDS:
        raise ScenarioError(Problem(f"unknown backend {backend!r}; backends: "
                                    f"{', '.join(BACKENDS)}", path="backend"))
    if workers is not None and workers < 1:
        raise ScenarioError(Problem(f"--workers must be at least 1, got {short(workers)}",
                                    path="workers"))
    if address is not None and backend != "ray":
        raise ScenarioError(Problem("--address is an option of --backend ray", path="address"))
    if address is not None:
        from ..engine.backends.ray_address import check_ray_address

        check_ray_address(address)


def run_many(runs: Sequence[tuple[Key, Scenario]], backend: str = "local",
             workers: int | None = None, address: str | None = None
             ) -> Iterator[tuple[Key, Result]]:
    """Run each scenario; yield (its key, its result) as runs finish."""
    check_settings(backend, workers, address)
    if not runs:
        return
    if backend == "local":
        for key, scenario in runs:
            yield key, run_scenario(scenario)
    elif backend == "processes":
        yield from _in_processes(runs, workers)
    else:
        yield from _on_ray(runs, workers, address)


def _in_processes(runs: Sequence[tuple[Key, Scenario]], workers: int | None
                  ) -> Iterator[tuple[Key, Result]]:
    count = min(workers or os.cpu_count() or 1, len(runs))
    # spawned workers: a fresh interpreter each, whatever threads the caller has started
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(run_scenario, scenario): key for key, scenario in runs}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()


def _on_ray(runs: Sequence[tuple[Key, Scenario]], workers: int | None, address: str | None
            ) -> Iterator[tuple[Key, Result]]:
    from ..engine.backends.ray_backend import _ray

    ray = _ray()
    started = not ray.is_initialized()
    if started:
        if address is not None:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        task: Any = ray.remote(num_cpus=1)(run_scenario)
        pending = {task.remote(scenario): key for key, scenario in runs}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                yield pending.pop(ref), ray.get(ref)
    finally:
        if started:
            ray.shutdown()
