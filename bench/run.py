"""Benchmarks, side by side with the plain-numpy floor in one run (not part of the tests).

    python bench/run.py [--persons 1000000] [--days 365] [--floor PATH] [--memory 1000000,5000000]

Measures, on the installed package:
* wall time of ``scorelab run`` (the default china-2022 preset, and the phone-scanner
  preset: a scanner on every phone, 12 photos a day) and of the plain-numpy floor
  (``shared/bench/floor.py``: coin flips per person, event type and day), run alternately
  ``--repeat`` times; reports the ratio of medians;
* peak resident memory of a run at each ``--memory`` size (``bench/national.yaml``: the
  population plus one system covering everyone), and the marginal bytes per person
  between the smallest and largest size (so the interpreter's fixed cost is not counted);
* time to generate the population alone.
Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FLOOR = HERE.parents[1] / "shared" / "bench" / "floor.py"


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) * 1024


def peak_rss(cmd: list[str]) -> int:
    """Peak RSS of one child, measured alone with /usr/bin/time -v when present."""
    if Path("/usr/bin/time").exists():
        proc = subprocess.run(["/usr/bin/time", "-v", *cmd], check=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr.splitlines():
            if "Maximum resident set size" in line:
                return int(line.split()[-1]) * 1024
    code = ("import resource,subprocess,sys;subprocess.run(sys.argv[1:],check=True,"
            "stdout=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], check=True, capture_output=True,
                         text=True).stdout
    return int(out.strip()) * 1024


def scorelab_cmd(persons: int, days: int, out: str, scenario: Path | None = None,
                 preset: str = "china-2022") -> list[str]:
    source = [str(scenario)] if scenario else ["--preset", preset]
    return [sys.executable, "-m", "scorelab", "run", *source, "--persons", str(persons),
            "--days", str(days), "--out", out, "--force", "--quiet"]


def population_seconds(persons: int) -> float:
    code = (
        "import time;from scorelab.scenario import load_scenario;"
        "from scorelab.population import build_geography, generate_population;"
        "from scorelab.engine.streams import Streams;"
        f"s=load_scenario(overrides={{'population':{{'persons':{persons}}}}}).population;"
        "t=time.perf_counter();generate_population(s,build_geography(s),Streams(s.seed));"
        "print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return float(out.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--floor", type=Path, default=Path(os.environ.get("SCORELAB_FLOOR",
                                                                           DEFAULT_FLOOR)))
    parser.add_argument("--memory", default="1000000,5000000")
    args = parser.parse_args()
    if not args.floor.exists():
        print(f"floor script not found: {args.floor} (set --floor or SCORELAB_FLOOR)",
              file=sys.stderr)
        return 2
    results: dict[str, object] = {"persons": args.persons, "days": args.days}
    with tempfile.TemporaryDirectory() as tmp:
        engine, floor, scanner = [], [], []
        for _ in range(args.repeat):  # alternate so all see the same machine noise
            engine.append(timed(scorelab_cmd(args.persons, args.days, f"{tmp}/run"))[0])
            floor.append(timed([sys.executable, str(args.floor), str(args.persons),
                                str(args.days)])[0])
            scanner.append(timed(scorelab_cmd(args.persons, args.days, f"{tmp}/scan",
                                              preset="phone-scanner"))[0])
        results["phone_scanner_s"] = statistics.median(scanner)
        results["scorelab_s"] = statistics.median(engine)
        results["floor_s"] = statistics.median(floor)
        results["ratio"] = results["scorelab_s"] / results["floor_s"]  # type: ignore[operator]
        sizes = [int(x) for x in args.memory.split(",")]
        # memory: the population plus one system that covers everyone
        peaks = {n: peak_rss(scorelab_cmd(n, 30, f"{tmp}/mem{n}", HERE / "national.yaml"))
                 for n in sizes}
        results["peak_rss_bytes"] = peaks
        if len(sizes) > 1:
            lo, hi = min(sizes), max(sizes)
            results["bytes_per_person"] = (peaks[hi] - peaks[lo]) / (hi - lo)
        # each extra system: the same population with three national systems instead of one
        big = max(sizes)
        three = peak_rss(scorelab_cmd(big, 30, f"{tmp}/mem3", HERE / "national3.yaml"))
        results["bytes_per_extra_system"] = (three - peaks[big]) / (2 * big)
        results["population_s"] = population_seconds(args.persons)
    print(json.dumps(results, indent=2))
    print()
    print("| measure | value |\n|---|---|")
    print(f"| scorelab run, {args.persons:,} x {args.days} days (median of {args.repeat}) "
          f"| {results['scorelab_s']:.2f} s |")
    print(f"| plain-numpy floor, same size (median of {args.repeat}) | {results['floor_s']:.2f} s |")
    print(f"| **ratio scorelab / floor** | **{results['ratio']:.3f}** |")
    print(f"| phone-scanner preset, same size (median of {args.repeat}) "
          f"| {results['phone_scanner_s']:.2f} s |")
    print(f"| ratio phone-scanner / floor | "
          f"{results['phone_scanner_s'] / results['floor_s']:.3f} |")  # type: ignore[operator]
    for n, peak in peaks.items():
        print(f"| peak RSS, {n:,} persons x 30 days, one national system "
              f"| {peak / 2**20:.0f} MiB |")
    if "bytes_per_person" in results:
        print(f"| marginal memory per person | {results['bytes_per_person']:.0f} B |")
    print(f"| memory per person per extra national system | "
          f"{results['bytes_per_extra_system']:.1f} B |")
    print(f"| population generation, {args.persons:,} persons | {results['population_s']:.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
