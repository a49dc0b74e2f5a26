"""The sweep page's view model: medians and bands computed as the replicates' are, figures
labelled from the catalogue, constant figures named instead of drawn, and a sweep writes its
page and its resolved scenario beside its table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

import scorelab
from scorelab.ledger.catalogue import MEASURE, RUN, SYSTEM
from scorelab.report.sweep import build_sweep, key_columns, spread
from scorelab.scenario import load_scenario, scenario_digest

FPR = "measures.scanner.match_fpr"


def frame() -> pl.DataFrame:
    """Two grid points of four replicates, two key figures (one constant), one other."""
    rng = np.random.default_rng(1)
    rows = []
    for point, fpr in enumerate((0.0001, 0.01)):
        for replicate in range(4):
            rows.append({"point": point, "replicate": replicate, "seed": 7 + 10 * point
                         + replicate, f"param.{FPR}": fpr,
                         MEASURE.flagged_wrongly_total.at("scanner"): float(
                             rng.integers(0, 100) + 1000 * point),
                         RUN.sanctioned_any.path: 5.0,
                         SYSTEM.records.at("court-list"): float(replicate)})
    rows[0]["seed"] = 7
    return pl.DataFrame(rows)


def test_medians_and_bands_are_the_replicates_percentiles() -> None:
    data = frame()
    column = MEASURE.flagged_wrongly_total.at("scanner")
    points = spread(data, column, [FPR])
    for point, found in zip((0, 1), points, strict=True):
        values = data.filter(pl.col("point") == point)[column].to_numpy()
        low, median, high = np.percentile(values, [2.5, 50, 97.5])
        assert (found.median, found.low, found.high) == (median, low, high)
        assert found.values == ((0.0001, 0.01)[point],)


def test_key_figures_from_the_catalogue_and_constant_ones_named() -> None:
    data = frame()
    assert [c.path for c in key_columns(data)] == [
        RUN.sanctioned_any.path, MEASURE.flagged_wrongly_total.at("scanner")]
    page = build_sweep(data, "tiny")
    ids = [s.id for s in page.sections]
    assert ids == ["sweep-params", "sweep-1", "sweep-points"]
    drawn = page.sections[1]
    assert drawn.title == "scanner: innocents flagged"
    chart = drawn.figures[0]
    assert chart.layout["xaxis"]["type"] == "log"  # 0.0001 to 0.01
    assert chart.layout["yaxis"]["title"]["text"] == "innocents flagged (persons)"
    assert [t.get("fill") for t in chart.data] == [None, "tonexty", None]
    assert page.sections[-1].notes == (
        "The same in every run, so not drawn: sanctioned by any system (5).",)
    assert "seed 7 (grid point 0" in page.meta[1]
    assert page.meta[0] == "8 runs: 2 grid points x 4 replicates"


def test_a_single_replicate_draws_no_band_and_text_values_are_categories() -> None:
    data = pl.DataFrame({"point": [0, 1, 2], "replicate": [0, 0, 0], "seed": [7, 8, 9],
                         "param.systems.x.kind": ["a", "b", "c"],
                         RUN.sanctioned_any.path: [1.0, 2.0, 4.0]})
    chart = build_sweep(data, "tiny").sections[1].figures[0]
    assert [t.get("fill") for t in chart.data] == [None]
    assert chart.layout["xaxis"]["type"] == "category"


def test_a_sweep_writes_its_page_and_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(preset="china-2022", overrides={
        "population": {"persons": 1_000}, "days": 3, "warmup_days": 0})
    found = scorelab.sweep(scenario, ["processes.driving.rate=0.001,0.01"], out=tmp_path)
    assert found.page == tmp_path / "sweep.html"
    text = found.page.read_text("utf-8")
    assert "china-2022: sweep" in text and "Plotly" in text
    swept = load_scenario(tmp_path / "scenario.yaml")
    assert scenario_digest(swept) == scenario_digest(scenario)
