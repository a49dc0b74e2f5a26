"""The toy model five ways, side by side in one run (not part of the tests).

    make bench-toy
    # or, with Mesa in its own environment (it is the ``bench`` extra, not a dependency):
    python -m venv /work/benchvenv && /work/benchvenv/bin/pip install -e '.[bench]'
    /work/benchvenv/bin/python bench/toy.py [--sizes 1000000,10000000] [--days 100]
        [--mesa-days-large 10] [--repeat 3] [--only mesa-coin,numpy-wait,...]

The model (``bench/toy.yaml``): every person has a score of 100; each day an event befalls a
person with probability 0.01 and costs 10 points; below 60 a person is blacklisted. Two
algorithms:

* **coin**: a uniform draw per person and day (what an agent-based model does by default);
* **wait**: each person carries the day of their next event, a geometric waiting time (the
  exact law of a daily Bernoulli process), and a day touches only the persons due: scorelab's
  algorithm (``processes/events.py``).

Implementations, each in a fresh child process, run in turn ``--repeat`` times (alternating,
so the machine's load falls on all alike); medians:

* ``mesa-coin``: Mesa, one ``Agent.step`` per agent and day through ``model.agents.do``;
* ``mesa-wait``: Mesa agents with the waiting-time algorithm: the model keeps a calendar
  (day -> agents due) and steps only the agents due, each drawing its next day;
* ``numpy-coin``: plain numpy, one float32 uniform per person and day, work on the hits only;
* ``numpy-scan``: plain numpy with the waiting-time algorithm, a ``uint16`` next-event-day
  column compared with the day (a full scan) to find those due;
* ``numpy-calendar``: plain numpy with the waiting-time algorithm and a calendar queue, as
  scorelab runs it (persons bucketed by next event day, so a day touches only those due, no
  scan); the first days are bucketed inside the day loop's timer, where scorelab's calendar
  opens its first window;
* ``scorelab``: ``bench/toy.yaml`` on the local backend, one shard: the engine's day loop
  (every phase of ``engine.loop.PHASES``).

Timing is the same for all: **construction** (agents, arrays and first waiting times;
scorelab's plan, population and parts) is timed apart from the **day loop**; the ratios are of
day loops (construction outside the timer), and the construction times are printed next to
them. Summaries and files are not part of either (scorelab's whole CLI run is in
``bench/run.py``). Rates are person-days per second, so a size run for fewer days (Mesa at the
large size, ``--mesa-days-large``) is compared per person-day. Each child also reports how many
persons ended blacklisted, to show that all do the same work (the expected share after D days
is P(Binomial(D, 0.01) >= 5)).

The numpy implementations draw from one sequential generator (PCG64); scorelab's draws are
keyed by (seed, stream, day, person) so that any split of the population gives the same
bytes, which costs more per draw.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RATE, COST, START, FLOOR = 0.01, 10, 100, 60
IMPLS = ("mesa-coin", "mesa-wait", "numpy-coin", "numpy-scan", "numpy-calendar", "scorelab")
NEVER = np.iinfo(np.uint16).max


def geometric(u: np.ndarray) -> np.ndarray:
    """Days before the next event (Geometric - 1) from uniforms."""
    return np.floor(np.log1p(-u) / math.log1p(-RATE))


# --- Mesa --------------------------------------------------------------------------------

def mesa_model(persons: int, wait: bool) -> Callable[[int], int]:
    """A Mesa model of the toy; returns ``run(days) -> persons blacklisted``."""
    import mesa

    log_q = math.log1p(-RATE)

    class Person(mesa.Agent):  # type: ignore[misc]
        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.score = START
            self.blacklisted = False

        def step(self) -> None:  # coin: a draw per agent and day
            if self.random.random() < RATE:
                self.score -= COST
            self.blacklisted = self.score < FLOOR

        def act(self, day: int) -> None:  # wait: the event is due today; draw the next one
            self.score -= COST
            self.blacklisted = self.score < FLOOR
            self.model.book(self, day + 1 + int(math.log1p(-self.random.random()) / log_q))

    class Toy(mesa.Model):  # type: ignore[misc]
        def __init__(self, n: int) -> None:
            super().__init__(seed=1)
            self.day = 0
            self.calendar: dict[int, list[Person]] = {}
            for _ in range(n):
                agent = Person(self)
                if wait:
                    self.book(agent, int(math.log1p(-self.random.random()) / log_q))

        def book(self, agent: Person, day: int) -> None:
            self.calendar.setdefault(day, []).append(agent)

        def step(self) -> None:
            if wait:
                for agent in self.calendar.pop(self.day, ()):
                    agent.act(self.day)
            else:
                self.agents.do("step")
            self.day += 1

    model = Toy(persons)

    def run(days: int) -> int:
        for _ in range(days):
            model.step()
        return sum(1 for a in model.agents if a.blacklisted)

    return run


# --- numpy -------------------------------------------------------------------------------

def numpy_coin(persons: int) -> Callable[[int], int]:
    rng = np.random.default_rng(1)
    score = np.full(persons, START, dtype=np.int16)
    black = np.zeros(persons, dtype=bool)

    def run(days: int) -> int:
        for _ in range(days):
            hit = np.flatnonzero(rng.random(persons, dtype=np.float32) < RATE)
            score[hit] -= COST
            black[hit] = score[hit] < FLOOR
        return int(black.sum())

    return run


def numpy_scan(persons: int) -> Callable[[int], int]:
    rng = np.random.default_rng(1)
    score = np.full(persons, START, dtype=np.int16)
    black = np.zeros(persons, dtype=bool)
    nxt = np.minimum(geometric(rng.random(persons)), NEVER).astype(np.uint16)

    def run(days: int) -> int:
        for day in range(days):
            rows = np.flatnonzero(nxt == day)
            score[rows] -= COST
            black[rows] = score[rows] < FLOOR
            nxt[rows] = np.minimum(day + 1 + geometric(rng.random(rows.size)), NEVER)
        return int(black.sum())

    return run


def numpy_calendar(persons: int) -> Callable[[int], int]:
    """Buckets of person rows by next event day; a day's bucket is what it touches."""
    rng = np.random.default_rng(1)
    score = np.full(persons, START, dtype=np.int16)
    black = np.zeros(persons, dtype=bool)
    buckets: dict[int, list[np.ndarray]] = {}

    def book(rows: np.ndarray, when: np.ndarray) -> None:
        if rows.size == 0:
            return
        order = np.argsort(when, kind="stable")
        rows, when = rows[order], when[order]
        days, starts = np.unique(when, return_index=True)
        for d, part in zip(days.tolist(), np.split(rows, starts[1:]), strict=True):
            buckets.setdefault(d, []).append(part)

    first = np.minimum(geometric(rng.random(persons)), NEVER).astype(np.int64)

    def run(days: int) -> int:
        # the first days are drawn in construction and bucketed in the loop, as scorelab's
        # are (its calendar opens its first window on the first day)
        book(np.arange(persons, dtype=np.int64), first)
        for day in range(days):
            parts = buckets.pop(day, [])
            if not parts:
                continue
            rows = parts[0] if len(parts) == 1 else np.concatenate(parts)
            score[rows] -= COST
            black[rows] = score[rows] < FLOOR
            when = day + 1 + geometric(rng.random(rows.size)).astype(np.int64)
            keep = when < days
            book(rows[keep], when[keep])
        return int(black.sum())

    return run


# --- scorelab ----------------------------------------------------------------------------

def scorelab_model(persons: int) -> Callable[[int], int]:
    from scorelab.engine.backends import LocalBackend
    from scorelab.engine.loop import PHASES, Driver
    from scorelab.engine.run import shard_bounds
    from scorelab.scenario import load_scenario
    from scorelab.scenario.plan import compile as compile_plan

    holder: dict[str, object] = {}

    def build(days: int) -> None:
        scenario = load_scenario(HERE / "toy.yaml", overrides={
            "population": {"persons": persons}, "days": days})
        plan = compile_plan(scenario)
        backend = LocalBackend()
        backend.start(plan, shard_bounds(plan.persons, plan.block_size, 1))
        holder.update(backend=backend, driver=Driver.start(plan, backend))

    def run(days: int) -> int:
        driver = holder["driver"]
        for day in range(days):
            for phase in PHASES:
                phase(driver, day)  # type: ignore[arg-type]
        backend: LocalBackend = holder["backend"]  # type: ignore[assignment]
        system = backend.shards[0].systems[0]
        return int((system.grade == len(system.grade_names) - 1).sum())  # type: ignore[attr-defined]

    run.build = build  # type: ignore[attr-defined]
    return run


def one(impl: str, persons: int, days: int) -> dict[str, float]:
    """Build and run one implementation here; its timings as plain data."""
    start = time.perf_counter()
    if impl.startswith("mesa"):
        run = mesa_model(persons, wait=impl == "mesa-wait")
    elif impl == "scorelab":
        run = scorelab_model(persons)
        run.build(days)  # type: ignore[attr-defined]
    else:
        run = {"numpy-coin": numpy_coin, "numpy-scan": numpy_scan,
               "numpy-calendar": numpy_calendar}[impl](persons)
    built = time.perf_counter()
    black = run(days)
    done = time.perf_counter()
    return {"build_s": built - start, "loop_s": done - built, "blacklisted": black,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(impl: str, persons: int, days: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--one", impl, "--persons", str(persons),
                          "--days", str(days)], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def expected_share(days: int) -> float:
    """P(Binomial(days, RATE) >= 5): the share blacklisted after ``days`` days."""
    below = sum(math.comb(days, k) * RATE**k * (1 - RATE) ** (days - k) for k in range(5))
    return 1.0 - below


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--mesa-days-large", type=int, default=10,
                        help="days of the Mesa runs at sizes above 1,000,000 persons")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=",".join(IMPLS))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--persons", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.persons, args.days)))
        return 0
    impls = [i for i in IMPLS if i in args.only.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    table: dict[int, dict[str, dict[str, float]]] = {}
    for n in sizes:
        runs: dict[str, list[dict[str, float]]] = {i: [] for i in impls}
        days = {i: (args.mesa_days_large if i.startswith("mesa") and n > 1_000_000
                    else args.days) for i in impls}
        for r in range(args.repeat):
            for impl in impls:
                res = child(impl, n, days[impl])
                runs[impl].append(res)
                print(f"# {n:,} {impl} #{r + 1}: {json.dumps(res)}", file=sys.stderr, flush=True)
        table[n] = {}
        for impl in impls:
            loop = statistics.median(x["loop_s"] for x in runs[impl])
            build = statistics.median(x["build_s"] for x in runs[impl])
            table[n][impl] = {
                "days": days[impl], "loop_s": loop, "build_s": build,
                "loop_rate": n * days[impl] / loop, "whole_rate": n * days[impl] / (loop + build),
                "peak_mib": max(x["peak_mib"] for x in runs[impl]),
                "blacklisted_share": runs[impl][0]["blacklisted"] / n,
                "expected_share": expected_share(days[impl])}
    print(json.dumps(table, indent=2))
    for n, row in table.items():
        print(f"\n{n:,} persons; medians of {args.repeat}, alternating; "
              "rates in M person-days/s\n")
        print("| implementation | days | construction | day loop | rate, loop | "
              "rate, with construction | scorelab / this, loop | scorelab / this, with "
              "construction | blacklisted (expected) | peak RSS |\n"
              "|---|---|---|---|---|---|---|---|---|---|")
        ours = row.get("scorelab", {})
        for impl, x in row.items():
            ratio = (f"{ours['loop_rate'] / x['loop_rate']:,.2f} | "
                     f"{ours['whole_rate'] / x['whole_rate']:,.2f}") if ours else " | "
            print(f"| {impl} | {x['days']} | {x['build_s']:.2f} s | {x['loop_s']:.2f} s | "
                  f"{x['loop_rate'] / 1e6:,.1f} | {x['whole_rate'] / 1e6:,.1f} | {ratio} | "
                  f"{x['blacklisted_share']:.4f} ({x['expected_share']:.4f}) | "
                  f"{x['peak_mib']:,.0f} MiB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
