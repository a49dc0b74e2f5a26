"""The hypothetical integrated score in the report: how well its linkage matched records to
persons, and whom its sanctions reached that separate systems would not have."""

from __future__ import annotations

from ..ledger.catalogue import INTEGRATION
from ..ledger.catalogue import Figure as CatalogueFigure
from ..ledger.summary import Summary
from .cells import Numbers, keynums, keyrow, share_cell, share_text
from .page import Section
from .tables import Cell, Column, Row, Table


def integration_section(summary: Summary, numbers: Numbers) -> Section | None:
    """The hypothetical integrated score: how well its linkage matched records to persons,
    and whom its sanctions reached that separate systems would not have."""
    found = summary.integration
    if found is None:
        return None

    def count(figure: CatalogueFigure, wrong: bool = False) -> Cell:
        return numbers.sim(figure, cls="num wrong" if wrong else "num")

    linkage = Table("integration-linkage", (Column("Linkage (last run)"),
                                            Column("value", "num")), tuple(
        Row((Cell(label, cls="label"), cell)) for label, cell in (
            ("identity records linked", count(INTEGRATION.records)),
            ("true persons behind them", count(INTEGRATION.persons)),
            ("clusters made", count(INTEGRATION.clusters)),
            ("pairwise precision (linked pairs that are one person)",
             share_cell(numbers, INTEGRATION.precision, INTEGRATION.predicted_pairs, (),
                        "linked pairs", fmt=share_text)),
            ("pairwise recall (same-person pairs linked)",
             share_cell(numbers, INTEGRATION.recall, INTEGRATION.true_pairs, (),
                        "same-person pairs", fmt=share_text)),
            ("wrong merges (clusters of two or more persons)",
             count(INTEGRATION.wrongful_merges, wrong=True)),
            ("persons split over two or more clusters",
             count(INTEGRATION.split_persons, wrong=True)))), "Linkage")
    effects = keynums("integration-effects", "Sanctioned", [
        keyrow(numbers, "by the integrated score now", INTEGRATION.sanctioned),
        keyrow(numbers, "by it with a perfect linkage",
               INTEGRATION.sanctioned_with_perfect_linkage),
        keyrow(numbers, "by any separate system (the same run, not integrated)",
               INTEGRATION.fragmented_sanctioned_any),
        keyrow(numbers, "only because a wrong merge joined them to another's records",
               INTEGRATION.sanctioned_by_merge, wrong=True),
        keyrow(numbers, "only because a split left part of their records alone",
               INTEGRATION.sanctioned_by_split, wrong=True),
        keyrow(numbers, "escaped the sanction a perfect linkage would give, by a split",
               INTEGRATION.escaped_by_split, wrong=True),
    ])
    return Section("integration", "Integration: the hypothetical national score",
                   lead="HYPOTHETICAL: no integrated national score exists. Here every "
                        "source's identity records are linked to persons by a real "
                        "record-linkage engine (splink, Fellegi-Sunter, on DuckDB) and one "
                        "composite score grades and sanctions each linked cluster, so the "
                        "linkage's own errors carry sanctions to the wrong persons. "
                        f"{numbers.plain(INTEGRATION.linkages)} linkage runs; the figures are "
                        "the last one's.",
                   tables=(linkage, effects), cls="wronged")
