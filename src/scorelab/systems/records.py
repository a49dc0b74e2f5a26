"""Records: what a system writes down of one event type, and how it differs from the truth.

A system sees a true event with probability ``coverage``; a seen event may be put on the
wrong person (``misattribution``: a namesake living nearby, here a person of the same city
and the same block of ids, so that a shard never writes into another shard's persons); and
records of events that never happened appear at ``false_rate`` per covered person and day
(clerical errors). Each record carries its cause so the ledger can say why a decision was
wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.streams import Stream
from ..population.generate import Population
from ..scenario.schema import RecordRule
from .jurisdiction import Coverage

TRUE_RECORD, FALSE_RECORD, IDENTITY = 0, 1, 2
CAUSES = {FALSE_RECORD: "false_record", IDENTITY: "identity"}


@dataclass
class RecordBatch:
    """One day's records of one event type in one shard (rows are the system's own)."""

    truth_rows: np.ndarray  # covered persons who really did it today
    truth_ids: np.ndarray  # their global ids
    rows: np.ndarray  # persons a record is written on
    ids: np.ndarray  # their global ids
    cause: np.ndarray  # uint8: TRUE_RECORD, FALSE_RECORD or IDENTITY
    source_ids: np.ndarray  # for true records, who really did it (== ids unless misattributed)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


#: the batch of a day with nothing to record, shared (its arrays cannot be written)
_NONE = _read_only(np.empty(0, dtype=np.int64))
_NOTHING = RecordBatch(_NONE, _NONE, _NONE, _NONE, _read_only(np.empty(0, np.uint8)), _NONE)


class Recorder:
    """Turns one day's true events of one type into a system's records."""

    def __init__(self, event: str, rule: RecordRule, coverage: Coverage, pop: Population,
                 rng: dict[str, Stream]) -> None:
        self.event = event
        self.rule = rule
        self.coverage = coverage
        self.pop = pop
        self._seen = rng[f"record/{event}"]
        self._false = rng[f"false/{event}"]
        size = self.block_size = self._seen.block_size
        # covered id segments of each block of this shard, and how many persons they hold,
        # for drawing false records
        self._segments: list[tuple[int, np.ndarray, np.ndarray, int]] = []
        if rule.false_rate > 0:
            for block_start in range(pop.start, pop.stop, size):
                block_stop = min(block_start + size, pop.stop)
                a = np.maximum(coverage.starts, block_start)
                b = np.minimum(coverage.stops, block_stop)
                keep = a < b
                if keep.any():
                    a, b = a[keep], b[keep]
                    self._segments.append((block_start // size, a, b, int((b - a).sum())))

    def record(self, day: int, ids: np.ndarray | None) -> RecordBatch:
        if ids is None or ids.size == 0:
            truth_rows, truth_ids = _NONE, _NONE
        else:
            truth_rows, truth_ids = self.coverage.select(ids)
        if truth_ids.size == 0 and not self._segments:  # nothing happened here today
            return _NOTHING
        rule = self.rule
        if rule.coverage >= 1.0:  # every draw is below 1: nothing to draw
            seen = np.ones(truth_ids.size, dtype=bool)
            rec_ids = truth_ids
        else:
            seen = self._seen.uniform(day, truth_ids) < rule.coverage
            rec_ids = truth_ids[seen]
        source = rec_ids
        cause = np.zeros(rec_ids.size, dtype=np.uint8)
        if rule.misattribution > 0 and rec_ids.size:
            moved = self._seen.uniform(day, rec_ids, draw=1) < rule.misattribution
            if np.count_nonzero(moved):
                target = self._namesakes(day, rec_ids[moved])
                changed = target != rec_ids[moved]
                rec_ids = rec_ids.copy()
                idx = np.flatnonzero(moved)[changed]
                rec_ids[idx] = target[changed]
                cause[idx] = IDENTITY
        if self._segments:
            false_ids = self._false_records(day)
            rec_ids = np.concatenate([rec_ids, false_ids])
            source = np.concatenate([source, np.full(false_ids.size, -1, dtype=np.int64)])
            cause = np.concatenate([cause, np.full(false_ids.size, FALSE_RECORD, np.uint8)])
        # records only of what was seen, each on its doer: their rows are known
        rows = truth_rows[seen] if rec_ids is source else self.coverage.local(rec_ids)
        return RecordBatch(truth_rows, truth_ids, rows, rec_ids, cause, source)

    def fate(self, day: int, ids: np.ndarray) -> np.ndarray:
        """What became of each person's true event of ``day`` (the same draws as
        :meth:`record`, for the case files): the id the record was written on, or -1 if the
        system did not see it."""
        rule = self.rule
        seen = self._seen.uniform(day, ids) < rule.coverage
        out = np.where(seen, ids, -1)
        if rule.misattribution > 0 and seen.any():
            moved = seen & (self._seen.uniform(day, ids, draw=1) < rule.misattribution)
            if moved.any():
                out[moved] = self._namesakes(day, ids[moved])
        return out

    def _namesakes(self, day: int, ids: np.ndarray) -> np.ndarray:
        """Another person of the same city and block (the same person if none is there)."""
        pop, geo, size = self.pop, self.pop.geography, self.block_size
        city = pop.city[ids - pop.start]
        lo = np.maximum(geo.city_starts[city], (ids // size) * size)
        hi = np.minimum(geo.city_starts[city.astype(np.int64) + 1], (ids // size + 1) * size)
        hi = np.minimum(hi, pop.stop)
        span = hi - lo
        u = self._seen.uniform(day, ids, draw=2)
        # draw among the span - 1 others, skipping the person themself
        pick = lo + np.floor(u * np.maximum(span - 1, 1)).astype(np.int64)
        pick = np.where(pick >= ids, pick + 1, pick)
        return np.where(span > 1, pick, ids)

    def _false_records(self, day: int) -> np.ndarray:
        out = []
        for block, a, b, total in self._segments:
            rng = self._false.block_again(day, block)  # (done with it in this turn)
            k = int(rng.binomial(total, self.rule.false_rate))
            if k == 0:
                continue
            offsets = np.sort(rng.integers(0, total, k))
            lengths = b - a
            ends = np.cumsum(lengths)
            seg = np.searchsorted(ends, offsets, side="right")
            out.append(a[seg] + offsets - (ends[seg] - lengths[seg]))
        return np.concatenate(out) if out else np.empty(0, dtype=np.int64)
