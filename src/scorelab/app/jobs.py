"""Runs in the background: each in a worker process of its own, so the page's server stays
responsive whatever the run does, a cancel stops it at once (even inside a linkage, which
reports no progress), and its memory goes back when it ends.

Workers are forked from a fork server that imported the engine once (``warm_up``), so a run
starts in milliseconds instead of paying for a fresh interpreter. A worker sends its
progress (days, or replicates when there are several) and then its result or its error
through a pipe; the page polls :meth:`Job.poll`.

>>> from scorelab.scenario import load_scenario
>>> job = Job(load_scenario(preset="china-2022", overrides={
...     "population": {"persons": 2000}, "days": 5, "warmup_days": 0}))
>>> while not job.poll():
...     job.wait(0.05)
>>> job.result.summary.persons, job.error
(2000, None)
"""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from ..integration.linkage import LINKAGE_IMPORTS
from ..ledger.result import Result
from ..scenario import Scenario

#: the fork server imports the main module and this one (and so the engine) once, before any
#: run, so that no run imports them again; also the finance kinds (0.1 s, which a scenario with
#: a credit score would import when it reaches its worker) and the record-linkage libraries,
#: which only an integration's run needs but which take it 0.5-0.7 s to import
PRELOAD = ["__main__", "scorelab.app.worker", "scorelab.finance.registry", *LINKAGE_IMPORTS]
#: at most this many runs at once on this machine, over every page's session
MAX_RUNNING = max(1, os.cpu_count() or 1)

_running: set[Job] = set()


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the fork server now, with the engine imported, so the first run starts fast."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def stop_all() -> None:
    """Cancel every run of this process (the server is stopping)."""
    for job in list(_running):
        job.cancel()


def running() -> int:
    """Runs going on now, over every session of this process."""
    for job in list(_running):
        job.poll()
    return len(_running)


class Job:
    """One run of a scenario (``replicates`` times) in a worker process."""

    def __init__(self, scenario: Scenario, replicates: int = 1) -> None:
        from .worker import work

        ctx = _context()
        self._receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=work, args=(send, scenario, replicates),
                                   daemon=True, name="scorelab-run")
        self.started = time.perf_counter()
        self.process.start()
        send.close()  # the worker holds the only sending end: its death ends the pipe
        self.replicates = replicates
        self.done, self.total = 0, 0
        self.result: Result | None = None
        self.error: str | None = None
        self.cancelled = False
        self.seconds: float | None = None
        _running.add(self)

    @property
    def finished(self) -> bool:
        return self.result is not None or self.error is not None

    @property
    def unit(self) -> str:
        """What the progress counts: days (warm-up included) or whole runs."""
        return "run" if self.replicates > 1 else "day"

    def poll(self) -> bool:
        """Read what the worker sent; True once the run has finished (result or error)."""
        if self.finished:
            return True
        try:
            while self._receive.poll():
                self._take(self._receive.recv())
                if self.finished:
                    break
        except (EOFError, OSError):
            if not self.finished:
                self.process.join(1)
                self._end(error=f"the run stopped without a result (exit code "
                                f"{self.process.exitcode}; out of memory?)")
        return self.finished

    def _take(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "progress":
            self.done, self.total = int(message[1]), int(message[2])
        elif kind == "done":
            self._end(result=message[1])
        else:
            self._end(error=str(message[1]))

    def _end(self, result: Result | None = None, error: str | None = None) -> None:
        self.result, self.error = result, error
        self.seconds = time.perf_counter() - self.started
        _running.discard(self)
        self._receive.close()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def wait(self, seconds: float) -> None:
        """Wait up to ``seconds`` for the worker to send something."""
        if not self.finished:
            try:
                self._receive.poll(seconds)
            except (EOFError, OSError):
                pass

    def cancel(self) -> None:
        """Stop the run now; nothing of it is kept."""
        if self.finished:
            return
        self.process.kill()
        self.process.join()
        self.cancelled = True
        self._end(error="cancelled")


__all__ = ["MAX_RUNNING", "Job", "running", "stop_all", "warm_up"]
