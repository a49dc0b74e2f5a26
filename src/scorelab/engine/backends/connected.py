"""Shards served over connections: what the backends whose shards live in other processes
share (``processes``: a worker process per shard; ``ray``: a Ray actor per group of shards).

Each serving process holds a *group* of the run's shards and answers messages on its
connection, one message each way: ``(method name, each of its shards' arguments, answer)``.
If ``answer`` is true it answers ``("ok", its shards' results)`` or ``("error",
traceback)``; a posted call (``answer`` false) gets no answer, and if it fails the next
answer is its error, and the shards run nothing until then (the day would not be the one the
driver thinks). ``None`` stops it. The driver sends a call to every connection before it
reads any answer, so the groups work at once, and an asked call's answers wait in the
connection while the groups go on with what is posted after it.

A connection, not a Ray task, carries a day's calls because a Ray task costs about a
millisecond of CPU to send and run, on the driver and on the actor, several times a day: on
two cores that was a fifth of a 10-million-person run. Pickled messages over a socket cost
what the processes backend pays.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Protocol

from ..shard import Shard
from .base import Backend, shard_method

Message = tuple[str | None, list[tuple[Any, ...]], bool] | None


class Line(Protocol):
    """What carries a group's messages: a ``Connection``, or anything that sends and
    receives as one does (Ray's actor tasks, where the actors cannot connect back)."""

    def send(self, obj: Any) -> None: ...

    def recv(self) -> Any: ...

    def close(self) -> None: ...


class WorkerError(RuntimeError):
    """Shards raised in their worker (the message carries the worker's traceback), or a
    worker died."""


class Server:
    """The serving side for a group of shards: runs each message, keeps a posted call's
    error for the next answer."""

    def __init__(self, shards: list[Shard]) -> None:
        self.shards = shards
        self.failed: str | None = None

    def handle(self, message: tuple[str | None, list[tuple[Any, ...]], bool]) -> Any:
        """Run one message; its answer, or None for a posted call (which has none)."""
        method, args, answer = message
        results = None
        if self.failed is None and method is not None:  # (None: a flush, answered at once)
            try:
                results = [getattr(shard, method)(*a)
                           for shard, a in zip(self.shards, args, strict=True)]
            except BaseException:  # noqa: BLE001 - reported to the driver, which raises it
                self.failed = traceback.format_exc()
        if not answer:
            return None
        failed, self.failed = self.failed, None
        return ("ok", results) if failed is None else ("error", failed)


def serve(conn: Connection, server: Server) -> None:
    """Answer messages on ``conn`` until told to stop (``None``) or the driver goes away."""
    while True:
        try:
            message: Message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        answer = server.handle(message)
        if answer is not None:
            conn.send(answer)


class ConnectedBackend(Backend):
    """A backend whose shards are served over ``conns``; connection ``k`` serves the shards
    numbered ``groups[k]``."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        super().__init__(address, workers)
        self.conns: list[Line] = []
        self.groups: list[list[int]] = []

    def _label(self, k: int) -> str:
        shards = self.groups[k] if k < len(self.groups) else [k]
        return (f"shard {shards[0]}" if len(shards) == 1
                else "shards " + ", ".join(map(str, shards)))

    def _send(self, k: int, message: Any) -> None:
        try:
            self.conns[k].send(message)
        except OSError:  # a broken pipe: the worker is gone
            raise WorkerError(f"the worker of {self._label(k)} died") from None

    def _send_all(self, method: str | None, args: list[tuple[Any, ...]], answer: bool
                  ) -> None:
        for k, group in enumerate(self.groups):
            self._send(k, (method, [args[i] for i in group] if args else [], answer))

    def _gather(self) -> list[Any]:
        """Every connection's answer, as the results of each shard in shard order. All are
        read before an error is raised (the first), so the next call reads its own."""
        results: list[Any] = [None] * len(self.bounds)
        error: WorkerError | None = None
        for k, conn in enumerate(self.conns):
            try:
                status, values = conn.recv()
            except (EOFError, OSError):
                raise WorkerError(f"the worker of {self._label(k)} died") from None
            if status == "error":
                error = error or WorkerError(f"{self._label(k)} failed in its worker:\n"
                                             f"{values}")
                continue
            for i, value in zip(self.groups[k], values or [], strict=False):
                results[i] = value
        if error is not None:
            raise error
        return results

    def _call(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
        self._send_all(shard_method(method), args, True)
        return self._gather()

    def _ask(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> Any:
        # the answers wait in each connection until read; what is posted meanwhile is small
        # (a day's truth), so neither end can fill the other's buffer while it waits
        self._send_all(shard_method(method), args, True)
        return None

    def _receive(self, token: Any) -> list[Any]:
        return self._gather()

    def _post(self, method: Callable[..., Any], args: list[tuple[Any, ...]]) -> None:
        # no answer comes back (so the driver never has to read one to keep the pipe
        # flowing); a worker keeps a posted call's error for its next answer
        self._send_all(shard_method(method), args, False)

    def _flush(self) -> None:
        self._send_all(None, [], True)
        self._gather()

    def _hang_up(self) -> None:
        """Tell every worker to stop, and close the connections."""
        for conn in self.conns:
            try:
                conn.send(None)
            except OSError:
                pass
        for conn in self.conns:
            conn.close()
        self.conns = []
