"""Which wronged persons get a case file: the ``k`` with the smallest keyed priority.

Each part's priority of a person is a keyed draw of (seed, the part's name, person id)
(``cases/system/<name>``, ``cases/measure/<name>``: not a scenario path, so no stream of the
plan can share it). Each shard proposes its ``k`` wronged persons of smallest priority (its
bottom-k); the ``k`` smallest of all proposals are the ``k`` smallest overall, so the choice
does not depend on the split into shards or on the backend. Ties (equal draws) go to the
smaller id.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.caselog import CUT_OFF, FLAGGED, RESTRICTED, WRONG_FIRST
from ..core.streams import Stream
from ..processes.protests import PARTICIPANT

Proposal = tuple[np.ndarray, np.ndarray]  # (ids, priorities)


def priority(seed: int, component: str, name: str, ids: np.ndarray) -> np.ndarray:
    """The keyed priority of each person for one part's case files."""
    return Stream(seed, f"cases/{component}/{name}", 1).uniform(0, ids)


def wronged(table: np.ndarray, component: str, warmup: int) -> np.ndarray:
    """The persons a part's log counts as wronged in the reported days, as the summary
    counts them: a system's first wrongful sanction (or listing), by its cause; a measure's
    flag of a person who had not taken part in a protest (a city cut off: ``cut_off``)."""
    if component == "system":
        keep = table[:, 2] == WRONG_FIRST
    else:
        keep = (table[:, 2] == FLAGGED) & (table[:, 3] != PARTICIPANT)
    keep &= table[:, 0] >= warmup
    return np.unique(table[keep, 1])


def bottom(ids: np.ndarray, keys: np.ndarray, k: int) -> Proposal:
    """The ``k`` persons of smallest priority, in order of priority (then id)."""
    order = np.lexsort((ids, keys))[:k]
    return ids[order], keys[order]


def candidates(shard: Any) -> list[Proposal]:
    """A shard's proposals, one per system then one per measure (its bottom-k)."""
    plan, k = shard.plan, shard.plan.cases
    out = []
    for component, parts in (("system", shard.systems), ("measure", shard.measures)):
        for part in parts:
            table = part.cases.table()
            ids = wronged(table, component, plan.warmup)
            if component == "measure":
                ids = np.union1d(ids, np.union1d(restricted(shard, table),
                                                 cut_off(shard, table)))
            out.append(bottom(ids, priority(plan.seed, component, part.name, ids), k))
    return out


def restricted(shard: Any, table: np.ndarray) -> np.ndarray:
    """The shard's persons a measure restricted in the reported days without flagging them
    (a jammer cuts everyone at a protest and passers-by) and who had not taken part in a
    protest by the end of the run."""
    ids = np.unique(table[(table[:, 2] == RESTRICTED) & (table[:, 0] >= shard.plan.warmup), 1])
    if ids.size == 0 or shard.protests is None:
        return ids
    out: np.ndarray = ids[shard.protests.role[ids - shard.start] != PARTICIPANT]
    return out


def cut_off(shard: Any, table: np.ndarray) -> np.ndarray:
    """The shard's persons whose whole city a measure cut off in the reported days and who
    had not taken part in a protest (by the end of the run): a shutdown wrongs them without
    flagging anyone."""
    cut = table[(table[:, 2] == CUT_OFF) & (table[:, 0] >= shard.plan.warmup)]
    protests = shard.protests
    if cut.size == 0 or protests is None:
        return np.empty(0, dtype=np.int64)
    rows = [np.arange(r.start, r.stop) for r in
            (protests.city_rows(int(c)) for c in np.unique(cut[:, 3]))]
    rows_all = np.concatenate(rows)
    out: np.ndarray = rows_all[protests.role[rows_all] != PARTICIPANT] + shard.start
    return out


def composite_candidates(plan: Any, integrator: Any) -> Proposal:
    """The integrated score's proposal (it is global: one for the whole run)."""
    ids = wronged(integrator.cases.table(), "system", plan.warmup)
    return bottom(ids, priority(plan.seed, "system", integrator.name, ids), plan.cases)


def choose(proposals: list[list[Proposal]], k: int) -> list[np.ndarray]:
    """Each part's chosen persons, in order of priority, from every shard's proposals."""
    chosen = []
    for part in zip(*proposals, strict=True):
        ids = np.concatenate([p[0] for p in part])
        keys = np.concatenate([p[1] for p in part])
        chosen.append(bottom(ids, keys, k)[0])
    return chosen
