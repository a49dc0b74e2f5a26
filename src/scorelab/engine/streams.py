"""Random streams keyed by what, when and who.

Every random decision in scorelab has a name (its path in the scenario, e.g.
``process/traffic_offence`` or ``system/rongcheng/record/traffic_offence``). A draw is a
pure function of (seed, name, day, person id), so the numbers a person gets do not depend on
how persons are split into shards, in what order shards run, or which backend runs them.

Two kinds of stream:

* :meth:`Streams.block` gives a numpy ``Generator`` (Philox, keyed by a BLAKE2b hash of seed,
  name, day and block) for dense work over a whole block of persons, such as generating the
  population. Blocks are fixed runs of ``block_size`` person ids; a shard is a run of blocks.
* :meth:`Streams.uniform` gives one uniform number per person id for sparse work (the few
  persons whose event falls due today). numpy has no vectorised generator that can be indexed
  by an arbitrary set of counters, so this is a keyed counter-based hash written here: the
  SplitMix64 finaliser (Steele, Lea & Flood 2014) applied to (stream key + person id). It is
  well mixed, passes the statistical tests of the simulation, and costs a few array operations.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = float(2.0**-53)


def stream_key(seed: int, name: str, day: int = 0, extra: int = 0) -> int:
    """A 64-bit key for (seed, name, day, extra) from a real hash, never Python's ``hash()``."""
    digest = hashlib.blake2b(
        f"{seed}\x1f{name}\x1f{day}\x1f{extra}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "little")


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, in place on a uint64 array."""
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


class Streams:
    """The random streams of one run.

    Names must be registered once (:meth:`register`) so that two decisions never share a
    stream by accident: a repeated name is an error.

    >>> streams = Streams(seed=7)
    >>> u = streams.uniform("process/traffic_offence", day=3, ids=np.arange(5))
    >>> bool(((0 <= u) & (u < 1)).all())
    True
    """

    def __init__(self, seed: int, block_size: int = 65_536) -> None:
        self.seed = int(seed)
        self.block_size = int(block_size)
        self._names: set[str] = set()

    def register(self, name: str) -> str:
        """Claim a stream name; claiming the same name twice is an error."""
        if name in self._names:
            raise ValueError(f"random stream {name!r} is claimed twice")
        self._names.add(name)
        return name

    def block(self, name: str, day: int, block: int) -> np.random.Generator:
        """A generator for one (name, day, block): dense draws over a block of persons."""
        key = hashlib.blake2b(
            f"{self.seed}\x1f{name}\x1f{day}\x1f{block}".encode(), digest_size=16
        ).digest()
        return np.random.Generator(np.random.Philox(key=int.from_bytes(key, "little")))

    def uniform(self, name: str, day: int, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """One uniform in [0, 1) per person id for (name, day); ``draw`` picks a further
        independent number for the same person and day."""
        key = np.uint64(stream_key(self.seed, name, day, draw))
        x = ids.astype(np.uint64) * _GOLDEN
        x += key
        _mix64(x)
        return (x >> np.uint64(11)).astype(np.float64) * _TO_UNIT
