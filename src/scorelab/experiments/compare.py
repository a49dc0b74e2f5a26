"""Comparing finished runs: their output folders read back, checked, and set side by side.

Runs are comparable when they are of the same population (persons, scale and regional
counts) and their summaries have this version's schema; seeds and every other setting may
differ (phone-scanner against hash-threshold, fragmented against integrated). Differences are
taken against the first run; where runs have replicates, each figure carries its interval.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from pydantic import ValidationError

from ..ledger.catalogue import Figure
from ..ledger.reading import Entry, Reading
from ..ledger.summary import SCHEMA_VERSION, Interval, Summary
from ..scenario.errors import Problem, ScenarioError


@dataclass(frozen=True)
class Run:
    """One output folder, read back."""

    label: str
    folder: Path
    summary: Summary
    daily: pl.DataFrame


@dataclass(frozen=True)
class Difference:
    """One figure across the runs: values (medians where a run has replicates), intervals,
    and the change from run 0 (a difference of medians where runs have replicates)."""

    path: str
    figure: Figure
    names: tuple[str, ...]
    values: list[float | None]
    intervals: list[Interval | None]
    changes: list[float | None]  # value minus the first run's (None where either is missing)


def load_run(folder: Path) -> Run:
    """Read ``summary.json`` and ``daily.parquet`` of a run's folder (located errors)."""
    folder = Path(folder)
    path = folder / "summary.json"
    if not path.is_file() or not (folder / "daily.parquet").is_file():
        raise ScenarioError(Problem(f"{folder} is not a run's output folder (no summary.json "
                                    "and daily.parquet)", path="compare"))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(Problem(f"{path}: cannot be read as JSON ({exc})",
                                    path="compare")) from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != SCHEMA_VERSION:
        raise ScenarioError(Problem(
            f"{path}: schema version {version!r}, this scorelab reads version "
            f"{SCHEMA_VERSION}: run it again with this version to compare it",
            path="compare"))
    try:
        summary = Summary.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(Problem(f"{path}: {where}: {first['msg']}", path="compare")
                            ) from None
    return Run(folder.name or str(folder), folder, summary,
               pl.read_parquet(folder / "daily.parquet", glob=False))  # a path, not a pattern


def check_comparable(runs: list[Run]) -> None:
    """Refuse runs of different populations: their numbers would not be comparable."""
    if len(runs) < 2:
        raise ScenarioError(Problem("give at least two output folders to compare",
                                    path="compare"))
    first = runs[0].summary
    for run in runs[1:]:
        s = run.summary
        problems = []
        if s.persons != first.persons:
            problems.append(f"{s.persons:,} persons against {first.persons:,}")
        if not math.isclose(s.scale, first.scale, rel_tol=1e-9):
            problems.append(f"1 person = {s.scale:,.1f} people against {first.scale:,.1f}")
        if s.population.provinces != first.population.provinces:
            problems.append("other regions or regional counts")
        if problems:
            raise ScenarioError(Problem(
                f"{run.folder} is not of the population of {runs[0].folder}: "
                f"{'; '.join(problems)}. Compare runs of one population (same persons, "
                "regions and scale)", path="compare"))


def differences(runs: list[Run]) -> list[Difference]:
    """Every figure of the catalogue that any run has, in the first run's order, then the
    others'. A replicated run gives its medians: a difference is one of medians."""
    readings = [Reading(r.summary) for r in runs]
    found_in: dict[str, Entry] = {}
    for reading in readings:
        for path, entry in reading.entries.items():
            found_in.setdefault(path, entry)
    out = []
    for path, entry in found_in.items():
        found, names = entry.figure, entry.names
        values = [reading.value(found, *names) for reading in readings]
        base = values[0]
        changes = [None if v is None or base is None else v - base for v in values]
        out.append(Difference(path, found, names, values, [reading.interval(found, *names)
                                             for reading in readings], changes))
    return out


def compare_runs(folders: list[Path]) -> tuple[list[Run], list[Difference]]:
    runs = [load_run(f) for f in folders]
    labels = [r.label for r in runs]
    if len(set(labels)) < len(labels):  # two folders of one name: label them by path
        runs = [Run(str(r.folder), r.folder, r.summary, r.daily) for r in runs]
    check_comparable(runs)
    return runs, differences(runs)
