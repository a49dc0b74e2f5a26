"""The explorer from pressing Run to seeing the results: ``scorelab explore`` on 127.0.0.1, a
headless Chromium session per preset, 100,000 persons x 90 days; the medians of several runs
of the time until the run's results are on the page (its headline, who was wronged, the chain
of harm) and until every chart shown first is drawn, with the run's own time in its worker.

    .venv/bin/python bench/explorer.py                       # every preset, 3 runs each
    .venv/bin/python bench/explorer.py --preset phone-scanner --runs 5
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any

from playwright.sync_api import sync_playwright

from scorelab.scenario import load_scenario, preset_names

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
TARGET = 5.0  # seconds from pressing Run to the results on the page


def start_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-m", "scorelab", "explore", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    found = re.search(r"http://\S+/", process.stdout.readline())
    assert found, "the explorer did not start"
    return process, found.group(0)


def measure(browser: Any, url: str, preset: str, persons: int, days: int, runs: int,
            timeout_s: float) -> dict[str, Any]:
    """Seconds to the results and to every first chart drawn, and the run's own seconds,
    for each of ``runs`` presses of Run in one session (or the problem that refused it)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(timeout_s * 1000)
    page.goto(url, wait_until="load")
    page.locator(".preset select").select_option(preset)
    # the preset's own days (and seed) come back from the server: fill ours after them
    # (filled before, they can be overwritten by the preset's, and the page never shows our
    # size as ready)
    page.locator(".ready", has_text=f"{load_scenario(preset=preset).name},").first.wait_for()
    for css, value in ((".persons", persons), (".days", days)):
        field = page.locator(f"{css} input")
        field.fill(str(value))
        field.press("Enter")
    size = f"{persons:,} persons \u00d7 {days:,} days"
    ready = page.locator(".ready", has_text=size).or_(page.locator(".problems-pane li"))
    ready.first.wait_for()
    if page.locator(".problems-pane li").count():
        problem = page.locator(".problems-pane li").first.inner_text()
        page.close()
        return {"refused": problem}
    shown, drawn, ran, charts_shown = [], [], [], []
    for number in range(1, runs + 1):
        start = time.perf_counter()
        page.locator(".run-button button").click()
        page.locator(".results .run-head", has_text=f"run {number}:").wait_for()
        page.locator(".results .page-header").first.wait_for()
        shown.append(time.perf_counter() - start)
        charts = page.locator(".results .chart")
        page.wait_for_function(
            """() => {
                const hosts = [];
                const walk = root => root.querySelectorAll('*').forEach(el => {
                    if (el.classList.contains('chart')) hosts.push(el);
                    if (el.shadowRoot) walk(el.shadowRoot);
                });
                walk(document);
                return hosts.every(h => h.shadowRoot &&
                    h.shadowRoot.querySelector('.js-plotly-plot .main-svg'));
            }""")
        drawn.append(time.perf_counter() - start)
        head = page.locator(".results .run-head").first.evaluate(
            "el => el.shadowRoot ? el.shadowRoot.textContent : el.textContent")
        seconds = re.search(r"ran in ([\d.]+) s", head)
        ran.append(float(seconds.group(1)) if seconds else float("nan"))
        charts_shown.append(charts.count())
    page.close()
    return {"shown": statistics.median(shown), "drawn": statistics.median(drawn),
            "ran": statistics.median(ran), "all_shown": shown, "charts": max(charts_shown)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", action="append", help="(repeat) default: every preset")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run")
    args = parser.parse_args()
    presets = args.preset or preset_names()
    process, url = start_server()
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.1f} at the start")
    print("| preset | results on the page | its charts drawn (how many) | the run itself "
          "(worker) | within 5 s |")
    print("|---|---|---|---|---|")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for preset in presets:
                found = measure(browser, url, preset, args.persons, args.days, args.runs,
                                args.timeout)
                if "refused" in found:
                    print(f"| `{preset}` | refused before running: {found['refused']} | | | |",
                          flush=True)
                    continue
                ok = "yes" if found["shown"] <= TARGET else "no"
                print(f"| `{preset}` | {found['shown']:.1f} s | {found['drawn']:.1f} s "
                      f"({found['charts']}) | {found['ran']:.1f} s | {ok} |", flush=True)
            browser.close()
    finally:
        process.terminate()
        process.wait(10)
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} at the end; medians of {args.runs} runs")


if __name__ == "__main__":
    main()
