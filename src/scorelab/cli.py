"""The command line: a thin layer over :func:`scorelab.run` and the scenario loader.

``main(argv)`` returns the exit code: 0 on success, 2 on bad input (with a located message
and no traceback).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .ledger.summary import Summary
from .report.numbers import format_count, format_estimate, format_scale
from .scenario import (
    ScenarioError,
    load_scenario,
    preset_description,
    preset_names,
    preset_text,
)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="scorelab: simulate scoring and control systems on a synthetic population.")
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def _version(value: bool) -> None:
    if value:
        out.print(f"scorelab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """scorelab: simulate scoring and control systems on a synthetic population."""


@app.command("run")
def run_command(
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (default: the china-2022 preset).")] = None,
    preset: Annotated[str | None, typer.Option(help="Run a built-in preset.")] = None,
    persons: Annotated[int | None, typer.Option(help="Synthetic persons.")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    shards: Annotated[int, typer.Option(help="Split the population into K shards.")] = 1,
    backend: Annotated[str, typer.Option(
        help="Where the shards run: local (this process, in turn), processes (one worker "
             "process per shard, all cores) or ray (one Ray actor per shard).")] = "local",
    address: Annotated[str | None, typer.Option(
        help="Ray cluster to use (default: start a local Ray).")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Ray workers holding the shards, so at most W run at once (default: one per "
             "shard); also the CPUs of a local Ray.")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Output folder (default: out/<scenario name>).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite a folder holding another run.")] = False,
    checkpoint_every: Annotated[int | None, typer.Option(
        help="Save the run's state every D days; 'scorelab resume OUT' continues a killed "
             "run.")] = None,
    quiet: Annotated[bool, typer.Option(help="Print only the report's path.")] = False,
) -> None:
    """Run a scenario and write summary.json, daily.parquet, scenario.yaml and report.html."""
    from .api import run, size_overrides

    overrides = size_overrides(persons, days, seed)
    resolved = load_scenario(scenario, preset=preset, overrides=overrides or None)
    target = out_dir if out_dir is not None else Path("out") / resolved.name
    result = _with_progress(resolved.name, quiet, lambda progress: run(
        resolved, shards=shards, backend=backend, address=address, workers=workers,
        out=target, force=force, checkpoint_every=checkpoint_every, progress=progress))
    _report(result, target, quiet)


@app.command("resume")
def resume_command(
    out_dir: Annotated[Path, typer.Argument(help="The output folder of a killed run.")],
    quiet: Annotated[bool, typer.Option(help="Print only the report's path.")] = False,
) -> None:
    """Continue a killed run from its last checkpoint, to the files an uninterrupted run
    gives."""
    from .api import resume

    result = _with_progress(out_dir.name, quiet, lambda progress: resume(out_dir, progress))
    if result is None:
        out.print(f"{out_dir}: the run is complete; nothing to resume", soft_wrap=True)
        return
    _report(result, out_dir, quiet)


def _with_progress(name: str, quiet: bool, work: Callable[[Any], Any]) -> Any:
    """Run ``work(progress)`` under a progress bar of the days (warm-up included)."""
    if quiet:
        return work(None)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("day {task.completed:.0f}/{task.total:.0f}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(name, total=1)  # the real total comes with the first day
        return work(lambda done, total: bar.update(task, completed=done, total=total))


def _report(result: Any, target: Path, quiet: bool) -> None:
    if not quiet:
        _print_headline(result.summary)
        for warning in result.summary.warnings:
            err.print(f"warning: {warning}", markup=False, soft_wrap=True)
    out.print(f"report: {target / 'report.html'}", soft_wrap=True)


def _print_headline(summary: Summary) -> None:
    scale = summary.scale
    table = Table(title=f"{summary.scenario}: {summary.persons:,} persons x "
                        f"{summary.days} days (1 person = {format_scale(scale)} people)")
    for column in ("system", "covered", "scored", "sanctioned", "sanctioned wrongly",
                   "wrongly (national est.)"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, s in summary.systems.items():
        table.add_row(name, format_count(s.covered), format_count(s.scored),
                      format_count(s.sanctioned), format_count(s.sanctioned_wrongly),
                      format_estimate(s.sanctioned_wrongly * scale))
    out.print(table)
    if summary.measures:
        table = Table(title="control measures")
        for column in ("measure", "flagged", "participants caught", "innocents flagged",
                       "innocents (national est.)", "collateral person-days"):
            table.add_column(column, justify="left" if column == "measure" else "right")
        for name, m in summary.measures.items():
            table.add_row(name, format_count(m.flagged), format_count(m.flagged_rightly),
                          format_count(m.flagged_wrongly_total),
                          format_estimate(m.flagged_wrongly_total * scale),
                          format_count(m.collateral_person_days))
        out.print(table)


@app.command("validate")
def validate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file to check.")],
) -> None:
    """Check a scenario file without running it (every check a run makes, memory included)."""
    from .engine.run import check_resources
    from .scenario.plan import compile as compile_plan

    resolved = load_scenario(scenario)
    check_resources(resolved, 1)
    compile_plan(resolved)
    out.print(f"{scenario}: valid ({resolved.name}: {resolved.population.persons:,} persons, "
              f"{resolved.days} days, {len(resolved.systems)} systems, "
              f"{len(resolved.measures)} measures)", soft_wrap=True)


@app.command("estimate")
def estimate_command(
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (default: the china-2022 preset).")] = None,
    preset: Annotated[str | None, typer.Option(help="A built-in preset.")] = None,
    persons: Annotated[int | None, typer.Option(help="Synthetic persons.")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    memory_per_worker: Annotated[float | None, typer.Option(
        help="GiB of memory each worker has: how many shards the run needs.")] = None,
    calibrate: Annotated[bool, typer.Option(
        help="Time two short runs to estimate the wall time.")] = True,
) -> None:
    """Memory per person and in total, expected wall time, and the shards that fit."""
    from .api import size_overrides
    from .engine.estimate import FIXED_BYTES, estimate
    from .engine.run import available_bytes

    overrides = size_overrides(persons, days, None)
    resolved = load_scenario(scenario, preset=preset, overrides=overrides or None)
    result = estimate(resolved, calibrate=calibrate)
    table = Table(title=f"{resolved.name}: {result.persons:,} persons x {result.days:,} days "
                        "(warm-up included)")
    table.add_column("part")
    table.add_column("bytes per person", justify="right")
    for part, size in result.per_person.items():
        table.add_row(part, f"{size:,}")
    table.add_row("total", f"{result.bytes_per_person:,}")
    out.print(table)
    out.print(f"memory: {result.total_bytes / 2**30:.2f} GiB "
              f"({result.persons:,} x {result.bytes_per_person} B + "
              f"{FIXED_BYTES / 2**20:.0f} MiB for the interpreter); this machine has "
              f"{available_bytes() / 2**30:.1f} GiB available", soft_wrap=True)
    if result.seconds is not None:
        out.print(f"wall time: about {result.seconds:,.0f} s on one core (from two short "
                  "calibration runs)", soft_wrap=True)
    if memory_per_worker is not None:
        shards = result.shards_for(int(memory_per_worker * 2**30))
        if shards == 0:
            out.print(f"{memory_per_worker:g} GiB per worker does not hold the interpreter "
                      "and one block of persons", soft_wrap=True)
        else:
            out.print(f"shards: {shards} (one per worker of {memory_per_worker:g} GiB)",
                      soft_wrap=True)


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of summary.json."""
    from .ledger.summary import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


@app.command("presets")
def presets_command(
    show: Annotated[str | None, typer.Option(
        "--show", help="Print this preset's YAML (with the sources in its comments).")] = None,
) -> None:
    """List the built-in presets, or print one."""
    if show is not None:
        typer.echo(preset_text(show), nl=False)
        return
    for name in preset_names():
        out.print(f"{name:<20} {preset_description(name)}", soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting."""
    command = typer.main.get_command(app)
    try:
        command.main(args=argv if argv is not None else sys.argv[1:], prog_name="scorelab",
                     standalone_mode=True)
    except ScenarioError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False, soft_wrap=True)
        return 2
    except SystemExit as exc:  # usage errors (2), --help and --version (0)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
