"""The command line: a thin layer over :func:`scorelab.run` and the scenario loader.

``main(argv)`` returns the exit code: 0 on success, 2 on bad input (with a located message
and no traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .console import err, out, print_comparison, print_headline, with_progress
from .core.version import __version__
from .ledger.catalogue import RUN
from .scenario import (
    Problem,
    ScenarioError,
    load_scenario,
    preset_description,
    preset_names,
    preset_text,
)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="scorelab: simulate scoring and control systems on a synthetic population.")


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
    force: Annotated[bool, typer.Option(
        help="Overwrite a folder holding another run, or discard a killed run's checkpoint."
    )] = False,
    checkpoint_every: Annotated[int | None, typer.Option(
        help="Save the run's state every D days; 'scorelab resume OUT' continues a killed "
             "run.")] = None,
    replicates: Annotated[int | None, typer.Option(
        help="Run R times with seeds derived from the scenario's: every headline figure "
             "with its median and 95% interval; runs spread over the backend's workers.")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="Print only the report's path.")] = False,
) -> None:
    """Run a scenario and write summary.json, daily.parquet, cases.parquet, scenario.yaml and
    report.html."""
    from .api import run, size_overrides

    overrides = size_overrides(persons, days, seed)
    resolved = load_scenario(scenario, preset=preset, overrides=overrides or None)
    target = out_dir if out_dir is not None else Path("out") / resolved.name
    unit = "run" if replicates not in (None, 1) else "day"
    result = with_progress(resolved.name, quiet, lambda progress: run(
        resolved, shards=shards, backend=backend, address=address, workers=workers,
        out=target, force=force, checkpoint_every=checkpoint_every, replicates=replicates,
        progress=progress), unit)
    _report(result, target, quiet)


@app.command("resume")
def resume_command(
    out_dir: Annotated[Path, typer.Argument(help="The output folder of a killed run.")],
    quiet: Annotated[bool, typer.Option(help="Print only the report's path.")] = False,
) -> None:
    """Continue a killed run from its last checkpoint, to the files an uninterrupted run
    gives."""
    from .api import resume

    result = with_progress(out_dir.name, quiet, lambda progress: resume(out_dir, progress))
    if result is None:
        out.print(f"{out_dir}: the run is complete; nothing to resume", soft_wrap=True)
        return
    _report(result, out_dir, quiet)


def _report(result: Any, target: Path, quiet: bool) -> None:
    if not quiet:
        print_headline(result.summary)
        for warning in result.summary.warnings:
            err.print(f"warning: {warning}", markup=False, soft_wrap=True)
    out.print(f"report: {target / 'report.html'}", soft_wrap=True)


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
    if memory_per_worker is not None and not 0 < memory_per_worker <= MAX_WORKER_GIB:
        raise ScenarioError(Problem(
            f"expected GiB of memory above 0 and at most {MAX_WORKER_GIB:,}, got "
            f"{memory_per_worker:g}", path="--memory-per-worker"))
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


#: the most memory a worker of ``estimate --memory-per-worker`` may have (a PiB)
MAX_WORKER_GIB = 1 << 20


def _experiment_scenario(scenario: Path | None, preset: str | None, persons: int | None,
                         days: int | None, seed: int | None) -> Any:
    from .api import size_overrides

    overrides = size_overrides(persons, days, seed)
    return load_scenario(scenario, preset=preset, overrides=overrides or None)


Backend = Annotated[str, typer.Option(
    help="Where the runs go: local (one after another), processes (a pool of worker "
         "processes) or ray (Ray tasks).")]
Workers = Annotated[int | None, typer.Option(
    help="Runs at once (default: one per core; for ray, the CPUs of a local Ray).")]
Address = Annotated[str | None, typer.Option(help="Ray cluster to use.")]


@app.command("sweep")
def sweep_command(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario YAML file.")] = None,
    param: Annotated[list[str] | None, typer.Option(
        help="PATH=V1,V2,...: a scenario parameter and its values (repeat for a grid).")
    ] = None,
    replicates: Annotated[int, typer.Option(help="Runs per grid point.")] = 1,
    preset: Annotated[str | None, typer.Option(help="Sweep a built-in preset.")] = None,
    persons: Annotated[int | None, typer.Option(help="Synthetic persons.")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed.")] = None,
    backend: Backend = "local",
    workers: Workers = None,
    address: Address = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Output folder (default: out/<scenario name>-sweep).")] = None,
    force: Annotated[bool, typer.Option(help="Start afresh in a folder of another sweep.")
                     ] = False,
    quiet: Annotated[bool, typer.Option(help="Print only the table's path.")] = False,
) -> None:
    """Run a grid of parameter values with replicates; one row per run in sweep.parquet.
    An interrupted sweep run again with the same options skips the runs it finished."""
    from .api import sweep

    resolved = _experiment_scenario(scenario, preset, persons, days, seed)
    if not param:
        raise ScenarioError("give at least one --param PATH=V1,V2,...")
    target = out_dir if out_dir is not None else Path("out") / f"{resolved.name}-sweep"
    result = with_progress(resolved.name, quiet, lambda progress: sweep(
        resolved, param, replicates=replicates, out=target, backend=backend,
        workers=workers, address=address, force=force, progress=progress), "run")
    if not quiet:
        out.print(f"{result.runs:,} runs ({result.ran:,} now, "
                  f"{result.runs - result.ran:,} done before)", soft_wrap=True)
    out.print(f"table: {result.table}", soft_wrap=True)
    if result.page is not None and not quiet:
        out.print(f"page: {result.page}", soft_wrap=True)


@app.command("sensitivity")
def sensitivity_command(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario YAML file.")] = None,
    param: Annotated[list[str] | None, typer.Option(
        help="PATH=LOW:HIGH: a scenario parameter and its range (repeat).")] = None,
    method: Annotated[str, typer.Option(help="sobol or morris.")] = "sobol",
    output: Annotated[list[str] | None, typer.Option(
        help="Summary figure to explain, by dotted path (default: sanctioned_wrongly_any).")
    ] = None,
    samples: Annotated[int, typer.Option(
        help="Base samples (sobol: runs = samples x (params + 2), a power of 2; morris: "
             "trajectories, runs = samples x (params + 1)).")] = 64,
    preset: Annotated[str | None, typer.Option(help="A built-in preset.")] = None,
    persons: Annotated[int | None, typer.Option(help="Synthetic persons.")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of every run.")] = None,
    backend: Backend = "local",
    workers: Workers = None,
    address: Address = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Output folder (default: out/<scenario name>-sensitivity).")] = None,
    force: Annotated[bool, typer.Option(help="Start afresh in a folder of another analysis.")
                     ] = False,
    quiet: Annotated[bool, typer.Option(help="Print only the results' path.")] = False,
) -> None:
    """Which parameters move a figure: Sobol indices (S1, ST) or Morris effects (mu*), with
    confidence bounds, written to sensitivity.json and sensitivity.html."""
    from .api import sensitivity

    resolved = _experiment_scenario(scenario, preset, persons, days, seed)
    if not param:
        raise ScenarioError("give at least one --param PATH=LOW:HIGH")
    target = out_dir if out_dir is not None else Path("out") / f"{resolved.name}-sensitivity"
    found = with_progress(resolved.name, quiet, lambda progress: sensitivity(
        resolved, param, method=method, outputs=output or [RUN.sanctioned_wrongly_any.path],
        samples=samples, out=target, backend=backend, workers=workers, address=address,
        force=force, progress=progress), "run")
    if not quiet:
        for indices in found:
            table = Table(title=f"{method}: {indices.output}")
            table.add_column("parameter")
            for key in indices.values:
                table.add_column(key, justify="right")
            for i, name in enumerate(indices.params):
                table.add_row(name, *(f"{v[i]:.3g}" for v in indices.values.values()))
            out.print(table)
    out.print(f"results: {target / 'sensitivity.json'}", soft_wrap=True)


@app.command("claims")
def claims_command(
    claim: Annotated[list[str] | None, typer.Option(
        help="Only this claim (repeat; default: every claim). `scorelab claims --list`.")
    ] = None,
    list_claims: Annotated[bool, typer.Option("--list", help="List the claims and exit.")
                           ] = False,
    persons: Annotated[int, typer.Option(help="Synthetic persons per run.")] = 20_000,
    replicates: Annotated[int, typer.Option(help="Replicates per run (2-50).")] = 5,
    samples: Annotated[int, typer.Option(
        help="Morris trajectories per robustness check (2-50).")] = 3,
    seed: Annotated[int | None, typer.Option(help="Base seed of every run.")] = None,
    backend: Backend = "local",
    workers: Workers = None,
    address: Address = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out/claims"),
    force: Annotated[bool, typer.Option(help="Start afresh in a folder of another run.")
                     ] = False,
    quiet: Annotated[bool, typer.Option(help="Print only the page's path.")] = False,
) -> None:
    """Put each published claim to the model: its figures over replicates, what the model
    shows under its assumptions, and how robust that is; writes claims.json and claims.html
    (with each run's report)."""
    from .api import claims

    if list_claims:
        from .experiments.claims import CLAIMS

        for c in CLAIMS:
            out.print(f"{c.key:<24} {c.says}", soft_wrap=True, markup=False)
        return
    results = with_progress("claims", quiet, lambda progress: claims(
        claim, persons=persons, replicates=replicates, samples=samples, seed=seed,
        out=out_dir, backend=backend, workers=workers, address=address, force=force,
        progress=progress), "step")
    if not quiet:
        from .report.claims import finding_text

        for found in results["claims"]:
            out.print(f"{found['key']}: {finding_text(found)}", soft_wrap=True, markup=False)
    out.print(f"claims: {out_dir / 'claims.html'}", soft_wrap=True)


@app.command("compare")
def compare_command(
    folders: Annotated[list[Path], typer.Argument(help="Output folders of finished runs.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="The comparison report (default: compare.html).")] = None,
    force: Annotated[bool, typer.Option(
        help="Overwrite a file that is not a comparison page.")] = False,
    quiet: Annotated[bool, typer.Option(help="Print only the report's path.")] = False,
) -> None:
    """Set finished runs of one population side by side, with their differences from the
    first (and intervals where they have replicates)."""
    from .api import compare

    target = out_file if out_file is not None else Path("compare.html")
    runs, found = compare(folders, out=target, force=force)
    if not quiet:
        print_comparison(runs, found)
    out.print(f"report: {target}", soft_wrap=True)


@app.command("plot")
def plot_command(
    out_dir: Annotated[Path, typer.Argument(
        help="The output folder of a run, a sweep or a sensitivity analysis.")],
    figure: Annotated[list[str] | None, typer.Option(
        help="A chart to save, by name (repeat; default: every chart; --list names them).")
    ] = None,
    format: Annotated[str, typer.Option(help="png, svg or pdf.")] = "png",
    to: Annotated[Path | None, typer.Option(
        help="Folder for the files (default: OUT-figures beside OUT).")] = None,
    width: Annotated[int, typer.Option(help="Width in pixels (a PNG has twice as many).")
                     ] = 900,
    list_: Annotated[bool, typer.Option("--list", help="List the charts and exit.")] = False,
) -> None:
    """Save charts of a report, a sweep or a sensitivity analysis as PNG, SVG or PDF files,
    each with a title, axis labels and a caption naming the scenario, seed and version."""
    from .api import save_figures
    from .report.export import folder_charts

    if list_:
        for chart in folder_charts(out_dir):
            out.print(f"{chart.name:<24} {chart.title}", soft_wrap=True, markup=False)
        return
    for path in save_figures(out_dir, figure, format=format, to=to, width=width):
        out.print(str(path), soft_wrap=True, markup=False)


@app.command("explore")
def explore_command(
    host: Annotated[str, typer.Option(
        help="Address to listen on: this machine only unless told otherwise (then a warning "
             "says what that means).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 5006,
    show: Annotated[bool, typer.Option(help="Open the page in a browser tab.")] = False,
) -> None:
    """Serve the explorer: choose a scenario, move its assumptions, run, see who is wronged,
    compare runs and download them, in the browser (needs Panel: the app extra)."""
    from .app import INSTALL, require_panel

    try:
        require_panel()
    except ImportError:
        err.print(f"error: {INSTALL}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    from .app.server import serve

    serve(host, port, show)


@app.command("figures")
def figures_command(
    markdown: Annotated[bool, typer.Option(
        help="Print the catalogue as the Markdown table of docs/outputs.md.")] = False,
) -> None:
    """List the catalogue of figures: every figure's path, label, unit and direction, and
    how it combines over shards and replicates (paths for sensitivity --output)."""
    from .ledger.catalogue import describe

    if markdown:
        typer.echo("| path | label | unit | direction | over shards | over replicates |")
        typer.echo("|---|---|---|---|---|---|")
        for row in describe():
            typer.echo(f"| `{row['path']}` | {row['label']} | {row['unit']} | "
                       f"{row['direction']} | {row['shards']} | {row['replicates']} |")
        return
    table = Table(title="figures (* stands for a name)")
    for column in ("path", "label", "unit", "direction", "over shards", "over replicates"):
        table.add_column(column)
    for row in describe():
        table.add_row(*row.values())
    out.print(table)


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
