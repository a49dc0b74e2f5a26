"""The explorer's own bits of HTML, beside the report's sections (``views``): a slider's
label and note (its preset value, range and source), a run's heading (what it was, what
changed from the preset, how to repeat it) and the table of the session's runs. The numbers
are the sliders' and runs' own; nothing here computes one."""

from __future__ import annotations

import html
from collections.abc import Sequence

from .knobs import Slider
from .runs import Run

#: the style of these bits (and of the explorer's own notes), given to the page's extension
CSS = """
.slider-label { font-size: 14px; white-space: nowrap; }
.slider-note { font-size: 12px; color: #4d5566; margin: -6px 0 8px 10px; line-height: 1.35; }
.slider-note .tag { display: inline-block; padding: 0 6px; border-radius: 8px;
  background: #fff3cd; color: #6b4e00; font-weight: 600; }
.problems { color: #b00020; font-size: 13px; margin: 4px 0; padding-left: 18px; }
.problems li { margin: 2px 0; }
.muted { color: #4d5566; font-size: 13px; }
"""


def escape(text: str) -> str:
    """Text as HTML (quotes left as they are: it goes between tags)."""
    return html.escape(text, quote=False)


def slider_label(slider: Slider, shown: str) -> str:
    """A slider's name and the value the session holds for it (as its option reads)."""
    return f"<div class='slider-label'>{escape(slider.path)}: <b>{escape(shown)}</b></div>"


def slider_note(slider: Slider) -> str:
    """Where a slider's assumption comes from: its tag, preset value and range, and its row
    of docs/sources.md."""
    row = slider.row
    source = row.source or "no source given"
    return (f"<div class='slider-note'><span class='tag'>{escape(slider.tag)}</span> preset "
            f"value {slider.value:g}; {escape(slider.span.text())}: {slider.low:g} to "
            f"{slider.high:g}.<br>docs/sources.md, {escape(row.section)}: "
            f"<i>{escape(row.key)}</i> = {escape(row.value)}. Source: {escape(source)}</div>")


def run_heading(run: Run) -> str:
    """A run's label, size and time, what changed from its preset, and the command that
    repeats it to the same bytes."""
    changes = run.changes()
    changed = escape("; ".join(changes)) if changes else "nothing"
    return "".join([
        (f"<p><b>{escape(run.label)}</b>: {escape(run.describe())}; ran in "
         f"{run.seconds:.1f} s.</p>"),
        f"<p class='muted'>Changed from the preset: {changed}.</p>",
        ("<p class='muted'>The download holds the run's folder (summary.json, "
         "daily.parquet, report.html, scenario.yaml); to repeat the run, to the same "
         f"bytes: <code>{escape(run.command())}</code></p>")])


def runs_table(runs: Sequence[Run]) -> str:
    """Every run of the session: label, size, what changed, time."""
    rows = "".join(
        f"<tr><td>{escape(r.label)}</td><td>{escape(r.describe())}</td>"
        f"<td>{escape('; '.join(r.changes()) or 'preset values')}</td>"
        f"<td class='num'>{r.seconds:.1f} s</td></tr>" for r in runs)
    return ("<p class='muted'>Every run of this session (only this browser session sees "
            "them; they are gone when it closes).</p><table><thead><tr><th>run</th>"
            "<th>size</th><th>changed</th><th>time</th></tr></thead><tbody>"
            f"{rows}</tbody></table>")
