"""Backends side by side at equal shards (not part of the tests).

    python bench/backends.py [--persons 10000000] [--days 365] [--warmup-days 365]
                             [--shards 2] [--backends processes,ray,local] [--repeat 3]

Whole ``scorelab run`` commands (china-2022, all four files written; Ray started and stopped
by the run itself, so its start is in the time), one backend after the other in turn
``--repeat`` times, so the load of a shared machine falls on all alike; medians, and each
backend's median as a ratio to the first one's. Ray runs with ``--workers`` equal to the
shards. Needs Ray for ``ray`` (``pip install -e '.[bench]'``). Prints JSON and a Markdown table
for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from scale import timed_run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--warmup-days", type=int, default=365)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--backends", default="processes,ray,local")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    names = args.backends.split(",")
    folder = tempfile.TemporaryDirectory()
    scenario = Path(folder.name) / "scenario.yaml"
    scenario.write_text(f"extends: china-2022\nwarmup_days: {args.warmup_days}\n")
    base = [str(scenario), "--persons", str(args.persons), "--days", str(args.days),
            "--shards", str(args.shards)]
    walls: dict[str, list[float]] = {b: [] for b in names}
    for r in range(args.repeat):
        for name in names:
            extra = ["--workers", str(args.shards)] if name == "ray" else []
            wall, _ = timed_run([*base, "--backend", name, *extra])
            walls[name].append(wall)
            print(f"# {name} #{r + 1}: {wall:.1f} s", file=sys.stderr, flush=True)
    medians = {b: statistics.median(w) for b, w in walls.items()}
    print(json.dumps({"walls": walls, "medians": medians}, indent=2))
    first = names[0]
    print(f"\n{args.persons:,} persons x {args.days} days (+{args.warmup_days} warm-up), "
          f"{args.shards} shards; medians of {args.repeat}, in turn\n")
    print(f"| backend | runs | median | ratio to {first} |\n|---|---|---|---|")
    for name in names:
        runs = ", ".join(f"{w:.1f}" for w in walls[name])
        print(f"| {name} | {runs} s | {medians[name]:.1f} s | "
              f"{medians[name] / medians[first]:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
