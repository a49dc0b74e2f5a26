"""The key figures of a run in a few small tables: what the CLI prints after a run and what a
notebook shows for a result. Both lay out these rows, so they show the same numbers: a
single run's values, or over replicates each figure's median with its 95% range.

>>> import scorelab
>>> result = scorelab.run(preset="china-2022", persons=2000, days=5)
>>> [table.title for table in key_tables(result.summary)][:1]
['systems']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ledger.catalogue import MEASURE, SYSTEM, Figure
from ..ledger.reading import Reading
from ..ledger.summary import Summary
from .numbers import estimate, format_count, format_interval


@dataclass(frozen=True)
class KeyColumn:
    """A column: its heading, the catalogue's figure, and whether it is a national estimate."""

    heading: str
    figure: Figure
    national: bool = False


SYSTEM_COLUMNS = (KeyColumn("covered", SYSTEM.covered), KeyColumn("scored", SYSTEM.scored),
                  KeyColumn("sanctioned", SYSTEM.sanctioned),
                  KeyColumn("sanctioned wrongly", SYSTEM.sanctioned_wrongly),
                  KeyColumn("wrongly (national est.)", SYSTEM.sanctioned_wrongly, True))
MEASURE_COLUMNS = (KeyColumn("flagged", MEASURE.flagged),
                   KeyColumn("participants caught", MEASURE.flagged_rightly),
                   KeyColumn("innocents flagged", MEASURE.flagged_wrongly_total),
                   KeyColumn("innocents (national est.)", MEASURE.flagged_wrongly_total, True),
                   KeyColumn("collateral person-days", MEASURE.collateral_person_days))


@dataclass(frozen=True)
class KeyTable:
    """One small table: a title, the name column's heading, column headings, rows of text."""

    title: str
    name: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def key_text(reading: Reading, column: KeyColumn, name: str) -> str:
    """One cell: the count (over replicates: ``median [2.5th–97.5th]``), simulated or as a
    national estimate."""
    scale = reading.summary.scale
    spread = reading.interval(column.figure, name)
    if spread is not None:
        return format_interval(spread, scale if column.national else None)
    value = reading.value(column.figure, name)
    return estimate(value, scale) if column.national else format_count(value)


def key_tables(summary: Summary) -> list[KeyTable]:
    """The systems' table and the measures' table (those the run has)."""
    reading = Reading(summary)
    out = []
    for title, name, parts, columns in (
            ("systems", "system", summary.systems, SYSTEM_COLUMNS),
            ("control measures", "measure", summary.measures or {}, MEASURE_COLUMNS)):
        if parts:
            out.append(KeyTable(title, name, tuple(c.heading for c in columns), tuple(
                (part, *(key_text(reading, c, part) for c in columns)) for part in parts)))
    return out


def replicates_line(summary: Summary) -> str | None:
    """The one line that says a replicated run's figures are medians (None for one run)."""
    r = summary.replicates
    if r is None:
        return None
    return (f"{r.count} replicates: every figure is the median over the replicates "
            "[2.5th-97.5th percentile]")
