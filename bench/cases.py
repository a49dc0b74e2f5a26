"""What the case files cost: a run with them and without, side by side (not part of the tests).

    python bench/cases.py [--preset china-2022] [--persons 1000000] [--repeat 5]

Runs the preset with the case files (``report.cases`` at its default, 10) and without
(``report.cases: 0``: nothing logged, nothing told), alternately, each in a child process of
its own that writes all the run's files and reports its wall time and peak resident memory.
Prints the medians and the ratios (with / without), a Markdown table for bench/RESULTS.md.
Ratios, not seconds, are what to compare between machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
import scorelab
start = time.perf_counter()
scorelab.run(sys.argv[1], persons=int(sys.argv[2]), out=sys.argv[3], force=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss": usage.ru_maxrss * 1024}))
"""

#: one run with the case files, in this process's engine, to see what they hold and what
#: telling them after the last day takes
DETAIL = """
import json, sys, time
import scorelab
import scorelab.engine.loop as loop
from scorelab.engine.shard import Shard
box = {"rows": 0}
tell, propose = loop._cases, Shard.case_candidates
def timed(*args):
    start = time.perf_counter()
    out = tell(*args)
    box["tell"] = time.perf_counter() - start
    return out
def counted(self):
    box["rows"] += sum(p.cases.table().shape[0] for p in [*self.systems, *self.measures])
    return propose(self)
counted.__name__ = "case_candidates"  # (a backend calls only methods of Shard)
loop._cases, Shard.case_candidates = timed, counted
start = time.perf_counter()
result = scorelab.run(sys.argv[1], persons=int(sys.argv[2]))
box["wall"] = time.perf_counter() - start
box["told"] = result.cases.height
print(json.dumps(box))
"""


def detail(scenario: Path, persons: int) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", DETAIL, str(scenario), str(persons)],
                          check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def once(scenario: Path, persons: int, out: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(scenario), str(persons), str(out)],
                          check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="china-2022")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenarios = {}
        for label, cases in (("with", 10), ("without", 0)):
            path = folder / f"{label}.yaml"
            path.write_text(f"extends: {args.preset}\nreport: {{cases: {cases}}}\n")
            scenarios[label] = path
        runs: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
        for r in range(args.repeat):
            order = ("with", "without") if r % 2 == 0 else ("without", "with")
            for label in order:
                runs[label].append(once(scenarios[label], args.persons, folder / label))
                print(f"# {label}: {runs[label][-1]}", file=sys.stderr)
        inside = detail(scenarios["with"], args.persons)
    wall = {k: statistics.median(x["wall"] for x in v) for k, v in runs.items()}
    cpu = {k: statistics.median(x["cpu"] for x in v) for k, v in runs.items()}
    rss = {k: statistics.median(x["rss"] for x in v) for k, v in runs.items()}
    print(f"| measure ({args.preset}, {args.persons:,} persons, medians of {args.repeat}, "
          "alternating) | with case files | without | ratio |")
    print("|---|---|---|---|")
    print(f"| wall time of the run, all files written | {wall['with']:.2f} s | "
          f"{wall['without']:.2f} s | **{wall['with'] / wall['without']:.3f}** |")
    print(f"| CPU time of the run's process (less sensitive to other work on the machine) | "
          f"{cpu['with']:.2f} s | {cpu['without']:.2f} s | "
          f"**{cpu['with'] / cpu['without']:.3f}** |")
    print(f"| peak RSS | {rss['with'] / 2**20:.0f} MiB | {rss['without'] / 2**20:.0f} MiB | "
          f"**{rss['with'] / rss['without']:.3f}** |")
    print(f"| decisions logged over the run (rows of 5 int64: {inside['rows'] * 40 / 2**20:.2f} "
          f"MiB) | {inside['rows']:,.0f} | | |")
    print(f"| telling the cases after the last day ({inside['told']:,.0f} trail entries) | "
          f"{inside['tell'] * 1000:.0f} ms | | {inside['tell'] / inside['wall']:.4f} of the run |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
