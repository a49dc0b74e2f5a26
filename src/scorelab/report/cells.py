"""Figures of the catalogue as cells, rows and sentences of the report: a single run's value
and its national estimate, or over replicates the median with its range; and the causes of
wrongful sanctions, in the order the report lists them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..ledger.catalogue import SYSTEM
from ..ledger.catalogue import Figure as CatalogueFigure
from ..ledger.reading import Reading
from ..ledger.summary import Replicates, Summary
from .numbers import (
    DASH,
    estimate,
    format_count,
    format_interval,
    format_rate,
    too_few,
)
from .tables import Cell, Column, Row, Table


@dataclass(frozen=True)
class Numbers:
    """Figures of the catalogue as cells and sentences: simulated and national estimate of a
    single run, or over replicates the median with its 2.5-97.5 percentiles. Every figure
    the report shows comes through here, by the catalogue's figure and its names."""

    reading: Reading

    @property
    def scale(self) -> float:
        return self.reading.summary.scale

    def value(self, figure: CatalogueFigure, *names: str) -> float | None:
        """The figure (over replicates: its median)."""
        return self.reading.value(figure, *names)

    def count(self, figure: CatalogueFigure, *names: str) -> float:
        """The figure, zero where the run does not have it."""
        return self.reading.count(figure, *names)

    def has(self, figure: CatalogueFigure, *names: str) -> bool:
        """The run has the figure (one of a kind's own: a list's listings, a checkpoint's
        searches), so the report shows the part that reads it."""
        return self.value(figure, *names) is not None

    def fired(self, figure: CatalogueFigure, *names: str) -> bool:
        """The figure is above zero in the run (over replicates: in any of them)."""
        spread = self.reading.interval(figure, *names)
        if spread is not None:
            return spread.high > 0 or spread.median > 0
        return self.count(figure, *names) > 0

    def sim(self, figure: CatalogueFigure, *names: str, cls: str = "num") -> Cell:
        spread = self.reading.interval(figure, *names)
        value = self.value(figure, *names)
        text = format_interval(spread) if spread else format_count(value)
        return Cell(text, value, cls, key=figure.at(*names))

    def est(self, figure: CatalogueFigure, *names: str) -> Cell:
        spread = self.reading.interval(figure, *names)
        value = self.value(figure, *names)
        text = format_interval(spread, self.scale) if spread else estimate(value, self.scale)
        raw = None if value is None else round(value * self.scale)
        return Cell(text, raw, "num est")

    def pair(self, figure: CatalogueFigure, *names: str, wrong: bool = False
             ) -> tuple[Cell, Cell]:
        return (self.sim(figure, *names, cls="num wrong" if wrong else "num"),
                self.est(figure, *names))

    def text(self, figure: CatalogueFigure, *names: str, noun: str = "synthetic persons"
             ) -> str:
        """A count in a sentence: simulated, with its national estimate."""
        spread = self.reading.interval(figure, *names)
        if spread:
            return (f"{format_interval(spread)} {noun} (national estimate "
                    f"{format_interval(spread, self.scale)})")
        value = self.value(figure, *names)
        return f"{format_count(value)} {noun} (national estimate {estimate(value, self.scale)})"

    def plain(self, figure: CatalogueFigure, *names: str) -> str:
        """A count in a sentence without its national estimate."""
        spread = self.reading.interval(figure, *names)
        return format_interval(spread) if spread else format_count(self.value(figure, *names))

    def rate(self, figure: CatalogueFigure, *names: str, fmt: Callable[[float | None], str]
             = format_rate) -> str:
        """A share, rate or ratio (over replicates: the median of the runs' values, with
        their range)."""
        spread = self.reading.interval(figure, *names)
        if spread:
            return f"{fmt(spread.median)} [{fmt(spread.low)}\u2013{fmt(spread.high)}]"
        return fmt(self.value(figure, *names))


def replicates_of(summary: Summary) -> Replicates | None:
    """The summary's replicates section, where its runs had several seeds."""
    return summary.replicates


def numbers_of(summary: Summary) -> Numbers:
    return Numbers(Reading(summary))


def pair_columns(label: str) -> tuple[Column, Column]:
    return Column("simulated", "num", label), Column("national est.", "num", label)


def keynums(id: str, title: str, rows: list[Row]) -> Table:
    """A small card of key numbers: label, simulated, national estimate."""
    return Table(id, (Column(title), Column("simulated", "num"), Column("national est.", "num")),
                 tuple(rows), title)


def keyrow(numbers: Numbers, label: str, figure: CatalogueFigure, *names: str, cls: str = "",
           wrong: bool = False) -> Row:
    return Row((Cell(label, cls="label"), *numbers.pair(figure, *names, wrong=wrong)), cls)


def valuerow(label: str, text: str, value: float | None = None, wrong: bool = False,
             detail: str = "") -> Row:
    """A row with a value that has no national estimate (a rate, a ratio)."""
    return Row((Cell(label, cls="label", detail=detail),
                Cell(text, value, "num wrong" if wrong else "num"), Cell("", cls="num est")))


def share_cell(numbers: Numbers, share: CatalogueFigure, base: CatalogueFigure,
               names: tuple[str, ...], noun: str, wrong: bool = False,
               fmt: Callable[[float | None], str] | None = None) -> Cell:
    """A share (over replicates: the median of the runs' shares), or the mark that its base
    is too small to read."""
    cls = "num wrong" if wrong else "num"
    whole = numbers.value(base, *names)
    mark = too_few(whole, noun) if whole else None
    if mark:
        return Cell(mark, None, cls + " few")
    value = numbers.value(share, *names)
    text = numbers.rate(share, *names, fmt=fmt or share_text)
    return Cell(text, value, cls, key=share.at(*names))


def share_text(value: float | None) -> str:
    """A share with one decimal, as the report writes shares of the sanctioned."""
    return DASH if value is None else f"{100.0 * value:.1f}%"


# Wrongful-sanction causes: (summary key, short label, long label).
CAUSES = (("false_record", "false", "false record"),
          ("identity", "namesake", "namesake's record (identity)"),
          ("stale_record", "stale", "stale record"),
          ("incomplete_record", "incomplete", "incomplete record"),
          ("wrong_merge", "merge", "wrong merge (another person's records linked in)"),
          ("split", "split", "split (part of their records graded alone)"))
_CAUSE_ORDER = {key: i for i, (key, _s, _l) in enumerate(CAUSES)}


def causes_of(numbers: Numbers, name: str) -> dict[str, float]:
    """A system's wrongful sanctions by cause (over replicates: medians)."""
    return {cause: numbers.count(SYSTEM.by_cause, name, cause)
            for cause in numbers.reading.names(SYSTEM.by_cause, name)}


def cause_items(by_cause: Mapping[str, float]) -> list[tuple[str, float]]:
    """Non-zero causes, largest first (ties in the fixed cause order)."""
    items = [(k, v) for k, v in by_cause.items() if v]
    return sorted(items, key=lambda kv: (-kv[1], _CAUSE_ORDER.get(kv[0], len(CAUSES)), kv[0]))


def cause_split(by_cause: Mapping[str, float]) -> str:
    """``stale 539 · false 17``; 'none' when all are zero."""
    short = {key: s for key, s, _l in CAUSES}
    items = cause_items(by_cause)
    if not items:
        return "none"
    return " \u00b7 ".join(f"{short.get(k, k)} {format_count(v)}" for k, v in items)


# --------------------------------------------------------------------------------------------
