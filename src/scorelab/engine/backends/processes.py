"""The processes backend: one worker process per shard, so a run uses every core.

Each worker is a fresh interpreter (``python -m scorelab.engine.backends.worker``) that
talks to the driver over its end of a socket pair, builds its shard from the plan and then
serves it (``connected``: one message each way, a posted call has no answer). Only plain
data crosses (the plan once, then day numbers, id arrays and counts), which is what the
shard interface promises; the results are the same bytes as the local backend's, since every
draw is keyed by person.

Workers are started as new programs rather than through ``multiprocessing``'s spawn, which
re-runs the caller's main script (a script without an ``if __name__ == "__main__"`` guard, or
a notebook, would break); starting costs about half a second per worker (the imports a
shard needs: no polars, no report), so the backend pays off on large populations.

Whole runs (``map_runs``) go to a pool of ``workers`` spawned processes (default one per
core), a fresh interpreter each, whatever threads the caller has started; the cores are shared
out among them as their shards' lanes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from multiprocessing.connection import Connection

from ...core.lanes import cap, cores, lanes_for
from ...scenario.plan import Plan
from ..memory import FIXED_BYTES
from .base import A, Bounds, K, R
from .connected import ConnectedBackend, WorkerError

WORKER = "scorelab.engine.backends.worker"
__all__ = ["ProcessBackend", "WorkerError"]


class ProcessBackend(ConnectedBackend):
    name = "processes"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        super().__init__(address, workers)
        self.procs: list[subprocess.Popen[bytes]] = []

    @classmethod
    def memory_needed(cls, need: int, shards: int, address: str | None) -> int:
        return need + shards * FIXED_BYTES  # an interpreter per worker, on this machine

    def _start(self, plan: Plan, bounds: list[Bounds]) -> None:
        threads = lanes_for(len(bounds))  # (the workers share this machine's cores)
        for a, b in bounds:
            mine, theirs = socket.socketpair()
            fd = theirs.fileno()
            self.procs.append(subprocess.Popen([sys.executable, "-m", WORKER, str(fd)],
                                               pass_fds=(fd,), stdin=subprocess.DEVNULL))
            theirs.close()
            self.conns.append(Connection(mine.detach()))
            self.groups.append([len(self.groups)])
            self._send(len(self.conns) - 1, (plan, a, b, threads))
        self._gather()  # (the engine closes the backend if this fails)

    def close(self) -> None:
        self._hang_up()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []

    def map_runs(self, function: Callable[[A], R], runs: Sequence[tuple[K, A]]
                 ) -> Iterator[tuple[K, R]]:
        if not runs:
            return
        count = min(self.workers or os.cpu_count() or 1, len(runs))
        with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn"),
                                 initializer=cap, initargs=(max(1, cores() // count),)
                                 ) as pool:
            futures = {pool.submit(function, argument): key for key, argument in runs}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            finally:
                for future in futures:
                    future.cancel()
