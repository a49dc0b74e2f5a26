"""Record linkage with splink on DuckDB: which identity records are the same person.

The integrator does not know who a record is about; it has the identity as written. Splink's
Fellegi-Sunter model, trained without labels (u by random sampling, m by EM over the
scenario's training blocks), scores the pairs the blocking rules generate; pairs at or above
the threshold are joined into clusters (connected components). The true person of each record
is carried alongside only to score the result, never compared.

Two ways to link: :func:`link` trains the model and scores every pair the blocking rules
generate (a full linkage, minutes for a million records); :func:`link_new` keeps the trained
model and the clusters of the last linkage and scores only the pairs with a record new since
then (splink's ``predict_between`` new and existing records, and ``predict_within`` the new
ones), so a monthly linkage costs what the month's new records cost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..records.identity import IdentityRecords
from ..scenario.schema import LinkageSpec

if TYPE_CHECKING:  # (pyarrow is imported by the first linkage: most runs link nothing)
    import pyarrow as pa

TRUE_PERSON = "person_truth"
#: the stages of :func:`link_new`, in order
NEW_STAGES = ("loading records", "scoring new records", "clustering")
#: the libraries a linkage imports when it first runs, 0.5-0.7 s (a process that starts runs
#: may import them ahead: ``scorelab.app.jobs``); pandas because pyarrow imports it to convert
#: numpy arrays
LINKAGE_IMPORTS = ("duckdb", "splink", "splink.comparison_library", "scipy.sparse.csgraph",
                   "pandas")


@dataclass
class Clusters:
    """The linkage result: one cluster label per record (records in the given order)."""

    cluster: np.ndarray  # int64, 0 .. clusters-1, numbered by first record
    pairs_matched: int  # record pairs at or above the match threshold (scored this linkage)
    model: str = ""  # the trained model (splink's settings as JSON); empty if none was trained


def _table(records: IdentityRecords, new: np.ndarray | None = None) -> pa.Table:
    """Records as an Arrow table; empty fields are nulls (splink's null level); with ``new``,
    a column ``is_new``."""
    import pyarrow as pa

    columns: dict[str, Any] = {"unique_id": pa.array(np.arange(len(records), dtype=np.int64)),
                               TRUE_PERSON: pa.array(records.person)}
    if new is not None:
        columns["is_new"] = pa.array(new)
    for name in ("surname", "given", "birth", "id_number", "city"):
        text = getattr(records, name)
        columns[name] = pa.array(text, type=pa.string(), mask=np.char.str_len(text) == 0)
    return pa.table(columns)


def _comparison(spec: Any) -> Any:
    import splink.comparison_library as cl

    method, field = spec.method, spec.field
    out: Any
    if method == "exact":
        out = cl.ExactMatch(field)
    elif method == "jaro_winkler":
        out = cl.JaroWinklerAtThresholds(field, spec.thresholds or [0.92, 0.8])
    elif method == "levenshtein":
        out = cl.DamerauLevenshteinAtThresholds(
            field, [int(t) for t in spec.thresholds] or [1, 2])
    else:  # date
        out = cl.DateOfBirthComparison(field, input_is_string=True, datetime_format="%Y-%m-%d")
    if spec.term_frequency:
        out = out.configure(term_frequency_adjustments=True)
    return out


#: random record pairs sampled for u, per record (between ``u_min_pairs`` and ``u_max_pairs``)
U_PAIRS_PER_RECORD = 2


def u_pairs(spec: LinkageSpec, records: int) -> int:
    """How many random pairs splink samples to estimate u: 2 a record, at least
    ``spec.u_min_pairs`` (200,000), at most ``spec.u_max_pairs`` (1,000,000; the cap wins).

    Why not always the cap: sampling costs the same whatever the number of records (splink
    draws about sqrt(2 x pairs) records and compares all their pairs), and most of it goes to
    levels no feasible sample sees (the ID's exact and near matches between two persons), so a
    100,000-person run spent 6 of its 10 seconds on it. Why the floor: a level of probability
    u among non-matches is seen about ``pairs x u`` times, with a relative error of
    1/sqrt(pairs x u). The rarest level that random pairs show, the same date of birth
    (u about 4e-5 in the preset's population), is seen about 8 times in 200,000 pairs (missed
    with chance e^-8; splink would then take u = 1e-6) and known within about 35% (45%
    measured: the pairs share records), about half a bit of a match weight near 15 bits; the
    given name's exact level (u about 4e-4) within 11%; every other level seen (u of 1e-3 or
    more) within 7%. Linkages of 500,000 records or more sample the cap, as before.
    bench/RESULTS.md measures the pairwise precision and recall this gives."""
    return min(spec.u_max_pairs, max(spec.u_min_pairs, U_PAIRS_PER_RECORD * records))


def stage_names(spec: LinkageSpec) -> list[str]:
    """The stages of a linkage, in order, as :func:`link` reports them (a linkage of many
    records takes seconds to minutes: the CLI shows which stage it is in)."""
    em = len(spec.em_blocking_rules)
    return ["loading records", "estimating the match rate", "estimating u by sampling",
            *[f"training m (EM {i} of {em})" for i in range(1, em + 1)], "scoring pairs",
            "clustering"]


@contextlib.contextmanager
def _database(records: IdentityRecords, threads: int | None, new: np.ndarray | None = None
              ) -> Iterator[tuple[Any, Any]]:
    """A DuckDB connection holding ``records`` as table ``records`` (with ``new``: a column
    ``is_new``), and splink's API on it; splink's narration silenced (a run reports its
    own)."""
    import duckdb
    from splink import DuckDBAPI

    splink_log = logging.getLogger("splink")
    level = splink_log.level
    splink_log.setLevel(logging.ERROR)
    con = duckdb.connect(config={"threads": threads or os.cpu_count() or 1})
    # DuckDB's own progress bar would write into the CLI's bar and logs; in Jupyter without
    # ipywidgets DuckDB refuses to change the setting (and draws no bar)
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    try:
        con.register("records_arrow", _table(records, new))
        con.execute("CREATE TABLE records AS SELECT * FROM records_arrow").fetchall()
        con.unregister("records_arrow")
        yield con, DuckDBAPI(con)
    finally:
        con.close()
        splink_log.setLevel(level)


def link(records: IdentityRecords, spec: LinkageSpec, seed: int,
         threads: int | None = None, stage: Callable[[str], None] | None = None) -> Clusters:
    """Train the model and cluster ``records`` (in a fixed order: the result depends only on
    them and ``seed``). ``stage`` is told each of :func:`stage_names` as it begins."""
    names = stage_names(spec)
    say = stage or (lambda name: None)
    n = len(records)
    if n < 2:
        return Clusters(np.arange(n, dtype=np.int64), 0)
    from splink import Linker, SettingsCreator, block_on

    say(names[0])
    with _database(records, threads) as (con, db_api):
        sdf = db_api.register("records", dataset_display_name="records")

        def settings(comparisons: list[Any]) -> Any:
            return SettingsCreator(
                link_type="dedupe_only",
                unique_id_column_name="unique_id",
                comparisons=[_comparison(c) for c in comparisons],
                blocking_rules_to_generate_predictions=[block_on(*rule)
                                                        for rule in spec.blocking_rules],
                additional_columns_to_retain=[TRUE_PERSON],
                retain_intermediate_calculation_columns=False,
                retain_matching_columns=False,
            )

        # comparisons by the random pairs their u is estimated from
        groups: dict[int, list[Any]] = {}
        for c in spec.comparisons:
            groups.setdefault(c.u_pairs or u_pairs(spec, n), []).append(c)
        linker = Linker(sdf, settings(spec.comparisons), log_level=None)
        say(names[1])
        linker.training.estimate_probability_two_random_records_match(
            [block_on(*rule) for rule in spec.blocking_rules], recall=spec.recall)
        say(names[2])
        if len(groups) == 1:
            linker.training.estimate_u_using_random_sampling(max_pairs=next(iter(groups)),
                                                             seed=seed)
        else:  # each group's u on a linker of its own; the model takes them all
            trained: dict[str, Any] = {}
            for pairs, comparisons in groups.items():
                part = Linker(sdf, settings(comparisons), log_level=None)
                part.training.estimate_u_using_random_sampling(max_pairs=pairs, seed=seed)
                for c in part.misc.save_model_to_json()["comparisons"]:
                    trained[c["output_column_name"]] = c
            model_json = linker.misc.save_model_to_json()
            model_json["comparisons"] = [trained[c["output_column_name"]]
                                         for c in model_json["comparisons"]]
            linker = Linker(sdf, model_json, log_level=None)
        training = linker.training
        for i, rule in enumerate(spec.em_blocking_rules):
            say(names[3 + i])
            training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), estimate_without_term_frequencies=True)
        model = json.dumps(linker.misc.save_model_to_json(), sort_keys=True)
        say(names[-2])
        predictions = linker.inference.predict(threshold_match_probability=spec.threshold)
        pairs = int(con.execute(
            f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0])
        say(names[-1])
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=spec.threshold)
        # number clusters by their first record, so labels do not depend on splink's naming
        numbered = con.execute(
            "SELECT unique_id, dense_rank() OVER (ORDER BY first) - 1 AS cluster FROM ("
            "SELECT unique_id, min(unique_id) OVER (PARTITION BY cluster_id) AS first "
            f"FROM {clusters.physical_name})").fetchnumpy()
    cluster = np.empty(n, dtype=np.int64)
    cluster[np.asarray(numbered["unique_id"], dtype=np.int64)] = numbered["cluster"]
    return Clusters(cluster, pairs, model)


def link_new(records: IdentityRecords, previous: np.ndarray, model: str, spec: LinkageSpec,
             threads: int | None = None,
             stage: Callable[[str], None] | None = None) -> Clusters:
    """Cluster ``records`` keeping the clusters of the last linkage: ``previous`` is each
    record's cluster then (any labels), -1 for a record new since. Only pairs with a new
    record are scored, with the trained ``model`` (:attr:`Clusters.model` of a :func:`link`)
    and term frequencies of all of today's records, as a full linkage would; a new record
    that matches records of two clusters joins them. ``stage`` is told each of
    ``NEW_STAGES``."""
    say = stage or (lambda name: None)
    n = len(records)
    new = np.asarray(previous) < 0
    left = right = np.empty(0, dtype=np.int64)
    say(NEW_STAGES[0])
    if new.any() and n >= 2:
        left, right = _score_new(records, new, model, spec, threads, say)
    say(NEW_STAGES[2])
    return Clusters(components(n, previous, left, right), int(left.size), model)


def _score_new(records: IdentityRecords, new: np.ndarray, model: str, spec: LinkageSpec,
               threads: int | None, say: Callable[[str], None]
               ) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (record indices) with a new record at or above the threshold."""
    from splink import Linker

    with _database(records, threads, new) as (con, db_api):
        # the new and the kept records as views of the one table (nothing copied)
        con.execute("CREATE VIEW new_records AS SELECT * FROM records WHERE is_new")
        con.execute("CREATE VIEW old_records AS SELECT * FROM records WHERE NOT is_new")
        everyone = db_api.register("records", dataset_display_name="records")
        linker = Linker(everyone, json.loads(model), log_level=None)
        for comparison in spec.comparisons:
            if comparison.term_frequency:
                linker.table_management.compute_tf_table(comparison.field)
        fresh = db_api.register("new_records", dataset_display_name="new_records")
        say(NEW_STAGES[1])
        found = []
        if int(new.sum()) >= 2:
            found.append(linker.inference.predict_within(
                fresh, threshold_match_probability=spec.threshold, warning_mode="never"))
        if not new.all():
            old = db_api.register("old_records", dataset_display_name="old_records")
            found.append(linker.inference.predict_between(
                fresh, old, threshold_match_probability=spec.threshold, warning_mode="never"))
        pairs = [con.execute(f"SELECT unique_id_l, unique_id_r FROM {f.physical_name}")
                 .fetchnumpy() for f in found]
    none = np.empty(0, dtype=np.int64)
    return (np.concatenate([none, *(np.asarray(p["unique_id_l"], np.int64) for p in pairs)]),
            np.concatenate([none, *(np.asarray(p["unique_id_r"], np.int64) for p in pairs)]))


def components(n: int, previous: np.ndarray, left: np.ndarray, right: np.ndarray
               ) -> np.ndarray:
    """Cluster labels of ``n`` records joined by the pairs ``(left, right)`` and by their
    ``previous`` clusters (-1: none), numbered 0, 1, ... in the order of each cluster's first
    record (as :func:`link` numbers them)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = np.arange(n, dtype=np.int64)
    kept = np.flatnonzero(np.asarray(previous) >= 0)
    labels = np.unique(previous[kept], return_inverse=True)[1] if kept.size else kept
    first = np.full(int(labels.max()) + 1 if kept.size else 0, n, dtype=np.int64)
    np.minimum.at(first, labels, kept)
    rows = np.concatenate([left, kept])
    cols = np.concatenate([right, first[labels]])
    graph = coo_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(n, n))
    label = connected_components(graph, directed=False)[1].astype(np.int64)
    head = np.full(int(label.max()) + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(head, label, index)
    rank = np.empty(head.size, dtype=np.int64)
    rank[np.argsort(head, kind="stable")] = np.arange(head.size)
    return np.asarray(rank[label], dtype=np.int64)
