"""Static figures: any chart of a report, a sweep page or a sensitivity page as a PNG, SVG or
PDF file for a paper, with a title, axis labels with units, and a caption line naming the
scenario, the seed and the version of scorelab.

The charts are the pages' own plotly specifications (:mod:`scorelab.report.figures`), so a
file shows what the page shows. Kaleido draws them with the plotly.js bundle the report ships
(``static/plotly-basic.min.js``) in a headless Chromium it finds on the machine (Debian's
``chromium``, Chrome, or one named by ``BROWSER_PATH``): nothing is downloaded, MathJax is
off. Why kaleido and not matplotlib is in docs/architecture.md.

>>> import scorelab
>>> result = scorelab.run(preset="china-2022", persons=2000, days=5)
>>> [chart.name for chart in run_charts(result.summary, result.daily)][:2]
['daily-sanctioned', 'provinces']
"""

from __future__ import annotations

import copy
import json
import math
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import polars as pl

from ..core.version import __version__
from ..ledger.summary import Summary
from ..scenario.errors import Problem, ScenarioError
from .figures import FONT, Figure

FORMATS = ("png", "svg", "pdf")
#: the width of a file in CSS pixels (a PNG is drawn at twice this, for print)
WIDTH = 900
PREFIX = "scorelab-"

#: titles of axes that the pages leave to their tick labels (categories), by chart
CATEGORY_AXES: dict[str, dict[str, str]] = {
    "provinces": {"xaxis": "province"},
    "grades": {"xaxis": "system and grade"},
    "events": {"yaxis": "truth event"},
    "measures-flagged": {"yaxis": "measure"},
}


@dataclass(frozen=True)
class Chart:
    """One chart ready for a file: its name (the page's element id without the prefix), its
    title (the section it belongs to), the page's figure, what the page says under it, and the
    provenance line (scenario, seed, version)."""

    name: str
    title: str
    figure: Figure
    note: str
    provenance: str

    def spec(self, width: int = WIDTH) -> dict[str, Any]:
        """The plotly figure of the file: the page's chart at a fixed size, titled, its axes
        named, the note and the provenance under it."""
        layout = copy.deepcopy(self.figure.layout)
        data = copy.deepcopy(self.figure.data)
        for axis, text in CATEGORY_AXES.get(self.name, {}).items():
            layout.setdefault(axis, {}).setdefault("title", {"text": text})
        columns = int(width / 7.2)  # characters of an 11 px line across the file
        lines = [*(textwrap.wrap(self.note, columns) if self.note else []),
                 *textwrap.wrap(self.provenance, columns)]
        margin = dict(layout.get("margin") or {})
        # below the plot: tick labels and the x axis's title, then the caption
        bottom = max(int(margin.get("b", 50)), _below_plot(layout, data, width))
        legend_shown = layout.get("showlegend", True) and sum(
            1 for trace in data if trace.get("showlegend", True)) > 1
        margin.update({"t": 90 if legend_shown else 60, "b": bottom + 16 * len(lines) + 12,
                       "l": max(70, margin.get("l", 60)), "r": max(30, margin.get("r", 20))})
        height = int(layout.get("height", 320)) + 90 + 16 * len(lines)
        legend = dict(layout.get("legend") or {})
        if legend.get("orientation") == "h":  # above the plot, under the title
            legend.update({"y": 1.02, "yanchor": "bottom"})
        caption = {"text": "<br>".join(_escape(line) for line in lines), "xref": "paper",
                   "yref": "paper", "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
                   "yshift": -bottom, "showarrow": False, "align": "left",
                   "font": {"family": FONT, "size": 11, "color": "#4a5263"}}
        layout.update({
            "width": width, "height": height, "autosize": False, "margin": margin,
            "legend": legend,
            "title": {"text": _escape(self.title), "x": 0, "xref": "paper", "y": 0.98,
                      "yref": "container", "yanchor": "top",
                      "font": {"family": FONT, "size": 17, "color": "#1d2330"}},
            "annotations": [*(layout.get("annotations") or []), caption]})
        return {"data": data, "layout": layout}

    def responsive(self, width: int = 640) -> dict[str, Any]:
        """The same figure for a notebook or a page: its caption wrapped for ``width`` pixels,
        its width left to the space it is shown in."""
        spec = self.spec(width)
        del spec["layout"]["width"]
        spec["layout"]["autosize"] = True
        return spec


#: the width of a character of the pages' 13 px font, in pixels (a generous mean)
CHAR = 7.5


def _below_plot(layout: dict[str, Any], data: list[dict[str, Any]], width: int) -> int:
    """Pixels the x axis takes under the plot (tick labels, then its title), estimated from
    its labels so the caption goes below them: plotly places an annotation against the plot,
    not against the axis's labels, which may be long, slanted or stacked."""
    axis = layout.get("xaxis") or {}
    labels: list[str] = []
    stacked = False
    for trace in data:
        x = trace.get("x") or []
        if x and isinstance(x[0], list):  # a multi-category axis: the last level is on top
            stacked = True
            labels += [str(v) for v in x[-1]]
        elif trace.get("orientation") != "h":
            labels += [str(v) for v in x if isinstance(v, str)]
    longest = max((len(v) for v in labels), default=4) * CHAR
    room = (width - 110) / max(1, len(set(labels)))  # per label, across the plot
    if "tickangle" in axis:
        ticks = abs(math.sin(math.radians(float(axis["tickangle"])))) * longest + 20
    elif labels and longest > room:  # plotly turns crowded labels upright
        ticks = longest + 10
    else:
        ticks = 25
    titled = bool(axis.get("title", {}).get("text"))
    return int(ticks + (25 if stacked else 0) + (40 if titled else 10))


def _escape(text: str) -> str:
    """Plotly's text is a small HTML subset: keep ``<`` and ``&`` literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _name(figure_id: str) -> str:
    return figure_id.removeprefix(PREFIX)


def _provenance(scenario: str, seed: str, detail: str = "") -> str:
    parts = [f"scenario {scenario}", seed, *([detail] if detail else []),
             f"scorelab {__version__}"]
    return "; ".join(parts) + "; all persons synthetic"


def run_provenance(summary: Summary) -> str:
    """A run's line: scenario, seed (or the replicates' seeds), size, version."""
    replicates = summary.replicates
    seed = (f"seed {summary.seed}" if replicates is None else
            f"{replicates.count} replicates, seeds derived from {summary.seed} "
            "(median, band where 95% of runs fall)")
    size = f"{summary.persons:,} synthetic persons x {summary.days:,} days"
    return _provenance(summary.scenario, seed, size)


def run_charts(summary: Summary, daily: pl.DataFrame | None) -> list[Chart]:
    """Every chart of a run's report, in the report's order."""
    from .view import build_page

    page = build_page(summary, daily)
    line = run_provenance(summary)
    return [Chart(_name(f.id), section.title, f, f.caption or section.lead, line)
            for section in page.sections for f in section.figures]


def sweep_charts(frame: pl.DataFrame, scenario: str) -> list[Chart]:
    """Every chart of a sweep's page (from ``sweep.parquet``)."""
    from .sweep import build_sweep

    page = build_sweep(frame, scenario)
    seed = next((m.split(" (")[0] for m in page.meta if m.startswith("seed ")), "")
    detail = page.meta[0] if page.meta else ""
    line = _provenance(scenario, f"{seed}, each run's seed derived from it", detail)
    charts = []
    for section in page.sections:
        for f in section.figures:
            x = f.layout.get("xaxis", {}).get("title", {}).get("text", "")
            title = f"{section.title} against {x}" if x else section.title
            charts.append(Chart(_name(f.id), title, f, section.lead, line))
    return charts


def sensitivity_charts(results: dict[str, Any]) -> list[Chart]:
    """Every chart of a sensitivity page (from ``sensitivity.json``)."""
    from .sensitivity import build_sensitivity

    page = build_sensitivity(results)
    seed = results.get("seed")
    line = _provenance(str(results.get("scenario", "unnamed")),
                       f"seed {seed} in every run" if seed is not None else "seed not recorded",
                       f"{results['method']}, {results['runs']:,} runs")
    return [Chart(_name(f.id), f"{results['method']} sensitivity: {section.title}", f,
                  section.lead, line) for section in page.sections for f in section.figures]


def folder_charts(folder: Path) -> list[Chart]:
    """The charts of an output folder: a run's (``summary.json`` and ``daily.parquet``), a
    sweep's (``sweep.parquet``) or a sensitivity analysis's (``sensitivity.json``)."""
    folder = Path(folder)
    if (folder / "summary.json").is_file():
        summary = Summary.model_validate_json((folder / "summary.json").read_text("utf-8"))
        daily_path = folder / "daily.parquet"
        daily = pl.read_parquet(daily_path, glob=False) if daily_path.is_file() else None
        return run_charts(summary, daily)
    if (folder / "sweep.parquet").is_file():
        table = pl.read_parquet(folder / "sweep.parquet", glob=False)
        return sweep_charts(table, _scenario_name(folder))
    if (folder / "sensitivity.json").is_file():
        results = json.loads((folder / "sensitivity.json").read_text("utf-8"))
        results.setdefault("scenario", _scenario_name(folder))
        return sensitivity_charts(results)
    raise ScenarioError(Problem(f"{folder} holds no run (summary.json), sweep (sweep.parquet) "
                                "or sensitivity analysis (sensitivity.json)", path="OUT"))


def _scenario_name(folder: Path) -> str:
    """The name in the folder's resolved ``scenario.yaml`` (the folder's name without one)."""
    path = folder / "scenario.yaml"
    if path.is_file():
        from ..scenario import load_scenario

        return load_scenario(path).name
    return folder.resolve().name


def pick(charts: Sequence[Chart], names: Iterable[str] | None) -> list[Chart]:
    """The charts named (with or without the ``scorelab-`` prefix), in the order asked; all
    of them when none is named. An unknown name is an error that lists the known ones."""
    if not names:
        return list(charts)
    by_name = {c.name: c for c in charts}
    chosen = []
    for name in names:
        found = by_name.get(_name(name))
        if found is None:
            raise ScenarioError(Problem(f"no chart {name!r} here; charts: "
                                        f"{', '.join(by_name) or 'none'}", path="--figure"))
        chosen.append(found)
    return chosen


def write_charts(charts: Sequence[Chart], folder: Path, format: str = "png",
                 width: int = WIDTH, scale: float = 2.0) -> list[Path]:
    """Write each chart to ``folder/<name>.<format>`` in one browser session; return the
    paths. ``scale`` multiplies a PNG's pixels (2: print quality at the width given)."""
    _check(format)
    folder = Path(folder)
    paths = [folder / f"{chart.name}.{format}" for chart in charts]
    _write(list(zip(charts, paths, strict=True)), format, width, scale)
    return paths


def write_chart(chart: Chart, path: Path, width: int = WIDTH, scale: float = 2.0) -> Path:
    """Write one chart to ``path``, in the format its suffix names (.png, .svg, .pdf)."""
    path = Path(path)
    format = path.suffix.lstrip(".").lower()
    _check(format)
    _write([(chart, path)], format, width, scale)
    return path


def _check(format: str) -> None:
    if format not in FORMATS:
        raise ScenarioError(Problem(f"unknown format {format!r}; formats: "
                                    f"{', '.join(FORMATS)}", path="--format"))


def _write(pairs: list[tuple[Chart, Path]], format: str, width: int, scale: float) -> None:
    jobs = []
    for chart, path in pairs:
        path.parent.mkdir(parents=True, exist_ok=True)
        spec = chart.spec(width)
        jobs.append({"fig": spec, "path": path,
                     "opts": {"format": format, "width": width,
                              "height": spec["layout"]["height"],
                              "scale": scale if format == "png" else 1}})
    if jobs:
        _kaleido(jobs)


#: set while :func:`session` holds a browser open
_SESSION: list[bool] = []


@contextmanager
def session() -> Iterator[None]:
    """Keep one headless browser open for every chart written inside (starting one takes a
    second or two; a test or a script writing many figures saves that each time)."""
    import kaleido

    with as_file(_bundle()) as plotly_js:
        kaleido.start_sync_server(plotlyjs=str(plotly_js), mathjax=False,
                                  silence_warnings=True)
        _SESSION.append(True)
        try:
            yield
        finally:
            _SESSION.pop()
            if not _SESSION:
                kaleido.stop_sync_server(silence_warnings=True)


def _bundle() -> Traversable:
    """The plotly.js the report inlines: files draw exactly what pages draw."""
    return files("scorelab.report").joinpath("static", "plotly-basic.min.js")


def _kaleido(jobs: list[dict[str, Any]]) -> None:
    import kaleido

    try:
        if _SESSION:
            kaleido.write_fig_from_object_sync(jobs, cancel_on_error=True)
            return
        with as_file(_bundle()) as plotly_js:
            kaleido.write_fig_from_object_sync(
                jobs, kopts={"plotlyjs": str(plotly_js), "mathjax": False},
                cancel_on_error=True)
    except Exception as exc:  # kaleido's errors: no browser, a browser that failed
        if "chrome" in str(exc).lower() or "browser" in str(exc).lower():
            raise ScenarioError(Problem(
                "static figures are drawn in a headless Chromium, which failed: "
                f"{str(exc).rstrip('.')}. Install chromium (apt-get install chromium) or "
                "Chrome, or point BROWSER_PATH at one", path="plot")) from None
        raise
