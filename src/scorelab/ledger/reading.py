"""Reading a summary through the catalogue (:mod:`scorelab.ledger.catalogue`): every figure
it defines by concrete path, the names a figure's stars take in it, and :class:`Reading`, what
a reader gets of a single run (its values) or of replicated runs (medians with their ranges).

>>> import scorelab
>>> from scorelab.ledger.catalogue import SYSTEM
>>> summary = scorelab.run(preset="china-2022", persons=2000, days=5).summary
>>> Reading(summary).value(SYSTEM.covered, "court-list") == summary.persons
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalogue import Figure, every_figure, is_number
from .summary import Interval, Summary


def _walk(node: Any, pattern: list[str], prefix: tuple[str, ...]
          ) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    """The mappings that hold a pattern's last key, with the names the stars took."""
    if not isinstance(node, Mapping):
        return
    if len(pattern) == 1:
        yield prefix, node
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        for name, child in node.items():
            yield from _walk(child, rest, (*prefix, str(name)))
    elif head in node:
        yield from _walk(node[head], rest, prefix)


@dataclass(frozen=True)
class Entry:
    """One figure of one summary: the catalogue's figure, the names that fill its stars."""

    figure: Figure
    names: tuple[str, ...]
    value: float


def entries(summary: Summary | Mapping[str, Any]) -> dict[str, Entry]:
    """Every catalogue figure the summary defines, by concrete path, in catalogue order (then
    in the summary's order of names). Undefined figures (a share of nothing) are left out."""
    data = summary.as_dict() if isinstance(summary, Summary) else summary
    out: dict[str, Entry] = {}
    for found in every_figure():
        if found.of_run and found.derive is not None:
            value = found.derive(data)
            if is_number(value):
                out[found.path] = Entry(found, (), float(value))
            continue
        pattern = found.path.split(".")
        last = pattern[-1]
        for names, node in _walk(data, pattern, ()):
            if last == "*":
                for key, value in node.items():
                    if is_number(value):
                        full = (*names, str(key))
                        out[found.at(*full)] = Entry(found, full, float(value))
                continue
            value = found.derive(node) if found.derive is not None else node.get(last)
            if is_number(value):
                out[found.at(*names)] = Entry(found, names, float(value))
    return out


def resolve(summary: Summary | Mapping[str, Any]) -> dict[str, float]:
    """Every catalogue figure the summary defines: concrete path -> value (see
    :func:`entries`). Sweeps, sensitivity and replicates read runs through this."""
    return {path: entry.value for path, entry in entries(summary).items()}


def names_of(summary: Summary | Mapping[str, Any], found: Figure, *names: str) -> list[str]:
    """The names the figure's next star takes in this summary after the names given (the
    grades of a system, the causes of its wrongful sanctions), in the summary's order."""
    if len(names) >= found.names:
        raise ValueError(f"{found.path} takes {found.names} names, got {len(names)}")
    data = summary.as_dict() if isinstance(summary, Summary) else summary
    node: Any = data
    given = iter(names)
    stars = 0
    for part in found.path.split("."):
        if part == "*":
            if stars == len(names):
                break
            stars += 1
            part = next(given)
        node = node.get(part) if isinstance(node, Mapping) else None
    return [str(k) for k in node] if isinstance(node, Mapping) else []


@dataclass(frozen=True)
class Reading:
    """A summary's figures as a reader gets them. Of a single run: its values. Of replicated
    runs: every figure's median over the replicates, with its 2.5-97.5 percentile range; never
    one replicate's value (a figure undefined in some replicate reads as undefined)."""

    summary: Summary
    data: dict[str, Any] = field(init=False, repr=False)
    entries: dict[str, Entry] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", self.summary.as_dict())
        object.__setattr__(self, "entries", entries(self.data))

    @property
    def replicated(self) -> bool:
        return self.summary.replicates is not None

    def interval(self, found: Figure, *names: str) -> Interval | None:
        """Over replicates: the figure's median and range; None for a single run."""
        if self.summary.replicates is None:
            return None
        return self.summary.replicates.intervals.get(found.at(*names))

    def value(self, found: Figure, *names: str) -> float | None:
        """The figure: a single run's value, or the median over replicates."""
        if self.summary.replicates is not None:
            spread = self.summary.replicates.intervals.get(found.at(*names))
            return None if spread is None else spread.median
        entry = self.entries.get(found.at(*names))
        return None if entry is None else entry.value

    def count(self, found: Figure, *names: str) -> float:
        """A count that is zero where the summary does not have it."""
        value = self.value(found, *names)
        return 0.0 if value is None else value

    def names(self, found: Figure, *names: str) -> list[str]:
        """The names of the figure's last star here (see :func:`names_of`)."""
        return names_of(self.data, found, *names)
