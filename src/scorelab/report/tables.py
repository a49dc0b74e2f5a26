"""Tables of the report as data: cells hold the text shown and the raw value, so one table
gives both the HTML and its CSV download, and tests compare tables by equality.

>>> t = Table("t", (Column("name"), Column("count", "num")), (Row((Cell("a"), Cell("1,234",
...     1234))),))
>>> t.csv()
'name,count\\r\\na,1234\\r\\n'
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Cell:
    """One cell: ``text`` as shown, ``value`` for the CSV (the text when None), ``key`` the
    dotted path in ``summary.json`` it shows (so a browser test can check it)."""

    text: str
    value: str | int | float | None = None
    cls: str = ""
    detail: str = ""
    key: str = ""

    @property
    def csv_value(self) -> str | int | float:
        """The value for the CSV: a whole number without a decimal point (a count read from
        the catalogue comes as a float)."""
        if isinstance(self.value, float) and self.value.is_integer():
            return int(self.value)
        return self.text if self.value is None else self.value


@dataclass(frozen=True)
class Column:
    label: str
    cls: str = ""
    group: str = ""


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    cls: str = ""


@dataclass(frozen=True)
class Table:
    """A table with an id (its anchor and the CSV's file name) and a caption-like title.
    ``caption`` is a line shown above it; ``stack`` lays it out as one card per row on a
    narrow screen (each cell labelled with its column), so a phone shows every column without
    scrolling sideways."""

    id: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    title: str = ""
    caption: str = ""
    stack: bool = False

    @property
    def labels(self) -> list[str]:
        """Each column's full label (group and label), as a stacked cell shows it."""
        return [f"{c.group} {c.label}".strip() if c.group else c.label for c in self.columns]

    @property
    def groups(self) -> list[tuple[str, int]]:
        """Header groups over neighbouring columns: (label, span); empty when none."""
        if not any(c.group for c in self.columns):
            return []
        out: list[tuple[str, int]] = []
        for column in self.columns:
            if out and column.group and out[-1][0] == column.group:
                out[-1] = (column.group, out[-1][1] + 1)
            else:
                out.append((column.group, 1))
        return out

    def csv(self) -> str:
        """The table as CSV (header: group and label)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.labels)
        for row in self.rows:
            writer.writerow([cell.csv_value for cell in row.cells])
        return buffer.getvalue()

    def csv_uri(self) -> str:
        """A data: URI of the CSV, for a download link that needs no script."""
        return "data:text/csv;charset=utf-8," + quote(self.csv())
