"""Fault injection for the tests: pause a run at a named point, so a test can kill it there.

Only when the environment variable ``SCORELAB_PAUSE_AT`` names the point: then the process
says so on stderr and waits (up to ten minutes) for SIGUSR1, which lets it go on, so a test
can also do something while a writer is half-way and then let the writer finish.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from types import FrameType

PAUSE_ENV = "SCORELAB_PAUSE_AT"


def pause_point(name: str) -> None:
    """Where the kill tests stop a run: only when ``SCORELAB_PAUSE_AT`` names this point."""
    if os.environ.get(PAUSE_ENV) != name:
        return
    if threading.current_thread() is not threading.main_thread():  # no handler there
        print(f"scorelab: paused at {name}", file=sys.stderr, flush=True)
        time.sleep(600)
        return
    woken = False

    def wake(signum: int, frame: FrameType | None) -> None:
        nonlocal woken
        woken = True

    previous = signal.signal(signal.SIGUSR1, wake)  # before saying so: no signal is missed
    try:
        print(f"scorelab: paused at {name}", file=sys.stderr, flush=True)
        deadline = time.monotonic() + 600
        while not woken and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        signal.signal(signal.SIGUSR1, previous)
