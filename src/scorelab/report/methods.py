"""The report's methods section: which scorelab and scenario made the run, the assumptions
every run makes, and the sources of the presets' figures. The sources travel with the package
(``static/sources.md``, a copy of ``docs/sources.md``), so a report never reads files outside
it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from ..ledger.summary import Replicates, Summary
from .numbers import format_scale
from .tables import Cell, Column, Row, Table


@dataclass(frozen=True)
class SourceBlock:
    """A paragraph or a table of the sources."""

    text: str = ""
    table: Table | None = None


@dataclass(frozen=True)
class SourceSection:
    title: str
    blocks: tuple[SourceBlock, ...]


@dataclass(frozen=True)
class Methods:
    run: tuple[tuple[str, str], ...]
    assumptions: tuple[str, ...]
    intro: tuple[str, ...]
    sources: tuple[SourceSection, ...]


def _plain(markdown: str) -> str:
    """Inline markdown as plain text (the page escapes it): no emphasis marks or backticks."""
    return re.sub(r"\*\*|`", "", markdown).strip()


def parse_sources(text: str) -> tuple[tuple[str, ...], tuple[SourceSection, ...]]:
    """``sources.md`` as its introduction and sections of paragraphs and tables."""
    intro: list[str] = []
    sections: list[SourceSection] = []
    title = ""
    blocks: list[SourceBlock] = []
    lines: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal lines, table
        if lines:
            paragraph = _plain(" ".join(lines))
            if title:
                blocks.append(SourceBlock(paragraph))
            else:
                intro.append(paragraph)
        if table:
            header, body = table[0], table[2:]
            columns = tuple(Column(_plain(h)) for h in header)
            rows = tuple(Row(tuple(Cell(_plain(c)) for c in r)) for r in body)
            blocks.append(SourceBlock(table=Table(f"sources-{len(sections) + 1}-"
                                                  f"{len(blocks) + 1}", columns, rows)))
        lines, table = [], []

    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            flush()
            if title:
                sections.append(SourceSection(title, tuple(blocks)))
            title, blocks = _plain(line[3:]), []
        elif line.startswith("# "):
            continue
        elif line.startswith("|"):
            if lines:
                flush()
            table.append([c.strip() for c in line.strip("|").split(" | ")])
        elif not line:
            flush()
        else:
            if table:
                flush()
            lines.append(line)
    flush()
    if title:
        sections.append(SourceSection(title, tuple(blocks)))
    return tuple(intro), tuple(sections)


@cache
def sources() -> tuple[tuple[str, ...], tuple[SourceSection, ...]]:
    text = files("scorelab.report").joinpath("static", "sources.md").read_text("utf-8")
    return parse_sources(text)


def build_methods(summary: Summary, version: str) -> Methods:
    run = [("scorelab version", version), ("scenario", summary.scenario),
           ("scenario sha256", summary.scenario_sha256), ("seed", str(summary.seed)),
           ("synthetic persons", f"{summary.persons:,}"),
           ("days reported", f"{summary.days:,} (after {summary.warmup_days:,} warm-up days)"),
           ("scale", f"1 synthetic person = {format_scale(summary.scale)} real people")]
    if summary.start_date:
        run.append(("start date", summary.start_date))
    replicates = getattr(summary, "replicates", None)
    if isinstance(replicates, Replicates):
        run.append(("replicates", (f"{replicates.count} (seeds "
                                  f"{', '.join(str(s) for s in replicates.seeds)})")))
    assumptions = (
        ("Every person is synthetic: the population is drawn from published aggregates "
        "(census tables, surname frequencies), never from real records."),
        ("A national estimate is a simulated count times the scale; it carries the sampling "
        "error of the synthetic population, so small jurisdictions are noisy."),
        ("Detection is parametric: match rates, false-match rates, review accuracy and what a "
        "search finds are scenario parameters; no classifier looks at any image."),
        ("Daily rates of conduct are assumptions meant to be varied; the sources below say "
        "which figures are sourced and which are assumed."),
        ("The scenario sha256 identifies the fully resolved scenario (scenario.yaml beside this "
        "report): the same scenario and seed give the same files."),
    )
    intro, sections = sources()
    return Methods(tuple(run), assumptions, intro, sections)
