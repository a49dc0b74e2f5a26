"""The explorer: one page to choose a scenario, run it in the background, see its report,
compare two runs and download one. One :class:`Explorer` per browser session (Panel calls
:func:`app` for each), so a session sees only its own runs.

Everything the page computes comes from the rest of scorelab: the scenario from
:mod:`scorelab.app.choose` (the loader's validation and located errors), the run from the
engine in a worker process (:mod:`scorelab.app.jobs`), what a run shows from the report's view
model and figures, a comparison from the report's comparison page, a download from the files
``scorelab run`` writes.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import panel as pn

from ..experiments.compare import Run as FolderRun
from ..experiments.compare import check_comparable
from ..report.compare import build_comparison
from ..report.numbers import format_count
from ..scenario import Scenario, ScenarioError, load_scenario, preset_description, preset_names
from .choose import (
    MAX_DAYS,
    MAX_PERSONS,
    MAX_REPLICATES,
    MAX_SEED,
    MIN_DAYS,
    MIN_PERSONS,
    MIN_REPLICATES,
    Choice,
    ChoiceError,
    Located,
    check_fits,
    fit,
    resolve,
)
from .jobs import MAX_RUNNING, Job, running
from .knobs import Slider, as_value, sliders
from .markup import CSS, escape, run_heading, runs_table, slider_label, slider_note
from .runs import Run, Runs
from .views import html_pane, page_view

#: how often the page looks at a running job and at controls waiting to be checked (ms)
TICK_MS = 150
#: controls are checked once they have been still this long (s): not at every key press
SETTLE_SECONDS = 0.25
DEFAULT_PERSONS = 100_000
SIDEBAR_WIDTH = 440
BOX_HINT = """\
# Any other parameter, as in a scenario file, over the preset; for example:
# systems:
#   court-list:
#     exit: {min_days: 30}
"""


class Explorer:
    """The explorer of one session (see the module docstring)."""

    def __init__(self, preset: str = "china-2022") -> None:
        self.runs = Runs()
        self.job: Job | None = None
        self.job_choice: Choice | None = None
        self.knobs: dict[str, int | float] = {}
        self.slider_widgets: dict[str, pn.widgets.DiscreteSlider] = {}
        self._checked: tuple[tuple[Any, ...], Scenario | ChoiceError] | None = None
        self._changed_at: float | None = None
        self._callback: Any = None
        self._closed = False
        self._quiet = False

        names = preset_names()
        start = load_scenario(preset=preset)
        self.preset = pn.widgets.Select(label="Preset", options=names, value=preset,
                                        css_classes=["preset"], sizing_mode="stretch_width")
        self.description = pn.pane.Markdown(preset_description(preset),
                                            css_classes=["preset-description"],
                                            sizing_mode="stretch_width")
        self.persons = pn.widgets.IntInput(
            label=f"Persons ({format_count(MIN_PERSONS)} to {format_count(MAX_PERSONS)})",
            value=DEFAULT_PERSONS, start=MIN_PERSONS, end=MAX_PERSONS, step=10_000,
            css_classes=["persons"], sizing_mode="stretch_width")
        self.days = pn.widgets.IntInput(label=f"Days ({MIN_DAYS} to {format_count(MAX_DAYS)})",
                                        value=min(start.days, MAX_DAYS), start=MIN_DAYS,
                                        end=MAX_DAYS, css_classes=["days"],
                                        sizing_mode="stretch_width")
        self.seed = pn.widgets.IntInput(label="Seed", value=start.population.seed, start=0,
                                        end=MAX_SEED, css_classes=["seed"],
                                        sizing_mode="stretch_width")
        self.replicates = pn.widgets.IntInput(
            label=f"Replicates ({MIN_REPLICATES} to {MAX_REPLICATES})", value=1,
            start=MIN_REPLICATES, end=MAX_REPLICATES, css_classes=["replicates"],
            sizing_mode="stretch_width")
        self.box = pn.widgets.CodeEditor(value=BOX_HINT, language="yaml", height=170,
                                         sizing_mode="stretch_width", css_classes=["yaml-box"],
                                         theme="chrome")
        self.problems = pn.pane.HTML("", css_classes=["problems-pane"],
                                     sizing_mode="stretch_width", stylesheets=[CSS])
        self.ready = pn.pane.HTML("", css_classes=["ready"], sizing_mode="stretch_width",
                                  stylesheets=[CSS])
        self.run_button = pn.widgets.Button(label="Run", color="primary",
                                            css_classes=["run-button"], width=120)
        self.cancel_button = pn.widgets.Button(label="Cancel", color="default",
                                               disabled=True, css_classes=["cancel-button"],
                                               width=120)
        self.reset_button = pn.widgets.Button(label="Preset's values", css_classes=["reset"],
                                              width=140)
        self.progress = pn.indicators.Progress(value=0, max=1000, visible=False,
                                               sizing_mode="stretch_width",
                                               css_classes=["run-progress"])
        self.status = pn.pane.HTML("", css_classes=["status"], sizing_mode="stretch_width",
                                   stylesheets=[CSS])
        self.knob_column = pn.Column(sizing_mode="stretch_width", css_classes=["knobs"])

        self.result_select = pn.widgets.Select(label="Run", options={}, css_classes=["shown-run"],
                                               width=360)
        self.result_view = pn.Column(sizing_mode="stretch_width", css_classes=["results"])
        self.compare_a = pn.widgets.Select(label="First run", options={},
                                           css_classes=["compare-a"], width=300)
        self.compare_b = pn.widgets.Select(label="Second run", options={},
                                           css_classes=["compare-b"], width=300)
        self.compare_view = pn.Column(sizing_mode="stretch_width", css_classes=["compare"])
        self.runs_table = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["runs"],
                                       stylesheets=[CSS])
        self.tabs = pn.Tabs(
            ("Results", pn.Column(self.result_select, self.result_view,
                                  sizing_mode="stretch_width")),
            ("Compare", pn.Column(pn.Row(self.compare_a, self.compare_b), self.compare_view,
                                  sizing_mode="stretch_width")),
            ("Runs", self.runs_table), dynamic=True, sizing_mode="stretch_width",
            css_classes=["main-tabs"])

        self.preset.param.watch(self._preset_changed, "value")
        for widget in (self.persons, self.days, self.seed, self.replicates):
            widget.param.watch(self._changed, "value")
        self.box.param.watch(self._changed, "value_input")
        self.run_button.on_click(self._run)
        self.cancel_button.on_click(self._cancel)
        self.reset_button.on_click(self._reset)
        self.result_select.param.watch(self._show_selected, "value")
        for select in (self.compare_a, self.compare_b):
            select.param.watch(self._compare_chosen, "value")
        self.tabs.param.watch(self._compare_chosen, "active")
        self._build_knobs(preset)
        self._show_nothing_yet()
        self.check()

    # --- layout ---------------------------------------------------------------------------

    def view(self) -> pn.viewable.Viewable:
        """The whole page."""
        side = pn.Column(
            pn.pane.HTML("<h2 style='margin:0'>scorelab explorer</h2><p class='muted'>Every "
                         "person is synthetic. Choose a scenario, move an assumption, run, "
                         "see who is wronged.</p>", stylesheets=[CSS]),
            self.preset, self.description,
            pn.Row(self.persons, self.days, sizing_mode="stretch_width"),
            pn.Row(self.seed, self.replicates, sizing_mode="stretch_width"),
            pn.Row(self.run_button, self.cancel_button, self.reset_button),
            self.progress, self.status, self.ready,
            pn.pane.HTML("<h3 style='margin:8px 0 0'>Assumptions</h3><p class='muted'>The "
                         "parameters docs/sources.md rates an assumption or uncertain, each "
                         "with its range, source and confidence.</p>", stylesheets=[CSS]),
            self.knob_column,
            pn.pane.HTML("<h3 style='margin:8px 0 0'>Any other parameter</h3>",
                         stylesheets=[CSS]),
            self.box, self.problems,
            width=SIDEBAR_WIDTH, scroll=True, height_policy="max", css_classes=["sidebar"])
        return pn.Row(side, self.tabs, sizing_mode="stretch_both", css_classes=["explorer"])

    def _build_knobs(self, preset: str) -> None:
        """One slider per parameter of the preset rated an assumption or uncertain, grouped
        by what it belongs to, with its range, source and confidence beside it."""
        self.knobs = {}
        self.slider_widgets = {}
        groups: dict[str, list[Slider]] = {}
        for slider in sliders(preset):
            groups.setdefault(slider.group, []).append(slider)
        cards: list[Any] = []
        for group, members in groups.items():
            # a group's sliders are made when it is first opened: a preset has dozens, and
            # the page shows the control measures' open
            card = pn.Card(title=group, collapsed=not group.startswith("measures "),
                           sizing_mode="stretch_width",
                           css_classes=["knob-group", group.replace(" ", "-")])
            if not card.collapsed:
                card.objects = self._slider_items(members)
            else:
                card.param.watch(self._opener(card, members), "collapsed")
            cards.append(card)
        self.knob_column.objects = cards or [pn.pane.HTML(
            "<p class='muted'>This preset has no parameter rated an assumption or uncertain "
            "that a slider can set.</p>", stylesheets=[CSS])]

    def _slider_items(self, members: list[Slider]) -> list[Any]:
        return [item for slider in members
                for item in (self._slider_knob(slider), self._slider_note(slider))]

    def _opener(self, card: pn.Card, members: list[Slider]) -> Callable[[Any], None]:
        def opened(event: Any) -> None:
            if not event.new and not card.objects:
                card.objects = self._slider_items(members)
        return opened

    def _slider_knob(self, slider: Slider) -> pn.Column:
        """A slider and its label. The label is the session's (set here as the value arrives):
        Panel's own label is also set in the page at each move, and under load a late update
        from the server could overwrite a newer one there and stay, showing a value the runs
        do not use."""
        options = {f"{value:g}": (int(value) if slider.whole else value)
                   for value in slider.options()}
        start = int(slider.value) if slider.whole else slider.value
        widget = pn.widgets.DiscreteSlider(options=options, value=start, show_value=False,
                                           sizing_mode="stretch_width")
        label = pn.pane.HTML(slider_label(slider, f"{start:g}"), stylesheets=[CSS],
                             sizing_mode="stretch_width", margin=(5, 10, 0, 10),
                             css_classes=["knob-label"])

        def moved(event: Any, slider: Slider = slider) -> None:
            label.object = slider_label(slider, f"{event.new:g}")
            value = as_value(slider, event.new)
            if value == as_value(slider, slider.value):
                self.knobs.pop(slider.path, None)
            else:
                self.knobs[slider.path] = value
            self._changed()

        widget.param.watch(moved, "value")
        self.slider_widgets[slider.path] = widget
        return pn.Column(label, widget, sizing_mode="stretch_width",
                         css_classes=["knob", "knob-" + slider.path.replace(".", "-")])

    def _slider_note(self, slider: Slider) -> pn.pane.HTML:
        return pn.pane.HTML(slider_note(slider), stylesheets=[CSS],
                            sizing_mode="stretch_width", css_classes=["knob-note"])

    # --- choosing -------------------------------------------------------------------------

    def choice(self) -> Choice:
        """What the controls say now."""
        return Choice(str(self.preset.value), _whole(self.persons.value),
                      _whole(self.days.value), _whole(self.seed.value),
                      _whole(self.replicates.value), dict(self.knobs), str(self.box.value_input
                                                                            or ""))

    def _preset_changed(self, event: Any) -> None:
        preset = str(event.new)
        self.description.object = preset_description(preset)
        scenario = load_scenario(preset=preset)
        self.days.value = min(scenario.days, MAX_DAYS)
        self.seed.value = scenario.population.seed
        self._build_knobs(preset)
        self._changed()

    def _reset(self, _event: Any = None) -> None:
        """Every slider back to the preset's value, and the box to its hint."""
        for slider in sliders(str(self.preset.value)):
            widget = self.slider_widgets.get(slider.path)
            if widget is not None:
                widget.value = int(slider.value) if slider.whole else slider.value
        self.knobs = {}
        self.box.value = BOX_HINT
        self.box.value_input = BOX_HINT
        self._changed()

    def _changed(self, _event: Any = None) -> None:
        """A control moved: check the controls once they settle (see :meth:`tick`)."""
        self._changed_at = time.monotonic()

    def _resolve(self, choice: Choice) -> Scenario:
        """The choice's scenario, reusing the last check of the same choice."""
        key = choice.key()
        if self._checked is None or self._checked[0] != key:
            try:
                found: Scenario | ChoiceError = resolve(choice)
            except ChoiceError as exc:
                found = exc
            self._checked = (key, found)
        found = self._checked[1]
        if isinstance(found, ChoiceError):
            raise found
        return found

    def check(self) -> Scenario | None:
        """Check the controls now and show the outcome: ready with the memory estimate, or
        every problem (those of the box also at their lines in the box)."""
        self._changed_at = None
        choice = self.choice()
        try:
            scenario = self._resolve(choice)
        except ChoiceError as exc:
            self._show_problems(exc.problems, ready=False)
            return None
        need = fit(scenario)
        self._show_problems([], ready=True)
        size = (f"{format_count(scenario.population.persons)} persons \u00d7 "
                f"{format_count(scenario.days)} days")
        if scenario.warmup_days:
            size += f" (after {format_count(scenario.warmup_days)} warm-up days)"
        fits = need.need <= need.have
        self.ready.object = (f"<p class='muted'>{'Ready' if fits else 'Too large'}: "
                             f"{escape(scenario.name)}, {size}; {escape(need.text())}."
                             "</p>")
        return scenario

    def _show_problems(self, problems: list[Located], ready: bool) -> None:
        self.box.annotations = [
            {"row": p.line - 1, "column": max((p.column or 1) - 1, 0), "text": p.text,
             "type": "error"} for p in problems if p.line is not None]
        if problems:
            items = "".join(f"<li>{escape(p.text)}</li>" for p in problems)
            self.problems.object = f"<ul class='problems'>{items}</ul>"
            self.ready.object = ("<p class='problems'>Nothing runs until the problems below "
                                 "are fixed.</p>")
        else:
            self.problems.object = ""

    # --- running --------------------------------------------------------------------------

    def _run(self, _event: Any = None) -> None:
        """Start a run of the controls' scenario in the background (one at a time)."""
        if self.job is not None:
            return
        choice = self.choice()
        try:
            scenario = self._resolve(choice)
            check_fits(scenario)
        except ChoiceError as exc:
            self.check()
            self._show_problems(exc.problems, ready=False)
            self._say("Not run: " + " ".join(p.text for p in exc.problems), "error")
            return
        if running() >= MAX_RUNNING:
            self._say(f"{MAX_RUNNING} runs are going on this machine already; run again "
                      "when one has finished.", "error")
            return
        self.job, self.job_choice = Job(scenario, choice.replicates), choice
        self.run_button.disabled = True
        self.cancel_button.disabled = False
        self.progress.value = -1
        self.progress.visible = True
        self._say(f"Running {escape(scenario.name)}\u2026", "info")

    def _cancel(self, _event: Any = None) -> None:
        if self.job is not None:
            self.job.cancel()
            self._finish()

    def tick(self) -> None:
        """Follow the running job; check the controls once they have settled."""
        if self._closed:
            return
        if self.job is not None:
            if self.job.poll():
                self._finish()
            elif self.job.total:
                self.progress.value = int(1000 * self.job.done / self.job.total)
                self._say(f"Running\u2026 {self.job.unit} {format_count(self.job.done)} of "
                          f"{format_count(self.job.total)}", "info")
        if self._changed_at is not None and \
                time.monotonic() - self._changed_at >= SETTLE_SECONDS:
            self.check()

    def _finish(self) -> None:
        job, choice = self.job, self.job_choice
        self.job, self.job_choice = None, None
        self.run_button.disabled = False
        self.cancel_button.disabled = True
        self.progress.visible = False
        if job is None or choice is None:
            return
        if job.result is None:
            self._say("Cancelled: nothing of the run is kept." if job.cancelled
                      else f"The run failed: {escape(job.error or '')}", "error")
            return
        run = self.runs.add(choice, job.result, job.seconds or 0.0)
        self._say(f"{escape(run.label)} finished in {run.seconds:.1f} s.", "done")
        self._runs_changed(run)

    def _say(self, text: str, kind: str) -> None:
        color = {"error": "#b00020", "done": "#1b5e20"}.get(kind, "#1d2330")
        self.status.object = f"<p style='color:{color};margin:4px 0' class='{kind}'>{text}</p>"

    # --- seeing ---------------------------------------------------------------------------

    def _show_nothing_yet(self) -> None:
        self.result_view.objects = [pn.pane.HTML(
            "<p class='muted'>No run yet in this session. Choose a preset and press Run; "
            "the results show here, as the report shows them.</p>", stylesheets=[CSS])]
        self.compare_view.objects = [pn.pane.HTML(
            "<p class='muted'>Two runs of this session side by side, once there are two."
            "</p>", stylesheets=[CSS])]
        self.runs_table.object = "<p class='muted'>No run yet.</p>"

    def _runs_changed(self, latest: Run) -> None:
        options = {r.label: r.number for r in self.runs.runs}
        self._quiet = True  # the selects follow; each view is made once, below
        try:
            self.result_select.options = options
            self.result_select.value = latest.number
            for select in (self.compare_a, self.compare_b):
                select.options = options
            if len(self.runs) >= 2:
                self.compare_a.value = self.runs.runs[-2].number
                self.compare_b.value = latest.number
        finally:
            self._quiet = False
        self._show_run(latest)
        self._show_runs_table()
        self._show_comparison()

    def _show_selected(self, event: Any) -> None:
        if self._quiet:
            return
        run = self.runs.get(event.new)
        if run is not None:
            self._show_run(run)

    def _show_run(self, run: Run) -> None:
        """The run's report: the same sections and figures, with its warnings first."""
        download = pn.widgets.FileDownload(
            callback=_zip_of(run), filename=f"{run.folder}.zip",
            label=f"Download {run.label} (zip)", color="success",
            css_classes=["download"], width=320)
        self.result_view.objects = [html_pane(run_heading(run), css_classes=["run-head"]),
                                    download, *page_view(run.page, more=True)]

    def _compare_chosen(self, _event: Any) -> None:
        if not self._quiet:
            self._show_comparison()

    def _show_comparison(self) -> None:
        """The two chosen runs side by side, from the report's comparison page (only while
        the Compare tab is shown)."""
        if self.tabs.active != 1 or len(self.runs) < 2:
            return
        a, b = self.runs.get(self.compare_a.value), self.runs.get(self.compare_b.value)
        if a is None or b is None:
            return
        if a is b:
            self.compare_view.objects = [pn.pane.HTML(
                "<p class='muted'>Choose two different runs.</p>", stylesheets=[CSS])]
            return
        pair = [(r.label, r.result.summary, r.result.daily) for r in (a, b)]
        try:
            check_comparable([FolderRun(label, Path(label), summary, daily)
                              for label, summary, daily in pair])
        except ScenarioError as exc:
            self.compare_view.objects = [pn.pane.HTML(
                f"<p class='problems'>{escape(str(exc))}</p>", stylesheets=[CSS])]
            return
        self.compare_view.objects = page_view(build_comparison(pair))

    def _show_runs_table(self) -> None:
        self.runs_table.object = runs_table(self.runs.runs)

    # --- the session's end ------------------------------------------------------------------

    def start(self) -> None:
        """Follow jobs and checks from now on (in a served session or a notebook)."""
        if self._callback is None:
            self._callback = pn.state.add_periodic_callback(self.tick, period=TICK_MS)

    def close(self, *_args: Any) -> None:
        """The session ended: stop its run, if any."""
        self._closed = True
        if self.job is not None:
            self.job.cancel()
            self.job = None
        if self._callback is not None:
            self._callback.stop()
            self._callback = None


def _zip_of(run: Run) -> Callable[[], io.BytesIO]:
    return lambda: io.BytesIO(run.zip_bytes())


def _whole(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


def app() -> pn.viewable.Viewable:
    """A new explorer for one session: its page, following its jobs until the session
    ends."""
    explorer = Explorer()
    explorer.start()
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        pn.state.on_session_destroyed(explorer.close)
    return explorer.view()


__all__ = ["Explorer", "app"]
