"""What a notebook and a terminal see of a run: the result's views, files and tables."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

import scorelab
from scorelab.cli import main

SMALL = {"preset": "china-2022", "persons": 3000, "days": 5}


def test_a_result_shows_itself_briefly_and_as_a_table() -> None:
    result = scorelab.run(**SMALL)  # type: ignore[arg-type]
    assert len(repr(result)) < 200
    view = result._repr_html_()
    for name in result.summary.systems:
        assert f"<td>{name}</td>" in view
    assert len(view) < 5_000


def test_the_notebook_view_shows_the_control_measures_like_the_systems() -> None:
    result = scorelab.run(preset="checkpoints-2022", persons=3000, days=5)
    view = result._repr_html_()
    assert result.summary.measures
    assert "<caption>control measures</caption>" in view
    for name in (*result.summary.systems, *result.summary.measures):
        assert f"<td>{name}</td>" in view


def test_plot_draws_a_line_per_system_and_bands_over_replicates() -> None:
    result = scorelab.run(**SMALL)  # type: ignore[arg-type]
    figure = result.plot("sanctioned")
    names = result.daily["name"].unique().to_list()
    assert sorted(trace.name for trace in figure.data) == sorted(names)
    replicated = scorelab.run(**SMALL, replicates=3)  # type: ignore[arg-type]
    traces = replicated.plot("sanctioned").data
    assert len(traces) == 2 * len(names)  # a band and a median line each
    with pytest.raises(ValueError, match="no daily column"):
        result.plot("nothing")


def test_write_puts_the_run_files_in_a_folder_readable_by_all(tmp_path: Path) -> None:
    result = scorelab.run(**SMALL)  # type: ignore[arg-type]
    written = result.write(tmp_path / "out")
    assert sorted(p.name for p in written.values()) == [
        "cases.parquet", "daily.parquet", "report.html", "scenario.yaml", "summary.json"]
    for path in written.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_tables_keep_their_width_when_piped(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    name = "a-system-with-a-name-longer-than-a-narrow-column"
    (tmp_path / "s.yaml").write_text(f"""
extends: china-2022
days: 2
warmup_days: 0
population: {{persons: 2000}}
systems:
  {name}:
    kind: points
    jurisdiction: {{national: true}}
    base: 0
    grades: {{all: -32000}}
    rules: {{traffic_offence: {{points: -1}}}}
""")
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "o")]) == 0
    printed = capsys.readouterr().out
    assert name in printed  # not cut to fit 80 columns
