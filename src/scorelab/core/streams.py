"""Random streams keyed by what, when and who.

Every random decision in scorelab has a name (its path in the scenario, e.g.
``process/traffic_offence`` or ``system/rongcheng/record/traffic_offence``). A draw is a
pure function of (seed, name, day, person id), so the numbers a person gets do not depend on
how persons are split into shards, in what order shards run, or which backend runs them.

A part claims each of its streams (:meth:`Streams.claim`) and draws through the handle, in two
ways:

* :meth:`Stream.block` gives a numpy ``Generator`` (Philox, keyed by a BLAKE2b hash of seed,
  name, day and block) for dense work over a whole block of persons, such as generating the
  population. Blocks are fixed runs of ``block_size`` person ids; a shard is a run of blocks.
* :meth:`Stream.uniform` gives one uniform number per person id for sparse work (the few
  persons whose event falls due today). numpy has no vectorised generator that can be indexed
  by an arbitrary set of counters, so this is a keyed counter-based hash written here: the
  SplitMix64 finaliser (Steele, Lea & Flood 2014) applied to (stream key + person id). It is
  well mixed, passes the statistical tests of the simulation, and costs a few array operations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import numpy as np

# SplitMix64's constants as Python integers (``_unit_few``) and as numpy words (``_mix64``)
_GOLDEN_INT, _M1_INT, _M2_INT = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_GOLDEN, _M1, _M2 = np.uint64(_GOLDEN_INT), np.uint64(_M1_INT), np.uint64(_M2_INT)
_TO_UNIT = float(2.0**-53)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


def stream_key(seed: int, name: str, day: int = 0, extra: int = 0) -> int:
    """A 64-bit key for (seed, name, day, extra) from a real hash, never Python's ``hash()``."""
    digest = hashlib.blake2b(
        f"{seed}\x1f{name}\x1f{day}\x1f{extra}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "little")


_WORD = (1 << 64) - 1
#: at most this many ids are hashed in Python integers (see ``_unit_few``)
_FEW = 12


def _unit_few(ids: np.ndarray, key: int) -> np.ndarray:
    """``Stream._unit`` for a few ids in Python integers, the same doubles: a handful of
    ids (a city system's day of records) costs numpy a dozen calls of 1-2 us each, and
    Python about 1 us an id. Every step is exact: products modulo 2**64, a 53-bit integer
    to a double, times a power of two."""
    out = []
    for i in ids.tolist():
        x = (i * _GOLDEN_INT + key) & _WORD
        x ^= x >> 30
        x = (x * _M1_INT) & _WORD
        x ^= x >> 27
        x = (x * _M2_INT) & _WORD
        x ^= x >> 31
        out.append((x >> 11) * _TO_UNIT)
    return np.array(out, dtype=np.float64).reshape(ids.shape)


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, in place on a uint64 array (one temporary for the shifts)."""
    t = np.right_shift(x, _S30)
    x ^= t
    x *= _M1
    x ^= np.right_shift(x, _S27, out=t)
    x *= _M2
    x ^= np.right_shift(x, _S31, out=t)
    return x


class Stream:
    """The one handle that draws from a named stream (see :meth:`Streams.claim`)."""

    __slots__ = ("_key", "_philox", "_rekeyed", "_reused", "block_size", "name", "seed")

    def __init__(self, seed: int, name: str, block_size: int) -> None:
        self.seed = seed
        self.name = name
        self.block_size = block_size
        self._philox: np.random.Philox | None = None
        self._reused: np.random.Generator | None = None
        # the state of ``Philox(key=...)`` for ``block_again``: the key's two words (low
        # first, written in place), counter zero, nothing buffered (the setter copies them)
        self._key = np.zeros(2, dtype=np.uint64)
        self._rekeyed: Any = {"bit_generator": "Philox",  # (numpy types it as its own dict)
                              "state": {"counter": np.zeros(4, dtype=np.uint64), "key": self._key},
                              "buffer": np.zeros(4, dtype=np.uint64), "buffer_pos": 4,
                              "has_uint32": 0, "uinteger": 0}

    def _block_key(self, day: int, block: int) -> int:
        key = hashlib.blake2b(
            f"{self.seed}\x1f{self.name}\x1f{day}\x1f{block}".encode(), digest_size=16
        ).digest()
        return int.from_bytes(key, "little")

    def block(self, day: int, block: int) -> np.random.Generator:
        """A generator for one (day, block): dense draws over a block of persons."""
        return np.random.Generator(np.random.Philox(key=self._block_key(day, block)))

    def block_again(self, day: int, block: int) -> np.random.Generator:
        """:meth:`block`'s generator for (day, block), the same numbers, from the handle's
        one generator re-keyed in place: a fresh Philox and Generator cost several times
        the re-keying, which a part drawing a little from every block of every day pays
        over and over. The generator is valid until the next call (on this handle)."""
        key = self._block_key(day, block)
        if self._philox is None or self._reused is None:
            self._philox = np.random.Philox(key=key)
            self._reused = np.random.Generator(self._philox)
            return self._reused
        self._key[0] = key & 0xFFFFFFFFFFFFFFFF
        self._key[1] = key >> 64
        self._philox.state = self._rekeyed
        return self._reused

    def uniform(self, day: int, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """One uniform in [0, 1) per person id for this day; ``draw`` picks a further
        independent number for the same person and day."""
        if ids.size == 0:  # (no key to hash: many a day's draw is for nobody)
            return np.empty(ids.shape, dtype=np.float64)
        key = stream_key(self.seed, self.name, day, draw)
        if ids.size <= _FEW:
            return _unit_few(ids, key)
        return self._unit(ids, np.uint64(key))

    def uniform_on(self, first: int, offsets: np.ndarray, ids: np.ndarray, draw: int = 0
                   ) -> np.ndarray:
        """``uniform(first + offsets[i], ids[i:i+1])[0]`` for every i, in one pass: the same
        numbers for persons drawing on different days of a window (one key a day)."""
        if ids.size == 0:
            return np.empty(ids.shape, dtype=np.float64)
        keys = np.array([stream_key(self.seed, self.name, first + k, draw)
                         for k in range(int(offsets.max()) + 1)], dtype=np.uint64)
        return self._unit(ids, keys[offsets])

    @staticmethod
    def _unit(ids: np.ndarray, key: np.uint64 | np.ndarray) -> np.ndarray:
        """The keyed hash of each id (key: one for all, or one per id) as a double in [0, 1)."""
        x = ids.astype(np.uint64)
        x *= _GOLDEN
        x += key
        _mix64(x)
        x >>= _S11
        out = x.astype(np.float64)
        out *= _TO_UNIT
        return out

    def __repr__(self) -> str:
        return f"Stream({self.name!r})"


class Streams:
    """The random streams of one run.

    A run's plan declares every stream name once (two decisions sharing a stream by accident
    is an error), and a part draws only through the handle that :meth:`claim` gives it: a name
    the plan did not declare cannot be drawn from. Without ``names`` (a tool or a test that
    builds one part on its own) any name may be claimed.

    >>> streams = Streams(seed=7, names=["process/traffic_offence/gap"])
    >>> u = streams.claim("process/traffic_offence/gap").uniform(day=3, ids=np.arange(5))
    >>> bool(((0 <= u) & (u < 1)).all())
    True
    """

    def __init__(self, seed: int, block_size: int = 65_536,
                 names: Iterable[str] | None = None) -> None:
        self.seed = int(seed)
        self.block_size = int(block_size)
        self.names: frozenset[str] | None = None
        if names is not None:
            self.names = frozenset(declare(names))

    def claim(self, name: str) -> Stream:
        """The handle that draws from stream ``name``, which the plan must have declared."""
        if self.names is not None and name not in self.names:
            raise KeyError(f"random stream {name!r} was not declared; a part must list its "
                           "streams in its stream_names() so the plan can check them")
        return Stream(self.seed, name, self.block_size)


def declare(names: Iterable[str]) -> list[str]:
    """The names in order, refusing any name given twice."""
    seen: set[str] = set()
    out = []
    for name in names:
        if name in seen:
            raise ValueError(f"random stream {name!r} is claimed twice")
        seen.add(name)
        out.append(name)
    return out
