"""The report's view model as a structure: a page of sections, each with its paragraphs,
cards, tables, figures and notes (the templates only lay it out)."""

from __future__ import annotations

from dataclasses import dataclass

from ..ledger.summary import MIN_BASE
from .figures import Figure
from .methods import Methods
from .tables import Table


@dataclass(frozen=True)
class Section:
    """One section of the page; the template shows its parts in this order."""

    id: str
    title: str
    lead: str = ""
    tags: tuple[str, ...] = ()
    paragraphs: tuple[str, ...] = ()
    cards: tuple[Table, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = ()
    cls: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (text, relative address)


@dataclass(frozen=True)
class Page:
    """A whole report."""

    title: str
    heading: str
    description: str
    meta: tuple[str, ...]
    nav: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]
    sections: tuple[Section, ...]
    methods: Methods | None = None
    footer: tuple[str, ...] = ()
    scale: str = ""
    warmup_days: int = 0
    protests: bool = False
    min_base: int = MIN_BASE

    @property
    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]
