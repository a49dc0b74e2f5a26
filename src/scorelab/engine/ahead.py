"""Truth run ahead: a shard's processes in a forked child, on a core of their own, handing
over each day's events as the shard's truth phase asks for them.

Nothing a system or a measure does changes the truth (``processes.events``), so the
processes need nothing from the rest of the shard: the child runs them day after day from
the state the shard holds when it forks, scheduled changes of the processes included, on one
lane, and hands each day's events and counts over. Meanwhile the shard's records phase works
on the days already handed over, so the two phases run side by side instead of in turn. The
events are those the shard would have drawn itself (the same code on the same state), so no
output depends on whether the truth ran ahead.

A day's events go into a buffer the two processes share (``RING_BYTES``, about 280 days of
china-2022's events at 1M persons, 140 at 2M), and only its length down a pipe (a day larger
than the buffer goes down the pipe whole);
the shard tells the child how far it has read, and the child waits when it would overwrite
what the shard has not read. (A pipe alone holds 64 KiB to 1 MiB, a few days at 10M: the
two would run in turn, a window of trials at a time.) If the shard stops (an error, the end
of the run) it kills the child; if the shard's process dies, the child's next send finds the
pipe closed and it exits.

A child is forked, not spawned: it starts at once with everything the shard built (the
population, the processes' state) shared copy-on-write, where a spawned one would import
and build it all again. So truth runs ahead only where ``fork`` is safe (Linux), after every
shard's lanes have stopped their threads (``core.lanes.rest_all``); the child touches
nothing of the parent's but the processes, the buffer and its ends of the pipes.
"""

from __future__ import annotations

import json
import mmap
import os
import select
import signal
import struct
import sys
import traceback
import warnings
from multiprocessing.connection import Connection, Pipe

import numpy as np

from ..core.lanes import ONE
from ..processes.events import Process
from ..scenario.plan import Plan

Day = tuple[dict[str, np.ndarray], dict[str, int]]  # (events a system reads, counts)
#: the buffer the child writes the days into (anonymous shared memory: pages are taken only
#: as they are written): enough days for the child to draw a window of 32 ahead of the shard
RING_BYTES = 1 << 23
_READ = struct.Struct("<q")  # bytes of the buffer the shard has read, all told
_HEADER = struct.Struct("<q")  # the length of a day's header


def can_fork() -> bool:
    """Whether a child may be forked here: on Linux (elsewhere fork is missing, or unsafe
    with the libraries numpy links)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class Ahead:
    """The processes of one shard, run from day ``first`` to the end of the run in a child;
    :meth:`take` hands over each day in turn."""

    def __init__(self, processes: list[Process], plan: Plan, first: int) -> None:
        self.day = first
        self.ring = mmap.mmap(-1, RING_BYTES)  # (MAP_SHARED: the child writes, we read)
        self.read = 0
        lengths, lengths_in = Pipe(duplex=False)
        done_out, done_in = os.pipe()  # how far the shard has read, to the child
        with warnings.catch_warnings():
            # (Python 3.12 warns of fork in a process with threads, since the child may need
            # a lock another thread held. This child takes none that another thread of the
            # process may hold: not the lanes', which rest; not the standard streams', whose
            # objects it replaces; the interpreter's own and the C libraries' are made
            # ready for a fork by themselves)
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: runs the days and exits, never returns
            lengths.close()
            os.close(done_in)
            _child(lengths_in, done_out, self.ring, processes, plan, first)
        lengths_in.close()
        os.close(done_out)
        self.pid: int | None = pid
        self.lengths = lengths
        self.done = done_in

    def take(self, day: int) -> Day:
        """The events and counts of ``day`` (each day once, in order)."""
        if day != self.day:
            raise RuntimeError(f"the truth runs ahead from day {self.day}; day {day} was "
                               "asked for")
        try:
            length, inline, failure = self.lengths.recv()
        except EOFError:
            raise RuntimeError(f"the truth of day {day} never came: the child process "
                               f"running it ahead {self._ended()}") from None
        if failure is not None:  # the child's traceback
            raise RuntimeError(f"the child process running the truth ahead failed on day "
                               f"{day}:\n{failure}")
        if inline is not None:  # a day too large for the buffer came down the pipe
            payload = inline
        else:
            payload = _copy_out(self.ring, self.read, length)
            self.read += length
            try:
                os.write(self.done, _READ.pack(self.read))
            except BrokenPipeError:  # (the child has drawn every day and gone)
                pass
        self.day += 1
        return _decoded(payload)

    def _ended(self) -> str:
        """How the child ended (reaping it)."""
        assert self.pid is not None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        code = os.waitstatus_to_exitcode(status)
        return f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"

    def close(self) -> None:
        """Stop the child, done or not, and reap it."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # (it has ended, and waits to be reaped)
                pass
            os.waitpid(self.pid, 0)
            self.pid = None
        self.lengths.close()
        os.close(self.done)
        self.ring.close()


def _encoded(events: dict[str, np.ndarray], counts: dict[str, int]) -> bytes:
    """A day as bytes: the length of a JSON header (the events' names and sizes, in order,
    and the counts), the header, then every event's ids as 64-bit integers. (Not pickle:
    nothing read back is ever run as code.)"""
    header = json.dumps([list(events), [ids.size for ids in events.values()], counts]).encode()
    return b"".join([_HEADER.pack(len(header)), header,
                     *(ids.astype(np.int64, copy=False).tobytes() for ids in events.values())])


def _decoded(payload: bytes) -> Day:
    """:func:`_encoded` read back: the same names in the same order, the same ids."""
    size = _HEADER.unpack_from(payload)[0]
    names, sizes, counts = json.loads(payload[_HEADER.size:_HEADER.size + size])
    ids = np.frombuffer(payload, dtype=np.int64, offset=_HEADER.size + size).copy()
    parts = np.split(ids, np.cumsum(sizes)[:-1]) if names else []  # (no event read: none)
    return dict(zip(names, parts, strict=True)), counts


def _copy_out(ring: mmap.mmap, start: int, length: int) -> bytes:
    """``length`` bytes of the buffer from ``start`` (all told), wrapping at its end."""
    at = start % len(ring)
    first = min(length, len(ring) - at)
    return ring[at:at + first] + ring[:length - first]


def _copy_in(ring: mmap.mmap, start: int, data: bytes) -> None:
    at = start % len(ring)
    first = min(len(data), len(ring) - at)
    ring[at:at + first] = data[:first]
    ring[:len(data) - first] = data[first:]


def _child(lengths: Connection, done: int, ring: mmap.mmap, processes: list[Process],
           plan: Plan, first: int) -> None:
    """The child's whole life: every day's truth into the buffer, its length down the pipe,
    then exit, without the parent's exit handlers, buffers or files."""
    code = 0
    try:
        # the parent's files stay the parent's alone: an output folder's lock, and the
        # standard streams a caller may read to their end (the open ones, as the kernel
        # lists them: a range up to the limit may be a billion calls where close_range is
        # missing)
        keep = {lengths.fileno(), done}
        for fd in [int(name) for name in os.listdir("/proc/self/fd")]:
            if fd > 2 and fd not in keep:
                try:
                    os.close(fd)
                except OSError:  # (the listing's own, closed with it)
                    pass
        nowhere = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(nowhere, stream)
        # new stream objects: another thread of the parent may have held the old ones' locks
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 (open for the child's life)
        sys.stdout = sys.stderr = open(1, "w", closefd=False)  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # (the parent stops it on Ctrl-C)
        for process in processes:
            # one lane: the shard's threads are not in this process, and its records take
            # the other core (two lanes here cost more than they give back beside them)
            process.lanes = ONE
        written = read = 0
        for day in range(first, plan.total_days):
            step = plan.steps.get(day)
            for index, spec in step.processes if step is not None else ():
                processes[index].retune(day, spec)
            events: dict[str, np.ndarray] = {}
            counts: dict[str, int] = {}
            for process in processes:
                events_read, counted = process.step(day)
                events.update(events_read)
                counts.update(counted)
            payload = _encoded(events, counts)
            if len(payload) > len(ring):  # (a scenario whose systems read nearly everyone)
                lengths.send((len(payload), payload, None))
                continue
            read = _wait_for_room(done, read, written + len(payload) - len(ring))
            _copy_in(ring, written, payload)
            written += len(payload)
            lengths.send((len(payload), None, None))
    except (BrokenPipeError, ConnectionResetError):  # the shard is gone: nobody to tell
        code = 1
    except BaseException:  # noqa: BLE001 (the shard raises it, with the child's traceback)
        code = 1
        try:
            lengths.send((0, None, traceback.format_exc()))
        except OSError:  # (the shard is gone too)
            pass
    finally:
        os._exit(code)


def _wait_for_room(done: int, read: int, needed: int) -> int:
    """How far the shard has read: what it has told so far (the pipe drained, so it never
    fills), waiting until it has read at least ``needed`` bytes."""
    while True:
        ready, _, _ = select.select([done], [], [], None if read < needed else 0)
        if not ready:
            return read
        told = os.read(done, 1 << 16)
        if not told:  # the shard is gone
            raise BrokenPipeError
        # (each telling is 8 bytes, written whole; the last one read is the furthest)
        whole = len(told) - len(told) % _READ.size
        if whole:
            read = _READ.unpack_from(told, whole - _READ.size)[0]
        if len(told) % _READ.size:
            raise RuntimeError("a telling of how far the shard has read came apart")
