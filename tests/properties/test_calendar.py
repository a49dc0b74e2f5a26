"""The calendar queue gives, day after day, exactly the rows a scan of the column gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorelab.core.calendar import Calendar

NEVER = 65535


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 300), days=st.integers(1, 120), width=st.integers(1, 40),
       seed=st.integers(0, 2**32 - 1), spread=st.integers(1, 60),
       redraw=st.sampled_from([None, 5, 17]))
def test_take_is_the_scan_of_the_column(n: int, days: int, width: int, seed: int,
                                        spread: int, redraw: int | None) -> None:
    """Rows move to random later days (some to NEVER) as a process moves them; a redraw of
    the whole column closes the window. Each day the calendar returns what
    ``np.flatnonzero(column == day)`` returns, in the same order."""
    rng = np.random.default_rng(seed)
    column = rng.integers(0, spread, n).astype(np.uint16)
    column[rng.random(n) < 0.1] = NEVER
    cal = Calendar(width)
    for day in range(days):
        if redraw is not None and day and day % redraw == 0:
            column[:] = np.minimum(day + rng.integers(0, spread, n), NEVER)
            cal.close()
        if not cal.covers(day):
            rows = np.flatnonzero(column < cal.end(day, NEVER))
            cal.open(day, rows, column[rows], NEVER)
        expected = np.flatnonzero(column == day)
        got = cal.take(day)
        assert got.tolist() == expected.tolist()
        new = np.minimum(day + 1 + rng.integers(0, spread, got.size), NEVER).astype(np.uint16)
        column[got] = new
        cal.add(got, new)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 200), seed=st.integers(0, 2**32 - 1))
def test_rows_queued_twice_come_once(n: int, seed: int) -> None:
    """A part that re-reads its column may queue a row on a day more than once (or on a day
    its column no longer holds): the day gives it once, ascending."""
    rng = np.random.default_rng(seed)
    cal = Calendar(8)
    cal.open(0, np.empty(0, np.int64), np.empty(0, np.uint16))
    queued: dict[int, set[int]] = {d: set() for d in range(8)}
    for _ in range(4):
        rows = np.sort(rng.choice(n, size=min(n, 5), replace=False))
        days = rng.integers(0, 12, rows.size)
        cal.add(rows, days)
        for r, d in zip(rows.tolist(), days.tolist(), strict=True):
            if d < 8:
                queued[d].add(r)
    for day in range(8):
        assert cal.take(day).tolist() == sorted(queued[day])


@settings(max_examples=40, deadline=None)
@given(lo=st.integers(0, 40), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.int64, np.uint16]))
def test_days_outside_the_window_are_not_queued(lo: int, seed: int, dtype: type) -> None:
    """A list queues the ends of rewritten intervals, some already past (negative at the
    run's start) and some beyond the window: only the days in ``[lo, hi)`` come back."""
    rng = np.random.default_rng(seed)
    cal = Calendar(8)
    cal.open(lo, np.empty(0, np.int64), np.empty(0, np.int64))
    rows = np.arange(50)
    low = 0 if dtype is np.uint16 else -20
    days = rng.integers(max(lo - 20, low), lo + 20, rows.size).astype(dtype)
    cal.add(rows, days)
    for day in range(lo, lo + 8):
        assert cal.take(day).tolist() == np.flatnonzero(days == day).tolist()


def test_the_scanners_calendar_gives_the_bytes_of_a_daily_scan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The phone scanner finds the phones due a false match through its calendar; with a
    change of the false-match rate mid-run (every phone's next match redrawn, the window
    closed), the run's files are those of the scan it replaced."""
    import scorelab
    from scorelab.measures.device_scan import DeviceScanState
    from scorelab.scenario import load_scenario

    text = ("extends: phone-scanner\npopulation: {persons: 20000}\ndays: 80\n"
            "schedule:\n  - {at: 37, set: measures.scanner.match_fpr, to: 0.004}\n")
    calendar = scorelab.run(load_scenario(text=text), out=tmp_path / "calendar")
    monkeypatch.setattr(DeviceScanState, "_due",
                        lambda self, day: np.flatnonzero(self.next_day == day))
    scorelab.run(load_scenario(text=text), out=tmp_path / "scan")
    assert calendar.summary["measures"]["scanner"]["flagged"] > 0
    for name in ("summary.json", "daily.parquet", "cases.parquet"):
        assert (tmp_path / "calendar" / name).read_bytes() == \
            (tmp_path / "scan" / name).read_bytes(), name
