"""A worker of the processes backend: one shard in its own interpreter.

Run as ``python -m scorelab.engine.backends.worker FD`` by ``ProcessBackend``; ``FD`` is the
worker's end of a socket pair. It receives ``(plan, start, stop, threads)``, builds the shard
(on ``threads`` lanes: the machine's cores shared out among the workers), answers
``("ok", None)`` (or ``("error", traceback)``), then serves the shard as ``connected.serve``
says until it receives ``None`` or the driver goes away.
"""

from __future__ import annotations

import sys
import traceback
from multiprocessing.connection import Connection

from ..shard import Shard
from .connected import Server, serve


def _serve(fd: int) -> None:
    conn = Connection(fd)
    try:
        plan, start, stop, threads = conn.recv()
        shard = Shard(plan, start, stop, threads)
        conn.send(("ok", None))
    except BaseException:  # noqa: BLE001 - reported to the driver, which raises it
        conn.send(("error", traceback.format_exc()))
        return
    try:
        serve(conn, Server([shard]))
    finally:
        shard.close()


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
