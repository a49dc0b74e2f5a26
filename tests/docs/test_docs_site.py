"""The documentation site builds as ``make docs`` builds it: ``mkdocs build --strict``, which
executes every tutorial (one that raises fails the build), resolves every link and renders the
API reference from the docstrings. Then the built tutorials carry their outputs, the reference
shows the docstring examples as code, and in Chromium (where it is installed) every chart of a
tutorial page is drawn, offline. About 70 s, nearly all of it the tutorials' runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted(p.stem for p in (ROOT / "docs" / "tutorials").glob("*.py"))
CHROMIUM = Path("/usr/bin/chromium")

pytest.importorskip("mkdocs", reason="the docs test needs the docs extra: pip install -e "
                                     "'.[test]' (it includes .[docs])")
pytest.importorskip("mkdocs_jupyter", reason="the docs test needs mkdocs-jupyter (.[docs])")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if (ROOT / "src").is_dir():  # the kernels import this tree's scorelab
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                          env.get("PYTHONPATH")]))
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    done = subprocess.run([mkdocs, "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-6000:]
    return out


def test_every_tutorial_in_the_nav_is_built_with_its_outputs(site: Path) -> None:
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    assert TUTORIALS and all(f"tutorials/{name}.py" in nav for name in TUTORIALS)
    for name in TUTORIALS:
        page = (site / "tutorials" / name / "index.html").read_text("utf-8")
        # executed: every code cell has its prompt number, and outputs are there
        assert "jp-OutputArea-output" in page, name
        assert "Traceback" not in page, name
        assert (site / "tutorials" / name / f"{name}.py").is_file()  # the download


def test_tutorial_charts_carry_their_data(site: Path) -> None:
    for name in TUTORIALS:
        page = (site / "tutorials" / name / "index.html").read_text("utf-8")
        assert page.count('class="plotly-graph-div"') >= 1, name
        assert "Plotly.newPlot" in page, name


def test_reference_renders_docstrings_and_their_examples(site: Path) -> None:
    api = (site / "reference" / "api" / "index.html").read_text("utf-8")
    for name in ("run", "sweep", "sensitivity", "save_figures", "Result"):
        assert f'id="scorelab.api.{name}"' in api, name
    assert "language-pycon" in api or "highlight" in api  # examples fenced as code
    assert "<blockquote>" not in api  # '>>>' is code, not a quote
    assert ":func:" not in api
    changelog = (site / "changelog" / "index.html").read_text("utf-8")
    assert "Keep a Changelog" in changelog


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}")
def test_tutorial_charts_are_drawn_in_chromium(site: Path) -> None:
    """The first tutorial's page (each page inlines plotly.js once, so one page stands for
    all: the others' charts are checked above to carry their data)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            for name in ("first-run",):
                page = browser.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.goto((site / "tutorials" / name / "index.html").as_uri(),
                          wait_until="load")
                drawn = page.evaluate("""() => Array.from(
                    document.querySelectorAll('.plotly-graph-div')).map(el =>
                    (el.data || []).filter(t => (t.y || t.x || []).length > 0).length)""")
                assert drawn and all(n > 0 for n in drawn), (name, drawn)
                assert errors == [], (name, errors)
                page.close()
        finally:
            browser.close()
