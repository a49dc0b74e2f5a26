"""The processes backend: one worker process per shard, so a run uses every core.

Each worker is a fresh interpreter (``python -m scorelab.engine.backends.worker``) that
talks to the driver over its end of a socket pair, builds its shard from the plan and then answers calls, one
message each way (a posted call has no answer). The driver sends ``(method name, args)`` to every worker before it waits
for any answer, so the shards of a phase run at the same time. Only plain data crosses (the plan once,
then day numbers, id arrays and counts), which is what the shard interface promises; the
results are the same bytes as the local backend's, since every draw is keyed by person.

Workers are started as new programs rather than through ``multiprocessing``'s spawn, which
re-runs the caller's main script (a script without an ``if __name__ == "__main__"`` guard, or
a notebook, would break); starting costs about a second per worker, so the backend pays off on
large populations.

Whole runs (``map_runs``) go to a pool of ``workers`` spawned processes (default one per
core), a fresh interpreter each, whatever threads the caller has started.
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
from typing import Any

from ...scenario.plan import Plan
from ..memory import FIXED_BYTES
from .base import A, Backend, Bounds, K, R, shard_method

WORKER = "scorelab.engine.backends.worker"


class WorkerError(RuntimeError):
    """A shard raised in its worker (the message carries the worker's traceback), or a
    worker died."""


class ProcessBackend(Backend):
    name = "processes"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        super().__init__(address, workers)
        self.conns: list[Connection] = []
        self.procs: list[subprocess.Popen[bytes]] = []

    @classmethod
    def memory_needed(cls, need: int, shards: int, address: str | None) -> int:
        return need + shards * FIXED_BYTES  # an interpreter per worker, on this machine

    def _start(self, plan: Plan, bounds: list[Bounds]) -> None:
        for a, b in bounds:
            mine, theirs = socket.socketpair()
            fd = theirs.fileno()
            self.procs.append(subprocess.Popen([sys.executable, "-m", WORKER, str(fd)],
                                               pass_fds=(fd,), stdin=subprocess.DEVNULL))
            theirs.close()
            self.conns.append(Connection(mine.detach()))
            self._send(len(self.conns) - 1, (plan, a, b))
        self._gather()  # (the engine closes the backend if this fails)

    def _gather(self) -> list[Any]:
        results = []
        for k, conn in enumerate(self.conns):
            try:
                status, value = conn.recv()
            except (EOFError, OSError):
                raise WorkerError(f"the worker of shard {k} died") from None
            if status == "error":
                raise WorkerError(f"shard {k} failed in its worker:\n{value}")
            results.append(value)
        return results

    def _send(self, k: int, message: Any) -> None:
        try:
            self.conns[k].send(message)
        except OSError:  # a broken pipe: the worker is gone
            raise WorkerError(f"the worker of shard {k} died") from None

    def _call(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
        name = shard_method(method)
        for k, a in enumerate(args):
            self._send(k, (name, a, True))
        return self._gather()

    def _post(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> None:
        # no answer comes back (so the driver never has to read one to keep the pipe
        # flowing); a worker keeps a posted call's error for its next answer
        name = shard_method(method)
        for k, a in enumerate(args):
            self._send(k, (name, a, False))

    def _flush(self) -> None:
        for k in range(len(self.conns)):
            self._send(k, (None, (), True))
        self._gather()

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.send(None)
            except OSError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for conn in self.conns:
            conn.close()
        self.conns, self.procs = [], []

    def map_runs(self, function: Callable[[A], R], runs: Sequence[tuple[K, A]]
                 ) -> Iterator[tuple[K, R]]:
        if not runs:
            return
        count = min(self.workers or os.cpu_count() or 1, len(runs))
        with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(function, argument): key for key, argument in runs}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            finally:
                for future in futures:
                    future.cancel()
