"""Experiments: replicates and their intervals, sweeps on disk, sensitivity indices."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import scorelab
from scorelab.cli import main
from scorelab.experiments.replicates import run_replicates
from scorelab.experiments.seeds import derive_seed
from scorelab.ledger.reading import resolve
from scorelab.scenario import ScenarioError, load_scenario

TINY = """
extends: china-2022
name: tiny
days: {days}
warmup_days: 0
population: {{persons: {persons}, seed: {seed}, block_size: 1024}}
processes:
  driving: {{rate: {rate}, who: everyone, otherwise: traffic_offence}}
systems:
  court-list: null
  rongcheng: null
  hangzhou: null
  xiamen: null
  fuzhou: null
  recorder:
    kind: points
    jurisdiction: {{national: true}}
    base: 0
    grades: {{all: -32000}}
    rules:
      traffic_offence: {{coverage: 0.5, points: 0}}
joint_punishment: []
"""


def tiny(persons: int = 1000, days: int = 10, seed: int = 1, rate: float = 0.01) -> str:
    return TINY.format(persons=persons, days=days, seed=seed, rate=rate)


def test_replicate_zero_is_the_plain_run_and_the_others_differ() -> None:
    scenario = load_scenario(text=tiny())
    plain = scorelab.run(scenario)
    result = scorelab.run(scenario, replicates=3)
    replicated = result.summary.as_dict()
    replicates = replicated.pop("replicates")
    assert replicated == plain.summary.as_dict()
    assert replicates["seeds"] == [1, derive_seed(1, 1), derive_seed(1, 2)]
    assert len(set(replicates["seeds"])) == 3
    first = result.daily.filter(pl.col("replicate") == 0).drop(["replicate", "seed"])
    assert first.equals(plain.daily)
    events = [r["events.traffic_offence"] for r in
              (resolve(scorelab.run(scenario.model_copy(update={
                  "population": scenario.population.model_copy(update={"seed": s})})).summary)
               for s in replicates["seeds"])]
    interval = replicates["intervals"]["events.traffic_offence"]
    assert interval["median"] == float(np.median(events))
    assert interval["low"] <= interval["median"] <= interval["high"]


def test_replicates_give_the_same_numbers_on_every_backend() -> None:
    scenario = load_scenario(text=tiny(days=5))
    local = scorelab.run(scenario, replicates=3)
    pooled = scorelab.run(scenario, replicates=3, backend="processes", workers=2)
    assert local.summary.as_dict() == pooled.summary.as_dict()
    assert local.daily.sort(["replicate", "day"]).equals(pooled.daily.sort(["replicate", "day"]))


def test_mean_intervals_cover_the_closed_form_mean_at_the_nominal_rate() -> None:
    """Trials are daily Bernoulli(rate) for everyone, so events ~ Binomial(persons x days,
    rate): 100 experiments of 5 replicates; their 95% intervals of the mean must cover
    persons x days x rate at least 90 times (an exact 95% procedure fails that about once in
    200 sets of 100)."""
    persons, days, rate = 500, 8, 0.02
    truth = persons * days * rate
    covered = 0
    for base in range(100):
        result = run_replicates(load_scenario(text=tiny(persons, days, base, rate)), 5)
        assert result.summary.replicates is not None
        found = result.summary.replicates.intervals["events.traffic_offence"]
        covered += found.mean_low <= truth <= found.mean_high
    assert covered >= 90, covered


def test_replicates_bad_settings_are_clear_errors() -> None:
    scenario = load_scenario(text=tiny())
    with pytest.raises(ScenarioError, match="between 2 and"):
        scorelab.run(scenario, replicates=0)
    with pytest.raises(ScenarioError, match="leave out shards"):
        scorelab.run(scenario, replicates=2, shards=2)


# --- sweeps ----------------------------------------------------------------------------


def test_a_sweep_writes_one_row_per_run_and_resumes(tmp_path: Path) -> None:
    scenario = load_scenario(text=tiny(days=5))
    params = ["processes.driving.rate=0.01,0.03",
              "systems.recorder.rules.traffic_offence.coverage=0.2,0.8"]
    first = scorelab.sweep(scenario, params, replicates=2, out=tmp_path / "s")
    assert (first.runs, first.ran) == (8, 8)
    table = pl.read_parquet(first.table)
    assert table.height == 8
    assert table["point"].to_list() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert table["seed"].to_list()[:2] == [1, derive_seed(1, 0, 1)]
    assert table["seed"][2] == derive_seed(1, 1, 0)
    rows = table.filter(pl.col("point") == 3)
    assert set(rows["param.processes.driving.rate"]) == {0.03}
    assert set(rows["param.systems.recorder.rules.traffic_offence.coverage"]) == {0.8}
    # records follow rate x coverage: 0.002 (point 0) < 0.006 (2) < 0.008 (1) < 0.024 (3)
    means = table.group_by("point").agg(pl.col("systems.recorder.records").mean())
    assert means.sort("systems.recorder.records")["point"].to_list() == [0, 2, 1, 3]
    # interrupted: three parts lost; run again, only they run, to the same table
    for part in sorted((tmp_path / "s" / "runs").glob("*.parquet"))[:3]:
        part.unlink()
    again = scorelab.sweep(scenario, params, replicates=2, out=tmp_path / "s")
    assert again.ran == 3
    assert pl.read_parquet(again.table).equals(table)


def test_a_sweep_folder_whose_name_looks_like_a_pattern_is_a_name(tmp_path: Path) -> None:
    scenario = load_scenario(text=tiny(days=3))
    result = scorelab.sweep(scenario, ["processes.driving.rate=0.01,0.02"],
                            out=tmp_path / "sw[1]")
    assert pl.read_parquet(result.table, glob=False).height == 2
    assert result.table.parent == tmp_path / "sw[1]"


def test_a_folder_of_another_sweep_is_refused(tmp_path: Path) -> None:
    scenario = load_scenario(text=tiny(days=3))
    scorelab.sweep(scenario, ["processes.driving.rate=0.01"], out=tmp_path / "s")
    with pytest.raises(ScenarioError, match="another experiment"):
        scorelab.sweep(scenario, ["processes.driving.rate=0.02"], out=tmp_path / "s")


@pytest.mark.parametrize(("param", "message"), [
    ("processes.driving.rte=0.1", "did you mean 'rate'"),
    ("processes.driving.rate=fast", "valid number"),
    ("processes.driving.rate=0.1,2", "less than or equal to 1"),
    ("processes.driving.rate", "expected PATH=V1,V2"),
])
def test_bad_sweep_params_exit_2(tmp_path: Path, param: str, message: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(tiny(days=3))
    code = main(["sweep", str(path), "--param", param, "--out", str(tmp_path / "o"),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("params", "message"), [
    (["schedule=[]"], "--param schedule=[]: 'schedule' is a table, not a parameter"),
    (["processes.driving.rate={a: 1}"], "is a mapping or a nested list"),
    (["processes.driving.rate=&a [*a]"], "is a mapping or a nested list"),
    (["processes.driving.rate=[[0.2]]"], "is a mapping or a nested list"),
    (["processes.driving=0.1"], "'processes.driving' is a section, not a parameter"),
    (["population.age_bands=[]"], "'population.age_bands' is a table"),
    ([f"processes.driving.rate={'1' * 5000}"], "a number of 5,000 digits is too long to read"),
    ([f"processes.driving.rate=1{'0' * 400}"],
     ("processes.driving.rate: input should be a valid number (got a whole number of about "
     "401 digits)")),
    (["processes.driving.rate=" + "[" * 5000], "cannot read the value"),
    ([f"processes.driving.rate={','.join(['0.1'] * 1001)}"], "1,001 values; at most 1,000"),
    ([f"processes.driving.rate=0.1,0.2{',0.3' * 5000}"], "characters; at most 10,000"),
    (["processes.driving.rate=0.1"] * 65, "65 parameters; at most 64"),
    (["processes.driving.rate=" + ",".join(f"0.{i:03d}" for i in range(1, 400)),
      "processes.tax_filing.rate=" + ",".join(f"0.{i:03d}" for i in range(1, 400))],
     "grid points x replicates = 159,201 x 1"),
])
def test_sweep_params_no_run_can_take_are_refused_before_anything_runs(
        tmp_path: Path, params: list[str], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A value that is no parameter's value, a path that names no parameter, or too many
    of them: a clear error, exit 2, nothing written, and no value echoed in full."""
    path = tmp_path / "s.yaml"
    path.write_text(tiny(days=3))
    args = [a for text in params for a in ("--param", text)]
    code = main(["sweep", str(path), *args, "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err and "1" * 200 not in err and "[" * 200 not in err
    assert not (tmp_path / "o").exists()


def test_a_sweep_point_too_large_to_run_is_refused_before_the_folder_is_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(tiny(days=3))
    code = main(["sweep", str(path), "--param", "population.persons=1000,900000000000",
                 "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "needs about" in err, err
    assert not (tmp_path / "o").exists()


# --- sensitivity -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_recovers_which_parameter_matters(tmp_path: Path, method: str) -> None:
    """Records of traffic offences depend on the recorder's coverage and not at all on the
    tax-filing rate (another process, other streams): the indices must say so."""
    scenario = load_scenario(text=tiny(persons=2000, days=10, rate=0.02))
    found = scorelab.sensitivity(
        scenario, ["systems.recorder.rules.traffic_offence.coverage=0.1:0.9",
                   "processes.tax_filing.rate=0.001:0.01"],
        method=method, outputs=["systems.recorder.records"], samples=16,
        out=tmp_path / method)
    values = found[0].values
    if method == "sobol":
        assert values["ST"][0] > 0.8 and abs(values["ST"][1]) < 0.05, values
        assert values["S1"][0] > values["S1"][1] + values["S1_conf"][1]
    else:
        assert values["mu_star"][0] > 10 * max(values["mu_star"][1], 1e-9), values
    written = json.loads((tmp_path / method / "sensitivity.json").read_text())
    assert written["indices"][0]["output"] == "systems.recorder.records"
    assert "systems.recorder.records" in (tmp_path / method / "sensitivity.html").read_text()


def test_a_figure_no_parameter_moves_has_zero_indices(tmp_path: Path) -> None:
    scenario = load_scenario(text=tiny(persons=300, days=3))
    found = scorelab.sensitivity(scenario, ["processes.tax_filing.rate=0.001:0.01"],
                                 outputs=["systems.recorder.records"], samples=4,
                                 out=tmp_path / "s")
    assert found[0].values["ST"] == [0.0] and found[0].values["S1"] == [0.0]


@pytest.mark.parametrize(("args", "message"), [
    (["--param", "processes.driving.rate=0.5:0.1"], "LOW must be below HIGH"),
    (["--param", "processes.driving.rate=a:b"], "must be numbers"),
    (["--param", "processes.nothing.rate=0.1:0.2"], "no such parameter"),
    (["--param", "processes.driving.rate=0.1:0.2", "--method", "fast"], "unknown method"),
    (["--param", "processes.driving.rate=0.1:0.2", "--output", "systems.recorder.recods",
      "--samples", "2"], "did you mean 'systems.recorder.records'"),
    (["--param", "processes.driving.rate=0.1:0.2", "--output", "systems.recordr.records",
      "--samples", "2"], "no system 'recordr' in this scenario (did you mean 'recorder'?)"),
])
def test_bad_sensitivity_input_exits_2(tmp_path: Path, args: list[str], message: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(tiny(days=3, persons=200))
    code = main(["sensitivity", str(path), *args, "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]  # nothing run or kept


@pytest.mark.parametrize(("args", "message"), [
    (["--samples", "1000000000"], ("1,000,000,000 samples of 1 parameter make 3,000,000,000 "
                                  "runs (sobol: samples x (params + 2)); at most 100,000")),
    (["--samples", "1000000000", "--method", "morris"],
     "make 2,000,000,000 runs (morris: samples x (params + 1))"),
    (["--samples", "1" + "0" * 400], "a whole number of about 401 digits samples"),
])
def test_a_design_too_large_is_refused_before_it_is_sampled(
        tmp_path: Path, args: list[str], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The run count comes from the method's formula, so a billion samples is an error at
    once (sampling them first would fill the memory)."""
    import time

    path = tmp_path / "s.yaml"
    path.write_text(tiny(days=3, persons=200))
    start = time.perf_counter()
    code = main(["sensitivity", str(path), "--param", "processes.driving.rate=0.1:0.2", *args,
                 "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err, err
    assert time.perf_counter() - start < 5
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("param", "message"), [
    ("processes.driving.rate=.nan:0.5", "LOW and HIGH must be finite numbers, got nan"),
    ("processes.driving.rate=0:.inf", "must be finite numbers, got inf"),
    (f"processes.driving.rate=0:1{'0' * 400}", "finite numbers, got a whole number of about"),
    ("processes.driving=0:1", "is a section, not a parameter"),
    ("processes.driving.rate=[0]:1", "LOW and HIGH must be numbers"),
])
def test_bad_sensitivity_ranges_exit_2(tmp_path: Path, param: str, message: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(tiny(days=3, persons=200))
    code = main(["sensitivity", str(path), "--param", param, "--samples", "4",
                 "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()


def test_run_with_replicates_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(tiny(days=3, persons=300))
    assert main(["run", str(path), "--replicates", "3", "--out", str(tmp_path / "o"),
                 "--quiet"]) == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["replicates"]["count"] == 3
    daily = pl.read_parquet(tmp_path / "o" / "daily.parquet")
    assert sorted(daily["replicate"].unique().to_list()) == [0, 1, 2]


# --- compare ---------------------------------------------------------------------------


def test_compare_sets_runs_side_by_side_and_writes_the_page(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(tiny(days=5, persons=2000))
    assert main(["run", str(path), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert main(["run", str(path), "--out", str(tmp_path / "b"), "--quiet",
                 "--replicates", "3"]) == 0
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out",
                 str(tmp_path / "c.html")]) == 0
    printed = capsys.readouterr().out
    assert "systems.recorder.sanctioned" not in printed  # zero in both runs: left out
    page = (tmp_path / "c.html").read_text()
    assert "a vs b" in page
    _, found = scorelab.compare([tmp_path / "a", tmp_path / "b"])
    by_path = {d.path: d for d in found}
    records = by_path["systems.recorder.records"]
    # the replicated run reads as the median of its replicates, each run by hand here; the
    # difference is one of medians, never replicate 0's (which is the plain run)
    scenario = load_scenario(path)
    seeds = [derive_seed(scenario.population.seed, r) for r in range(3)]
    by_seed = [scorelab.run(scenario.model_copy(update={"population": scenario.population
                                                        .model_copy(update={"seed": s})}))
               .summary.systems["recorder"].records for s in seeds]
    plain = by_seed[0]
    assert records.values == [plain, float(np.median(by_seed))]
    assert records.changes == [0.0, float(np.median(by_seed)) - plain]
    assert records.intervals[0] is None and records.intervals[1] is not None
    assert records.intervals[1].median == float(np.median(by_seed))


def test_compare_refuses_runs_of_other_populations(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    for name, persons in (("a", 2000), ("b", 3000)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(tiny(days=3, persons=persons))
        assert main(["run", str(path), "--out", str(tmp_path / name), "--quiet"]) == 0
    (tmp_path / "old").mkdir()
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    (tmp_path / "old" / "summary.json").write_text(json.dumps({**summary, "schema_version": 0}))
    (tmp_path / "old" / "daily.parquet").write_bytes((tmp_path / "a" / "daily.parquet")
                                                    .read_bytes())
    capsys.readouterr()
    for folders, message in (([tmp_path / "a", tmp_path / "b"], "not of the population"),
                             ([tmp_path / "a", tmp_path / "old"], "schema version 0"),
                             ([tmp_path / "a", tmp_path / "nothing"], "not a run's output"),
                             ([tmp_path / "a"], "at least two")):
        code = main(["compare", *map(str, folders), "--out", str(tmp_path / "c.html")])
        err = capsys.readouterr().err
        assert code == 2 and message in err and "Traceback" not in err, err
    assert not (tmp_path / "c.html").exists()


def test_an_experiment_keeps_the_figures_and_skips_the_case_files() -> None:
    """Runs of a sweep, sensitivity or claim keep only figures: they are run without case
    files, and every figure is that of a run with them; replicates keep replicate 0's."""
    from scorelab.engine.run import run_scenario
    from scorelab.experiments.batch import run_many

    scenario = load_scenario(preset="china-2022", overrides={
        "population": {"persons": 20_000}, "days": 30, "warmup_days": 10})
    full = run_scenario(scenario)
    assert full.cases is not None and full.cases.height > 0
    [(key, bare)] = list(run_many([("only", scenario)]))
    assert key == "only" and bare.cases is None
    assert resolve(bare.summary) == resolve(full.summary)
    assert run_replicates(scenario, 2).cases is not None
