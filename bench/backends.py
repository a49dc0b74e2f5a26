"""Backends side by side at equal shards (not part of the tests).

    python bench/backends.py [--persons 10000000] [--days 365] [--warmup-days 365]
                             [--shards 2] [--backends processes,ray,local] [--repeat 3]
                             [--baseline OLD_CHECKOUT/src] [--address RAY_HEAD]
    python bench/backends.py --crossing [--preset china-2022] [--persons 1000000] [--shards 2]
    python bench/backends.py --largest [--persons 100000000] [--days 365] [--warmup-days 0]

Whole ``scorelab run`` commands (china-2022, all four files written; Ray started and stopped
by the run itself, so its start is in the time), one backend after the other in turn
``--repeat`` times, so the load of a shared machine falls on all alike; medians, and each
backend's median as a ratio to the first one's. Ray runs with ``--workers`` equal to the
shards. With ``--address``, runs on that Ray cluster (already running, ``ray start --head``;
its ``RAY_AUTH_*`` settings in the environment) join each turn as ``ray (cluster)``: no
``ray.init`` or shutdown in their time. With ``--baseline``, each backend also runs on that version of scorelab (say, main
before a change), in the same turns. Needs Ray for ``ray`` (``pip install -e '.[bench]'``). Prints JSON and a Markdown table
for bench/RESULTS.md.

With ``--largest``, one run on the processes backend (a worker per shard) with the peak of
the summed resident memory of the command and all its processes (sampled every 0.2 s with
psutil, of the bench extra), for the largest run one machine can hold.

With ``--crossing``, no timing: the run goes through a local backend that pickles every
call's arguments and every answer (as the processes backend sends them; Ray's serialisation
is of the same data) and counts the bytes that would cross between the driver and the shards,
per phase, once (the plan) and per day. Posted calls have no answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from scale import timed_run

CLUSTER = "ray (cluster)"


def tree_peak(args: list[str]) -> tuple[float, int]:
    """Wall seconds of ``scorelab run ARGS`` and the peak of the summed RSS (bytes) of it and
    its worker processes."""
    import subprocess
    import time

    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "scorelab", "run", *args, "--out",
                                 f"{tmp}/out", "--quiet"], stdout=subprocess.DEVNULL)
        root, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.2)
        wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"the run failed (exit {proc.returncode})")
    return wall, peak


def crossing(persons: int, days: int, warmup_days: int, shards: int, preset: str
             ) -> dict[str, object]:
    """Bytes that cross between the driver and the shards in a run, per phase."""
    import pickle
    from collections import Counter
    from collections.abc import Callable
    from typing import Any

    from scorelab.engine.backends.local import LocalBackend
    from scorelab.engine.loop import run_days
    from scorelab.engine.run import shard_bounds
    from scorelab.scenario import load_scenario
    from scorelab.scenario.plan import Plan
    from scorelab.scenario.plan import compile as compile_plan

    out: Counter[str] = Counter()
    back: Counter[str] = Counter()
    calls: Counter[str] = Counter()

    class Counting(LocalBackend):
        def _start(self, plan: Plan, bounds: list[tuple[int, int]]) -> None:
            out["plan (once)"] += sum(len(pickle.dumps((plan, a, b))) for a, b in bounds)
            super()._start(plan, bounds)

        def _post(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> None:
            name = method.__name__
            out[name] += sum(len(pickle.dumps((name, a, False))) for a in args)
            calls[name] += 1
            LocalBackend._call(self, method, args)

        def _call(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
            name = method.__name__
            out[name] += sum(len(pickle.dumps((name, a, True))) for a in args)
            answers = LocalBackend._call(self, method, args)
            back[name] += sum(len(pickle.dumps(("ok", r))) for r in answers)
            calls[name] += 1
            return answers

    scenario = load_scenario(preset=preset, overrides={
        "population": {"persons": persons}, "days": days, "warmup_days": warmup_days})
    plan = compile_plan(scenario)
    run_days(plan, Counting(), shard_bounds(plan.persons, plan.block_size, shards))
    total_days = plan.total_days
    per_day = {name: {"to_shards": out[name] / total_days, "from_shards": back[name] / total_days,
                      "calls_per_day": calls[name] / total_days}
               for name in calls if name != "totals"}
    return {"preset": preset, "persons": persons, "shards": shards, "days": total_days,
            "plan_bytes_per_shard": out["plan (once)"] / shards,
            "totals_bytes": back["totals"], "per_day": per_day,
            "bytes_per_day": sum(out[n] + back[n] for n in calls if n != "totals") / total_days}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--warmup-days", type=int, default=365)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--backends", default="processes,ray,local")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--crossing", action="store_true")
    parser.add_argument("--preset", default="china-2022", help="(with --crossing)")
    parser.add_argument("--largest", action="store_true")
    parser.add_argument("--baseline", help="the src folder of another checkout")
    parser.add_argument("--address", help="also run on this Ray cluster, already running "
                        "(as 'ray (cluster)'; its RAY_AUTH_* settings in the environment)")
    args = parser.parse_args()
    if args.largest:
        with tempfile.TemporaryDirectory() as folder:
            scenario = Path(folder) / "scenario.yaml"
            scenario.write_text(f"extends: china-2022\nwarmup_days: {args.warmup_days}\n")
            wall, peak = tree_peak([str(scenario), "--persons", str(args.persons), "--days",
                                    str(args.days), "--shards", str(args.shards),
                                    "--backend", "processes"])
        print(json.dumps({"persons": args.persons, "days": args.days,
                          "warmup_days": args.warmup_days, "shards": args.shards,
                          "wall_s": wall, "peak_bytes": peak,
                          "bytes_per_person": peak / args.persons}, indent=2))
        return 0
    if args.crossing:
        print(json.dumps(crossing(args.persons, args.days, args.warmup_days, args.shards,
                                  args.preset), indent=2))
        return 0
    names = args.backends.split(",")
    if args.address:
        names.append(CLUSTER)
    folder = tempfile.TemporaryDirectory()
    scenario = Path(folder.name) / "scenario.yaml"
    scenario.write_text(f"extends: china-2022\nwarmup_days: {args.warmup_days}\n")
    base = [str(scenario), "--persons", str(args.persons), "--days", str(args.days),
            "--shards", str(args.shards)]
    versions: list[tuple[str, str | None]] = [("", None)]
    if args.baseline:
        versions.append((" (baseline)", args.baseline))
    walls: dict[str, list[float]] = {b + v: [] for b in names for v, _ in versions}
    for r in range(args.repeat):
        for name in names:
            for label, src in versions:
                extra = ["--backend", name]
                if name == "ray":
                    extra += ["--workers", str(args.shards)]
                elif name == CLUSTER:
                    extra = ["--backend", "ray", "--address", args.address]
                wall, _ = timed_run([*base, *extra], src)
                walls[name + label].append(wall)
                print(f"# {name}{label} #{r + 1}: {wall:.1f} s", file=sys.stderr, flush=True)
    names = list(walls)
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
