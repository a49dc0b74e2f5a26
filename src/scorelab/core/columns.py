"""Per-person columns declared once: name, dtype and default.

A part of the model (the population, a process, a system, a measure) lists its columns in one
table; the same table allocates the arrays, sizes the memory estimate before a run, and names
what a checkpoint must save. People are columns: one preallocated array per attribute, never
an object per person, never resized mid-day.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Column:
    """One per-person array: ``name``, numpy ``dtype`` and the value it starts with; with a
    ``width``, ``width`` values per person (a ring of the last few event days).

    >>> Column("next_day", np.uint16, 65535).allocate(3)
    array([65535, 65535, 65535], dtype=uint16)
    >>> Column("ring", np.uint16, 0, width=2).allocate(3).shape
    (3, 2)
    """

    name: str
    dtype: npt.DTypeLike
    default: int | float | bool = 0
    width: int | None = None

    @property
    def itemsize(self) -> int:
        """Bytes a person's values take."""
        return np.dtype(self.dtype).itemsize * (1 if self.width is None else self.width)

    def allocate(self, n: int) -> np.ndarray:
        shape = n if self.width is None else (n, self.width)
        return np.full(shape, self.default, dtype=self.dtype)


def allocate(columns: Iterable[Column], n: int) -> dict[str, np.ndarray]:
    """One array of ``n`` rows per column, by name."""
    out: dict[str, np.ndarray] = {}
    for column in columns:
        if column.name in out:
            raise ValueError(f"column {column.name!r} is declared twice")
        out[column.name] = column.allocate(n)
    return out


def allocate_onto(owner: object, columns: Iterable[Column], n: int) -> None:
    """Allocate each column as the attribute of its name on ``owner`` (a part's table becomes
    its arrays, by name, never by position)."""
    for name, array in allocate(columns, n).items():
        setattr(owner, name, array)


def bytes_per_row(columns: Iterable[Column]) -> int:
    """Bytes one row of these columns takes."""
    return sum(column.itemsize for column in columns)


def flag_dtype(flags: type[enum.IntFlag]) -> type[np.unsignedinteger[Any]]:
    """The narrowest unsigned dtype that holds every member of an ``enum.IntFlag``, so a
    flag added to the enum widens its column instead of overflowing it."""
    top = max(int(member) for member in flags)
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        if top <= np.iinfo(dtype).max:
            return dtype
    raise ValueError(f"{flags.__name__} has more than 64 flags")
