"""Record linkage with splink on DuckDB: which identity records are the same person.

The integrator does not know who a record is about; it has the identity as written. Splink's
Fellegi-Sunter model, trained without labels (u by random sampling, m by EM over the
scenario's training blocks), scores the pairs the blocking rules generate; pairs at or above
the threshold are joined into clusters (connected components). The true person of each record
is carried alongside only to score the result, never compared.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ..records.identity import IdentityRecords
from ..scenario.schema import LinkageSpec

TRUE_PERSON = "person_truth"


@dataclass
class Clusters:
    """The linkage result: one cluster label per record (records in the given order)."""

    cluster: np.ndarray  # int64, 0 .. clusters-1, numbered by first record
    pairs_matched: int  # record pairs at or above the match threshold


def _table(records: IdentityRecords) -> pa.Table:
    """Records as an Arrow table; empty fields are nulls (splink's null level)."""
    columns: dict[str, Any] = {"unique_id": pa.array(np.arange(len(records), dtype=np.int64)),
                               TRUE_PERSON: pa.array(records.person)}
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


def stage_names(spec: LinkageSpec) -> list[str]:
    """The stages of a linkage, in order, as :func:`link` reports them (a linkage of many
    records takes seconds to minutes: the CLI shows which stage it is in)."""
    em = len(spec.em_blocking_rules)
    return ["loading records", "estimating the match rate", "estimating u by sampling",
            *[f"training m (EM {i} of {em})" for i in range(1, em + 1)], "scoring pairs",
            "clustering"]


def link(records: IdentityRecords, spec: LinkageSpec, seed: int,
         threads: int | None = None, stage: Callable[[str], None] | None = None) -> Clusters:
    """Cluster ``records`` (in a fixed order: the result depends only on them and ``seed``).
    ``stage`` is told each of :func:`stage_names` as it begins."""
    names = stage_names(spec)
    say = stage or (lambda name: None)
    n = len(records)
    if n < 2:
        return Clusters(np.arange(n, dtype=np.int64), 0)
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    # splink narrates training and warns of levels no pair reached; a run reports its own
    splink_log = logging.getLogger("splink")
    level = splink_log.level
    splink_log.setLevel(logging.ERROR)
    con = duckdb.connect(config={"threads": threads or os.cpu_count() or 1})
    # DuckDB's own progress bar would write into the CLI's bar and logs; in Jupyter without
    # ipywidgets DuckDB refuses to change the setting (and draws no bar)
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    try:
        say(names[0])
        table = _table(records)
        con.register("records_arrow", table)
        con.execute("CREATE TABLE records AS SELECT * FROM records_arrow").fetchall()
        con.unregister("records_arrow")
        db_api = DuckDBAPI(con)
        sdf = db_api.register("records", dataset_display_name="records")
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            comparisons=[_comparison(c) for c in spec.comparisons],
            blocking_rules_to_generate_predictions=[block_on(*rule)
                                                    for rule in spec.blocking_rules],
            additional_columns_to_retain=[TRUE_PERSON],
            retain_intermediate_calculation_columns=False,
            retain_matching_columns=False,
        )
        linker = Linker(sdf, settings, log_level=None)
        training = linker.training
        say(names[1])
        training.estimate_probability_two_random_records_match(
            [block_on(*rule) for rule in spec.blocking_rules], recall=spec.recall)
        say(names[2])
        training.estimate_u_using_random_sampling(max_pairs=spec.u_max_pairs, seed=seed)
        for i, rule in enumerate(spec.em_blocking_rules):
            say(names[3 + i])
            training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), estimate_without_term_frequencies=True)
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
    finally:
        con.close()
        splink_log.setLevel(level)
    cluster = np.empty(n, dtype=np.int64)
    cluster[np.asarray(numbered["unique_id"], dtype=np.int64)] = numbered["cluster"]
    return Clusters(cluster, pairs)
