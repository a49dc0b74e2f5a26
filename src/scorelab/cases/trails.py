"""The trail of each chosen person, put together in the shard that holds them.

A system's case: what the person did (the events its rules name, recomputed: ``truth``) and
what became of each (recorded on them, not seen, written on a namesake; a remedy and when
the system learned of it), the records written on them that were wrong (a false record, a
namesake's, from the part's log), each wrongful sanction or listing and its end, with the
cause the summary counts, appeals filed and decided, and the wrongful person-days. A
measure's case: the person's role in truth (participant, bystander, recipient of photos,
uninvolved), each search, flag (with the role the summary counts it by), review, detention,
restriction and lifting, and the restricted person-days; a city cut off whole (a shutdown) is told for each
resident who had not taken part in a protest, with the days it was cut off.

Entries are rows of plain data (:data:`Rows`, one list per column of ``table.CASE_COLUMNS``
but the part's); the loops here run over at most ``report.cases`` persons a part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import caselog as log
from ..integration.composite import CAUSES as COMPOSITE_CAUSES
from ..processes.events import NEVER
from ..processes.protests import PARTICIPANT, ROLES
from ..systems.base import WRONG_CAUSES
from .truth import truth_events

Rows = dict[str, list[Any]]
FIELDS = ("part", "case", "person", "day", "order", "entry", "event", "cause", "wrongful",
          "detail", "person_days")
#: the order of entries of one day: truth, records, decisions, appeals
_TRUTH, _RECORD, _DECISION, _APPEAL = 0, 1, 2, 3


def trails(shard: Any, chosen: list[np.ndarray]) -> Rows:
    """The trails of this shard's chosen persons (``chosen``: each part's, in rank order,
    global ids; those of other shards are skipped)."""
    out: Rows = {k: [] for k in FIELDS}
    parts = [*shard.systems, *shard.measures]
    n_systems = len(shard.systems)
    for index, (part, ids) in enumerate(zip(parts, chosen, strict=True)):
        mine = (ids >= shard.start) & (ids < shard.stop)
        if not mine.any():
            continue
        ranks = np.flatnonzero(mine) + 1
        full = part.cases.table()
        table = full[np.isin(full[:, 1], ids[mine])]
        if index < n_systems:
            truth = truth_events(shard.plan, shard.processes, shard.start, ids[mine],
                                 set(part.spec.events()))
        for rank, person in zip(ranks, ids[mine], strict=True):
            rows = table[table[:, 1] == person]
            if index < n_systems:
                entries = _system_case(shard, part, int(person), rows,
                                       [t for t in truth if t[1] == person])
            else:
                entries = _measure_case(shard, part, int(person), rows,
                                        full[full[:, 2] == log.CUT_OFF])
            for order, (day, _, *rest) in enumerate(entries):
                out["part"].append(index)
                out["case"].append(int(rank))
                out["person"].append(int(person))
                out["day"].append(None if day is None else day - shard.plan.warmup)
                out["order"].append(order)
                for key, value in zip(FIELDS[5:], rest, strict=True):
                    out[key].append(value)
    return out


Entry = tuple[int | None, int, str, str | None, str | None, bool, str, int | None]


def _system_case(shard: Any, system: Any, person: int, rows: np.ndarray,
                 truth: list[tuple[int, int, str]]) -> list[Entry]:
    plan = shard.plan
    events = plan.events
    entries: list[tuple[int, int, int, Entry]] = []  # (day, kind, seq, entry)
    seq = 0

    def add(day: int, kind: int, entry: str, event: str | None, cause: str | None,
            wrongful: bool, detail: str) -> None:
        nonlocal seq
        entries.append((day, kind, seq, (day, kind, entry, event, cause, wrongful, detail,
                                         None)))
        seq += 1

    recorders = {r.event: r for r in system.case_recorders()}
    me = np.array([person], dtype=np.int64)
    for day, _, event in truth:
        add(day, _TRUTH, "did", event, None, False, f"did {_words(event)} (truth)")
        recorder = recorders.get(event)
        if recorder is not None:
            target = int(recorder.fate(day, me)[0])
            if target < 0:
                add(day, _RECORD, "not recorded", event, None, False,
                    f"{system.name} did not see it")
            elif target != person:
                add(day, _RECORD, "recorded on another", event, None, False,
                    f"written on person {target}, a namesake")
            else:
                add(day, _RECORD, "recorded", event, None, False, f"written on them by "
                    f"{system.name}")
        remedies = system.remedies(day, me) if recorder is not None else None
        if remedies is not None:
            remedy, known = int(remedies[0][0]), int(remedies[1][0])
            if remedy < NEVER and remedy < plan.total_days:
                add(remedy, _TRUTH, "remedied", event, None, False,
                    f"remedied {_words(event)} (truth)")
                if known >= NEVER or known >= plan.total_days:
                    add(remedy, _RECORD, "remedy unseen", event, "stale_record", False,
                        f"{system.name} did not learn of the remedy in the run")
                else:
                    add(known, _RECORD, "remedy learned", event, None, False,
                        f"{system.name} learned of the remedy "
                        f"{known - remedy} days after it")
    for day, words in system.last_listing(person):
        add(day, _RECORD, "standing", None, None, False, words)
    counted = None
    for day, _, code, a, b in rows.tolist():
        if code == log.WRONG_FIRST:
            counted = WRONG_CAUSES[a]
    sanctions = system.sanctions_anyone
    what = "sanctioned wrongly" if sanctions else "listed wrongly"
    spans: list[tuple[int, int]] = []  # (day, +1 start / -1 end)
    for day, _, code, a, b in rows.tolist():
        if code == log.RECORD_FALSE:
            add(day, _RECORD, "false record", events[a], "false_record", True,
                f"a record of {_words(events[a])}, which never happened")
        elif code == log.RECORD_NAMESAKE:
            add(day, _RECORD, "namesake's record", events[a], "identity", True,
                f"person {b}'s {_words(events[a])} written on them")
        elif code == log.WRONG_START:
            add(day, _DECISION, what, None, counted, True,
                f"{system.sanctioned_as(a)}, which the truth does not carry")
            spans.append((day, 1))
        elif code == log.WRONG_END:
            add(day, _DECISION, "sanction lifted" if sanctions else "delisted", None, None,
                False, "the record no longer carries a sanction the truth does not")
            spans.append((day, -1))
        elif code == log.APPEAL_FILED:
            add(day, _APPEAL, "appeal filed", None, None, False, "appealed the decision")
        elif code == log.APPEAL_DECIDED:
            add(day, _APPEAL, "appeal won" if a else "appeal lost", None, None, False,
                "the record was corrected" if a else "the decision stands")
    days = _wrongful_days(spans, plan.warmup, plan.total_days)
    ordered = [e for *_, e in sorted(entries, key=lambda x: (x[0], x[1], x[2]))]
    noun = "wrongly sanctioned" if sanctions else "wrongly listed"
    ordered.append((None, 9, "cost", None, counted, False,
                    f"{_days(days)} {noun} in the reported days (person-days)", days))
    return ordered


_MERGE_WORDS = {
    "wrong_merge": "another person's records were linked into theirs",
    "split": "part of their records was scored apart from the rest"}


def composite_trails(plan: Any, integrator: Any, chosen: np.ndarray, part: int) -> Rows:
    """The trails of the integrated score's chosen persons (``part``: its index among the
    parts): each wrongful sanction from a linkage, with the cause the summary counts (a wrong
    merge, a split, or a source's own error), its end at a later linkage, and the cost."""
    out: Rows = {k: [] for k in FIELDS}
    table = integrator.cases.of(chosen)
    for rank, person in enumerate(chosen.tolist(), 1):
        rows = table[table[:, 1] == person]
        counted = None
        spans: list[tuple[int, int]] = []
        entries: list[Entry] = []
        for day, _, code, a, _b in rows.tolist():
            if code == log.WRONG_FIRST:
                counted = COMPOSITE_CAUSES[a]
        why = _MERGE_WORDS.get(counted or "", f"a source's {(counted or '').replace('_', ' ')}")
        for day, _, code, a, _b in rows.tolist():
            if code == log.WRONG_START:
                spans.append((day, 1))
                entries.append((day, _DECISION, "sanctioned wrongly", None, counted, True,
                                (f"the score of their linked records carries a sanction the "
                                f"truth does not: {why}"), None))
            elif code == log.WRONG_END:
                spans.append((day, -1))
                entries.append((day, _DECISION, "sanction lifted", None, None, False,
                                "a later linkage no longer sanctions them wrongly", None))
        days = _wrongful_days(spans, plan.warmup, plan.total_days)
        entries.append((None, 9, "cost", None, counted, False,
                        f"{_days(days)} wrongly sanctioned in the reported days (person-days)",
                        days))
        for order, (day, _, *rest) in enumerate(entries):
            out["part"].append(part)
            out["case"].append(rank)
            out["person"].append(int(person))
            out["day"].append(None if day is None else day - plan.warmup)
            out["order"].append(order)
            for key, value in zip(FIELDS[5:], rest, strict=True):
                out[key].append(value)
    return out


def _wrongful_days(spans: list[tuple[int, int]], first: int, stop: int) -> int:
    """Days in [first, stop) inside a wrongful episode (a start opens one, an end closes
    it, on the day it is logged: the first day not counted)."""
    total, opened = 0, None
    for day, sign in sorted(spans):
        if sign > 0 and opened is None:
            opened = day
        elif sign < 0 and opened is not None:
            total += max(0, min(day, stop) - max(opened, first))
            opened = None
    if opened is not None:
        total += max(0, stop - max(opened, first))
    return total


def _measure_case(shard: Any, measure: Any, person: int, rows: np.ndarray, cuts: np.ndarray
                  ) -> list[Entry]:
    plan = shard.plan
    out: list[Entry] = []
    protests = shard.protests
    cut_days = 0
    innocent: str | None = None  # the role the measure's innocent person-days count under
    if protests is not None:
        row = person - shard.start
        role = int(protests.role[row])
        present = int(protests.day_present[row])
        photos = int(protests.photos[row])
        said = f"in truth {_ROLE_WORDS[role]} by the end of the run"
        if present != NEVER:
            said += f"; last present at a protest on day {present - plan.warmup}"
        said += f"; {photos} protest photos on their phone at the end"
        out.append((None, _TRUTH, "role", None, None, False, said, None))
        city = int(shard.population.city[row])
        days_cut = np.unique(cuts[(cuts[:, 3] == city) & (cuts[:, 0] >= plan.warmup), 0])
        cut_days = int(days_cut.size)
        wrong = role != PARTICIPANT
        innocent = ROLES[role] if wrong else None
        for first, last in _runs(days_cut):
            out.append((first, _DECISION, "cut off", None, ROLES[role] if wrong else None,
                        wrong, (f"their whole city cut off ({_cut(measure)}) to day "
                        f"{last - plan.warmup}: {_days(last - first + 1)}"), None))
    until, cursor, days = 0, plan.warmup, 0
    for day, _, code, a, b in rows.tolist():
        if code == log.SEARCHED:
            out.append((day, _DECISION, "searched", None, None, False,
                        "phone searched: " + _FOUND[a], None))
        elif code == log.FLAGGED:
            wrong = a != PARTICIPANT
            out.append((day, _DECISION, "flagged", None, ROLES[a] if wrong else None, wrong,
                        f"flagged while {_ROLE_WORDS[a]}" + ("" if wrong else " (rightly)"),
                        None))
        elif code == log.REVIEWED:
            out.append((day, _DECISION, "review confirmed" if a else "review rejected", None,
                        None, bool(a), "a reviewer confirmed the flag" if a
                        else "a reviewer rejected the flag", None))
        elif code == log.DETAINED:
            out.append((day, _DECISION, "detained", None, None, True,
                        f"detained {_days(a)}", None))
        elif code in (log.RESTRICTED, log.LIFTED):
            days += max(0, min(day, until) - cursor)
            cursor = max(cursor, day)
            if code == log.RESTRICTED:
                until = a
                out.append((day, _DECISION, "restricted", None, innocent, True,
                            f"{_restriction(measure)} until day {a - plan.warmup}", None))
            else:
                until = min(until, day + 1)
                out.append((day, _DECISION, "restriction lifted", None, None, False,
                            "the restriction was lifted", None))
    days += max(0, min(plan.total_days, until) - cursor) + cut_days
    out.append((None, 9, "cost", None, None, False,
                (f"{_days(days)} restricted, detained or cut off in the reported days "
                "(person-days)"),
                days))
    return out


def _runs(days: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive days, as (first, last)."""
    if days.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(days) > 1)
    starts = np.concatenate([[0], breaks + 1])
    stops = np.concatenate([breaks, [days.size - 1]])
    return [(int(days[a]), int(days[b])) for a, b in zip(starts, stops, strict=True)]


def _cut(measure: Any) -> str:
    what = getattr(measure.spec, "cuts", "")
    return str(what).replace("_", " ") or "service"


def _restriction(measure: Any) -> str:
    action = getattr(measure.spec, "action", None)
    what = getattr(action, "restrict", None)
    return f"restricted ({', '.join(what)})" if what else "restricted"


_FOUND = ("nothing found", "protest photos found", "a VPN or foreign messenger found",
          "protest photos and a VPN or foreign messenger found")
_ROLE_WORDS = ("uninvolved in any protest", "a recipient of forwarded protest photos",
               "a bystander at a protest", "a protest participant")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _words(event: str) -> str:
    return event.replace("_", " ")
