"""The explorer's parts that need no browser and no Panel: its sliders against
docs/sources.md, the controls made into a scenario (or located problems, nothing run), runs in
worker processes (cancel included), and a run's download repeating to the same bytes."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from scorelab.app.choose import (
    BOX,
    CONTROLS,
    Choice,
    ChoiceError,
    check_fits,
    fit,
    resolve,
)
from scorelab.app.jobs import Job
from scorelab.app.knobs import KNOBS, LOW_TAGS, row_of, sliders, source_rows
from scorelab.app.runs import Runs
from scorelab.cli import main
from scorelab.engine.run import run_scenario
from scorelab.report.files import OUTPUT_FILES
from scorelab.scenario import load_scenario, preset_names

FPR = "measures.scanner.match_fpr"


def small(preset: str = "phone-scanner", **more: object) -> Choice:
    values: dict[str, object] = {"persons": 10_000, "days": 5, "seed": 7}
    values.update(more)
    return Choice(preset, **values)  # type: ignore[arg-type]


# --- the sliders ------------------------------------------------------------------------


def test_every_knob_rests_on_a_row_of_the_sources_rated_assumption_or_uncertain() -> None:
    assert source_rows(), "the report's copy of docs/sources.md has rows"
    for knob in KNOBS:
        row = row_of(knob)
        assert row is not None, f"{knob.pattern}: no row {knob.row!r} in {knob.section}"
        assert any(tag in row.tag for tag in LOW_TAGS), f"{knob.pattern}: rated {row.tag}"


def test_the_report_ships_the_sources_the_sliders_cite() -> None:
    docs = Path(__file__).parents[2] / "docs" / "sources.md"
    shipped = Path(__file__).parents[2] / "src" / "scorelab" / "report" / "static" / "sources.md"
    assert docs.read_text("utf-8") == shipped.read_text("utf-8")


@pytest.mark.parametrize("preset", preset_names())
def test_each_preset_has_sliders_bounded_around_its_own_values(preset: str) -> None:
    found = sliders(preset)
    assert found, preset
    scenario = load_scenario(preset=preset)
    scheduled = {step.set for step in scenario.schedule}
    for slider in found:
        assert slider.low < slider.high, slider.path
        assert slider.low <= slider.value <= slider.high, slider.path
        options = slider.options()
        assert options[0] == slider.low and options[-1] == slider.high, slider.path
        assert slider.value in options and len(options) <= 40, slider.path
        if slider.whole:
            assert all(v == int(v) for v in options), slider.path
        assert slider.path not in scheduled, "a scheduled parameter has no slider"


def test_every_knob_gives_some_preset_a_slider() -> None:
    every = [s.path.split(".") for p in preset_names() for s in sliders(p)]
    for knob in KNOBS:
        parts = knob.pattern.split(".")
        assert any(len(path) == len(parts) and all(
            a in ("*", b) for a, b in zip(parts, path, strict=True)) for path in every), \
            knob.pattern


def test_a_range_says_whose_it_is() -> None:
    fpr = next(s for s in sliders("phone-scanner") if s.path == FPR)
    assert (fpr.low, fpr.value, fpr.high) == (0.0001, 0.001, 0.01)
    assert "explorer's range" in fpr.span.text() and "factor of 10" in fpr.span.text()
    assert "assumption" in fpr.tag and "Blockhash" in fpr.row.source
    apps = next(s for s in sliders("checkpoints-2022") if s.path.endswith("app_prevalence"))
    assert (apps.low, apps.high) == (0.03, 0.3)
    assert apps.span.text().startswith("range from docs/sources.md")
    # hash-threshold's false-match rate is Apple's published figure (rated high): no slider
    assert FPR not in {s.path for s in sliders("hash-threshold")}
    # plan-2014's coverages follow its schedule: no slider would hold
    assert not [s for s in sliders("plan-2014") if ".rules." in s.path and s.path.endswith(
        ".coverage")]


# --- choosing ---------------------------------------------------------------------------


def test_moved_sliders_and_the_box_make_the_scenario() -> None:
    scenario = resolve(small(knobs={FPR: 0.0005}, text="measures:\n  scanner:\n"
                                                        "    review: {latency: 2}\n"))
    assert scenario.measures["scanner"].match_fpr == 0.0005
    assert scenario.measures["scanner"].review.latency == 2
    assert (scenario.population.persons, scenario.days, scenario.population.seed) == \
        (10_000, 5, 7)
    # a box of comments only is the preset
    assert resolve(small(text="# nothing\n")) == resolve(small())


@pytest.mark.parametrize(("more", "says"), [
    ({"persons": 9_999}, "persons: must be a whole number from 10,000 to 2,000,000"),
    ({"persons": 2_000_001}, "persons"),
    ({"days": 0}, "days: must be a whole number from 1 to 3,650"),
    ({"replicates": 11}, "replicates: must be a whole number from 1 to 10"),
    ({"knobs": {FPR: 0.5}}, f"{FPR}: must be from 0.0001 to 0.01"),
    ({"knobs": {"population.persons": 3}}, "not a slider of phone-scanner"),
])
def test_controls_out_of_bounds_are_refused(more: dict[str, object], says: str) -> None:
    with pytest.raises(ChoiceError) as caught:
        resolve(small(**more))
    assert says in str(caught.value)
    assert str(caught.value).startswith(CONTROLS)


@pytest.mark.parametrize(("text", "line", "column", "says"), [
    ("protests:\n  size_median: -5\n", 2, 16, "protests.size_median: input should be "),
    ("days: 3\n", 1, 1, "days: set by its control above"),
    (f"measures:\n  scanner:\n    {FPR.rsplit('.', 1)[1]}: 0.5\n", 3, 5,
     f"{FPR}: set by its control above"),
    ("extends: china-2022\n", 1, 1, "extends: choose the preset above"),
    ("population:\n  regions: /etc/passwd.csv\n", 2, 3, "the explorer reads no files"),
    ("protests: [1, 2\n", 2, 1, "malformed YAML"),
    ("- a list\n", 1, 1, "a scenario must be a mapping"),
    ("popluation: {}\n", 1, 1, "unknown key 'popluation' (did you mean 'population'?)"),
])
def test_a_bad_box_is_refused_at_its_line(text: str, line: int, column: int, says: str
                                          ) -> None:
    with pytest.raises(ChoiceError) as caught:
        resolve(small(text=text))
    first = caught.value.problems[0]
    assert (first.line, first.column) == (line, column), first
    assert first.text.startswith(f"{BOX}:{line}:{column}:"), first.text
    assert says in first.text


def test_a_box_of_aliases_is_checked_without_expanding_them() -> None:
    bomb = "a: &a {x: 1, y: 1}\n" + "".join(
        f"l{i}: &l{i} {{p: *{'a' if i == 0 else f'l{i - 1}'}, q: *{'a' if i == 0 else f'l{i - 1}'}}}\n"
        for i in range(40))
    start = time.perf_counter()
    with pytest.raises(ChoiceError):
        resolve(small(text=bomb))
    assert time.perf_counter() - start < 5


def test_a_run_that_would_not_fit_is_refused_with_the_estimate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = resolve(small())
    check_fits(scenario)  # fits this machine
    monkeypatch.setattr("scorelab.engine.run.available_bytes", lambda: 2**20)
    monkeypatch.setattr("scorelab.app.choose.available_bytes", lambda: 2**20)
    with pytest.raises(ChoiceError) as caught:
        check_fits(scenario)
    assert "needs about" in str(caught.value) and "available" in str(caught.value)
    assert "MiB of memory" in fit(scenario).text()


# --- running ----------------------------------------------------------------------------


def wait(job: Job, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while not job.poll():
        assert time.monotonic() < end, "the run did not finish"
        job.wait(0.05)


def test_a_run_in_a_worker_gives_the_engines_result() -> None:
    scenario = resolve(small(persons=10_000, days=10))
    job = Job(scenario)
    wait(job)
    assert job.error is None and job.result is not None
    assert (job.done, job.total) == (10, 10)
    direct = run_scenario(scenario)
    assert job.result.summary.to_json() == direct.summary.to_json()
    assert not job.process.is_alive()


def test_a_cancelled_run_stops_at_once_and_keeps_nothing() -> None:
    job = Job(resolve(small(persons=500_000, days=365)))
    end = time.monotonic() + 60
    while not job.total and time.monotonic() < end:  # running: it has reported a day
        job.poll()
        job.wait(0.05)
    start = time.perf_counter()
    job.cancel()
    assert time.perf_counter() - start < 2
    assert job.cancelled and job.result is None and job.error == "cancelled"
    assert not job.process.is_alive()


def test_replicated_runs_report_progress_by_run() -> None:
    job = Job(resolve(small(persons=10_000, days=3)), replicates=2)
    wait(job)
    assert job.result is not None and job.unit == "run" and (job.done, job.total) == (2, 2)
    assert job.result.summary.replicates is not None


# --- keeping ----------------------------------------------------------------------------


@pytest.mark.parametrize("replicates", [1, 2])
def test_a_downloaded_run_repeats_to_the_same_bytes(tmp_path: Path, replicates: int) -> None:
    choice = small(persons=10_000, days=4, replicates=replicates, knobs={FPR: 0.002})
    job = Job(resolve(choice), replicates)
    wait(job)
    assert job.result is not None
    runs = Runs()
    run = runs.add(choice, job.result, job.seconds or 0)
    data = run.zip_bytes()
    assert data == run.zip_bytes(), "the same run gives the same zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == sorted(f"{run.folder}/{n}" for n in OUTPUT_FILES)
        archive.extractall(tmp_path)
    folder = tmp_path / run.folder
    assert "match_fpr: 0.002" in (folder / "scenario.yaml").read_text()
    # the command the page gives, run from the folder that holds the download
    command = run.command().split()
    assert command[:2] == ["scorelab", "run"]
    args = [str(tmp_path / a) if a.endswith(("scenario.yaml", "-again")) else a
            for a in command[2:]]
    assert main(["run", *args, "--quiet"]) == 0
    again = tmp_path / f"{run.folder}-again"
    for name in OUTPUT_FILES:
        assert (again / name).read_bytes() == (folder / name).read_bytes(), name
    assert run.changes() == [f"{FPR} = 0.002 (preset 0.001)"]
