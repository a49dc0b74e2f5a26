"""``scorelab.run``: the one call behind the CLI, for notebooks and scripts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine.backends import get_backend
from .engine.loop import Progress
from .engine.run import check_resources, run_scenario
from .ledger.result import Result as _Result
from .scenario import Scenario, ScenarioError, dump_scenario, load_scenario, scenario_digest
from .scenario.errors import Problem

if TYPE_CHECKING:
    from .experiments.compare import Difference, Run
    from .experiments.sensitivity import Indices
    from .experiments.sweep import SweepResult


class Result(_Result):
    """What a run produced (see :class:`scorelab.ledger.result.Result`), and ``write``."""

    def write(self, out: str | Path, force: bool = False) -> dict[str, Path]:
        """Write the run's files (summary.json, daily.parquet, scenario.yaml, report.html)
        into the folder ``out``, as ``scorelab run --out`` does."""
        from .report.files import write_outputs

        return write_outputs(self, Path(out), force)

    def plot(self, column: str = "sanctioned", *, path: str | Path | None = None,
             width: int = 900) -> Any:
        """A plotly figure: of a daily column (``"sanctioned"``, ``"flagged"``: a line per
        system and measure, a band over replicates), or of a chart of the report named by its
        id (``"provinces"``, ``"grades"``, ``"system-1-daily"``; an unknown name lists them).
        With ``path``, also save it as a file for a paper (PNG, SVG or PDF by the suffix)
        with a title, axis labels with units and a caption naming the scenario, seed and
        version (see :mod:`scorelab.report.export`)."""
        import plotly.graph_objects as go

        from .report.export import Chart, run_charts, run_provenance, write_chart
        from .report.figures import Figure

        charts = {chart.name: chart for chart in run_charts(self.summary, self.daily)}
        if column in charts:
            chart = charts[column]
        elif column in self.daily.columns:
            drawn = super().plot(column).to_plotly_json()
            layout = {**drawn["layout"], "height": 420}
            chart = Chart(column, f"{column} a day", Figure(column, drawn["data"], layout),
                          "", run_provenance(self.summary))
        else:
            raise ValueError(f"no daily column or chart {column!r}; columns: "
                             f"{', '.join(self.daily.columns)}; charts: "
                             f"{', '.join(charts)}")
        if path is not None:
            write_chart(chart, Path(path), width)
        return go.Figure(chart.responsive())

    def _repr_html_(self) -> str:
        """A notebook's view: the run in one line and its key figures, the tables the CLI
        prints after a run (over replicates: medians with their 95% ranges)."""
        import html

        from .report.keys import key_tables, replicates_line

        s = self.summary
        parts = [f"<p><b>{html.escape(s.scenario)}</b>: {html.escape(s.short())}</p>"]
        note = replicates_line(s)
        if note:
            parts.append(f"<p>{html.escape(note)}</p>")
        for table in key_tables(s):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in (table.name, *table.headings))
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row)
                           + "</tr>" for row in table.rows)
            parts.append(f"<table><caption>{html.escape(table.title)}</caption><thead><tr>"
                         f"{head}</tr></thead><tbody>{body}</tbody></table>")
        return "".join(parts)


def _public(result: _Result) -> Result:
    return Result(result.scenario, result.summary, result.daily, result.cases)


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
    replicates: int | None = None,
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

    With ``replicates`` R (2 or more), the scenario runs R times with seeds derived from its
    own (replicate 0 is the plain run), spread over the backend's workers (each run whole):
    the summary gains a ``replicates`` section (each headline figure's median, 95% range and
    mean with its interval) and the daily table holds every replicate, with ``replicate``
    and ``seed`` columns (see :mod:`scorelab.experiments.replicates`).

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
    if replicates is not None and replicates != 1:
        return _replicates(resolved, replicates, settings, out, force, checkpoint_every,
                           progress)
    if out is None:
        if checkpoint_every is not None:
            raise ScenarioError(Problem("checkpoints need an output folder (out)",
                                        path="checkpoint_every"))
        return _public(run_scenario(resolved, progress=progress, **settings))
    if checkpoint_every is not None and checkpoint_every < 1:
        raise ScenarioError(Problem(f"checkpoint_every must be at least 1 day, got "
                                    f"{checkpoint_every}", path="checkpoint_every"))
    return _run_into(resolved, Path(out), force, settings, checkpoint_every, None, progress)


def _replicates(resolved: Scenario, count: int, settings: dict[str, Any],
                out: str | Path | None, force: bool, checkpoint_every: int | None,
                progress: Progress | None) -> Result:
    from .engine.checkpoint import write_started
    from .experiments.replicates import run_replicates
    from .report.files import output_contents
    from .report.folder import OutputFolder

    if checkpoint_every is not None:
        raise ScenarioError(Problem("replicates are not checkpointed: each is a whole run "
                                    "(leave out checkpoint_every)", path="checkpoint_every"))
    if settings["shards"] != 1:
        raise ScenarioError(Problem("with replicates, whole runs are spread over the "
                                    "backend's workers: leave out shards", path="shards"))
    backend, workers, address = settings["backend"], settings["workers"], settings["address"]
    check_resources(resolved, 1)
    if out is None:
        return _public(run_replicates(resolved, count, backend, workers, address, progress))
    digest = scenario_digest(resolved)
    with OutputFolder(Path(out), digest, force) as folder:
        write_started(folder.checkpoint_dir, {"scenario": resolved.name,
                                              "scenario_sha256": digest, "force": force,
                                              "checkpoint_every": None}, folder.name)
        result = run_replicates(resolved, count, backend, workers, address, progress)
        folder.publish(output_contents(result))
    return _public(result)


def resume(out: str | Path, progress: Progress | None = None) -> Result | None:
    """Continue a killed run from its last checkpoint into ``out``, to the files an
    uninterrupted run gives. Returns None when the run in ``out`` is complete already (nothing
    to resume)."""
    from .engine.checkpoint import (
        StateError,
        check_day,
        find_checkpoint,
        peek_manifest,
        read_checkpoint,
    )
    from .report.folder import OutputFolder

    out = Path(out)
    with OutputFolder(out, digest="", force=True, resume=True) as folder:  # under the lock
        found = find_checkpoint(folder.checkpoint_dir)
        if found is None:
            if (out / "summary.json").exists():
                return None
            raise ScenarioError(Problem(f"no checkpoint of a run into {out}: nothing to "
                                        "resume (checkpoints are written with "
                                        "--checkpoint-every)", path="out"))
        _check_resumable(out, peek_manifest(found))
        checkpoint = read_checkpoint(found)
    manifest = checkpoint.manifest
    resolved = load_scenario(text=str(manifest["scenario_yaml"]))
    if scenario_digest(resolved) != manifest.get("scenario_sha256"):
        raise ScenarioError(Problem(
            f"checkpoint {found} cannot be used: its scenario does not match its digest "
            "(written by another version of scorelab?)", path="checkpoint"))
    check_day(checkpoint, resolved.warmup_days + resolved.days)  # before any day runs
    settings = {k: manifest.get(k) for k in ("shards", "backend", "address", "workers")}
    try:
        return _run_into(resolved, out, bool(manifest.get("force")), settings,
                         int(manifest["checkpoint_every"]), checkpoint, progress)
    except StateError as exc:
        raise ScenarioError(Problem(f"checkpoint {found} cannot be used: {exc}",
                                    path="checkpoint")) from None


def _check_resumable(out: Path, manifest: dict[str, Any] | None) -> None:
    """Refuse what is kept beside ``out`` but is no run's saved state: an experiment's runs,
    or the record of a run killed before its first checkpoint (the folder may still hold
    the run before it, which is not the one asked for)."""
    if manifest is None:
        return  # read_checkpoint says why
    if isinstance(manifest.get("experiment"), dict):
        raise ScenarioError(Problem(
            f"{out} holds an unfinished experiment, not a run: run the same sweep or "
            "sensitivity command again to finish it", path="out"))
    if manifest.get("day") is not None:
        return
    name = manifest.get("scenario")
    run = f"the last run into {out}" + (f" ({name})" if isinstance(name, str) else "")
    if manifest.get("checkpoint_every") is None:
        why = "was killed, and it was not checkpointed (--checkpoint-every)"
    else:
        why = "was killed before its first checkpoint"
    held = (f"; {out} still holds the run before it" if (out / "summary.json").exists()
            else "")
    raise ScenarioError(Problem(f"{run} {why}: there is nothing to resume for this run{held}. "
                                "Run it again", path="out"))


def _run_into(resolved: Scenario, out: Path, force: bool, settings: dict[str, Any],
              checkpoint_every: int | None, checkpoint: Any, progress: Progress | None
              ) -> Result:
    """Run into an output folder: checked and locked first, published whole at the end."""
    from .core.faults import pause_point
    from .core.progress import reporter, stages
    from .engine.checkpoint import StateError, write_checkpoint, write_started
    from .engine.loop import Checkpoints
    from .report.files import output_contents
    from .report.folder import OutputFolder

    check_resources(resolved, settings["shards"], settings["backend"],
                    settings["address"])  # before the folder is touched
    get_backend(settings["backend"], settings["address"], settings["workers"])
    digest = scenario_digest(resolved)
    with OutputFolder(out, digest, force, resume=checkpoint is not None) as folder:
        manifest = {"scenario": resolved.name, "scenario_yaml": dump_scenario(resolved),
                    "scenario_sha256": digest, "force": force,
                    "checkpoint_every": checkpoint_every, **settings}
        if checkpoint is None:  # what resume finds if this run is killed before a checkpoint
            write_started(folder.checkpoint_dir, manifest, folder.name)

        def save(day: int, driver: Any, shards: list[Any]) -> None:
            write_checkpoint(folder.checkpoint_dir, {**manifest, "day": day}, driver, shards,
                             folder.name)

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
        names = ["rendering the files", "writing them"]
        with stages(reporter(progress), "writing the output", names) as stage:
            stage(names[0])
            contents = output_contents(result, manifest["scenario_yaml"])
            stage(names[1])
            folder.publish(contents)
    return _public(result)


def sweep(scenario: Scenario | str | Path, params: list[str], *, replicates: int = 1,
          out: str | Path, backend: str = "local", workers: int | None = None,
          address: str | None = None, force: bool = False,
          progress: Progress | None = None) -> SweepResult:
    """Run a grid of parameter values (``["PATH=V1,V2", ...]``) with ``replicates`` runs a
    point into ``out``; one row a run in ``out/sweep.parquet``. Finished runs of an
    interrupted sweep are skipped (see :mod:`scorelab.experiments.sweep`)."""
    from .experiments.params import Param, check_count, parse_values
    from .experiments.sweep import check_grid, run_sweep

    resolved = _loaded(scenario)
    check_count(params)
    parsed: list[Param] = []
    for text in params:
        parsed.append(parse_values(resolved, text))
        check_grid(parsed, replicates)  # a grid too large is told before the rest is read
    return run_sweep(resolved, parsed, replicates, Path(out), backend, workers, address,
                     force, progress)


def sensitivity(scenario: Scenario | str | Path, params: list[str], *, method: str = "sobol",
                outputs: list[str] | None = None, samples: int = 64, out: str | Path,
                backend: str = "local", workers: int | None = None,
                address: str | None = None, force: bool = False,
                progress: Progress | None = None) -> list[Indices]:
    """Sobol or Morris indices of summary figures (``outputs``, dotted paths) over parameter
    ranges (``["PATH=LOW:HIGH", ...]``), written to ``out/sensitivity.json`` (see
    :mod:`scorelab.experiments.sensitivity`)."""
    from .experiments.params import check_count, parse_range
    from .experiments.sensitivity import METHODS, check_runs, run_sensitivity

    resolved = _loaded(scenario)
    check_count(params)
    if method in METHODS:
        check_runs(method, len(params), samples)  # before any parameter is read
    parsed = [parse_range(resolved, text) for text in params]
    return run_sensitivity(resolved, method, parsed, outputs or ["sanctioned_wrongly_any"],
                           Path(out), samples, backend, workers, address, force, progress)


def claims(names: list[str] | None = None, *, persons: int = 20_000, replicates: int = 5,
           samples: int = 3, seed: int | None = None, out: str | Path = "out/claims",
           backend: str = "local", workers: int | None = None, address: str | None = None,
           force: bool = False, progress: Progress | None = None) -> dict[str, Any]:
    """Put the published claims to the model (see :mod:`scorelab.experiments.claims`):
    writes ``claims.json``, ``claims.html`` and each run's folder under ``out/runs``, and
    returns the contents of ``claims.json``."""
    import json

    from .experiments.claims import run_claims, select
    from .report.claims import render_claims
    from .report.files import output_contents
    from .report.folder import OutputFolder, experiment_digest

    folder = Path(out)
    manifest = {"kind": "claims", "claims": [c.key for c in select(names)],
                "persons": persons, "replicates": replicates, "samples": samples,
                "seed": seed}
    # checked and locked before any run, written into a temporary folder and renamed into
    # place whole at the end, as a run's folder is
    with OutputFolder(folder, experiment_digest(manifest), force, kind="experiment") as target:
        staged = target.stage()

        def write(result: Any, label: str) -> None:
            (staged / "runs" / label).mkdir(parents=True)
            for name, data in output_contents(result).items():
                (staged / "runs" / label / name).write_bytes(data)

        results = run_claims(names, persons, replicates, samples, backend, workers,
                             address, seed, write=write, progress=progress)
        (staged / "experiment.json").write_text(json.dumps(manifest, indent=2) + "\n")
        (staged / "claims.json").write_text(json.dumps(results, indent=2) + "\n")
        (staged / "claims.html").write_text(render_claims(results), encoding="utf-8")
        target.commit()
    return results


def compare(folders: Sequence[str | Path], out: str | Path | None = None,
            force: bool = False) -> tuple[list[Run], list[Difference]]:
    """Read finished runs' folders, check they are of one population, and set their headline
    figures side by side (with ``out``, also write the comparison report there; a file there
    that is not a comparison page is only replaced with ``force``)."""
    from .experiments.compare import compare_runs

    runs, found = compare_runs([Path(f) for f in folders])
    if out is not None:
        from .report.files import write_comparison

        write_comparison(runs, Path(out), force)
    return runs, found


def save_figures(out: str | Path, figures: Sequence[str] | None = None, *,
                 format: str = "png", to: str | Path | None = None, width: int = 900
                 ) -> list[Path]:
    """Save the charts of a finished run, sweep or sensitivity analysis (its output folder
    ``out``) as PNG, SVG or PDF files in ``to`` (default: ``<out>-figures`` beside it), each
    with a title, axis labels with units and a caption naming the scenario, seed and version;
    ``figures`` names some of them (all by default). ``scorelab plot`` does the same."""
    from .report.export import folder_charts, pick, write_charts

    out = Path(out)
    charts = pick(folder_charts(out), figures)
    target = Path(to) if to is not None else out.parent / f"{out.name}-figures"
    return write_charts(charts, target, format, width)


def explore() -> Any:
    """The explorer in a notebook cell (``scorelab explore`` serves the same page in a
    browser): choose a scenario and its assumptions, run in the background, see the report's
    sections, compare two runs, download one. Needs Panel: ``pip install 'scorelab[app]'``.
    """
    from .app import notebook

    return notebook()


def _loaded(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


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
