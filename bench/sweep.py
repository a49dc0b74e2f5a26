"""The sweep target, side by side with the plain-numpy floor (not part of the tests).

    python bench/sweep.py [--persons 200000] [--days 365] [--replicates 5] [--workers 2]

A 3 x 3 grid (the driving offence rate and Rongcheng's coverage of offences) with
``--replicates`` runs a point of china-2022 (365 warm-up days as well), on the processes
backend with ``--workers`` runs at once. The floor (``shared/bench/floor.py``) runs once at the
same persons and days (warm-up included); the grid's floor is that time x runs / workers.
Prints the wall time, the floor and their ratio; the issue's target is the wall time (< 5
minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOOR = HERE.parents[1] / "shared" / "bench" / "floor.py"
PARAMS = ["processes.driving.rate=0.001,0.002,0.004",
          "systems.rongcheng.rules.traffic_offence.coverage=0.3,0.6,0.9"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--floor", type=Path, default=FLOOR)
    args = parser.parse_args()
    scorelab = Path(sys.executable).with_name("scorelab")
    runs = 9 * args.replicates
    start = time.perf_counter()
    out = subprocess.run([sys.executable, str(args.floor), str(args.persons),
                          str(2 * args.days)], check=True, capture_output=True, text=True)
    floor_one = float(out.stdout.strip())
    floor_wall = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(scorelab), "sweep", "--preset", "china-2022", "--persons",
               str(args.persons), "--days", str(args.days), "--replicates",
               str(args.replicates), "--backend", "processes", "--workers",
               str(args.workers), "--out", str(Path(tmp) / "sweep"), "--quiet"]
        for param in PARAMS:
            cmd += ["--param", param]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
    floor = floor_one * runs / args.workers
    print(f"| measure | value |\n|---|---|\n"
          f"| sweep, 3 x 3 grid x {args.replicates} replicates = {runs} runs of "
          f"{args.persons:,} persons x {args.days} days (+ {args.days} warm-up), "
          f"{args.workers} workers | {wall:.1f} s |\n"
          f"| floor, one run of the same size ({floor_wall:.1f} s with start-up) | "
          f"{floor_one:.2f} s |\n"
          f"| floor for the grid (x {runs} / {args.workers}) | {floor:.1f} s |\n"
          f"| **ratio sweep / floor** | **{wall / floor:.2f}** |")


if __name__ == "__main__":
    main()
