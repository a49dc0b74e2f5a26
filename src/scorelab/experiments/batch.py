"""Many runs at once: whole runs spread over the backend's workers.

An experiment's runs are independent, so the unit of work is a whole run (each on the local
backend), mapped over the same backends as the day loop (``engine.backends``,
``Backend.map_runs``): ``local`` runs them one after another, ``processes`` in a pool of
worker processes (``workers``, default one per core), ``ray`` as Ray tasks on a local Ray
(``workers`` CPUs) or the cluster at ``address``. Results come back as they finish; every
run's numbers depend only on its own scenario and seed, so the order and the number of
workers change nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import TypeVar

from ..engine.backends import check_backend, get_backend
from ..engine.run import run_scenario
from ..ledger.result import Result
from ..scenario.schema import Scenario

Key = TypeVar("Key", bound=Hashable)


def check_settings(backend: str, workers: int | None, address: str | None) -> None:
    """Check an experiment's backend settings before any run starts or any folder is
    touched (a Ray cluster's address included)."""
    check_backend(backend, address, workers, whole_runs=True)


def run_many(runs: Sequence[tuple[Key, Scenario]], backend: str = "local",
             workers: int | None = None, address: str | None = None, cases: bool = False
             ) -> Iterator[tuple[Key, Result]]:
    """Run each scenario; yield (its key, its result) as runs finish. Only with ``cases``
    do the results carry case files: an experiment that keeps only the figures does not
    pay for them."""
    seam = get_backend(backend, address, workers, whole_runs=True)
    yield from seam.map_runs(run_scenario if cases else run_for_figures, runs)


def run_for_figures(scenario: Scenario) -> Result:
    """A run without case files (a plain function: a Ray task cannot be a partial)."""
    return run_scenario(scenario, cases=False)
