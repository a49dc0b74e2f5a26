"""Region tables in CSV files: read, typed and located, for ``population.regions``.

A scenario may give its regions as a CSV file (``regions: states.csv``, relative to the
scenario file and within its folder; a preset's, a file of the presets folder). The loader reads it here into the
rows the schema validates, and keeps where each cell was written, so that a bad value is
reported at its file, line and column, with its field, as a bad YAML value is.

Columns: ``name`` and ``population`` are required; ``urban_share``, ``minority_share`` and
``code`` are optional (an empty cell takes the national value, or no code). Other columns are
errors, so that a misspelt column is not silently ignored.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem, ScenarioError, short

#: a region table is small: the regions are stored in a byte
MAX_CSV_BYTES = 256 << 10
MAX_ROWS = 255

REQUIRED = ("name", "population")
OPTIONAL = ("urban_share", "minority_share", "code")
INTEGER = ("population", "code")
NUMBER = ("urban_share", "minority_share")


@dataclass(frozen=True)
class RegionTable:
    """The rows of a CSV region table, and where each cell was written."""

    label: str  # the file, as errors name it
    rows: list[dict[str, Any]]
    lines: list[int]  # 1-based line of each row
    columns: dict[str, int]  # column name -> 0-based position in the header
    cell_columns: list[list[int]]  # 1-based character column of each cell, per row

    def where(self, row: int, field: str | None) -> tuple[int, int]:
        """(line, column) of a row's cell (its first cell when the field is not a column)."""
        line = self.lines[row]
        cells = self.cell_columns[row]
        position = self.columns.get(field, 0) if field is not None else 0
        return line, cells[position] if position < len(cells) else 1


def _cell_starts(line: str) -> list[int]:
    """1-based character column where each comma-separated cell of a line starts (quoted
    cells may hold commas)."""
    starts, quoted = [1], False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(i + 2)
    return starts


def locate(folder: Path, name: str, label: str, line: int | None, column: int | None,
           where: str) -> Path:
    """The region table ``name`` names, within ``folder`` (the scenario file's folder).

    A scenario reads only files of its own folder or below it: an absolute path, a ``..``
    step or a symlink that leads out of the folder is refused before anything is read, so a
    scenario cannot copy another file into a run's outputs or its errors."""
    def refuse(reason: str) -> ScenarioError:
        return ScenarioError(Problem(f"cannot read region table {short(name)}: {reason}", label,
                                     line, column, where))

    given = Path(name)
    if given.is_absolute() or given.drive or given.root:
        raise refuse("expected a path relative to the scenario file's folder, not an "
                     "absolute path")
    if ".." in given.parts:
        raise refuse("expected a file in the scenario file's folder or below it, named "
                     "without '..'")
    try:
        base = folder.resolve(strict=True)
        target = (base / given).resolve(strict=True)
    except FileNotFoundError:
        raise refuse(f"no such file (looked for {folder / given})") from None
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a bad name
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
        raise refuse(reason) from None
    if not target.is_relative_to(base):
        raise refuse("it is a symlink to a file outside the scenario file's folder; a "
                     "region table must lie in that folder or below it")
    return target


def read_text(path: Path, label: str) -> str:
    """A CSV file's text: a regular UTF-8 file of at most ``MAX_CSV_BYTES``.

    Opened without blocking and checked before reading, so a pipe or a device is refused
    at once instead of read forever."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ScenarioError(Problem("cannot read region table: not a regular file",
                                            label))
            if info.st_size > MAX_CSV_BYTES:
                raise ScenarioError(Problem(f"region table is {info.st_size:,} bytes; at most "
                                            f"{MAX_CSV_BYTES:,} are allowed", label))
            data = fh.read(MAX_CSV_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError(Problem(f"cannot read region table: {reason}", label)) from None
    if len(data) > MAX_CSV_BYTES:
        raise ScenarioError(Problem(f"region table is over {MAX_CSV_BYTES:,} bytes", label))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ScenarioError(Problem("region table is not UTF-8 text", label, line)) from None


def parse(text: str, label: str, path: str) -> RegionTable:
    """Typed rows of a region table; ``path`` is the field path of the table (for errors)."""
    raw_lines = text.splitlines()
    reader = csv.reader(io.StringIO(text))
    try:
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ScenarioError(Problem(f"malformed CSV: {exc}", label, reader.line_num)) from None
    records = [(n, row) for n, row in records if any(cell.strip() for cell in row)]
    if not records:
        raise ScenarioError(Problem(
            f"the region table is empty; it needs a header ({', '.join(REQUIRED + OPTIONAL)}) "
            "and at least one row", label, 1, 1, path))
    header_line, header = records[0]
    names = [h.strip() for h in header]
    starts = _cell_starts(raw_lines[header_line - 1]) if header_line <= len(raw_lines) else [1]
    for i, name in enumerate(names):
        if name not in REQUIRED + OPTIONAL or names.index(name) != i:
            what = "repeated" if name in names[:i] else "unknown"
            raise ScenarioError(Problem(
                f"{what} column {short(name)}; columns: {', '.join(REQUIRED)} (required), "
                f"{', '.join(OPTIONAL)} (optional)", label, header_line,
                starts[i] if i < len(starts) else 1, path))
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ScenarioError(Problem(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}; "
            f"the header has {', '.join(map(repr, names))}", label, header_line, 1,
            f"{path}[*].{missing[0]}"))
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    cells: list[list[int]] = []
    body = records[1:]
    if not body:
        raise ScenarioError(Problem("the region table has a header but no rows", label,
                                    header_line, 1, path))
    if len(body) > MAX_ROWS:
        raise ScenarioError(Problem(f"the region table has {len(body):,} rows; at most "
                                    f"{MAX_ROWS} regions are allowed", label, body[MAX_ROWS][0],
                                    1, path))
    for index, (line, record) in enumerate(body):
        # csv's line_num is the line the record ends on; a record spans one line here
        raw = raw_lines[line - 1] if line <= len(raw_lines) else ""
        starts = _cell_starts(raw)
        if len(record) != len(names):
            raise ScenarioError(Problem(
                f"row has {len(record)} cells, the header {len(names)}", label, line, 1,
                f"{path}[{index}]"))
        row: dict[str, Any] = {}
        for position, (name, cell) in enumerate(zip(names, record, strict=True)):
            value = cell.strip()
            column = starts[position] if position < len(starts) else 1
            where = f"{path}[{index}].{name}"
            if value == "" and name in OPTIONAL:
                continue
            if value == "":
                raise ScenarioError(Problem("required value is missing", label, line, column,
                                            where))
            row[name] = _typed(name, value, label, line, column, where)
        rows.append(row)
        lines.append(line)
        cells.append(starts)
    return RegionTable(label, rows, lines, {n: i for i, n in enumerate(names)}, cells)


def _typed(name: str, value: str, label: str, line: int, column: int, where: str) -> Any:
    """A cell as the schema expects it: whole numbers, finite numbers, or text."""
    if name in INTEGER:
        try:
            return int(value)
        except ValueError:
            digits = value.lstrip("+-")
            what = (f"a number of {len(digits):,} digits, too long to read" if
                    digits.isdigit() else short(value))
            raise ScenarioError(Problem(f"expected a whole number, got {what}", label,
                                        line, column, where)) from None
    if name in NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise ScenarioError(Problem(f"expected a number, got {short(value)}", label, line,
                                        column, where)) from None
        if not math.isfinite(number):
            raise ScenarioError(Problem(f"expected a finite number, got {short(value)}", label,
                                        line, column, where))
        return number
    return value
