"""The Ray backend: Ray actors holding the shards, on a local Ray or an existing cluster.

There are ``workers`` actors (default: one per shard); each holds its share of the shards,
built from the plan (sent once, through Ray's object store), and answers calls for them in
turn, so ``--workers W`` runs at most W shards at once. Only per-day aggregates, city-level
draws, appeal filings and decisions cross between actors and the driver. Results are the
same bytes as the local backend's, whatever the number of shards or workers, since every
draw is keyed by person.

Ray places the actors and builds their shards; the day's calls then go over a connection
from each actor back to the driver (``connected``), as the processes backend's do, not as Ray
tasks: a Ray task costs about a millisecond of CPU on each side, several times a day. The
driver listens on a free TCP port of its node's address for as long as the actors connect,
and each connection is authenticated with a key of this run (HMAC, as
``multiprocessing.connection`` does it); the cluster's nodes must be able to reach the
driver's node, as Ray's own workers must. Through Ray Client (``ray://``) the driver is
usually outside the cluster, so there the calls travel as actor tasks instead, each posted
call with the next one that waits.

Whole runs (``map_runs``) are Ray tasks, one CPU each, on the same Ray. Ray is started here
only (``start_ray``), and stopped by whoever started it.

Ray is optional (``pip install 'scorelab[ray]'``); it is imported only when this backend
starts.
"""

from __future__ import annotations

import os
import pickle
import secrets
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing import AuthenticationError
from multiprocessing.connection import Connection, answer_challenge, deliver_challenge
from typing import Any

from ...core.lanes import one_lane
from ...scenario.errors import Problem, ScenarioError
from ...scenario.plan import Plan
from ..memory import FIXED_BYTES
from ..shard import Shard
from .base import A, Bounds, K, R
from .connected import ConnectedBackend, Line, Message, Server, serve

#: seconds the actors have to connect back to the driver once their shards are built, and
#: a connection has to prove the run's key
CONNECT_SECONDS = 60.0
HANDSHAKE_SECONDS = 10


class _ShardGroup:
    """Holds some shards in a Ray worker and serves them over a connection to the driver."""

    def __init__(self, plan: Plan, bounds: list[Bounds]) -> None:
        self.shards = [Shard(plan, a, b) for a, b in bounds]
        self.server = Server(self.shards)

    def ready(self) -> bool:
        return True

    def answer(self, messages: list[tuple[str | None, list[tuple[Any, ...]], bool]]) -> Any:
        """Messages in order, in one actor task (where the actors cannot connect back to
        the driver); the last one's answer."""
        answer = None
        for message in messages:
            answer = self.server.handle(message)
        return answer

    def serve(self, host: str, port: int, key: bytes, group: int) -> None:
        """Connect to the driver, prove the run's key (and check the driver's), say which
        group this is, then answer calls until told to stop."""
        sock = socket.create_connection((host, port), timeout=CONNECT_SECONDS)
        sock.settimeout(None)
        _no_delay(sock)
        conn = Connection(sock.detach())
        try:
            answer_challenge(conn, key)
            deliver_challenge(conn, key)
            conn.send(group)
            serve(conn, self.server)
        finally:
            conn.close()


class _TaskLine:
    """A line to one actor made of actor tasks, for a driver the actors cannot connect back
    to (through Ray Client the driver is usually outside the cluster): messages that want no
    answer wait here and go with the next one that does, in one task (about a millisecond
    each); ``recv`` waits for the oldest answer."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.queued: list[Message] = []
        self.answers: deque[Any] = deque()

    def send(self, obj: Any) -> None:
        if obj is None:  # (told to stop: the actor is killed next)
            return
        self.queued.append(obj)
        if obj[2]:
            self.answers.append(self.actor.answer.remote(self.queued))
            self.queued = []

    def recv(self) -> Any:
        return _ray().get(self.answers.popleft())

    def close(self) -> None:
        self.queued, self.answers = [], deque()


def _listen(host: str) -> tuple[socket.socket, str, int]:
    """The driver's listening socket on a free port of ``host`` while the actors connect, and
    the host and port they are told to connect to."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server = socket.create_server((host, 0), family=family)
    return server, host, server.getsockname()[1]


def _why(ray: Any, done: list[Any]) -> str:
    """Why an actor stopped before it connected (the last line of its error), or that the
    time ran out."""
    try:
        ray.get(done)
    except ray.exceptions.RayError as exc:
        lines = str(exc).strip().splitlines()
        return f" ({lines[-1] if lines else type(exc).__name__})"
    return f" within {CONNECT_SECONDS:.0f} s"


def _no_delay(sock: socket.socket) -> None:
    """Send each message at once: a day's messages are small, and Nagle's algorithm would
    hold each one back until the last was acknowledged (tens of milliseconds, every day)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _read_timeout(sock: socket.socket, seconds: int) -> None:
    """Reads of ``sock``'s descriptor fail after ``seconds`` without data (0: never), also
    through a ``Connection`` on it, which reads the descriptor itself."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", seconds, 0))


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ScenarioError(Problem(
            "the ray backend needs Ray: pip install 'scorelab[ray]' (or pip install ray)",
            path="backend")) from None
    return ray


def start_ray(address: str | None, workers: int | None) -> bool:
    """Ray, started (on the cluster at ``address``, or locally with ``workers`` CPUs) unless
    it is running already; True when it was started here (and must be shut down here)."""
    ray = _ray()
    if ray.is_initialized():
        return False
    if address is not None:
        ray.init(address=address, log_to_driver=False)
    else:
        # a Ray of this run's own reports no usage statistics to Ray's makers (a run
        # connects to no outside service; it also took a second of the start) unless the
        # caller's environment says otherwise
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        # Ray runs its workers at niceness 15 by default, so that its own daemons come first;
        # on a machine shared with other work that starves the shards, which do all the
        # work of a run: here they run at the priority of the processes backend's workers
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                 _system_config={"worker_niceness": 0})
    return True


class RayBackend(ConnectedBackend):
    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        super().__init__(address, workers)
        self.actors: list[Any] = []
        self._started_ray = False

    @classmethod
    def memory_needed(cls, need: int, shards: int, address: str | None) -> int:
        """On a cluster the population lives on its workers, which may be other machines:
        only the driver counts; on a local Ray, an interpreter per worker more."""
        return FIXED_BYTES if address is not None else need + shards * FIXED_BYTES

    def _start(self, plan: Plan, bounds: list[Bounds]) -> None:
        ray = _ray()
        self._started_ray = start_ray(self.address, self.workers)
        # actors hold state and spend much of their time waiting for the driver: they claim
        # no CPU from Ray's scheduler; their number is what bounds the work done at once
        count = min(self.workers or len(bounds), len(bounds))
        self.groups = [list(range(k, len(bounds), count)) for k in range(count)]
        actor = ray.remote(num_cpus=0)(_ShardGroup)
        plan_ref = ray.put(plan)
        self.actors = [actor.remote(plan_ref, [bounds[i] for i in group])
                       for group in self.groups]
        ray.get([a.ready.remote() for a in self.actors])  # (closed by the engine on failure)
        if self._reachable():
            self._connect(ray)
        else:
            self.conns = [_TaskLine(a) for a in self.actors]

    def _reachable(self) -> bool:
        """Whether the actors can connect back to the driver: not through Ray Client."""
        return not (self.address or "").startswith("ray://")

    def _connect(self, ray: Any) -> None:
        """Each actor connects back to the driver and proves the run's key; the connections
        in group order."""
        key = secrets.token_bytes(32)
        conns: dict[int, Line] = {}
        server, host, port = _listen(ray.util.get_node_ip_address())
        with server:
            server.settimeout(0.5)
            serving = [a.serve.remote(host, port, key, k) for k, a in enumerate(self.actors)]
            deadline = time.monotonic() + CONNECT_SECONDS
            while len(conns) < len(self.actors):
                try:
                    sock, _ = server.accept()
                except TimeoutError:
                    done, _ = ray.wait(serving, timeout=0)
                    if done or time.monotonic() > deadline:
                        raise ScenarioError(Problem(
                            f"the Ray workers did not connect back to this machine at "
                            f"{host}:{port}{_why(ray, done)}: the cluster's nodes must be "
                            "able to reach it (or use Ray Client, ray://HOST:PORT, where the "
                            "calls go as Ray tasks)", path="address")) from None
                    continue
                with sock:  # (the connection keeps a descriptor of its own)
                    sock.setblocking(True)
                    _no_delay(sock)
                    _read_timeout(sock, HANDSHAKE_SECONDS)  # (a stranger that stalls goes)
                    conn = Connection(os.dup(sock.fileno()))
                    try:
                        deliver_challenge(conn, key)
                        answer_challenge(conn, key)
                        group = conn.recv()
                    except (AuthenticationError, EOFError, OSError, pickle.UnpicklingError):
                        conn.close()  # not one of this run's actors
                        continue
                    _read_timeout(sock, 0)
                conns[group] = conn
        self.conns = [conns[k] for k in range(len(self.actors))]

    def close(self) -> None:
        if not self.actors and not self._started_ray:
            return
        ray = _ray()
        self._hang_up()
        for a in self.actors:
            ray.kill(a)
        self.actors = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def map_runs(self, function: Callable[[A], R], runs: Sequence[tuple[K, A]]
                 ) -> Iterator[tuple[K, R]]:
        if not runs:
            return
        ray = _ray()
        started = start_ray(self.address, self.workers)
        try:
            task: Any = ray.remote(num_cpus=1)(one_lane)  # (a CPU each: a lane each)
            pending = {task.remote(function, argument): key for key, argument in runs}
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    yield pending.pop(ref), ray.get(ref)
        finally:
            if started:
                ray.shutdown()
