"""What a few persons did, recomputed: their truth events, for their case files.

A process's events are a pure keyed function of (seed, process, day, person): the day of a
person's first trial, each trial's outcome and the gap to the next are draws of the
process's streams keyed by the day and the person (``processes.events``). So instead of
logging every event of everyone, the trail of a chosen person replays the draws of
``Process`` for that person alone, scheduled changes of the process included; the replay is
checked against the run's own counts (tests/unit/test_cases.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..processes.events import NEVER, Process, waiting_days
from ..scenario.plan import Plan

Events = list[tuple[int, int, str]]  # (internal day, person id, event)


def truth_events(plan: Plan, processes: list[Process], start: int, ids: np.ndarray,
                 wanted: set[str]) -> Events:
    """The events of ``wanted`` types that persons ``ids`` (of the shard starting at global
    id ``start``) had, over the whole run (warm-up included), in order of day."""
    out: Events = []
    ids = np.sort(ids)
    for k, process in enumerate(processes):
        if ids.size and wanted & set(process.events):
            out += _replay(plan, k, process, start, ids, wanted)
    out.sort()
    return out


def _replay(plan: Plan, k: int, process: Process, start: int, ids: np.ndarray,
            wanted: set[str]) -> Events:
    """``Process``'s draws (its first-trial, gap and outcome streams) for some persons."""
    rows = ids - start
    final = process.spec
    spec: Any = plan.processes[k].spec
    process.configure(spec)
    try:
        out: Events = []
        nxt = _first(process, rows, ids, 0)
        for day in range(plan.total_days):
            step = plan.steps.get(day)
            for index, new in step.processes if step is not None else ():
                if index != k or new == spec:
                    continue
                old, spec = spec, new
                process.configure(spec)
                if (old.rate, old.rate_propensity, old.who) != (spec.rate,
                                                                spec.rate_propensity,
                                                                spec.who):
                    nxt = _first(process, rows, ids, day)
            due = np.flatnonzero(nxt == day)
            if due.size == 0:
                continue
            d_rows, d_ids = rows[due], ids[due]
            rates = process._rates(d_rows)
            gap = waiting_days(process._gap.uniform(day, d_ids), rates)
            nxt[due] = np.minimum(day + 1 + gap, NEVER)
            for event, who in _outcomes(process, day, d_rows, d_ids).items():
                if event in wanted:
                    out += [(day, int(i), event) for i in who]
        return out
    finally:
        process.configure(final)


def _first(process: Process, rows: np.ndarray, ids: np.ndarray, day: int) -> np.ndarray:
    first = day + waiting_days(process._start.uniform(day, ids), process._rates(rows))
    out: np.ndarray = np.minimum(first, NEVER)
    return out


def _outcomes(process: Process, day: int, rows: np.ndarray, ids: np.ndarray
              ) -> dict[str, np.ndarray]:
    """Each trial's outcome event, as ``Process.step`` draws it."""
    spec, pop = process.spec, process.pop
    out: dict[str, np.ndarray] = {}
    u = process._outcome.uniform(day, ids)
    low = np.zeros(rows.size)
    for event, base in spec.outcomes.items():
        p = np.full(rows.size, base)
        if spec.outcome_propensity is not None:
            p *= pop.propensity[spec.outcome_propensity][rows]
        high = np.minimum(low + p, 1.0)
        out[event] = ids[(u >= low) & (u < high)]
        low = high
    if spec.otherwise is not None:
        out[spec.otherwise] = ids[u >= low]
    return out
