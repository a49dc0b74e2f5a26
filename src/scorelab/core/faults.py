"""Fault injection for the tests: pause a run at a named point, so a test can kill it there.

Only when the environment variable ``SCORELAB_PAUSE_AT`` names the point: then the process
says so on stderr and sleeps, and does nothing else.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_ENV = "SCORELAB_PAUSE_AT"


def pause_point(name: str) -> None:
    """Where the kill tests stop a run: only when ``SCORELAB_PAUSE_AT`` names this point."""
    if os.environ.get(PAUSE_ENV) == name:
        print(f"scorelab: paused at {name}", file=sys.stderr, flush=True)
        time.sleep(600)
