"""The worker process of one explorer run: runs the scenario (``replicates`` times) and
sends its progress, then its result or its error, through a pipe. Imported by the fork
server before any run (see :mod:`scorelab.app.jobs`), so it imports the engine up front.

A run nobody waits for any more stops at its next day: when the page's server has gone (the
pipe is broken, or the fork server that started the run has ended with the server)."""

from __future__ import annotations

import os
import time
from multiprocessing.connection import Connection
from typing import Any

from ..engine.run import run_scenario
from ..experiments.replicates import run_replicates
from ..ledger.result import Result
from ..scenario import Scenario, ScenarioError

#: the least time between two progress messages (a day takes a few milliseconds)
EVERY_SECONDS = 0.1


def work(send: Connection, scenario: Scenario, replicates: int) -> None:
    """Run and report (in the worker process)."""
    last = 0.0
    parent = os.getppid()

    def tell(message: tuple[Any, ...]) -> None:
        try:
            send.send(message)
        except OSError:  # the server has gone: nobody reads this run
            raise SystemExit(1) from None

    def progress(done: int, total: int) -> None:
        nonlocal last
        if os.getppid() != parent:
            raise SystemExit(1)
        now = time.perf_counter()
        if done >= total or now - last >= EVERY_SECONDS:
            last = now
            tell(("progress", done, total))

    try:
        result: Result
        if replicates > 1:
            result = run_replicates(scenario, replicates, progress=progress)
        else:
            result = run_scenario(scenario, progress=progress)
    except ScenarioError as exc:
        tell(("error", str(exc)))
    except MemoryError:
        tell(("error", "the run ran out of memory: choose fewer persons"))
    except Exception as exc:  # noqa: BLE001 - the page says what failed instead of waiting
        tell(("error", f"the run failed: {type(exc).__name__}: {exc}"))
    else:
        tell(("done", result))
    finally:
        send.close()
