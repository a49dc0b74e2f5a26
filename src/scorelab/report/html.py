"""The HTML report: the view model laid out by Jinja2 templates (autoescaped), with one CSS
file and plotly's basic bundle (scatter and bar charts, about 1.1 MB) inlined so the file
opens offline, or referenced by URL to keep the file small.

The same inputs give byte-identical pages: every figure has a fixed id and the figures' JSON
is written with sorted keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..ledger.summary import Summary
from .numbers import format_count, format_estimate
from .view import Page, build_page

__all__ = ["PLOTLY_VERSION", "format_count", "format_estimate", "render_page", "render_report"]

#: the plotly.js basic bundle shipped in ``static/`` (from the npm package
#: plotly.js-basic-dist-min, MIT licence in ``static/plotly-LICENSE.txt``)
PLOTLY_VERSION = "3.7.0"


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("scorelab.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    # the figures' JSON: sorted (byte-identical pages) and compact (a smaller file)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    return env


@cache
def static(name: str) -> str:
    """A file shipped with the report package."""
    return files("scorelab.report").joinpath("static", name).read_text("utf-8")


def render_page(template: str, page: Any, plotlyjs: str = "inline") -> str:
    """Lay a view model out with a template. ``plotlyjs`` is ``"inline"`` (the bundle in the
    page: opens offline) or the URL of a copy of plotly.js to load instead."""
    from markupsafe import Markup

    figures = [f.spec() for f in page.figures]
    inline = plotlyjs == "inline"
    return environment().get_template(template).render(
        page=page, figures=figures, css=Markup(static("report.css")),
        script=Markup(static("report.js")),
        plotly_js=Markup(static("plotly-basic.min.js")) if inline and figures else "",
        plotly_src="" if inline else plotlyjs)


def render_report(summary: Summary | Mapping[str, Any], daily: pl.DataFrame | None,
                  cases: pl.DataFrame | None = None, *, plotlyjs: str = "inline") -> str:
    """One self-contained, byte-deterministic HTML page for a run, from its typed summary (or
    the same in JSON form), its daily table and its case files."""
    if not isinstance(summary, Summary):
        summary = Summary.model_validate(dict(summary))
    page: Page = build_page(summary, daily, cases)
    return render_page("report.html.j2", page, plotlyjs)
