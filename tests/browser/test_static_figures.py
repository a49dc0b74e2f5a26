"""Static figures: every chart of a report (the demo's preset, and a replicated run with a
control measure), of a sweep and of a sensitivity analysis saves as a PNG that opens (header,
size) and an SVG that parses, each with its title, both axes named and a caption naming the
scenario, seed and version. Kaleido draws them in Debian's Chromium; skipped, saying why,
where it is missing. One browser serves the whole module (about 25 s)."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import require

import scorelab
from scorelab.cli import main
from scorelab.report.export import WIDTH, Chart, folder_charts, session
from scorelab.scenario import load_scenario

require("static figures")
pytest.importorskip("kaleido", reason="static figures need kaleido: pip install -e .")

SVG = "{http://www.w3.org/2000/svg}"
SMALL = {"population": {"persons": 2_000}, "days": 5, "warmup_days": 0}


@pytest.fixture(scope="module", autouse=True)
def browser() -> Iterator[None]:
    with session():
        yield


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("figures")
    scorelab.run(preset="china-2022", persons=3_000, days=10, out=root / "demo")
    scorelab.run(preset="phone-scanner", persons=3_000, days=10, replicates=2,
                 out=root / "scanner")
    scanner = load_scenario(preset="phone-scanner", overrides=SMALL)
    scorelab.sweep(scanner, ["measures.scanner.match_fpr=0.0001,0.01",
                             "measures.scanner.threshold=1,3"], replicates=2,
                   out=root / "sweep")
    scorelab.sensitivity(scanner, ["measures.scanner.match_fpr=0.0001:0.01"],
                         outputs=["measures.scanner.flagged_wrongly_total"], samples=4,
                         out=root / "sensitivity")
    return {"demo": root / "demo", "scanner": root / "scanner", "sweep": root / "sweep",
            "sensitivity": root / "sensitivity"}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_texts(path: Path) -> dict[str, str]:
    """The SVG's title, axis titles and all its text, by plotly's class names."""
    root = ET.parse(path).getroot()  # parses: a well-formed file
    assert root.tag == f"{SVG}svg"
    found: dict[str, str] = {"all": " ".join(" ".join(e.itertext()) for e in root.iter())}
    for element in root.iter(f"{SVG}text"):
        for cls in element.get("class", "").split():
            if cls in ("gtitle", "xtitle", "ytitle", "annotation-text"):
                found[cls] = found.get(cls, "") + " ".join(element.itertext())
    return found


def check(charts: list[Chart], pngs: Path, svgs: Path, *provenance: str) -> None:
    assert charts
    for chart in charts:
        height = chart.spec()["layout"]["height"]
        data = (pngs / f"{chart.name}.png").read_bytes()
        assert png_size(data) == (2 * WIDTH, 2 * height), chart.name
        assert len(data) > 20_000, chart.name  # drawn, not blank
        texts = svg_texts(svgs / f"{chart.name}.svg")
        assert chart.title.split(":")[0] in texts.get("gtitle", ""), chart.name
        assert texts.get("xtitle", "").strip() and texts.get("ytitle", "").strip(), (
            chart.name, texts.get("xtitle"), texts.get("ytitle"))
        caption = " ".join(texts.get("annotation-text", "").split())
        for word in (*provenance, f"scorelab {scorelab.__version__}"):
            assert word in caption, (chart.name, word, caption)


@pytest.mark.parametrize(("folder", "provenance"), [
    ("demo", ("scenario china-2022", "seed 7")),
    ("scanner", ("scenario phone-scanner", "2 replicates, seeds derived from 7")),
    ("sweep", ("scenario phone-scanner", "seed 7")),
    ("sensitivity", ("scenario phone-scanner", "seed 7 in every run")),
])
def test_every_chart_saves_as_png_and_svg(folders: dict[str, Path], folder: str,
                                          provenance: tuple[str, ...], tmp_path: Path) -> None:
    out = folders[folder]
    assert main(["plot", str(out), "--to", str(tmp_path / "png")]) == 0
    written = scorelab.save_figures(out, format="svg", to=tmp_path / "svg")
    charts = folder_charts(out)
    assert sorted(p.stem for p in written) == sorted(c.name for c in charts)
    check(charts, tmp_path / "png", tmp_path / "svg", *provenance)


def test_the_sweep_draws_a_band_and_a_log_axis(folders: dict[str, Path]) -> None:
    charts = {c.name: c for c in folder_charts(folders["sweep"])}
    chart = charts["sweep-measures.scanner.flagged_wrongly_total-by-measures.scanner.match_fpr"]
    spec = chart.spec()
    assert spec["layout"]["xaxis"]["type"] == "log"
    assert [t.get("fill") for t in spec["data"]].count("tonexty") == 2  # a band per line


def test_result_plot_saves_a_chart_and_a_daily_column(tmp_path: Path) -> None:
    result = scorelab.run(preset="china-2022", persons=2_000, days=5)
    figure = result.plot("grades", path=tmp_path / "grades.pdf")
    assert (tmp_path / "grades.pdf").read_bytes()[:5] == b"%PDF-"
    assert figure.layout.title.text == "Recorded vs true grades"
    result.plot("sanctioned", path=tmp_path / "sanctioned.svg")
    texts = svg_texts(tmp_path / "sanctioned.svg")
    assert "sanctioned" in texts["gtitle"] and "seed 7" in texts["annotation-text"]
    with pytest.raises(ValueError, match="charts: daily-sanctioned"):
        result.plot("no-such-chart")


def test_plot_errors_exit_2(folders: dict[str, Path], tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", str(folders["demo"]), "--figure", "nope"]) == 2
    assert "no chart 'nope' here; charts: daily-sanctioned" in capsys.readouterr().err
    assert main(["plot", str(folders["demo"]), "--format", "gif"]) == 2
    assert main(["plot", str(tmp_path)]) == 2
    assert "holds no run" in capsys.readouterr().err
    assert main(["plot", str(folders["demo"]), "--list"]) == 0
    assert "grades" in capsys.readouterr().out
