"""The Ray backend on a local Ray with 2 workers, and on an existing cluster (a head started
with 'ray start --head', token authentication on): the same bytes as the local backend, for
any number of shards; an address that cannot be used is a clear error in seconds."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import scorelab
from scorelab.cli import main
from scorelab.report.files import daily_bytes, summary_bytes
from scorelab.scenario import load_scenario

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[object]:
    """One local Ray with 2 workers for the module (starting Ray takes seconds); the backend
    uses a Ray that is already running and leaves it running."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_the_backend_starts_and_stops_its_own_ray() -> None:
    from scorelab.engine.backends.ray_backend import RayBackend
    from scorelab.engine.shard import Shard
    from scorelab.scenario.plan import compile as compile_plan

    assert not ray.is_initialized()
    plan = compile_plan(load_scenario(overrides={
        "population": {"persons": 3000, "block_size": 1024}, "days": 2}))
    backend = RayBackend(workers=2)
    backend.start(plan, [(0, 1024), (1024, 2048), (2048, 3000)])
    assert ray.is_initialized() and len(backend.actors) == 2  # 3 shards on 2 workers
    totals = backend.call(Shard.totals)
    assert [t.population.persons for t in totals] == [1024, 1024, 952]  # in shard order
    backend.close()
    assert not ray.is_initialized()


def test_ray_gives_the_bytes_of_a_local_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            local_ray: object) -> None:
    scenario = load_scenario(preset="phone-scanner", overrides={
        "population": {"persons": 30_000, "block_size": 4096}, "days": 8})
    local = scorelab.run(scenario)
    for shards in (2, 5):  # more shards than workers too
        other = scorelab.run(scenario, shards=shards, backend="ray", workers=2)
        assert summary_bytes(local.summary) == summary_bytes(other.summary)
        assert daily_bytes(local.daily) == daily_bytes(other.daily)
        assert local.cases is not None and other.cases is not None
        assert daily_bytes(local.cases) == daily_bytes(other.cases)
    # through the real command line, into files
    out_local, out_ray = tmp_path / "local", tmp_path / "ray"
    args = ["run", "--preset", "checkpoints-2022", "--persons", "20000", "--days", "5",
            "--quiet"]
    assert main([*args, "--out", str(out_local)]) == 0
    assert main([*args, "--shards", "1", "--backend", "ray", "--workers", "2",
                 "--out", str(out_ray)]) == 0
    capsys.readouterr()
    for name in ("summary.json", "daily.parquet", "report.html", "scenario.yaml",
                 "cases.parquet"):
        assert (out_local / name).read_bytes() == (out_ray / name).read_bytes(), name


@pytest.mark.parametrize("reachable", [True, False])
def test_a_posted_call_that_fails_is_raised_by_the_next_wait(
        local_ray: object, reachable: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Phases whose results the driver does not need are posted (no answer: sent at once over
    the actor's connection, or, where the actors cannot connect back, with the next call that
    waits, in one actor task); an error in one is raised by the next call that waits, with the
    shard's traceback, and the shards go on serving."""
    from scorelab.engine.backends.ray_backend import RayBackend
    from scorelab.engine.shard import Shard
    from scorelab.scenario.plan import compile as compile_plan

    monkeypatch.setattr(RayBackend, "_reachable", lambda self: reachable)
    plan = compile_plan(load_scenario(overrides={
        "population": {"persons": 3000, "block_size": 1024}, "days": 2}))
    backend = RayBackend(workers=2)
    backend.start(plan, [(0, 1024), (1024, 3000)])
    try:
        backend.post(Shard.records, 0)
        backend.flush()
        backend.post(Shard.retune, 0)  # no change is scheduled for day 0: fails in the actors
        with pytest.raises(Exception, match="(?s)in retune"):
            backend.call(Shard.totals)
        assert [t.population.persons for t in backend.call(Shard.totals)] == [1024, 1976]
    finally:
        backend.close()


def test_where_the_actors_cannot_connect_back_the_calls_go_as_actor_tasks(
        local_ray: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through Ray Client (``ray://``) the driver is usually outside the cluster, where the
    actors cannot connect to it: the calls travel as actor tasks, and the bytes are the
    same."""
    from scorelab.engine.backends.ray_backend import RayBackend

    assert not RayBackend("ray://head:10001")._reachable() and RayBackend()._reachable()
    monkeypatch.setattr(RayBackend, "_reachable", lambda self: False)
    scenario = load_scenario(preset="phone-scanner", overrides={
        "population": {"persons": 30_000, "block_size": 4096}, "days": 8})
    local = scorelab.run(scenario)
    other = scorelab.run(scenario, shards=3, backend="ray", workers=2)
    assert summary_bytes(local.summary) == summary_bytes(other.summary)
    assert daily_bytes(local.daily) == daily_bytes(other.daily)


def test_a_stranger_on_the_drivers_port_is_dropped_and_the_run_goes_on(
        local_ray: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The actors connect back to the driver, which listens only while they do. A connection
    that cannot prove the run's key is dropped: one that sends something else, and one that
    says nothing (after the handshake's time)."""
    from scorelab.engine.backends import ray_backend
    from scorelab.engine.shard import Shard
    from scorelab.scenario.plan import compile as compile_plan

    strangers: list[socket.socket] = []

    listen = ray_backend._listen

    def listen_with_strangers(host: str) -> tuple[socket.socket, str, int]:
        server, host, port = listen(host)
        junk = socket.create_connection((host, port))
        junk.sendall(b"\x00\x00\x00\x04junk")
        strangers.extend([junk, socket.create_connection((host, port))])
        return server, host, port

    monkeypatch.setattr(ray_backend, "_listen", listen_with_strangers)
    monkeypatch.setattr(ray_backend, "HANDSHAKE_SECONDS", 1)
    plan = compile_plan(load_scenario(overrides={
        "population": {"persons": 3000, "block_size": 1024}, "days": 2}))
    backend = ray_backend.RayBackend(workers=2)
    backend.start(plan, [(0, 1024), (1024, 3000)])
    try:
        assert len(strangers) == 2 and len(backend.conns) == 2
        totals = backend.call(Shard.totals)
        assert [t.population.persons for t in totals] == [1024, 1976]
        for stranger in strangers:  # the driver hung up on both
            stranger.settimeout(10)
            while stranger.recv(4096):
                pass
    finally:
        backend.close()
        for stranger in strangers:
            stranger.close()


def test_actors_that_cannot_connect_back_are_a_clear_error(
        local_ray: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The actors are told where to connect back; where they cannot (here: a port nobody
    listens on), the run stops with an error that says so, not a hang or a traceback."""
    from scorelab.engine.backends import ray_backend
    from scorelab.scenario.errors import ScenarioError
    from scorelab.scenario.plan import compile as compile_plan

    listen = ray_backend._listen
    closed = free_port()
    monkeypatch.setattr(ray_backend, "_listen",
                        lambda host: (*listen(host)[:2], closed))
    plan = compile_plan(load_scenario(overrides={"population": {"persons": 2000}, "days": 2}))
    backend = ray_backend.RayBackend(workers=1)
    start = time.monotonic()
    try:
        with pytest.raises(ScenarioError, match=(
                f"did not connect back to this machine at .*:{closed} .*Connection"
                ".*must be able to reach it")):
            backend.start(plan, [(0, 2000)])
    finally:
        backend.close()
    assert time.monotonic() - start < 30


def test_ray_options_belong_to_ray(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--persons", "2000", "--days", "2", "--workers", "2"]) == 2
    assert "--address and --workers are options of --backend ray" in capsys.readouterr().err


def test_replicates_as_ray_tasks_give_the_local_numbers(local_ray: object) -> None:
    scenario = load_scenario(overrides={"population": {"persons": 3000, "block_size": 1024},
                                        "days": 3, "warmup_days": 0})
    local = scorelab.run(scenario, replicates=3)
    on_ray = scorelab.run(scenario, replicates=3, backend="ray")
    assert summary_bytes(local.summary) == summary_bytes(on_ray.summary)
    assert daily_bytes(local.daily) == daily_bytes(on_ray.daily)  # in replicate order


# --- an existing cluster, as 'ray start --head' makes one: token authentication on ----------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def ray_head() -> Iterator[tuple[str, dict[str, str]]]:
    """A Ray head of its own (``ray start --head --block``, in the foreground, on a free port
    and in a temporary folder) with token authentication and a token of this test; the
    environment a driver needs to use it. Stopped by its own process id, which takes Ray's
    processes down with it."""
    port = free_port()
    token = secrets.token_hex(16)
    src = str(Path(scorelab.__file__).parents[1])
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token,
           "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]).strip(
               os.pathsep)}
    env.pop("RAY_ADDRESS", None)
    temp = tempfile.mkdtemp(prefix="ray")  # short: Ray's socket paths must stay short
    head = subprocess.Popen(
        [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
         "--port", str(port), "--num-cpus", "2", "--include-dashboard=false",
         "--disable-usage-stats", "--temp-dir", temp],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if head.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"ray start --head did not come up (exit {head.poll()})")
                time.sleep(0.5)
        time.sleep(2)  # the GCS listens first; the head's node joins right after
        yield f"127.0.0.1:{port}", env
    finally:
        head.terminate()
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()
        shutil.rmtree(temp, ignore_errors=True)


def scorelab_cli(args: list[str], env: dict[str, str], timeout: float = 300
                 ) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "scorelab", *args], env=env, timeout=timeout,
                          capture_output=True, text=True, check=False)
    return done, time.monotonic() - start


RUN = ["run", "--preset", "checkpoints-2022", "--persons", "20000", "--days", "5", "--quiet"]


def test_an_existing_cluster_with_a_token_gives_the_local_bytes(
        tmp_path: Path, ray_head: tuple[str, dict[str, str]]) -> None:
    address, env = ray_head
    local, _s = scorelab_cli([*RUN, "--out", str(tmp_path / "local")], env)
    assert local.returncode == 0, local.stderr
    remote, _s = scorelab_cli([*RUN, "--backend", "ray", "--address", address, "--out",
                               str(tmp_path / "cluster")], env)
    assert remote.returncode == 0, remote.stderr
    assert "Connected to Ray cluster." in remote.stderr  # (Ray's own log)
    for name in ("summary.json", "daily.parquet", "report.html", "scenario.yaml",
                 "cases.parquet"):
        assert (tmp_path / "local" / name).read_bytes() == \
            (tmp_path / "cluster" / name).read_bytes(), name


def test_a_cluster_that_cannot_be_used_is_a_clear_error_in_seconds(
        tmp_path: Path, ray_head: tuple[str, dict[str, str]]) -> None:
    address, env = ray_head
    plain = {k: v for k, v in env.items() if not k.startswith("RAY_AUTH_")}
    cases = [  # (address, environment, what the error says)
        (f"127.0.0.1:{free_port()}", env, "cannot reach a Ray cluster at 127.0.0.1:"),
        (address, plain, ("requires token authentication: set RAY_AUTH_MODE=token and give "
                          "the cluster's token in RAY_AUTH_TOKEN")),
        (address, {**env, "RAY_AUTH_TOKEN": "not-the-token"},
         "refused the authentication token from RAY_AUTH_TOKEN"),
        ("head-without-port", env, "is not a Ray address: give HOST:PORT"),
    ]
    for where, environment, says in cases:
        done, seconds = scorelab_cli([*RUN, "--backend", "ray", "--address", where, "--out",
                                      str(tmp_path / "never")], environment, timeout=120)
        assert done.returncode == 2, (where, done.stderr[-2000:])
        assert "error: address: " in done.stderr and says in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert seconds < 20, (where, seconds)  # python and scorelab starting included
        assert not (tmp_path / "never").exists()
