"""The worker process of one explorer run: runs the scenario (``replicates`` times) and
sends its progress, then its result or its error, through a pipe. Imported by the fork
server before any run (see :mod:`scorelab.app.jobs`), so it imports the engine up front."""

from __future__ import annotations

import time
from multiprocessing.connection import Connection

from ..engine.run import run_scenario
from ..experiments.replicates import run_replicates
from ..ledger.result import Result
from ..scenario import Scenario, ScenarioError

#: the least time between two progress messages (a day takes a few milliseconds)
EVERY_SECONDS = 0.1


def work(send: Connection, scenario: Scenario, replicates: int) -> None:
    """Run and report (in the worker process)."""
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if done >= total or now - last >= EVERY_SECONDS:
            last = now
            send.send(("progress", done, total))

    try:
        result: Result
        if replicates > 1:
            result = run_replicates(scenario, replicates, progress=progress)
        else:
            result = run_scenario(scenario, progress=progress)
    except ScenarioError as exc:
        send.send(("error", str(exc)))
    except MemoryError:
        send.send(("error", "the run ran out of memory: choose fewer persons"))
    except Exception as exc:  # noqa: BLE001 - the page says what failed instead of waiting
        send.send(("error", f"the run failed: {type(exc).__name__}: {exc}"))
    else:
        send.send(("done", result))
    finally:
        send.close()
