"""Name frequency tables: a published head, a synthetic power-law tail, inverse-CDF draws.

Published name tables give the most common names with their shares and stop there (the US
Census lists surnames held by 100 or more people; most tables print a top 100 or top 1,000).
A scheme keeps the published head as it is and adds a synthetic tail of labelled names
(``S00101`` = rank 101) whose shares continue the head's last share as a power law
``p_last * (rank / last)**-s``. ``s`` is fitted to a published cumulative share further down
(the share of people holding one of the top 1,000 names, say) and the tail is as long as it
takes to reach 100%, so the table's collision probability (how often two persons share a
name: namesakes) rests on published figures at both ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

#: at most this many names in a table drawn into a uint16 column
MAX_UINT16_NAMES = 65_535


def fitted_tail(p_last: float, last_rank: int, remainder: float, anchor_rank: int,
                anchor_share: float, max_size: int) -> np.ndarray:
    """Shares (in the head's unit, e.g. %) of the synthetic names after ``last_rank``.

    ``s`` is chosen so that ranks ``last_rank + 1 .. anchor_rank`` hold ``anchor_share``
    (the published cumulative share at ``anchor_rank`` less the head's); the tail then runs
    until it holds ``remainder`` (100% less the head), at most ``max_size`` names, and its
    last share is trimmed (or all are scaled) so it sums to ``remainder`` exactly.
    """
    if not 0 < anchor_share < remainder:
        raise ValueError("the anchor share must lie between 0 and the remainder")
    span = np.arange(last_rank + 1, anchor_rank + 1, dtype=np.float64) / last_rank
    lo, hi = 0.05, 8.0  # the anchored sum decreases in s
    for _ in range(200):
        s = 0.5 * (lo + hi)
        if p_last * np.sum(span**-s) > anchor_share:
            lo = s
        else:
            hi = s
    ranks = np.arange(last_rank + 1, last_rank + 1 + max_size, dtype=np.float64) / last_rank
    shares = p_last * ranks ** -(0.5 * (lo + hi))
    total = np.cumsum(shares)
    size = int(np.searchsorted(total, remainder)) + 1
    if size > max_size:  # the tail cannot reach 100% within max_size names: scale it up
        return np.asarray(shares * (remainder / total[-1]), dtype=np.float64)
    out = shares[:size].copy()
    out[-1] = remainder - (total[size - 2] if size > 1 else 0.0)
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class NameTable:
    """Names with their shares, drawn by inverse CDF; codes are indices into ``labels``."""

    labels: tuple[str, ...]
    shares: tuple[float, ...] = field(repr=False)

    @cached_property
    def probabilities(self) -> np.ndarray:
        """Sampling probabilities (float64, sum 1), read-only."""
        shares = np.asarray(self.shares, dtype=np.float64)
        p: np.ndarray = shares / shares.sum()
        p.flags.writeable = False
        return p

    @cached_property
    def cdf(self) -> np.ndarray:
        cdf = np.cumsum(self.probabilities)
        cdf[-1] = 1.0
        return cdf

    def draw(self, u: npt.NDArray[np.float64]) -> np.ndarray:
        """Codes for uniforms ``u`` in [0, 1)."""
        return np.asarray(np.searchsorted(self.cdf, u, side="right"))

    @property
    def collision(self) -> float:
        """Chance that two persons drawn at random hold the same name: sum of p squared."""
        return float(np.sum(self.probabilities**2))


def head_and_tail(head: tuple[tuple[str, float], ...], prefix: str, anchor_rank: int,
                  anchor_cumulative: float, max_names: int) -> NameTable:
    """A published head (name, share in %) continued by a fitted synthetic tail labelled
    ``<prefix><rank>`` (see :func:`fitted_tail`); ``anchor_cumulative`` is the published
    cumulative share (in %) of the top ``anchor_rank`` names."""
    head_total = sum(share for _, share in head)
    last = len(head)
    tail = fitted_tail(head[-1][1], last, 100.0 - head_total, anchor_rank,
                       anchor_cumulative - head_total, max_names - last)
    labels = tuple(name for name, _ in head) + tuple(
        f"{prefix}{r:05d}" for r in range(last + 1, last + 1 + tail.size))
    return NameTable(labels, tuple(share for _, share in head) + tuple(tail.tolist()))
