"""Discrete draws from keyed uniforms, by inverse CDF.

Draws keyed by person (see :mod:`scorelab.core.streams`) come as uniforms; numpy's
generators cannot be indexed by person, so the few discrete laws the model needs are inverted
here, vectorised over persons and looping only over the value ``k``.
"""

from __future__ import annotations

import numpy as np


def _invert(u: np.ndarray, log_p0: np.ndarray, log_ratio, kmax: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Smallest k with CDF(k) > u, for a law given by log P(0) and log P(k+1)/P(k).

    Probabilities are carried as logarithms, so laws whose P(0) underflows (a Poisson mean of
    hundreds) are still inverted correctly."""
    k = np.zeros(u.shape, dtype=np.int64)
    log_pk = log_p0.astype(np.float64).copy()
    cdf = np.exp(log_pk)
    todo = u >= cdf
    with np.errstate(divide="ignore"):
        for step in range(kmax):
            if not todo.any():
                break
            log_pk = log_pk + log_ratio(step)
            cdf = cdf + np.exp(log_pk)
            k += todo
            todo &= u >= cdf
    return k


def poisson(u: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """Poisson(lam) from uniforms."""
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
    top = float(np.max(lam, initial=0))
    kmax = int(top + 12 * np.sqrt(top) + 30)
    with np.errstate(divide="ignore"):
        log_lam = np.log(lam)
    return _invert(u, -lam, lambda k: log_lam - np.log(k + 1), kmax)


def poisson_positive(u: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """Poisson(lam) conditioned on being at least 1."""
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
    p0 = np.exp(-lam)
    return poisson(p0 + u * (1 - p0), lam).clip(min=1)


def binomial(u: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """Binomial(n, p) from uniforms (n per person)."""
    n = np.asarray(n, dtype=np.int64)
    if p >= 1:
        return n.copy()
    if p <= 0:
        return np.zeros(u.shape, dtype=np.int64)
    log_odds = np.log(p / (1 - p))
    with np.errstate(divide="ignore"):
        k = _invert(u, n.astype(np.float64) * np.log1p(-p),
                    lambda k: np.log(np.maximum(n - k, 0)) - np.log(k + 1) + log_odds,
                    int(n.max(initial=0)))
    out: np.ndarray = np.minimum(k, n)
    return out


def geometric_positive(u: np.ndarray, mean: float) -> np.ndarray:
    """Geometric on 1, 2, ... with the given mean (>= 1)."""
    if mean <= 1:
        return np.ones(u.shape, dtype=np.int64)
    p = 1.0 / mean
    out: np.ndarray = 1 + np.floor(np.log1p(-u) / np.log1p(-p)).astype(np.int64)
    return out


def normal(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Standard normals from two uniforms (Box-Muller)."""
    out: np.ndarray = np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2 * np.pi * u2)
    return out
