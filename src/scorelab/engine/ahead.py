"""Truth run ahead: a shard's processes in a forked child, on a core of their own, handing
over each day's events as the shard's truth phase asks for them.

Nothing a system or a measure does changes the truth (``processes.events``), so the
processes need nothing from the rest of the shard: the child runs them day after day from
the state the shard holds when it forks, scheduled changes of the processes included, and
sends each day's events and counts down a pipe. Meanwhile the shard's records phase works
on the days already sent, so the two phases run side by side instead of in turn. The events
are those the shard would have drawn itself (the same code on the same state), so no output
depends on whether the truth ran ahead.

The pipe's buffer (``PIPE_BYTES``, about 25 days of china-2022's events at a million
persons) lets the child run that far ahead and holds it back beyond. If the shard stops (an
error, the end of the run) it kills the child; if the shard's process dies, the child's next
send finds the pipe closed and it exits.

A child is forked, not spawned: it starts at once with everything the shard built (the
population, the processes' state) shared copy-on-write, where a spawned one would import and
build it all again. So truth runs ahead only where ``fork`` is safe (Linux), after every
shard's lanes have stopped their threads (``core.lanes.rest_all``); the child touches
nothing of the parent's but the processes and its end of the pipe.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import traceback
import warnings
from multiprocessing.connection import Connection, Pipe

import numpy as np

from ..core.lanes import ONE
from ..processes.events import Process
from ..scenario.plan import Plan

Day = tuple[dict[str, np.ndarray], dict[str, int]]  # (events a system reads, counts)
#: the pipe's buffer asked for (Linux grants up to /proc/sys/fs/pipe-max-size, 1 MiB unless
#: raised; where it grants less, the child is held back sooner, with the same results)
PIPE_BYTES = 1 << 20


def can_fork() -> bool:
    """Whether a child may be forked here: on Linux (elsewhere fork is missing, or unsafe
    with the libraries numpy links)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class Ahead:
    """The processes of one shard, run from day ``first`` to the end of the run in a
    child; :meth:`take` hands over each day in turn."""

    def __init__(self, processes: list[Process], plan: Plan, first: int) -> None:
        self.day = first
        reader, writer = Pipe(duplex=False)
        try:
            fcntl.fcntl(writer.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (OSError, AttributeError):  # (a smaller buffer only holds the child back)
            pass
        with warnings.catch_warnings():
            # (Python 3.12 warns of fork in a process with threads, since the child may need
            # a lock another thread held. This child takes none that another thread of the
            # process may hold: not the lanes', which rest; not the standard streams', whose
            # objects it replaces; the interpreter's own and the C libraries' are made
            # ready for a fork by themselves)
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: runs the days and exits, never returns
            _child(reader, writer, processes, plan, first)
        writer.close()
        self.pid: int | None = pid
        self.reader = reader

    def take(self, day: int) -> Day:
        """The events and counts of ``day`` (each day once, in order)."""
        if day != self.day:
            raise RuntimeError(f"the truth runs ahead from day {self.day}; day {day} was "
                               "asked for")
        try:
            events, counts = self.reader.recv()
        except EOFError:
            raise RuntimeError(f"the truth of day {day} never came: the child process "
                               f"running it ahead {self._ended()}") from None
        if events is None:  # the child failed: ``counts`` is its traceback
            raise RuntimeError(f"the child process running the truth ahead failed on day "
                               f"{day}:\n{counts}")
        self.day += 1
        return events, counts

    def _ended(self) -> str:
        """How the child ended (reaping it)."""
        assert self.pid is not None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        code = os.waitstatus_to_exitcode(status)
        return f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"

    def close(self) -> None:
        """Stop the child, done or not, and reap it."""
        self.reader.close()
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # (it has ended, and waits to be reaped)
                pass
            os.waitpid(self.pid, 0)
            self.pid = None


def _child(reader: Connection, writer: Connection, processes: list[Process], plan: Plan,
           first: int) -> None:
    """The child's whole life: every day's truth down the pipe, then exit, without the
    parent's exit handlers, buffers or files."""
    code = 0
    try:
        reader.close()
        # the parent's files stay the parent's alone: an output folder's lock, and the
        # standard streams a caller may read to their end
        keep = writer.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
        nowhere = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(nowhere, stream)
        # new stream objects: another thread of the parent may have held the old ones' locks
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 (open for the child's life)
        sys.stdout = sys.stderr = open(1, "w", closefd=False)  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # (the parent stops it on Ctrl-C)
        for process in processes:
            process.lanes = ONE  # (the shard's threads are not in this process)
        for day in range(first, plan.total_days):
            step = plan.steps.get(day)
            for index, spec in step.processes if step is not None else ():
                processes[index].retune(day, spec)
            events: dict[str, np.ndarray] = {}
            counts: dict[str, int] = {}
            for process in processes:
                read, counted = process.step(day)
                events.update(read)
                counts.update(counted)
            writer.send((events, counts))
    except (BrokenPipeError, ConnectionResetError):  # the shard is gone: nobody to tell
        code = 1
    except BaseException:  # noqa: BLE001 (the shard raises it, with the child's traceback)
        code = 1
        try:
            writer.send((None, traceback.format_exc()))
        except OSError:  # (the shard is gone too)
            pass
    finally:
        os._exit(code)
