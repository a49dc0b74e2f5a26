"""What the command line prints: its two consoles, the progress bars, and the tables of a
run's key figures and of a comparison (the report's own tables, through the catalogue)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .ledger.catalogue import MEASURE, RUN, SYSTEM
from .ledger.summary import Summary
from .report.numbers import format_count, format_scale

# user text (paths, names, values quoted in errors) is printed as written: no markup, no
# emoji codes (":x:" would print as an emoji, "[red]" would vanish)
err = Console(stderr=True, highlight=False, markup=False, emoji=False)
# piped into a file or another program, tables keep their natural width instead of being
# cut to 80 columns
out = Console(highlight=False, markup=False, emoji=False,
              width=None if sys.stdout.isatty() else 1_000)


class Bars:
    """The progress display: a bar of the days (or runs), and under it, while a long global
    phase runs (building the parts, a linkage, a checkpoint, writing the files), a labelled
    bar of its stages, so that a phase of many seconds says what it does and how far it is."""

    def __init__(self, bar: Progress, name: str, unit: str) -> None:
        self.bar, self.name = bar, name
        self.days = bar.add_task(name, total=1, unit=unit)  # the total comes with day 1
        self.steps = bar.add_task("", total=1, unit="step", visible=False)

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(self.days, completed=done, total=total)

    def step(self, label: str, done: int, total: int) -> None:
        if done == 0:  # a phase begins: its clock starts
            self.bar.reset(self.steps, total=total)
        # drawn at once, so even a short stage is seen and a long one is named from its start
        self.bar.update(self.steps, description=f"  {label}", completed=done, total=total,
                        visible=done < total, refresh=True)


def with_progress(name: str, quiet: bool, work: Callable[[Any], Any], unit: str = "day"
                   ) -> Any:
    """Run ``work(progress)`` under a progress bar of the days (warm-up included) or of an
    experiment's runs, with the labelled stages of long phases below it."""
    if quiet:
        return work(None)
    with Progress(TextColumn("{task.description}", style="bold", markup=False), BarColumn(),
                  TextColumn("{task.fields[unit]} {task.completed:.0f}/{task.total:.0f}",
                             markup=False),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        return work(Bars(bar, name, unit))


def print_headline(summary: Summary) -> None:
    from .report.keys import key_tables, replicates_line

    scale = summary.scale
    title = (f"{summary.scenario}: {summary.persons:,} persons x {summary.days} days "
             f"(1 person = {format_scale(scale)} people)")
    if not summary.systems:
        out.print(f"{title}; no scoring system", soft_wrap=True, markup=False)
    note = replicates_line(summary)
    if note:
        out.print(note, soft_wrap=True, markup=False)
    for key_table in key_tables(summary):
        table = Table(title=title if key_table.title == "systems" else key_table.title)
        table.add_column(key_table.name)
        for heading in key_table.headings:
            table.add_column(heading, justify="right")
        for row in key_table.rows:
            table.add_row(*row)
        out.print(table)
    if summary.integration is not None:
        print_integration(summary)


def print_integration(summary: Summary) -> None:
    """The integrated score against its linkage's truth, and against the separate systems."""
    i = summary.integration
    assert i is not None

    def share(x: float | None) -> str:
        return "-" if x is None else f"{x:.4f}"

    def count(x: int | None) -> str:
        return "-" if x is None else f"{x:,}"

    table = Table(title="integrated score (hypothetical): last linkage")
    for column in ("records", "clusters", "precision", "recall", "f1", "wrongful merges",
                   "split persons"):
        table.add_column(column, justify="right")
    table.add_row(count(i.records), count(i.clusters), share(i.precision), share(i.recall),
                  share(i.f1), count(i.wrongful_merges), count(i.split_persons))
    out.print(table)
    table = Table(title="sanctioned: integrated vs fragmented")
    for column in ("integrated now", "with perfect linkage", "by wrong merges",
                   "by splits", "escaped by splits", "any separate system"):
        table.add_column(column, justify="right")
    table.add_row(count(i.sanctioned), count(i.sanctioned_with_perfect_linkage),
                  count(i.sanctioned_by_merge), count(i.sanctioned_by_split),
                  count(i.escaped_by_split), f"{i.fragmented_sanctioned_any:,}")
    out.print(table)


#: the figures the comparison table in the terminal shows (the page has them all)
COMPARED = (RUN.sanctioned_any, RUN.sanctioned_wrongly_any, SYSTEM.sanctioned,
             SYSTEM.sanctioned_wrongly, SYSTEM.wrongful_person_days, MEASURE.flagged,
             MEASURE.flagged_rightly, MEASURE.flagged_wrongly_total,
             MEASURE.restriction_person_days_innocent)


def print_comparison(runs: list[Any], found: list[Any]) -> None:
    table = Table(title="comparison (differences from the first run)")
    table.add_column("figure")
    for run in runs:
        table.add_column(run.label, justify="right")
    if any(run.summary.replicates for run in runs):
        out.print("runs with replicates show the median over their replicates [2.5th-97.5th "
                  "percentile]; differences are of medians", soft_wrap=True, markup=False)
    for row in found:
        if row.figure not in COMPARED or not any(row.values):  # zero or missing everywhere
            continue
        cells = []
        for i, (value, change) in enumerate(zip(row.values, row.changes, strict=True)):
            if value is None:
                cells.append("-")
                continue
            text = count_cell(value, row.intervals[i])
            if i > 0 and change:
                text += f" ({'+' if change > 0 else '-'}{format_count(abs(change))})"
            cells.append(text)
        table.add_row(row.path, *cells)
    out.print(table)


def count_cell(value: float, interval: Any = None) -> str:
    """A count as the report shows it; with an interval, the median and its 95% range."""
    if interval is not None:
        return (f"{format_count(interval.median)} [{format_count(interval.low)}-"
                f"{format_count(interval.high)}]")
    return format_count(value)
