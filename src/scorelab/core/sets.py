"""Sorted id sets that grow a little each day."""

from __future__ import annotations

import numpy as np


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
        return np.insert(members, at, ids)
    return ids.astype(members.dtype, copy=False)
