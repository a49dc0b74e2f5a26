"""Truth run ahead (``engine.ahead``): a shard's processes in a forked child give the bytes
of the same run without it, with scheduled changes of the processes and several shards; the
child's errors and its death reach the run; the child is stopped and reaped; a run that takes
checkpoints never runs ahead; a run resumed from a checkpoint may."""

from __future__ import annotations

import functools
import os
import pickle
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.properties.test_engine_properties import scenarios

import scorelab
from scorelab.engine import ahead as ahead_module
from scorelab.engine import shard as shard_module
from scorelab.engine.ahead import can_fork
from scorelab.engine.backends import local
from scorelab.engine.checkpoint import Checkpoint, StateError
from scorelab.engine.loop import Checkpoints
from scorelab.engine.run import run_scenario
from scorelab.engine.shard import Shard
from scorelab.processes.events import Process
from scorelab.report.files import daily_bytes, summary_bytes
from scorelab.scenario import Scenario, load_scenario
from scorelab.scenario.plan import compile as compile_plan

pytestmark = pytest.mark.skipif(not can_fork(), reason="the truth runs ahead only where it "
                                                       "can fork")

SMALL = """
extends: china-2022
name: ahead
days: 30
warmup_days: 5
population: {persons: 3000, seed: 5, block_size: 512}
"""


@contextmanager
def counting_ahead() -> Iterator[list[bool]]:
    """Every shard, however small, has two lanes and may run ahead; what each answered
    when asked is kept."""
    answers: list[bool] = []
    asked = Shard.run_ahead

    @functools.wraps(asked)  # (a backend calls only Shard's own methods, by name)
    def run_ahead(shard: Shard, first: int) -> bool:
        answers.append(asked(shard, first))
        return answers[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shard_module, "AHEAD_LEAST", 0)
        patch.setattr(local, "lanes_for", lambda shards: 2)
        patch.setattr(Shard, "run_ahead", run_ahead)
        yield answers


@pytest.fixture
def ahead() -> Iterator[list[bool]]:
    with counting_ahead() as answers:
        yield answers


def in_turn(scenario: Scenario, shards: int = 1) -> scorelab.Result:
    """The run with the truth in the shard, day by day (one lane never runs ahead)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(local, "lanes_for", lambda shards: 1)
        return scorelab.run(scenario, shards=shards)


def shard_ahead(ring: int | None = None) -> Shard:
    """A shard of ``SMALL`` running its truth ahead from day 0 (through a buffer of ``ring``
    bytes, if given)."""
    plan = compile_plan(load_scenario(text=SMALL))
    shard = Shard(plan, 0, plan.persons, threads=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shard_module, "AHEAD_LEAST", 0)
        if ring is not None:
            patch.setattr(ahead_module, "RING_BYTES", ring)
        assert shard.run_ahead(0)
        assert not shard.run_ahead(0), "one child a shard"
    return shard


def same_bytes(a: scorelab.Result, b: scorelab.Result) -> None:
    assert summary_bytes(a.summary) == summary_bytes(b.summary)
    assert daily_bytes(a.daily) == daily_bytes(b.daily)


@settings(max_examples=10, deadline=None)
@given(text=scenarios, shards=st.integers(1, 3),
       changes=st.lists(st.tuples(st.integers(0, 39),
                                  st.sampled_from(["driving", "loan_repayment"]),
                                  st.sampled_from([0.0, 0.0001, 0.01, 0.2, 1.0])),
                        max_size=3))
def test_truth_run_ahead_gives_the_bytes_of_a_run_without_it(
        text: str, shards: int, changes: list[tuple[int, str, float]]) -> None:
    """Ahead or not, on one shard or several (a child each), with scheduled changes of the
    processes (which the child takes): byte-identical summary and daily table."""
    days = load_scenario(text=text).days
    changes = sorted({(day, name): (day, name, rate) for day, name, rate in changes
                      if day < days}.values())
    if changes:
        text += "schedule:\n" + "".join(f"  - {{at: {day}, set: processes.{name}.rate, "
                                        f"to: {rate}}}\n" for day, name, rate in changes)
    scenario = load_scenario(text=text)
    shards = min(shards, -(-scenario.population.persons // scenario.population.block_size))
    alone = in_turn(scenario, shards)
    with counting_ahead() as answers:
        ahead = scorelab.run(scenario, shards=shards)
    assert answers == [True] * shards, "every shard ran its truth ahead"
    same_bytes(ahead, alone)


def test_an_error_in_the_child_is_raised_by_the_run_with_its_traceback(
        ahead: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    step = Process.step

    def failing(process: Process, day: int) -> Any:
        if day == 9:
            raise ValueError("a draw went wrong")
        return step(process, day)

    monkeypatch.setattr(Process, "step", failing)  # (the child is forked with it)
    with pytest.raises(RuntimeError, match=r"(?s)failed on day 9:.*ValueError: a draw went "
                                           r"wrong"):
        scorelab.run(load_scenario(text=SMALL))
    assert ahead == [True]


def test_a_child_that_dies_is_told_and_reaped() -> None:
    shard = shard_ahead(3000)  # (a few days' room: it waits for the shard, alive, till killed)
    assert shard.ahead is not None and shard.ahead.pid is not None
    pid = shard.ahead.pid
    shard.truth(0, [], None)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="never came: the child process running it ahead "
                                           "was killed by signal 9"):
        for day in range(1, shard.plan.total_days):  # (the days already written come first)
            shard.truth(day, [], None)
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(pid, os.WNOHANG)
    shard.close()


def test_closing_a_shard_stops_its_child_mid_run_and_reaps_it(tmp_path: Path) -> None:
    """The child holds none of the parent's files (an output folder's lock stays the
    parent's), and goes when the shard closes."""
    held = os.open(tmp_path / "lock", os.O_CREAT | os.O_RDWR)
    try:
        shard = shard_ahead(3000)  # (a few days' room: it waits for the shard, alive)
    finally:
        os.close(held)
    assert shard.ahead is not None and shard.ahead.pid is not None
    pid = shard.ahead.pid
    shard.truth(0, [], None)  # (the child has set itself up by its first day)
    files = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    assert any(f.startswith("pipe:") for f in files), "the child is alive, with its pipes"
    assert str(tmp_path / "lock") not in files
    assert {f for f in files if not f.startswith(("pipe:", "/dev/null"))} == set(), files
    with pytest.raises(RuntimeError, match="runs ahead from day 1; day 3 was asked for"):
        shard.truth(3, [], None)
    with pytest.raises(StateError, match="run ahead in a child process"):
        shard.state()
    shard.close()
    assert shard.ahead is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_shard_runs_ahead_only_where_it_is_worth_it() -> None:
    """Not on one lane, not below ``AHEAD_LEAST`` persons nor above ``AHEAD_MOST``, not
    with protests (the truth of a day then needs the day's protests from the driver)."""
    plan = compile_plan(load_scenario(text=SMALL))
    assert plan.persons < shard_module.AHEAD_LEAST
    for threads, least, most, runs in ((2, shard_module.AHEAD_LEAST, 1 << 22, False),
                                       (1, 0, 1 << 22, False), (2, 0, 2999, False),
                                       (2, 3000, 3000, True)):
        shard = Shard(plan, 0, plan.persons, threads=threads)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(shard_module, "AHEAD_LEAST", least)
            patch.setattr(shard_module, "AHEAD_MOST", most)
            assert shard.run_ahead(0) is runs
        shard.close()
    protests = compile_plan(load_scenario(text=SMALL.replace("china-2022", "phone-scanner")))
    shard = Shard(protests, 0, protests.persons, threads=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shard_module, "AHEAD_LEAST", 0)
        assert not shard.run_ahead(0)
    shard.close()


def test_a_child_beside_another_thread_writes_nothing_to_the_parents_streams(
        ahead: list[bool], capfd: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A host with threads of its own (a notebook kernel) forks the child as well: the child
    takes none of their locks, its standard streams among them (what it writes goes
    nowhere), and the run gives the bytes of one without it."""
    scenario = load_scenario(text=SMALL)
    alone = in_turn(scenario)
    step = Process.step

    def talking(process: Process, day: int) -> Any:
        print(f"stepping {process.name} on day {day}")
        print("and on stderr", file=sys.stderr)
        return step(process, day)

    done = threading.Event()
    other = threading.Thread(target=done.wait)
    other.start()
    try:
        capfd.readouterr()
        monkeypatch.setattr(Process, "step", talking)
        same_bytes(scorelab.run(scenario), alone)
    finally:
        done.set()
        other.join()
    assert ahead == [False, True]  # (on one lane, then ahead)
    assert capfd.readouterr() == ("", "")


def test_a_checkpointed_run_keeps_its_truth_and_a_resumed_one_runs_ahead(
        ahead: list[bool]) -> None:
    """The processes' state must be at hand for each checkpoint, so a run that takes them
    never runs ahead; a run resumed from one (taking no more) runs ahead from the day after
    it, to the bytes of a run never stopped."""
    scenario = load_scenario(text=SMALL)
    saved: dict[int, tuple[Any, list[Any]]] = {}

    def save(day: int, driver: Any, shards: list[Any]) -> None:
        saved[day] = pickle.loads(pickle.dumps((driver, shards)))  # (as written to disk)

    whole = run_scenario(scenario, shards=2, checkpoints=Checkpoints(every=13, save=save))
    assert ahead == [] and sorted(saved) == [12, 25]
    resumed = run_scenario(scenario, shards=2, checkpoints=Checkpoints(
        resume=Checkpoint({"day": 12}, *saved[12], Path("unused"))))
    assert ahead == [True, True]
    same_bytes(resumed, whole)
    same_bytes(whole, in_turn(scenario, shards=2))


@pytest.mark.parametrize("ring", [ahead_module.RING_BYTES, 3000, 64])
def test_the_events_are_the_shards_own(ring: int) -> None:
    """Day by day, a child's events are those the shard draws itself: the same event types
    in the same order, the same persons, the same counts; also through a buffer of a few
    days' events, which the child fills and wraps round, waiting for the shard; and with
    days larger than the buffer (a scenario whose systems read nearly everyone's events),
    which come whole down the pipe."""
    theirs = shard_ahead(ring)
    plan = theirs.plan
    mine = Shard(plan, 0, plan.persons, threads=2)
    for day in range(plan.total_days):
        for shard in (mine, theirs):
            shard.truth(day, [], None)
        assert list(mine.events) == list(theirs.events)
        for event, ids in mine.events.items():
            assert theirs.events[event].dtype == ids.dtype
            assert np.array_equal(theirs.events[event], ids)
    assert all(np.array_equal(mine.event_counts[e], theirs.event_counts[e])
               for e in plan.events)
    assert theirs.ahead is not None
    if ring == 3000:
        assert theirs.ahead.read > 3 * ring, "wrapped round"
    if ring == 64:  # (every day of SMALL is larger)
        assert theirs.ahead.read == 0, "nothing in the buffer"
    for shard in (mine, theirs):
        shard.close()


@pytest.mark.parametrize("events", [{}, {"a": np.array([3, 1])},
                                    {"a": np.empty(0, np.int64), "b": np.arange(5),
                                     "c": np.empty(0, np.int64)}])
def test_a_day_reads_back_as_it_was_written(events: dict[str, np.ndarray]) -> None:
    """What crosses from the child: the same events in the same order (none, too), the same
    ids as 64-bit integers, the same counts."""
    counts = {"x": 3, "a": 2}
    read, counted = ahead_module._decoded(ahead_module._encoded(events, counts))
    assert list(read) == list(events) and counted == counts
    for name, ids in events.items():
        assert read[name].dtype == np.int64 and np.array_equal(read[name], ids)
