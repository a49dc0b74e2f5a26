"""The report's "Cases" section: the case files of ``cases.parquet`` as tables, one a system or
measure, each case's trail in order, beside how many persons that part wronged in all (a
figure of the catalogue). The persons are synthetic, and the section says so first."""

from __future__ import annotations

import polars as pl

from ..ledger.catalogue import MEASURE, SYSTEM
from ..ledger.summary import Summary
from .cells import CAUSES, Numbers, replicates_of
from .numbers import DASH
from .page import Section
from .tables import Cell, Column, Row, Table

SYNTHETIC = ("Every person here is synthetic: made up by the simulation, with no real "
             "person behind the number. A case shows how a wrong comes about in the model, "
             "under its stated assumptions; it is not the story of anyone real.")
_CAUSE = {key: long for key, _short, long in CAUSES}
_ROLE = {"uninvolved": "uninvolved in any protest",
         "recipient": "a recipient of forwarded photos, not a participant",
         "bystander": "a bystander at a protest, not a participant"}


def cases_section(summary: Summary, numbers: Numbers, cases: pl.DataFrame | None
                  ) -> Section | None:
    """The section, or None for a run written without case files."""
    if cases is None:
        return None
    lead = ("Persons each system and measure wronged (at most the scenario's "
            "report.cases of each, 10 by default), chosen by a keyed draw (the same persons "
            "for any split of the run), each with a dated trail: what they did, what was "
            "written about them and why it was wrong, each decision, their appeals, and the "
            "days it cost them. Days before day 0 are warm-up days.")
    notes = []
    if replicates_of(summary):
        notes.append("With replicates, the cases are those of replicate 0 (the run with the "
                     "scenario's own seed); the counts beside them are medians.")
    if cases.height == 0:
        return Section("cases", "Cases", lead=lead, paragraphs=(SYNTHETIC,), notes=(
            *notes, ("No system or measure wronged anyone in the reported days: there is "
                     "no case to tell.")))
    tables = []
    paragraphs = [SYNTHETIC]
    parts = cases.select("component", "name", "kind").unique(maintain_order=True)
    for i, (component, name, kind) in enumerate(parts.iter_rows(), 1):
        rows = cases.filter((pl.col("component") == component) & (pl.col("name") == name))
        paragraphs.append(_told(numbers, component, name, kind, rows["case"].n_unique()))
        tables.append(_table(f"cases-{i}", f"{component.capitalize()}: {name}", rows))
    return Section("cases", "Cases", lead=lead, paragraphs=tuple(paragraphs),
                   tables=tuple(tables), notes=tuple(notes))


def _told(numbers: Numbers, component: str, name: str, kind: str, told: int) -> str:
    """How many cases a part tells, beside how many it wronged (a figure of the catalogue);
    a measure that restricts without flagging (a shutdown, a jammer) counts its wrong in
    person-days."""
    if component == "measure":
        if numbers.count(MEASURE.flagged_wrongly_total, name) > 0:
            return (f"{name} ({kind}): {told} of "
                    f"{numbers.plain(MEASURE.flagged_wrongly_total, name)} innocents flagged "
                    f"told (innocent person-days restricted: "
                    f"{numbers.plain(MEASURE.restriction_person_days_innocent, name)}).")
        return (f"{name} ({kind}): {told} innocents told, of those behind its "
                f"{numbers.plain(MEASURE.restriction_person_days_innocent, name)} innocent "
                "person-days restricted.")
    if numbers.count(SYSTEM.sanctioned_wrongly, name) > 0 or \
            not numbers.has(SYSTEM.listed_wrongly, name):
        wronged, what = numbers.plain(SYSTEM.sanctioned_wrongly, name), "wrongly sanctioned"
    else:
        wronged, what = numbers.plain(SYSTEM.listed_wrongly, name), "wrongly listed"
    return f"{name} ({kind}): {told} of {wronged} {what} told."


def _table(table_id: str, title: str, rows: pl.DataFrame) -> Table:
    dated = "date" in rows.columns
    columns = (Column("Case"), Column("Date" if dated else "Day", "num"), Column("What"),
               Column("Detail"), Column("Why wrong"))
    out = []
    last = None
    for r in rows.iter_rows(named=True):
        first = r["case"] != last
        last = r["case"]
        case = Cell(f"#{r['case']} (person {r['person']})" if first else "",
                    r["person"], cls="label")
        when = r["date"] if dated else r["day"]
        day = Cell(DASH if when is None else str(when),
                   when if isinstance(when, int) or when is None else str(when))
        cause = r["cause"]
        why = _CAUSE.get(cause, _ROLE.get(cause, cause)) if cause and r["wrongful"] else ""
        cls = "wrong" if r["wrongful"] else ("case-start" if first else "")
        out.append(Row((case, day, Cell(r["entry"]), Cell(r["detail"]), Cell(why or "")), cls))
    return Table(table_id, columns, tuple(out), title)
