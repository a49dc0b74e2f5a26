"""``cases.parquet``: the trails as one table, a row per entry (see docs/outputs.md)."""

from __future__ import annotations

import polars as pl

from ..scenario.plan import Plan
from .trails import Rows

#: the columns of ``cases.parquet`` and their types, in order
CASE_COLUMNS: dict[str, pl.DataType] = {
    "component": pl.Utf8(), "name": pl.Utf8(), "kind": pl.Utf8(), "case": pl.Int16(),
    "person": pl.Int64(), "order": pl.Int32(), "day": pl.Int32(), "entry": pl.Utf8(),
    "event": pl.Utf8(), "cause": pl.Utf8(), "wrongful": pl.Boolean(), "detail": pl.Utf8(),
    "person_days": pl.Int64(),
}


def cases_table(plan: Plan, parts: list[Rows], composite: tuple[str, str] | None = None
                ) -> pl.DataFrame:
    """Every shard's trails (``parts``) as one table, in the order of the plan's systems,
    the integrated score (``composite``: its name and kind), then the measures, each part's
    cases by rank, each trail in its order."""
    names = [("system", s.name, s.spec.kind) for s in plan.systems] + \
        [("measure", m.name, m.spec.kind) for m in plan.measures]
    place = list(range(len(plan.systems))) + \
        [len(plan.systems) + 1 + k for k in range(len(plan.measures))]
    if composite is not None:  # told after the parts of the shards, shown after the systems
        names.append(("system", *composite))
        place.append(len(plan.systems))
    columns: Rows = {k: [] for k in ("part", "case", "person", "order", "day", "entry",
                                     "event", "cause", "wrongful", "detail", "person_days")}
    for rows in parts:
        for key in columns:
            columns[key] += rows[key]
    frame = pl.DataFrame({k: columns[k] for k in columns if k != "part"},
                         schema={k: v for k, v in CASE_COLUMNS.items()
                                 if k not in ("component", "name", "kind")})
    part = pl.Series("part", columns["part"], dtype=pl.Int32)
    labels = pl.DataFrame({"part": list(range(len(names))), "place": place,
                           "component": [n[0] for n in names], "name": [n[1] for n in names],
                           "kind": [n[2] for n in names]},
                          schema={"part": pl.Int32, "place": pl.Int32, "component": pl.Utf8,
                                  "name": pl.Utf8, "kind": pl.Utf8})
    table = (frame.with_columns(part).join(labels, on="part", how="left")
             .sort(["place", "case", "order"]).select(list(CASE_COLUMNS)))
    start = plan.start_date
    if start is not None:  # the calendar date of each entry, beside its day
        dates = pl.lit(start, dtype=pl.Date) + pl.duration(days=pl.col("day"))
        table = table.insert_column(6, table.select(dates.alias("date")).to_series())
    return table
