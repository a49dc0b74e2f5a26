"""Report size and load time: run a preset, open its report.html in headless Chromium and take
the medians of first contentful paint and of the load event over several loads.

    .venv/bin/python bench/report.py --preset checkpoints-2022 --persons 100000
    .venv/bin/python bench/report.py --html out/x/report.html   # an existing report
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import scorelab

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def measure(html: Path, loads: int, width: int) -> tuple[float, float]:
    """Median first contentful paint and load event end, in ms."""
    paints, ends = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(loads):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(html.resolve().as_uri(), wait_until="load")
            paints.append(page.evaluate("performance.getEntriesByName("
                                        "'first-contentful-paint')[0].startTime"))
            ends.append(page.evaluate("performance.getEntriesByType('navigation')[0]"
                                      ".loadEventEnd"))
            page.close()
        browser.close()
    return statistics.median(paints), statistics.median(ends)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="checkpoints-2022")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--html", type=Path)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        html = args.html
        if html is None:
            scorelab.run(preset=args.preset, persons=args.persons, out=Path(tmp) / "run")
            html = Path(tmp) / "run" / "report.html"
        size = html.stat().st_size
        for width in (1400, 400):
            paint, load = measure(html, args.loads, width)
            print(f"{html.name}: {size / 1e6:.2f} MB; at {width} px: first contentful paint "
                  f"{paint:.0f} ms, load event {load:.0f} ms (medians of {args.loads})")


if __name__ == "__main__":
    main()
