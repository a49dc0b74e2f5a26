"""``scorelab.run``: the one call behind the CLI, for notebooks and scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .engine.backends import get_backend
from .engine.loop import Progress
from .engine.run import check_resources, run_scenario
from .ledger.result import Result
from .scenario import Scenario, load_scenario, scenario_digest


def run(
    scenario: Scenario | str | Path | None = None,
    *,
    preset: str | None = None,
    persons: int | None = None,
    days: int | None = None,
    seed: int | None = None,
    shards: int = 1,
    backend: str = "local",
    address: str | None = None,
    workers: int | None = None,
    out: str | Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Run a scenario (a file, a loaded :class:`Scenario`, or a preset) and return its result.

    ``shards`` splits the population (the result does not change); ``backend`` says where the
    shards run (``local``: in this process, ``processes``: a worker process each, ``ray``: a
    Ray actor each, on a local Ray with ``workers`` CPUs or the cluster at ``address``). With ``out``, also write the run's files there
    (see :mod:`scorelab.report.files`): the folder is checked and locked before the run, and
    its files appear together when the run ends.

    >>> import scorelab
    >>> result = scorelab.run(preset="china-2022", persons=2000, days=10, seed=1)
    >>> sorted(result.summary["systems"])[:1]
    ['court-list']
    """
    overrides = size_overrides(persons, days, seed)
    if isinstance(scenario, Scenario):
        from .scenario.loader import validate

        resolved = validate(_merge(scenario.model_dump(), overrides))  # located errors
    else:
        resolved = load_scenario(scenario, preset=preset, overrides=overrides or None)
    options: dict[str, Any] = {"backend": backend, "address": address, "workers": workers}
    if out is None:
        return run_scenario(resolved, shards=shards, progress=progress, **options)
    check_resources(resolved, shards)  # before the folder is touched
    get_backend(backend, address, workers)
    from .report.files import claimed, output_contents, pause_point

    # the folder is checked and locked before the first day runs
    with claimed(Path(out), scenario_digest(resolved), force) as folder:
        pause_point("simulate")
        result = run_scenario(resolved, shards=shards, progress=progress, **options)
        folder.publish(output_contents(result))
    return result


def size_overrides(persons: int | None, days: int | None, seed: int | None
                   ) -> dict[str, Any]:
    """Scenario keys for the usual command-line overrides."""
    overrides: dict[str, Any] = {}
    if persons is not None:
        overrides.setdefault("population", {})["persons"] = persons
    if seed is not None:
        overrides.setdefault("population", {})["seed"] = seed
    if days is not None:
        overrides["days"] = days
    return overrides


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    from .scenario.loader import deep_merge

    return deep_merge(base, over)
