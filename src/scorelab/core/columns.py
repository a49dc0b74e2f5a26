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
    """One per-person array: ``name``, numpy ``dtype`` and the value it starts with.

    >>> Column("next_day", np.uint16, 65535).allocate(3)
    array([65535, 65535, 65535], dtype=uint16)
    """

    name: str
    dtype: npt.DTypeLike
    default: int | float | bool = 0

    @property
    def itemsize(self) -> int:
        return np.dtype(self.dtype).itemsize

    def allocate(self, n: int) -> np.ndarray:
        return np.full(n, self.default, dtype=self.dtype)


def allocate(columns: Iterable[Column], n: int) -> dict[str, np.ndarray]:
    """One array of ``n`` rows per column, by name."""
    out: dict[str, np.ndarray] = {}
    for column in columns:
        if column.name in out:
            raise ValueError(f"column {column.name!r} is declared twice")
        out[column.name] = column.allocate(n)
    return out


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
