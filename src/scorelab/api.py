"""``scorelab.run``: the one call behind the CLI, for notebooks and scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .engine.backends import get_backend
from .engine.loop import Progress
from .engine.run import check_resources, run_scenario
from .ledger.result import Result
from .scenario import Scenario, ScenarioError, dump_scenario, load_scenario, scenario_digest
from .scenario.errors import Problem


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
    checkpoint_every: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Run a scenario (a file, a loaded :class:`Scenario`, or a preset) and return its result.

    ``shards`` splits the population (the result does not change); ``backend`` says where the
    shards run (``local``: in this process, ``processes``: a worker process each, ``ray``: a
    Ray actor each, on a local Ray with ``workers`` CPUs or the cluster at ``address``).

    With ``out``, also write the run's files there (see :mod:`scorelab.report.files`): the
    folder is checked and locked before the run, and its files appear together when the run
    ends. With ``checkpoint_every`` too, the run's state is saved every so many days, and
    :func:`resume` continues a killed run from the last one.

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
    settings: dict[str, Any] = {"shards": shards, "backend": backend, "address": address,
                                "workers": workers}
    if out is None:
        if checkpoint_every is not None:
            raise ScenarioError(Problem("checkpoints need an output folder (out)",
                                        path="checkpoint_every"))
        return run_scenario(resolved, progress=progress, **settings)
    if checkpoint_every is not None and checkpoint_every < 1:
        raise ScenarioError(Problem(f"checkpoint_every must be at least 1 day, got "
                                    f"{checkpoint_every}", path="checkpoint_every"))
    return _run_into(resolved, Path(out), force, settings, checkpoint_every, None, progress)


def resume(out: str | Path, progress: Progress | None = None) -> Result | None:
    """Continue a killed run from its last checkpoint into ``out``, to the files an
    uninterrupted run gives. Returns None when the run in ``out`` is complete already (nothing
    to resume)."""
    from .engine.checkpoint import StateError, find_checkpoint, read_checkpoint
    from .report.files import OutputFolder

    out = Path(out)
    with OutputFolder(out, digest="", force=True) as folder:  # read it under the lock
        found = find_checkpoint(folder.checkpoint_dir)
        if found is None:
            if (out / "summary.json").exists():
                return None
            raise ScenarioError(Problem(f"no checkpoint of a run into {out}: nothing to "
                                        "resume (checkpoints are written with "
                                        "--checkpoint-every)", path="out"))
        checkpoint = read_checkpoint(found)
    manifest = checkpoint.manifest
    resolved = load_scenario(text=str(manifest["scenario_yaml"]))
    if scenario_digest(resolved) != manifest.get("scenario_sha256"):
        raise ScenarioError(Problem(
            f"checkpoint {found} cannot be used: its scenario does not match its digest "
            "(written by another version of scorelab?)", path="checkpoint"))
    settings = {k: manifest.get(k) for k in ("shards", "backend", "address", "workers")}
    try:
        return _run_into(resolved, out, bool(manifest.get("force")), settings,
                         int(manifest["checkpoint_every"]), checkpoint, progress)
    except StateError as exc:
        raise ScenarioError(Problem(f"checkpoint {found} cannot be used: {exc}",
                                    path="checkpoint")) from None


def _run_into(resolved: Scenario, out: Path, force: bool, settings: dict[str, Any],
              checkpoint_every: int | None, checkpoint: Any, progress: Progress | None
              ) -> Result:
    """Run into an output folder: checked and locked first, published whole at the end."""
    from .core.faults import pause_point
    from .engine.checkpoint import StateError, write_checkpoint
    from .engine.loop import Checkpoints
    from .report.files import OutputFolder, output_contents

    check_resources(resolved, settings["shards"], settings["backend"],
                    settings["address"])  # before the folder is touched
    get_backend(settings["backend"], settings["address"], settings["workers"])
    digest = scenario_digest(resolved)
    with OutputFolder(out, digest, force) as folder:
        if checkpoint is None:
            folder.remove_checkpoint()  # an older run's: never resumed into this one
        manifest = {"scenario_yaml": dump_scenario(resolved), "scenario_sha256": digest,
                    "force": force, "checkpoint_every": checkpoint_every, **settings}

        def save(day: int, driver: Any, shards: list[Any]) -> None:
            write_checkpoint(folder.checkpoint_dir, {**manifest, "day": day}, driver, shards)

        checkpoints = Checkpoints(every=checkpoint_every, save=save, resume=checkpoint)
        pause_point("simulate")
        try:
            result = run_scenario(resolved, progress=progress, checkpoints=checkpoints,
                                  **settings)
        except StateError as exc:
            if checkpoint is not None:
                raise
            raise ScenarioError(Problem(f"this run cannot be checkpointed: {exc}",
                                        path="checkpoint_every")) from None
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
