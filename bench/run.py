"""Benchmarks, side by side with the plain-numpy floor in one run (not part of the tests).

    python bench/run.py [--persons 1000000] [--days 365] [--floor PATH] [--memory 1000000,5000000]
                        [--baseline OLD_CHECKOUT/src]

Measures, on the installed package:
* wall time of ``scorelab run`` (the default china-2022 preset, and the phone-scanner
  preset: a scanner on every phone, 12 photos a day) and of the plain-numpy floor
  (``shared/bench/floor.py``: coin flips per person, event type and day), run alternately
  ``--repeat`` times; reports the ratio of medians;
* peak resident memory of a run at each ``--memory`` size (``bench/national.yaml``: the
  population plus one system covering everyone), and the marginal bytes per person
  between the smallest and largest size (so the interpreter's fixed cost is not counted);
* time to generate the population alone.
With ``--baseline`` (the ``src`` folder of another checkout, say of main before a change),
that version runs too, alternating with this one and the floor, so a change is measured side
by side on the same noisy machine. Prints a Markdown table for bench/RESULTS.md.
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


def _env(src: Path | None) -> dict[str, str] | None:
    """The environment that runs the scorelab found in ``src`` (None: the installed one)."""
    if src is None:
        return None
    return {**os.environ, "PYTHONPATH": str(src)}


def timed(cmd: list[str], src: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=_env(src))
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) * 1024


def peak_rss(cmd: list[str], src: Path | None = None) -> int:
    """Peak RSS of one child, measured alone with /usr/bin/time -v when present."""
    if Path("/usr/bin/time").exists():
        proc = subprocess.run(["/usr/bin/time", "-v", *cmd], check=True, env=_env(src),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr.splitlines():
            if "Maximum resident set size" in line:
                return int(line.split()[-1]) * 1024
    code = ("import resource,subprocess,sys;subprocess.run(sys.argv[1:],check=True,"
            "stdout=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], check=True, capture_output=True,
                         text=True, env=_env(src)).stdout
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
        "from scorelab.core.streams import Streams;"
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
    parser.add_argument("--baseline", type=Path, default=None,
                        help="src folder of another checkout to run side by side")
    args = parser.parse_args()
    if not args.floor.exists():
        print(f"floor script not found: {args.floor} (set --floor or SCORELAB_FLOOR)",
              file=sys.stderr)
        return 2
    results: dict[str, object] = {"persons": args.persons, "days": args.days}
    with tempfile.TemporaryDirectory() as tmp:
        engine, floor, scanner = [], [], []
        base_engine: list[float] = []
        base_scanner: list[float] = []
        for _ in range(args.repeat):  # alternate so all see the same machine noise
            engine.append(timed(scorelab_cmd(args.persons, args.days, f"{tmp}/run"))[0])
            floor.append(timed([sys.executable, str(args.floor), str(args.persons),
                                str(args.days)])[0])
            scanner.append(timed(scorelab_cmd(args.persons, args.days, f"{tmp}/scan",
                                              preset="phone-scanner"))[0])
            if args.baseline is not None:
                base_engine.append(timed(scorelab_cmd(args.persons, args.days, f"{tmp}/b"),
                                         args.baseline)[0])
                base_scanner.append(timed(scorelab_cmd(args.persons, args.days, f"{tmp}/bs",
                                                       preset="phone-scanner"),
                                          args.baseline)[0])
        results["phone_scanner_s"] = statistics.median(scanner)
        results["scorelab_s"] = statistics.median(engine)
        results["floor_s"] = statistics.median(floor)
        results["ratio"] = results["scorelab_s"] / results["floor_s"]  # type: ignore[operator]
        if args.baseline is not None:
            results["baseline_s"] = statistics.median(base_engine)
            results["baseline_phone_scanner_s"] = statistics.median(base_scanner)
            results["baseline_peak_rss_bytes"] = {
                n: peak_rss(scorelab_cmd(n, 30, f"{tmp}/bmem{n}", HERE / "national.yaml"),
                            args.baseline)
                for n in [int(x) for x in args.memory.split(",")]}
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
    if args.baseline is not None:
        floor_s = results["floor_s"]
        print(f"| baseline ({args.baseline}) ratio / floor | "
              f"{results['baseline_s'] / floor_s:.3f} |")  # type: ignore[operator]
        print(f"| baseline phone-scanner ratio / floor | "
              f"{results['baseline_phone_scanner_s'] / floor_s:.3f} |")  # type: ignore[operator]
        base_peaks = results["baseline_peak_rss_bytes"]
        for n, peak in base_peaks.items():  # type: ignore[attr-defined]
            print(f"| baseline peak RSS, {n:,} persons x 30 days | {peak / 2**20:.0f} MiB |")
        lo, hi = min(base_peaks), max(base_peaks)  # type: ignore[type-var]
        if lo != hi:
            print(f"| baseline marginal memory per person | "
                  f"{(base_peaks[hi] - base_peaks[lo]) / (hi - lo):.0f} B |")  # type: ignore[index]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
