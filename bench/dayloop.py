"""The day loop against plain numpy running the same algorithm, and whole runs against the
floor (not part of the tests).

    python bench/dayloop.py [--persons 1000000] [--days 100] [--repeat 5]
    python bench/dayloop.py --whole [--persons 1000000] [--repeat 3] [--baseline OLD/src]
                            [--one-lane]
    python bench/dayloop.py --phases [--persons 1000000] [--repeat 3]
    python bench/dayloop.py --ahead [--persons 1000000] [--repeat 3]

Toy model (``bench/toy.yaml``): a score of 100 per person, an event with probability 0.01 a
day costing 10 points, a blacklist below 60. Timed in one process (CPU seconds; ``--wall``
for wall seconds), alternating, medians of ``--repeat``; model construction (population,
parts) is outside every timer:
* scorelab's day loop: the engine's phases (``engine.loop.PHASES``) for every day, local
  backend, one shard on one lane (``SCORELAB_THREADS=1``: the same algorithm on one core);
* plain numpy, scorelab's algorithm: each person carries the day of their next event (a
  geometric waiting time); each day finds the persons due, draws their next day, takes the
  points and counts who crosses the threshold. Two ways to find the persons due: a scan of
  the column (``np.flatnonzero(next_day == day)``) and a calendar of row arrays by day.
With ``--whole``: ``scorelab run`` of china-2022 (365 days after 365 warm-up days, all files
written, a fresh process each) alternating with the plain-numpy floor (``shared/bench/floor.py``,
365 days), and with ``--baseline`` the same run of another checkout's ``src`` (both
checkouts compiled to bytecode first, as an installed package is). Wall seconds
and CPU seconds (user + system of the child, all its threads) are both given: the wall is
what a user waits, on every core the run takes (its shard's lanes, ``core.lanes``); the CPU
is the work, and on a shared machine the steadier figure. ``--one-lane`` adds the same run
with ``SCORELAB_THREADS=1`` (one core, as the floor runs). Prints a Markdown table for
bench/RESULTS.md.
With ``--ahead``: china-2022 at ``--persons`` (local backend, one shard on the machine's
cores), alternating in one process with its truth run ahead in a child (``engine.ahead``,
whatever the shard's size) and without (the truth in the shard, on its lanes), wall seconds
of ``scorelab.run`` (no imports, no files), medians of ``--repeat``.
With ``--phases``: china-2022's truth and records phases (``Shard.truth``, ``Shard.records``)
over its 730 days, one shard (one lane) built afresh each time outside the timers, CPU
seconds; run it with ``PYTHONPATH`` set to each checkout in turn to compare them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FLOOR = HERE / "floor.py" if (HERE / "floor.py").exists() else \
    HERE.parents[1] / "shared" / "bench" / "floor.py"

RATE, POINTS, BASE, THRESHOLD = 0.01, 10, 100, 60


def _clock() -> float:
    """The in-process timers' clock: CPU seconds of this process (``--wall``: wall seconds);
    on a machine shared with other jobs the CPU figure is the steadier."""
    return time.perf_counter() if WALL else time.process_time()


WALL = False


def scorelab_loop(persons: int, days: int) -> float:
    """Seconds of scorelab's day loop on the toy model (construction not timed)."""
    from scorelab.engine import loop
    from scorelab.engine.backends import get_backend
    from scorelab.engine.run import shard_bounds
    from scorelab.scenario import load_scenario
    from scorelab.scenario.plan import compile as compile_plan

    scenario = load_scenario(HERE / "toy.yaml", overrides={
        "population": {"persons": persons}, "days": days})
    plan = compile_plan(scenario)
    backend = get_backend("local")
    os.environ["SCORELAB_THREADS"] = "1"  # (one core, as the numpy loops run)
    backend.start(plan, shard_bounds(plan.persons, plan.block_size, 1))
    try:
        driver = loop.Driver.start(plan, backend)
        start = _clock()
        for day in range(plan.total_days):
            for phase in loop.PHASES:
                phase(driver, day)
        return _clock() - start
    finally:
        backend.close()


def _geometric(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.geometric(RATE, n) - 1  # failures before the first success


def numpy_scan(persons: int, days: int) -> float:
    """Plain numpy, waiting times, the persons due found by a scan of the column."""
    rng = np.random.default_rng(1)
    next_day = np.minimum(_geometric(rng, persons), 65535).astype(np.uint16)
    score = np.full(persons, BASE, dtype=np.int16)
    listed = 0
    start = _clock()
    for day in range(days):
        rows = np.flatnonzero(next_day == day)
        next_day[rows] = np.minimum(day + 1 + _geometric(rng, rows.size), 65535)
        old = score[rows]
        new = old - POINTS
        score[rows] = new
        listed += int(np.count_nonzero((new < THRESHOLD) & (old >= THRESHOLD)))
    return _clock() - start


def numpy_calendar(persons: int, days: int) -> float:
    """Plain numpy, waiting times, the persons due held in a list of row arrays per day."""
    rng = np.random.default_rng(1)
    first = _geometric(rng, persons)
    score = np.full(persons, BASE, dtype=np.int16)
    listed = 0
    start = _clock()
    due: list[list[np.ndarray]] = [[] for _ in range(days)]
    order = np.argsort(first, kind="stable")
    counts = np.bincount(np.minimum(first, days), minlength=days + 1)[:days]
    at = 0
    for d, c in enumerate(counts.tolist()):
        due[d].append(order[at:at + c])
        at += c
    for day in range(days):
        parts = due[day]
        rows = parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))
        nxt = day + 1 + _geometric(rng, rows.size)
        keep = nxt < days
        later, when = rows[keep], nxt[keep]
        by = np.argsort(when, kind="stable")
        c = np.bincount(when - day - 1, minlength=days - day - 1)
        at = 0
        for k, n in enumerate(c.tolist()):
            if n:
                due[day + 1 + k].append(later[by[at:at + n]])
                at += n
        old = score[rows]
        new = old - POINTS
        score[rows] = new
        listed += int(np.count_nonzero((new < THRESHOLD) & (old >= THRESHOLD)))
    return _clock() - start


def _child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole(persons: int, repeat: int, baseline: Path | None, one_lane: bool = False) -> None:
    runs: dict[str, list[tuple[float, float]]] = {"scorelab": [], "floor": []}
    if baseline is not None:
        runs["baseline"] = []
    if one_lane:
        runs["scorelab, one lane"] = []
    cmd = [sys.executable, "-m", "scorelab", "run", "--preset", "china-2022", "--persons",
           str(persons), "--out", "/tmp/scorelab-dayloop-bench", "--force", "--quiet"]
    # bytecode for both checkouts first: where PYTHONDONTWRITEBYTECODE is set, a checkout
    # without its __pycache__ would compile its sources again in every run (0.3-0.4 s)
    spec = importlib.util.find_spec("scorelab")
    assert spec is not None and spec.submodule_search_locations
    for src in [Path(spec.submodule_search_locations[0]),
                *([baseline / "scorelab"] if baseline is not None else [])]:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True,
                       stdout=subprocess.DEVNULL)
    for _ in range(repeat):
        runs["scorelab"].append(_child(cmd))
        runs["floor"].append(_child([sys.executable, str(FLOOR), str(persons), "365"]))
        if baseline is not None:
            runs["baseline"].append(_child(cmd, {**os.environ, "PYTHONPATH": str(baseline)}))
        if one_lane:
            runs["scorelab, one lane"].append(_child(cmd, {**os.environ,
                                                           "SCORELAB_THREADS": "1"}))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
           for k, v in runs.items()}
    print(f"| china-2022, {persons:,} x 365 (+365) | wall (median of {repeat}) | CPU | "
          "ratio to floor, wall | ratio, CPU |\n|---|---|---|---|---|")
    for k, (w, c) in med.items():
        print(f"| {k} | {w:.2f} s | {c:.2f} s | {w / med['floor'][0]:.3f} | "
              f"{c / med['floor'][1]:.3f} |")


def phases(persons: int, repeat: int) -> None:
    from scorelab.engine.shard import Shard
    from scorelab.scenario import load_scenario
    from scorelab.scenario.extends import preset_text
    from scorelab.scenario.plan import compile as compile_plan

    plan = compile_plan(load_scenario(text=preset_text("china-2022"),
                                      overrides={"population": {"persons": persons}}))
    runs: dict[str, list[float]] = {"truth": [], "records": []}
    for _ in range(repeat):
        shard = Shard(plan, 0, plan.persons)
        spent = {"truth": 0.0, "records": 0.0}
        for day in range(plan.total_days):
            start = _clock()
            shard.truth(day, [], None)
            spent["truth"] += _clock() - start
            start = _clock()
            shard.records(day)
            spent["records"] += _clock() - start
        for k, v in spent.items():
            runs[k].append(v)
    for k, v in runs.items():
        print(f"china-2022, {persons:,} x {plan.total_days} days, {k}: min {min(v):.3f} s, "
              f"median {statistics.median(v):.3f} s (of {repeat})")


def ahead(persons: int, repeat: int) -> None:
    import scorelab
    from scorelab.engine import shard as shard_module
    from scorelab.scenario import load_scenario

    scenario = load_scenario(preset="china-2022",
                             overrides={"population": {"persons": persons}})
    runs: dict[str, list[float]] = {"ahead": [], "in the shard": []}
    for _ in range(repeat):
        for name, bounds in (("ahead", (0, 1 << 62)), ("in the shard", (1 << 62, 1 << 62))):
            shard_module.AHEAD_LEAST, shard_module.AHEAD_MOST = bounds
            start = time.perf_counter()
            scorelab.run(scenario)
            runs[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"china-2022, {persons:,} x 365 (+365), truth ahead: {med['ahead']:.2f} s, in the "
          f"shard: {med['in the shard']:.2f} s, ratio {med['ahead'] / med['in the shard']:.2f}"
          f" (medians of {repeat}; runs {', '.join(f'{t:.2f}' for t in runs['ahead'])} "
          f"against {', '.join(f'{t:.2f}' for t in runs['in the shard'])})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--whole", action="store_true")
    parser.add_argument("--phases", action="store_true")
    parser.add_argument("--ahead", action="store_true")
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("--one-lane", action="store_true",
                        help="with --whole: also scorelab on one lane (one core)")
    parser.add_argument("--wall", action="store_true", help="time the toy by wall seconds")
    args = parser.parse_args()
    global WALL
    WALL = args.wall
    if args.whole:
        whole(args.persons, args.repeat, args.baseline, args.one_lane)
        return 0
    if args.phases:
        phases(args.persons, args.repeat)
        return 0
    if args.ahead:
        ahead(args.persons, args.repeat)
        return 0
    timers = {"scorelab day loop": scorelab_loop, "numpy, scan": numpy_scan,
              "numpy, calendar": numpy_calendar}
    times: dict[str, list[float]] = {k: [] for k in timers}
    for _ in range(args.repeat):  # alternate, so all see the same machine noise
        for name, timer in timers.items():
            times[name].append(timer(args.persons, args.days))
    med = {k: statistics.median(v) for k, v in times.items()}
    pd = args.persons * args.days
    print(f"| toy model, {args.persons:,} x {args.days} days (median of {args.repeat}) "
          "| seconds | M person-days/s | scorelab / this |\n|---|---|---|---|")
    for name, t in med.items():
        print(f"| {name} | {t:.3f} | {pd / t / 1e6:.0f} | "
              f"{med['scorelab day loop'] / t:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
