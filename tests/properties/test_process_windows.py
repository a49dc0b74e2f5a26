"""A process runs a window of days at once; each day still hands over exactly the events a
day-by-day run draws (``cases.truth`` replays the draws of a person day by day, scheduled
changes included), its persons in id order."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.scenario_text import bare

from scorelab.cases.truth import truth_events
from scorelab.engine.run import shard_bounds
from scorelab.engine.shard import Shard
from scorelab.processes import events
from scorelab.scenario import load_scenario
from scorelab.scenario.plan import compile as compile_plan

PROPENSITIES = [None, "defaulting", "offending", "volunteering", "tax_evasion"]
RATES = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0.0005, 0.3))


@st.composite
def processes(draw: st.DrawFn) -> dict[str, dict[str, object]]:
    """Two processes of random rates, reach, propensities and outcomes (with or without an
    ``otherwise``), replacing china-2022's."""
    out: dict[str, dict[str, object]] = {}
    for p in ("first", "second"):
        outcomes = {f"{p}_{k}": draw(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))
                    for k in range(draw(st.integers(0, 3)))}
        spec: dict[str, object] = {
            "rate": draw(RATES),
            "who": draw(st.sampled_from(["everyone", "adults", "borrowers"])),
            "outcomes": outcomes,
        }
        for field in ("rate_propensity", "outcome_propensity"):
            if (name := draw(st.sampled_from(PROPENSITIES))) is not None:
                spec[field] = name
        if draw(st.booleans()) or not outcomes:
            spec["otherwise"] = f"{p}_rest"
        out[p] = spec
    return out


def _scenario(specs: dict[str, dict[str, object]], days: int, persons: int,
              changes: list[tuple[int, str, str, float]]) -> str:
    removed = {name: None for name in ("loan_repayment", "court_judgment", "driving",
                                       "tax_filing", "volunteering")}
    text = bare("windows", days, persons, 3, 1000.0)
    text += f"processes: {json.dumps({**removed, **specs})}\n"
    if changes:
        text += "schedule:\n" + "".join(
            f"  - {{at: {day}, set: processes.{p}.{field}, to: {value}}}\n"
            for day, p, field, value in changes)
    return text


@settings(max_examples=40, deadline=None)
@given(specs=processes(), days=st.integers(1, 90), persons=st.integers(1, 9000),
       window=st.integers(1, 40), most=st.sampled_from([1, 50, 400, 1 << 21]),
       shards=st.integers(1, 3), lanes=st.integers(1, 3),
       span=st.sampled_from([1, 97, 1 << 16]),
       changes=st.lists(st.tuples(st.integers(1, 89), st.sampled_from(["first", "second"]),
                                  st.sampled_from(["rate"]), RATES), max_size=2),
       data=st.data())
def test_each_day_hands_over_the_day_by_day_draws(
        specs: dict[str, dict[str, object]], days: int, persons: int, window: int,
        most: int, shards: int, lanes: int, span: int,
        changes: list[tuple[int, str, str, float]], data: st.DataObject) -> None:
    """Every event's count, and the persons of the events read (some of them, as if systems
    recorded those), are the day-by-day draws, whatever the lanes and spans a window is cut
    into."""
    changes = [c for c in changes if c[0] < days]
    changes = sorted({(day, p): (day, p, f, v) for day, p, f, v in changes}.values())
    plan = compile_plan(load_scenario(text=_scenario(specs, days, persons, changes)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(events, "WINDOW", window)
        patch.setattr(events, "MOST_TRIALS", most)  # (a window cut short by its trials)
        patch.setattr(events, "SPAN", span)  # (persons a lane takes at least)
        for start, stop in shard_bounds(plan.persons, plan.block_size,
                                        min(shards, -(-plan.persons // plan.block_size))):
            shard = Shard(plan, start, stop, lanes)
            read_by = data.draw(st.sets(st.sampled_from(sorted(plan.events))))
            for process in shard.processes:  # (the scenario has no system: none is read)
                process.read = sorted(read_by)
            handed: list[tuple[int, int, str]] = []
            counts: Counter[tuple[int, str]] = Counter()
            for day in range(plan.total_days):
                if day in plan.steps:
                    shard.retune(day)
                for process in shard.processes:
                    read, counted = process.step(day)
                    assert set(read) == set(process.events) & read_by
                    for event, ids in read.items():
                        assert ids.dtype == np.int64
                        assert (np.diff(ids) > 0).all(), "a day's persons in id order"
                        assert counted[event] == ids.size
                        handed += [(day, int(i), event) for i in ids]
                    counts.update({(day, e): n for e, n in counted.items() if n})
            replayed = truth_events(plan, shard.processes, start, np.arange(start, stop),
                                    set(plan.events))
            assert sorted(handed) == [e for e in replayed if e[2] in read_by]
            assert counts == Counter((day, e) for day, _, e in replayed)
            shard.close()


def test_a_change_inside_a_drawn_window_is_refused() -> None:
    """A window ends before each scheduled change of its process; a change that came inside
    one anyway (the window's later days drawn at the old rate) is an error, not a silent
    mix of rates."""
    plan = compile_plan(load_scenario(text=bare("inside", 40, 500, 1, 1000.0)))
    shard = Shard(plan, 0, plan.persons)
    process = shard.processes[0]
    process.step(0)
    assert process.hi > 5
    new = process.spec.model_copy(update={"rate": process.spec.rate / 2})
    with pytest.raises(RuntimeError, match="inside the window"):
        process.retune(5, new)
