"""A worker of the processes backend: one shard in its own interpreter.

Run as ``python -m scorelab.engine.backends.worker FD`` by ``ProcessBackend``; ``FD`` is the
worker's end of a socket pair. It receives ``(plan, start, stop)``, builds the shard, then
answers ``(method name, args, answer)`` messages with ``("ok", result)`` or ``("error",
traceback)`` until it receives ``None`` or the driver goes away. A posted call (``answer``
false) gets no answer; if it fails, the next answer is its error, and the shard runs nothing
until then.
"""

from __future__ import annotations

import sys
import traceback
from multiprocessing.connection import Connection

from ..shard import Shard


def _serve(fd: int) -> None:
    """A worker: build the shard, then answer ``(method name, args, answer)`` until told to stop
    (``None``) or the driver goes away."""
    conn = Connection(fd)
    try:
        plan, start, stop = conn.recv()
        shard = Shard(plan, start, stop)
        conn.send(("ok", None))
    except BaseException:  # noqa: BLE001 - reported to the driver, which raises it
        conn.send(("error", traceback.format_exc()))
        return
    failed: str | None = None  # a posted call's error, kept for the next answer
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        method, args, answer = message
        result = None
        if failed is None and method is not None:  # (None: a flush, answered at once)
            try:
                result = getattr(shard, method)(*args)
            except BaseException:  # noqa: BLE001
                failed = traceback.format_exc()
        if answer:
            conn.send(("ok", result) if failed is None else ("error", failed))
            failed = None


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
