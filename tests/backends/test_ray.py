"""The Ray backend on a local Ray with 2 workers: the same bytes as the local backend, for
any number of shards."""

from __future__ import annotations

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
    # through the real command line, into files
    out_local, out_ray = tmp_path / "local", tmp_path / "ray"
    args = ["run", "--preset", "checkpoints-2022", "--persons", "20000", "--days", "5",
            "--quiet"]
    assert main([*args, "--out", str(out_local)]) == 0
    assert main([*args, "--shards", "1", "--backend", "ray", "--workers", "2",
                 "--out", str(out_ray)]) == 0
    capsys.readouterr()
    for name in ("summary.json", "daily.parquet", "report.html", "scenario.yaml"):
        assert (out_local / name).read_bytes() == (out_ray / name).read_bytes(), name


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
