"""The report's view model laid out as Panel components: each section's text and tables
through the report's own template macros and stylesheet, each figure as a Plotly pane of the
report's own chart specification. Nothing here computes a number; the sections and figures
are :func:`scorelab.report.view.build_page`'s (a run) and
:func:`scorelab.report.compare.build_comparison`'s (two runs side by side).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from functools import cache
from typing import Any

import panel as pn

from ..report.figures import Figure
from ..report.html import environment, static
from ..report.tables import Table
from ..report.view import Page, Section

#: the page's own few rules, beside the report's stylesheet
EXTRA_CSS = """
:host { width: 100%; }
section { margin: 12px 0; }
header h1 { font-size: 24px; }
"""


@cache
def _macros() -> Any:
    return environment().get_template("macros.html.j2").module


@cache
def stylesheets() -> list[str]:
    """The report's stylesheet (each pane has its own shadow root, so each gets it)."""
    return [static("report.css"), EXTRA_CSS]


def html_pane(markup: str, **kw: Any) -> pn.pane.HTML:
    return pn.pane.HTML(markup, stylesheets=stylesheets(), sizing_mode="stretch_width", **kw)


def table_html(table: Table) -> str:
    """A table of the view model, as the report lays it out."""
    return str(_macros().table(table))


def figure_pane(figure: Figure) -> pn.pane.Plotly:
    """One of the report's charts: its own data and layout (with no plotly template beyond
    plotly.js's own defaults, as in the report)."""
    height = int(figure.layout.get("height", 320))
    layout = {**figure.layout, "template": {}}
    return pn.pane.Plotly({"data": figure.data, "layout": layout}, height=height,
                          sizing_mode="stretch_width",
                          config={"displaylogo": False, "responsive": True},
                          css_classes=["chart", figure.id])


def section_view(section: Section) -> list[Any]:
    """A section: its text, cards and tables as the report lays them out, then its charts."""
    text = dataclasses.replace(section, figures=())
    parts: list[Any] = [html_pane(str(_macros().section(text)), css_classes=[section.id])]
    parts += [figure_pane(f) for f in section.figures]
    return parts


def header_html(page: Page) -> str:
    lines = [f"<header><h1>{html.escape(page.heading)}</h1>"]
    if page.description:
        lines.append(f'<p class="description">{html.escape(page.description)}</p>')
    lines += [f'<p class="meta">{html.escape(line)}</p>' for line in page.meta]
    lines.append("</header>")
    return "".join(lines)


def warnings_html(warnings: Sequence[str]) -> str:
    """The run's warnings, first, as the report shows them."""
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
    return (f'<section class="warnings" id="warnings"><h2>Read with care</h2>'
            f"<p>These figures rest on too few synthetic persons:</p><ul>{items}</ul>"
            "</section>")


#: what a run shows first: what its report leads with (who was wronged, the chain of harm of
#: each control measure, the integration), its daily charts, its schedule and each measure's
#: section; the rest of the report (disparity, overlap, each system, grades, events,
#: restrictions) is one click away
FIRST = ("who-was-wronged", "control-measures", "integration", "over-time", "schedule")


def shown_first(section: Section) -> bool:
    return section.id in FIRST or section.id.startswith("measure-")


def page_view(page: Page, more: bool = False) -> list[Any]:
    """A page's header, warnings and sections; with ``more``, the sections a run shows first
    (:data:`FIRST`), then the rest of the report in a card whose panes are made when it is
    first opened."""
    parts: list[Any] = [html_pane(header_html(page), css_classes=["page-header"])]
    if page.warnings:
        parts.append(html_pane(warnings_html(page.warnings), css_classes=["run-warnings"]))
    first = [s for s in page.sections if not more or shown_first(s)]
    rest = [s for s in page.sections if more and not shown_first(s)]
    for section in first:
        parts += section_view(section)
    if rest:
        parts.append(rest_card(rest))
    return parts


def rest_card(sections: Sequence[Section]) -> pn.Card:
    """The rest of a run's report, made when first opened."""
    titles = ", ".join(s.title for s in sections)
    card = pn.Card(title=f"More of the report: {titles}", collapsed=True,
                   sizing_mode="stretch_width", css_classes=["more-of-report"])

    def opened(event: Any) -> None:
        if not event.new and not card.objects:
            card.objects = [part for s in sections for part in section_view(s)]

    card.param.watch(opened, "collapsed")
    return card


__all__ = ["figure_pane", "html_pane", "page_view", "section_view", "table_html"]
