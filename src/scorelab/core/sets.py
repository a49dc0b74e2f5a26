"""Sorted id sets that grow a little each day."""

from __future__ import annotations

import numpy as np

_FEW = 32  # at most this many new ids are inserted by copying the runs between them


def add_sorted(members: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``members`` (sorted, unique) with ``ids`` added: the result of ``np.union1d``.

    A day adds a few ids to a set of up to millions; ``union1d`` would sort or hash the whole
    set again, this looks the few up by binary search and inserts the new ones (one copy).

    >>> add_sorted(np.array([1, 4, 9]), np.array([4, 2, 2, 12]))
    array([ 1,  2,  4,  9, 12])
    """
    if ids.size == 0:
        return members
    ids = np.unique(ids)
    if members.size:
        at = np.searchsorted(members, ids)
        present = at < members.size
        present[present] = members[at[present]] == ids[present]
        ids, at = ids[~present], at[~present]
        if ids.size == 0:
            return members
        if ids.size > _FEW:
            return np.insert(members, at, ids)
        # a few new ids: copy the runs between them (``np.insert`` builds a mask as long as
        # the set, which costs more than these few copies)
        out = np.empty(members.size + ids.size, dtype=members.dtype)
        prev = 0
        for j, (a, v) in enumerate(zip(at.tolist(), ids.tolist(), strict=True)):
            out[prev + j:a + j] = members[prev:a]
            out[a + j] = v
            prev = a
        out[prev + ids.size:] = members[prev:]
        return out
    return ids.astype(members.dtype, copy=False)
