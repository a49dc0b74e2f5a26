"""Financial scores: the bureau and commercial scores stay in range and move the right way
with every factor of the file; files follow the stated coverage; truth and record agree when
the bureau sees everything; bad input is a located error."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelab
from scorelab.cli import main
from scorelab.finance.bureau import BureauWeights, bureau_score
from scorelab.finance.commercial import commercial_score
from scorelab.finance.credit import FileView
from scorelab.report.files import daily_bytes, summary_bytes
from scorelab.scenario import ScenarioError, load_scenario

# --- the score functions ---------------------------------------------------------------------

counts = st.integers(0, 60_000)
money = st.floats(0, 1e7, allow_nan=False)
files = st.fixed_dictionaries({
    "on_time": counts, "late": counts, "defaults": counts, "balance": money, "limit": money,
    "file_days": st.integers(0, 40_000), "inquiries": st.integers(0, 255),
    "types": st.integers(0, 15), "income": st.floats(0, 1e7, allow_nan=False)})

#: each field of the file and whether more of it may only raise (+1) or lower (-1) the score
DIRECTION = {"on_time": 1, "late": -1, "defaults": -1, "balance": -1, "limit": 1,
             "file_days": 1, "inquiries": -1, "income": 1}
DTYPES = {"on_time": np.uint16, "late": np.uint16, "defaults": np.uint16, "inquiries": np.uint8,
          "types": np.uint8}


def view_of(fields: dict[str, float]) -> FileView:
    return FileView(**{k: np.array([v], dtype=DTYPES.get(k, np.float64))
                       for k, v in fields.items()})


def scores(fields: dict[str, float]) -> tuple[int, int]:
    view = view_of(fields)
    return int(bureau_score(view)[0]), int(commercial_score(view, 20_000.0)[0])


@settings(max_examples=300, deadline=None)
@given(file=files)
def test_scores_stay_in_their_ranges(file: dict[str, float]) -> None:
    bureau, commercial = scores(file)
    assert 300 <= bureau <= 850
    assert 350 <= commercial <= 950


@settings(max_examples=300, deadline=None)
@given(file=files, field=st.sampled_from(sorted(DIRECTION)), more=st.floats(0, 1e5))
def test_scores_are_monotone_in_each_factor(file: dict[str, float], field: str,
                                            more: float) -> None:
    step = float(int(more)) if field in DTYPES else more
    bigger = dict(file)
    limit = {"inquiries": 255, "file_days": 1e9}.get(field, 60_000 if field in DTYPES else 1e12)
    bigger[field] = min(file[field] + step, limit)
    before, after = np.array(scores(file)), np.array(scores(bigger))
    assert (DIRECTION[field] * (after - before) >= 0).all(), (field, before, after)


@settings(max_examples=200, deadline=None)
@given(file=files, extra=st.integers(0, 15))
def test_more_kinds_of_credit_never_lower_the_score(file: dict[str, float], extra: int) -> None:
    wider = dict(file, types=int(file["types"]) | extra)
    assert all(a <= b for a, b in zip(scores(file), scores(wider)))


def test_the_best_and_worst_files_reach_the_ends_of_the_bureau_range() -> None:
    best = {"on_time": 600, "late": 0, "defaults": 0, "balance": 0.0, "limit": 1e4,
            "file_days": 365 * 25, "inquiries": 0, "types": 15, "income": 1e5}
    worst = {"on_time": 0, "late": 60_000, "defaults": 60_000, "balance": 1e4, "limit": 0.0,
             "file_days": 0, "inquiries": 255, "types": 0, "income": 0.0}
    assert int(bureau_score(view_of(best))[0]) == 850
    assert int(bureau_score(view_of(worst))[0]) <= 301


def test_the_weights_follow_the_published_factors() -> None:
    """Only payment history weighed: a default moves the score by 35/35 of the range."""
    clean = {"on_time": 0, "late": 0, "defaults": 0, "balance": 0.0, "limit": 1.0,
             "file_days": 0, "inquiries": 0, "types": 1, "income": 1.0}
    only_history = BureauWeights(payment_history=1, amounts_owed=0, length_of_history=0,
                                 new_credit=0, credit_mix=0)
    assert int(bureau_score(view_of(clean), only_history)[0]) == 850
    assert BureauWeights().values_by_name() == {
        "payment_history": 0.35, "amounts_owed": 0.30, "length_of_history": 0.15,
        "new_credit": 0.10, "credit_mix": 0.10}


# --- runs -------------------------------------------------------------------------------------

BUREAU = """\
extends: credit-bureau
days: {days}
warmup_days: {warmup}
population: {{persons: {persons}, block_size: 2048, seed: 3}}
systems:
  sesame: null
  pboc-bureau:
    appeals: null
    payments:
      loan_repaid: {{counts_as: on_time, coverage: {cover}, delay: {delay}}}
      loan_late: {{counts_as: late, coverage: {cover}, delay: {delay}, misattribution: {mis}}}
      loan_defaulted: {{counts_as: default, coverage: {cover}, delay: {delay}, misattribution: {mis}}}
    grades: {{good: 700, fair: 640, poor: 300}}
    sanctions: {{poor: [loans]}}
"""


def bureau_run(**values: float) -> scorelab.Result:
    args = {"days": 60, "warmup": 0, "persons": 20_000, "cover": 1.0, "delay": 0, "mis": 0.0}
    return scorelab.run(load_scenario(text=BUREAU.format(**(args | values))))


def test_file_coverage_follows_the_stated_share() -> None:
    result = bureau_run(days=1)
    bureau = result.summary["systems"]["pboc-bureau"]
    share = 1 - bureau["files"] / bureau["covered"]
    assert abs(share - 0.178) < 4 * np.sqrt(0.178 * 0.822 / 20_000)
    assert bureau["grades"]["no_file"] == bureau["covered"] - bureau["files"]


def test_a_bureau_that_sees_every_payment_wrongs_no_one() -> None:
    summary = bureau_run().summary["systems"]["pboc-bureau"]
    assert summary["sanctioned"] > 0
    assert summary["sanctioned_wrongly"] == 0
    assert summary["grades"] == summary["grades_truth"]


def test_namesakes_payments_wrong_people_for_identity() -> None:
    summary = bureau_run(mis=0.3).summary["systems"]["pboc-bureau"]
    assert summary["sanctioned_wrongly_by_cause"]["identity"] > 0


def test_missed_and_late_reports_make_record_and_truth_differ() -> None:
    summary = bureau_run(cover=0.5, delay=20).summary["systems"]["pboc-bureau"]
    assert summary["grades"] != summary["grades_truth"]


def test_financial_scores_give_the_same_bytes_for_any_split_and_backend() -> None:
    scenario = load_scenario(preset="credit-bureau", overrides={
        "population": {"persons": 12_000, "block_size": 2048}, "days": 12, "warmup_days": 20})
    one = scorelab.run(scenario)
    for shards, backend in ((3, "local"), (2, "processes")):
        other = scorelab.run(scenario, shards=shards, backend=backend)
        assert summary_bytes(one.summary) == summary_bytes(other.summary)
        assert daily_bytes(one.daily) == daily_bytes(other.daily)


def test_a_file_view_has_a_field_per_file_column() -> None:
    assert {f.name for f in dataclasses.fields(FileView)} == {*DIRECTION, "types"}


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("tail", "expected"), [
    (("    weights: {payment_history: 0, amounts_owed: 0, length_of_history: 0, new_credit: 0, "
      "credit_mix: 0}\n"), ["scenario.yaml:5:", "systems.pboc-bureau.weights:",
                          "weights must add up to a positive number, got 0"]),
    ("    weights: {payment_histroy: 1}\n", ["scenario.yaml:5:", "unknown key 'payment_histroy'",
                                             "did you mean 'payment_history'"]),
    ("    payments: {loan_lost: {counts_as: late}}\n",
     ["scenario.yaml:5:", "unknown event type 'loan_lost'"]),
    ("    grades: {top: 900, poor: 300}\n",
     ["scenario.yaml:5:", "grade floor 900 is outside the score's range 300-850"]),
    ("    file_coverage: {no_file: 1.2}\n",
     ["scenario.yaml:5:", "file_coverage.no_file", "less than or equal to 1"]),
])
def test_bad_financial_settings_are_located_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], tail: str,
        expected: list[str]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("extends: credit-bureau\ndays: 2\nsystems:\n  pboc-bureau:\n" + tail,
                    encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    for part in expected:
        assert part in err, (part, err)
    with pytest.raises(ScenarioError):
        load_scenario(path)
