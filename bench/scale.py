"""Scaling benchmarks (not part of the tests): size, cores and backends.

    python bench/scale.py [--sizes 1000000,4000000,16000000] [--days 365] [--backend-size 4000000]
                          [--skip-ray]

* wall time and peak RSS of ``scorelab run`` (china-2022, 365 warm-up days) at each size, with
  a least-squares line through them (seconds and MiB against persons);
* 1 shard on the local backend against 2 shards on the processes backend, and the local
  backend against Ray at equal shards, at ``--backend-size`` persons (one run each: for
  the backends side by side, in turn, with medians, see ``bench/backends.py``).
The toy model against Mesa and plain numpy is ``bench/toy.py`` (``make bench-toy``).
Prints JSON and a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def timed_run(args: list[str], src: str | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of ``scorelab run ARGS`` in a child process (with
    ``src``: the scorelab found in that folder)."""
    env = {**os.environ, "PYTHONPATH": src} if src else None
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "scorelab", "run", *args,
               "--out", f"{tmp}/out", "--quiet"]
        start = time.perf_counter()
        proc = subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, env=env)
        wall = time.perf_counter() - start
    peak = next(int(line.split()[-1]) * 1024 for line in proc.stderr.splitlines()
                if "Maximum resident set size" in line)
    return wall, peak


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares (intercept, slope)."""
    slope, intercept = np.polyfit(np.asarray(xs, float), np.asarray(ys, float), 1)
    return float(intercept), float(slope)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,4000000,16000000")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--backend-size", type=int, default=4_000_000)
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    random.seed(0)
    results: dict[str, object] = {}
    rows = []

    sizes = [int(x) for x in args.sizes.split(",")]
    walls, peaks = [], []
    for n in sizes:
        wall, peak = timed_run(["--persons", str(n), "--days", str(args.days)])
        walls.append(wall)
        peaks.append(peak / 2**20)
        rows.append((f"china-2022, {n:,} persons x {args.days} (+365 warm-up) days",
                     f"{wall:.1f} s, peak {peak / 2**20:.0f} MiB"))
    if len(sizes) > 1:
        t0, t1 = fit(sizes, walls)
        m0, m1 = fit(sizes, peaks)
        rows.append(("linear fit, time", f"{t0:.1f} s + {t1 * 1e6:.2f} s per million persons"))
        rows.append(("linear fit, peak RSS",
                     f"{m0:.0f} MiB + {m1 * 2**20:.0f} B per person"))
        results["fit"] = {"seconds": [t0, t1], "mib": [m0, m1]}
    results["sizes"] = {"persons": sizes, "seconds": walls, "peak_mib": peaks}

    n = str(args.backend_size)
    base = ["--persons", n, "--days", str(args.days)]
    one, _ = timed_run([*base, "--shards", "1"])
    two_local, _ = timed_run([*base, "--shards", "2"])
    two_proc, _ = timed_run([*base, "--shards", "2", "--backend", "processes"])
    rows.append((f"{int(n):,} persons: 1 shard, local", f"{one:.1f} s"))
    rows.append(("2 shards, local (in turn)", f"{two_local:.1f} s"))
    rows.append(("2 shards, processes (both cores)", f"{two_proc:.1f} s ({one / two_proc:.2f}x)"))
    results["cores"] = {"one_local": one, "two_local": two_local, "two_processes": two_proc}
    if not args.skip_ray:
        two_ray, _ = timed_run([*base, "--shards", "2", "--backend", "ray", "--workers", "2"])
        rows.append(("2 shards, ray (local Ray, 2 workers)",
                     f"{two_ray:.1f} s ({two_local / two_ray:.2f}x local at equal shards)"))
        results["ray"] = two_ray

    print(json.dumps(results, indent=2))
    print("\n| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
