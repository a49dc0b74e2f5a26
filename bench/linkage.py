"""Linkage benchmark: scorelab's linkage step against a direct splink run on the same records
(not part of the tests).

    python bench/linkage.py [--persons 1000000] [--repeat 2]

Writes the identity records of an ``integrated`` run of ``--persons`` persons (every source's
records on day 0: bureau file holders, the court list, Rongcheng) to Parquet once, then in
fresh processes, alternating ``--repeat`` times:
* ``scorelab``: ``scorelab.integration.linkage.link`` on those records (what a linkage day
  runs: Arrow table, splink training, predict, clustering, cluster numbering);
* ``splink``: the same settings written directly with splink's API, reading the Parquet file.
Each prints wall time, peak resident memory (``ru_maxrss``) and the pairwise precision and
recall of its clusters; the ratio of median wall times is the seam's overhead. Prints a Markdown table
for bench/RESULTS.md.

    python bench/linkage.py --runs [--persons 1000000] [--days 365] [--repeat 1] [--whole-full]

Incremental linkage in whole runs: the ``integrated`` preset at ``--persons`` x ``--days``
(monthly linkage) with ``integration.relink: incremental``, in a fresh process: the run's wall
and CPU time, each linkage's, peak memory; then, outside the run's time, the last linkage's
records re-linked in full (trained afresh), and the pairwise precision and recall of both
clusterings with their sampling errors (``sqrt(p(1-p)/pairs)`` over the predicted and the
true pairs): the target is the two within 0.005 of each other. ``--whole-full`` alternates
with whole runs whose every linkage is a full re-link (``relink: full``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def write_records(persons: int, path: Path) -> int:
    """The records of an integrated run's first day, as a linkage day would gather them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scorelab.engine.shard import Shard
    from scorelab.scenario import load_scenario
    from scorelab.scenario.plan import compile as compile_plan

    plan = compile_plan(load_scenario(preset="integrated", overrides={
        "population": {"persons": persons}, "days": 1, "warmup_days": 0}))
    records, _ = Shard(plan, 0, persons).identity_records(0)
    order = np.lexsort((records.person, records.source))
    table = pa.table({name: getattr(records, name)[order] for name in
                      ("person", "source", "surname", "given", "birth", "id_number", "city")})
    pq.write_table(table, path)
    return int(table.num_rows)


def _pairs(cluster: np.ndarray, person: np.ndarray) -> tuple[float, float]:
    precision, recall, _, _ = _pair_counts(cluster, person)
    return precision, recall


def _pair_counts(cluster: np.ndarray, person: np.ndarray) -> tuple[float, float, int, int]:
    """Pairwise precision and recall, and the predicted and true pairs they are shares of."""
    from scorelab.integration.composite import assess

    result = assess(person, np.zeros(person.size, np.int64), np.ones(person.size), cluster,
                    np.ones(1), np.array([0]), np.array([False]))
    return (float(result.precision or 0.0), float(result.recall or 0.0),
            result.counts["predicted_pairs"], result.counts["true_pairs"])


def run_scorelab(path: Path) -> dict[str, float]:
    import pyarrow.parquet as pq

    from scorelab.integration.linkage import link
    from scorelab.records.identity import IdentityRecords
    from scorelab.scenario.schema import LinkageSpec

    table = pq.read_table(path)
    records = IdentityRecords(**{name: np.asarray(table[name].to_numpy(zero_copy_only=False))
                                 .astype(np.int64 if name == "person" else
                                         np.uint8 if name == "source" else str)
                                 for name in table.column_names})
    start = time.perf_counter()
    clusters = link(records, LinkageSpec(), seed=7)
    wall = time.perf_counter() - start
    precision, recall = _pairs(clusters.cluster, records.person)
    return {"wall_s": wall, "precision": precision, "recall": recall}


def run_splink(path: Path) -> dict[str, float]:
    """The same settings with splink's API only (scorelab's defaults, written out). u comes
    from as many random pairs as scorelab draws for these records (``linkage.u_pairs``);
    scorelab's smaller sample for the ID comparison alone (``comparisons[i].u_pairs``) is
    not mirrored: splink's call draws one sample for every comparison."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from scorelab.integration.linkage import u_pairs
    from scorelab.scenario.integration import LinkageSpec

    start = time.perf_counter()
    con = duckdb.connect(config={"threads": os.cpu_count() or 1})
    con.execute(
        "CREATE TABLE records AS SELECT row_number() OVER () - 1 AS unique_id, person, "
        + ", ".join(f"NULLIF({c}, '') AS {c}" for c in
                    ("surname", "given", "birth", "id_number", "city"))
        + f" FROM read_parquet('{path}')").fetchall()
    sdf = DuckDBAPI(con).register("records", dataset_display_name="records")
    rules = [["id_number"], ["surname", "given"], ["surname", "birth"], ["given", "birth"]]
    settings = SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="unique_id",
        comparisons=[
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]).configure(
                term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("given", [0.92, 0.8]).configure(
                term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.DamerauLevenshteinAtThresholds("id_number", [1, 2]),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True)],
        blocking_rules_to_generate_predictions=[block_on(*r) for r in rules],
        additional_columns_to_retain=["person"],
        retain_intermediate_calculation_columns=False, retain_matching_columns=False)
    linker = Linker(sdf, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*r) for r in rules], recall=0.95)
    (records,), = con.execute("SELECT count(*) FROM records").fetchall()
    pairs = u_pairs(LinkageSpec(), int(records))
    linker.training.estimate_u_using_random_sampling(max_pairs=pairs, seed=7)
    for rule in (["id_number"], ["surname", "given"]):
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*rule), estimate_without_term_frequencies=True)
    predictions = linker.inference.predict(threshold_match_probability=0.95)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.95)
    rows = con.execute(f"SELECT cluster_id, person FROM {clusters.physical_name} "
                       "ORDER BY unique_id").fetchall()
    wall = time.perf_counter() - start
    labels = np.unique(np.array([str(r[0]) for r in rows]), return_inverse=True)[1]
    precision, recall = _pairs(labels.astype(np.int64), np.array([r[1] for r in rows]))
    return {"wall_s": wall, "precision": precision, "recall": recall}


def run_whole(persons: int, days: int, relink: str) -> dict[str, Any]:
    """A whole integrated run, each linkage timed (wall, and whether it was full)."""
    import scorelab
    from scorelab.integration import integrator
    from scorelab.scenario import load_scenario

    linkages: list[dict[str, Any]] = []
    plain = integrator.Integrator.link

    relinked: dict[str, Any] = {}

    def timed(self: integrator.Integrator, day: int, *args: Any) -> None:
        full = self.spec.full_relink(self.linkages) or not self.model
        start, cpu = time.perf_counter(), time.process_time()
        plain(self, day, *args)
        linkages.append({"day": day, "full": full, "wall_s": time.perf_counter() - start,
                         "cpu_s": time.process_time() - cpu, "records": self.last["records"],
                         "pairs": self.last["pairs_matched"]})
        if day == self.last_day and not full:  # the same records, re-linked in full
            relinked.update(_relink(self))

    integrator.Integrator.link = timed  # type: ignore[method-assign]
    scenario = load_scenario(preset="integrated", overrides={
        "population": {"persons": persons}, "days": days, "integration": {"relink": relink}})
    start, cpu = time.perf_counter(), time.process_time()
    result = scorelab.run(scenario)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    last = result.summary.integration
    assert last is not None
    if relinked:  # the relink's own time is not the run's
        wall -= relinked["wall_s"]
        cpu -= relinked["cpu_s"]
    return {"wall_s": wall, "cpu_s": cpu, "linkages": linkages,
            "linkage_s": sum(k["wall_s"] for k in linkages),
            "linkage_cpu_s": sum(k["cpu_s"] for k in linkages),
            "precision": last.precision, "recall": last.recall,
            "predicted_pairs": last.predicted_pairs, "true_pairs": last.true_pairs,
            "records": last.records, "relinked": relinked}


def _relink(kept: Any) -> dict[str, Any]:
    """A full linkage (trained afresh) of the records the integrator linked last."""
    from scorelab.integration.linkage import link
    from scorelab.records.identity import IdentityRecords

    key = kept.kept_key
    records = IdentityRecords(person=key & ((1 << 40) - 1),
                              source=(key >> 40).astype(np.uint8), **kept.kept)
    start, cpu = time.perf_counter(), time.process_time()
    clusters = link(records, kept.spec.linkage, kept.seed, kept.threads)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    incremental = _pair_counts(kept.kept_cluster, records.person)
    full = _pair_counts(clusters.cluster, records.person)
    return {"wall_s": wall, "cpu_s": cpu, "incremental": incremental, "full": full}



def _se(p: float | None, n: int | None) -> float:
    """The binomial sampling error of a proportion ``p`` over ``n`` pairs."""
    return float(np.sqrt(p * (1 - p) / n)) if p is not None and n else float("nan")


def compare_runs(persons: int, days: int, repeat: int, whole_full: bool) -> None:
    """Whole incremental runs (the last linkage's records also re-linked in full, outside the
    run's time), alternating with whole full-relink runs if ``whole_full``."""
    modes = ["incremental", "full"] if whole_full else ["incremental"]
    results: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    for _ in range(repeat):
        for relink, found in results.items():
            found.append(_child_run(persons, days, relink))
    print(f"integrated, {persons:,} persons x {days} days (+ 365 warm-up), linkage every 30 "
          f"days, {os.cpu_count()} cores, DuckDB threads {os.cpu_count()}; medians of "
          f"{repeat}\n")
    print("| relink | whole run wall (s) | its CPU (s) | linkages: first / later (median) / "
          "all, wall (s) | linkages, CPU (s) | peak RSS (GiB) | last linkage: precision | "
          "recall |")
    print("|---|---|---|---|---|---|---|---|")
    for relink, found in results.items():
        r = found[0]
        walls = [k["wall_s"] for k in r["linkages"]]
        later = f"{np.median(walls[1:]):.1f}" if len(walls) > 1 else "-"
        print(f"| {relink} | {np.median([f['wall_s'] for f in found]):.1f} | "
              f"{np.median([f['cpu_s'] for f in found]):.1f} | {walls[0]:.1f} / {later} / "
              f"{np.median([f['linkage_s'] for f in found]):.1f} | "
              f"{np.median([f['linkage_cpu_s'] for f in found]):.1f} | {r['peak_gib']:.2f} | "
              f"{r['precision']:.5f} | {r['recall']:.5f} |")
    a = results["incremental"][0]
    print("\nrecords per linkage: " + ", ".join(f"{k['records']:,}" for k in a["linkages"])
          + "; pairs matched (new pairs when incremental): "
          + ", ".join(str(k["pairs"]) for k in a["linkages"]))
    relinked = a["relinked"]
    if relinked:
        print("\nthe last linkage's records, incremental clusters against a full re-link "
              f"(trained afresh; {relinked['wall_s']:.1f} s wall, {relinked['cpu_s']:.1f} s "
              "CPU):\n")
        print("| clusters | precision (SE) | recall (SE) | predicted pairs | true pairs |")
        print("|---|---|---|---|---|")
        for name in ("incremental", "full"):
            p, r, predicted, true = relinked[name]
            print(f"| {name} | {p:.5f} ({_se(p, predicted):.5f}) | {r:.5f} "
                  f"({_se(r, true):.5f}) | {predicted:,} | {true:,} |")
        (p1, r1, _, _), (p2, r2, _, _) = relinked["incremental"], relinked["full"]
        print(f"\nincremental - full: precision {p1 - p2:+.5f}, recall {r1 - r2:+.5f} "
              "(target: within 0.005)")


def _child_run(persons: int, days: int, relink: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", "run", "--persons",
                          str(persons), "--days", str(days), "--relink", relink],
                         check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _child(which: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", which, "--records", str(path)],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"the {which} child failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", action="store_true")
    parser.add_argument("--whole-full", action="store_true")
    parser.add_argument("--relink", choices=["incremental", "full"], default="incremental")
    parser.add_argument("--child", choices=["scorelab", "splink", "run"])
    parser.add_argument("--records", type=Path)
    args = parser.parse_args()
    if args.child:
        logging_off()
        result: dict[str, Any] = (
            run_whole(args.persons, args.days, args.relink) if args.child == "run" else
            (run_scorelab if args.child == "scorelab" else run_splink)(args.records))
        result["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(json.dumps(result))
        return
    if args.runs:
        compare_runs(args.persons, args.days, args.repeat, args.whole_full)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.parquet"
        start = time.perf_counter()
        n = write_records(args.persons, path)
        made = time.perf_counter() - start
        runs: dict[str, list[dict[str, float]]] = {"scorelab": [], "splink": []}
        for _ in range(args.repeat):  # alternate, so a busy spell of the machine hits both
            for which, results in runs.items():
                results.append(_child(which, path))
        ours, theirs = (_median(runs[w]) for w in ("scorelab", "splink"))
    print(f"persons {args.persons:,}, records {n:,} (written in {made:.0f} s), "
          f"{os.cpu_count()} cores\n")
    print("| run | wall (s) | peak RSS (GiB) | precision | recall |")
    print("|---|---|---|---|---|")
    for name, r in (("scorelab link()", ours), ("splink directly", theirs)):
        print(f"| {name} | {r['wall_s']:.1f} | {r['peak_gib']:.2f} | {r['precision']:.5f} | "
              f"{r['recall']:.5f} |")
    print(f"\nratio scorelab / splink (medians of {args.repeat}): "
          f"{ours['wall_s'] / theirs['wall_s']:.2f}; walls: "
          + "; ".join(f"{w} " + ", ".join(f"{r['wall_s']:.1f}" for r in rs)
                      for w, rs in runs.items()))


def _median(results: list[dict[str, float]]) -> dict[str, float]:
    """Median wall time; the largest peak; accuracy (the same in every run)."""
    walls = sorted(r["wall_s"] for r in results)
    return {**results[0], "wall_s": float(np.median(walls)),
            "peak_gib": max(r["peak_gib"] for r in results)}


def logging_off() -> None:
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)


if __name__ == "__main__":
    main()
