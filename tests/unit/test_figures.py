"""The catalogue of figures, and the readers that take figures from it: every figure resolves,
nothing escapes it, replicated runs read as medians everywhere, and each experiment command
against a case with a known answer."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from scenario_text import WITHOUT_PRESET_SYSTEMS

import scorelab
from scorelab.cli import main
from scorelab.experiments.params import parse_range, parse_values
from scorelab.experiments.seeds import derive_seed
from scorelab.ledger.catalogue import FIGURES, MEASURE, RUN, SYSTEM, describe, figure_of
from scorelab.ledger.reading import Reading, resolve
from scorelab.ledger.summary import Summary
from scorelab.report.numbers import format_interval
from scorelab.report.view import build_page
from scorelab.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
SRC = ROOT / "src" / "scorelab"

#: numbers of summary.json that are settings or descriptions of the run, not findings
NOT_FIGURES = (r"schema_version|seed|persons|days|warmup_days|scale|population\.persons"
               r"|population\.provinces\..*|disparity\.(group|urban)\.[a-z]+\.persons"
               r"|disparity\.province\..*\.(persons|rate|wrong_rate|sanctioned_wrongly)"
               r"|yearly\..*|schedule\..*")


def goldens() -> dict[str, Summary]:
    return {p.name: Summary.model_validate_json((p / "summary.json").read_text())
            for p in sorted(GOLDEN.iterdir()) if (p / "summary.json").is_file()}


def numeric_leaves(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items()
                for leaf in numeric_leaves(value, f"{prefix}{key}.")]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node)
                for leaf in numeric_leaves(value, f"{prefix}{i}.")]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return [prefix[:-1]]
    return []


def test_every_figure_resolves_on_some_preset_and_every_number_is_a_figure() -> None:
    summaries = goldens()
    seen: set[str] = set()
    for name, summary in summaries.items():
        values = resolve(summary)
        seen |= {f.path for path in values if (f := figure_of(path)) is not None}
        escaped = [leaf for leaf in numeric_leaves(summary.as_dict())
                   if leaf not in values and not re.fullmatch(NOT_FIGURES, leaf)]
        assert not escaped, f"{name}: numbers of summary.json outside the catalogue: {escaped}"
        for path in values:
            assert figure_of(path) is not None, path
    # a figure that no preset defines would be a path nobody can check
    never = [f.path for f in FIGURES if f.path not in seen]
    assert not never, never


def test_derived_figures_are_computed_from_their_parts() -> None:
    summary = goldens()["china-2022"]
    values = resolve(summary)
    court = summary.systems["court-list"]
    assert values["systems.court-list.share_wrongly"] == court.sanctioned_wrongly / court.sanctioned
    assert values["all_systems.sanctioned_wrongly"] == sum(
        s.sanctioned_wrongly for s in summary.systems.values())
    assert values["share_wrongly_any"] == (summary.sanctioned_wrongly_any
                                           / summary.sanctioned_any)


def test_measure_costs_are_figures_of_runs_sweeps_and_sensitivity() -> None:
    summary = goldens()["phone-scanner"]
    values = resolve(summary)
    assert summary.measures is not None
    name, measure = next(iter(summary.measures.items()))
    assert values[MEASURE.reviewer_hours.at(name)] == measure.cost.reviewer_hours
    assert values[MEASURE.economic_usd.at(name)] == measure.cost.economic_usd


def test_docs_list_the_catalogue_and_name_only_its_paths() -> None:
    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    for row in describe():
        assert f"| `{row['path']}` | {row['label']} | {row['unit']} |" in text, row["path"]
    figures = text[text.index("## Figures"):]
    named = re.findall(r"`((?:systems|measures|integration|events|disparity|all_systems|"
                       r"all_measures)\.[a-z0-9_.*-]+)`", text.replace(figures, ""))
    scenario_keys = {"integration.name"}  # keys of the scenario file, not of summary.json
    for path in set(named) - scenario_keys:
        concrete = path.replace("<name>", "x")
        assert figure_of(concrete) is not None or any(
            f.path.startswith(concrete + ".") for f in FIGURES), f"docs name {path}"


def test_no_summary_key_is_written_outside_the_catalogue() -> None:
    """Readers name figures by the catalogue's constants, never by a path string: no
    literal path into the summary (``"systems.x"``, ``f"{key}.covered"``, a top-level
    figure's key) in the report, the experiments or the CLI."""
    sections = "|".join(sorted({f.path.split(".")[0] for f in FIGURES}))
    top = "|".join(f.path for f in FIGURES if "." not in f.path)
    fields = "|".join(sorted({p for f in FIGURES for p in f.path.split(".")[1:] if p != "*"}))
    # a scenario path (systems.x.rules.y.coverage) is not a figure: only a literal ending in
    # a figure's key is
    pattern = re.compile(rf"""["']({sections})\.[^"']*\.({fields})["']|["']({top}|costs?)["']"""
                         rf"""|\}}\.({fields})\b""")
    found = []
    for path in [*sorted((SRC / "report").rglob("*.py")),
                 *sorted((SRC / "experiments").rglob("*.py")),
                 *sorted((SRC / "app").rglob("*.py")), SRC / "cli.py"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert not found, found


# --- replicates: the median everywhere -------------------------------------------------

TINY = """
extends: china-2022
name: tiny
days: {days}
warmup_days: 0
population: {{persons: {persons}, seed: {seed}, block_size: 1024}}
processes:
  driving: {{rate: {rate}, who: everyone, otherwise: traffic_offence}}
""" + WITHOUT_PRESET_SYSTEMS + """\
  recorder:
    kind: points
    jurisdiction: {{national: true}}
    base: 100
    grades: {{good: 100, bad: -32000}}
    rules:
      traffic_offence: {{coverage: {coverage}, points: -1, false_rate: 0.001}}
    sanctions: {{bad: [flights]}}
  second:
    kind: points
    jurisdiction: {{national: true}}
    base: 0
    grades: {{all: -32000}}
    rules:
      traffic_offence: {{coverage: 0.5, points: 0}}
"""


def tiny(persons: int = 1000, days: int = 10, seed: int = 1, rate: float = 0.01,
         coverage: float = 0.5) -> str:
    return TINY.format(persons=persons, days=days, seed=seed, rate=rate, coverage=coverage)


def test_a_replicated_run_shows_the_same_medians_everywhere(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CLI table, notebook view, report headline and compare page: each shows the median
    [2.5th-97.5th] of the replicates (computed here by hand), never replicate 0."""
    path = tmp_path / "t.yaml"
    path.write_text(tiny(persons=3000, days=20, rate=0.02))
    scenario = load_scenario(path)
    seeds = [derive_seed(scenario.population.seed, r) for r in range(4)]
    wrongly = [scorelab.run(scenario.model_copy(update={
        "population": scenario.population.model_copy(update={"seed": s})})
        ).summary.systems["recorder"].sanctioned_wrongly for s in seeds]
    assert min(wrongly) > 0
    median = float(np.median(wrongly))
    assert median != wrongly[0]  # otherwise the test could not tell them apart
    low, high = np.percentile(wrongly, [2.5, 97.5])
    capsys.readouterr()
    assert main(["run", str(path), "--replicates", "4", "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    summary = Summary.model_validate_json((tmp_path / "r" / "summary.json").read_text())
    spread = summary.replicates.intervals["systems.recorder.sanctioned_wrongly"]  # type: ignore[union-attr]
    assert (spread.median, spread.low, spread.high) == (median, low, high)
    shown = format_interval(spread)
    assert "4 replicates: every figure is the median" in printed
    assert shown in printed
    result = scorelab.run(scenario, replicates=4)
    assert shown in result._repr_html_()
    page = build_page(result.summary, result.daily)
    cell = next(c for row in page.sections[0].tables[0].rows for c in row.cells
                if c.key == "systems.recorder.sanctioned_wrongly")
    assert (cell.text, cell.value) == (shown, median)
    assert "every figure is the median" in " ".join(page.meta)
    report = (tmp_path / "r" / "report.html").read_text()
    assert f'data-key="systems.recorder.sanctioned_wrongly">{shown}' in report
    assert main(["run", str(path), "--out", str(tmp_path / "p"), "--quiet"]) == 0
    assert main(["compare", str(tmp_path / "p"), str(tmp_path / "r"), "--out",
                 str(tmp_path / "c.html")]) == 0
    printed = capsys.readouterr().out
    assert shown.replace("\u2013", "-") in printed
    assert f"{shown}</td>" in (tmp_path / "c.html").read_text()
    delta = median - wrongly[0]
    assert f"{round(delta):+,}" in (tmp_path / "c.html").read_text()


def test_a_replicated_share_is_the_median_of_the_shares() -> None:
    result = scorelab.run(load_scenario(text=tiny(persons=2000, days=20, rate=0.02)),
                          replicates=4)
    assert result.summary.replicates is not None
    seeds = result.summary.replicates.seeds
    shares = []
    for seed in seeds:
        scenario = load_scenario(text=tiny(persons=2000, days=20, rate=0.02, seed=seed))
        s = scorelab.run(scenario).summary.systems["recorder"]
        shares.append(s.sanctioned_wrongly / s.sanctioned)
    reading = Reading(result.summary)
    assert reading.value(SYSTEM.share_wrongly, "recorder") == pytest.approx(np.median(shares))


# --- experiments against known answers ---------------------------------------------------


def test_sensitivity_keeps_decimal_parameters_decimal() -> None:
    scenario = load_scenario(preset="phone-scanner")
    fpr = parse_range(scenario, "measures.scanner.match_fpr=0.0001:0.01")
    threshold = parse_range(scenario, "measures.scanner.threshold=1:10")
    assert not fpr.whole and threshold.whole
    assert fpr.sample(0.00123) == 0.00123 and threshold.sample(3.6) == 4
    listed = parse_values(scenario, "measures.scanner.match_fpr=0.001,0.01")
    assert not listed.whole


def test_sensitivity_recovers_known_first_order_indices(tmp_path: Path) -> None:
    """Records summed over two systems are linear in their coverages: with every run on one
    seed, records = E c1 + E c2 for the E offences both see, so with c1 on [0, 1] and c2 on
    [0, 0.5] the first-order indices are 1/(1 + 1/4) = 0.8 and 0.2 (variances of uniforms
    scale with the square of the range). They must fall within SALib's 95% bounds (widened
    by the steps of whole records)."""
    scenario = load_scenario(text=tiny(persons=500, days=10, rate=0.05))
    found = scorelab.sensitivity(
        scenario, ["systems.recorder.rules.traffic_offence.coverage=0:1",
                   "systems.second.rules.traffic_offence.coverage=0:0.5"],
        method="sobol", outputs=[RUN.systems_records.path], samples=128, out=tmp_path / "s")
    (indices,) = found
    for i, expected in enumerate((0.8, 0.2)):
        s1, bound = indices.values["S1"][i], indices.values["S1_conf"][i]
        assert abs(s1 - expected) <= bound + 0.02, (i, s1, bound)
    written = json.loads((tmp_path / "s" / "sensitivity.json").read_text())
    ran = written["params"][0]
    assert not ran["whole"] and ran["distinct_run"] > 100
    assert 0 <= ran["min_run"] < 0.05 and 0.95 < ran["max_run"] <= 1
    runs = pl.read_parquet(tmp_path / "s" / "runs.parquet")
    column = runs["param.systems.recorder.rules.traffic_offence.coverage"]
    assert (column != column.round(0)).any()  # decimals were run, not rounded to 0 or 1
    assert "Parameters as run" in (tmp_path / "s" / "sensitivity.html").read_text()


def test_sensitivity_explains_a_measure_cost(tmp_path: Path) -> None:
    scenario = load_scenario(preset="phone-scanner", overrides={
        "population": {"persons": 2000}, "days": 5})
    name = next(iter(scenario.measures))
    found = scorelab.sensitivity(scenario, [f"measures.{name}.match_fpr=0.0001:0.01"],
                                 method="morris", outputs=[MEASURE.reviewer_hours.at(name)],
                                 samples=4, out=tmp_path / "m")
    assert found[0].output == f"measures.{name}.cost.reviewer_hours"


def test_sweep_means_match_the_binomial_expectation(tmp_path: Path) -> None:
    """Everyone drives every day with an offence at ``rate``: true offences are Binomial(
    persons x days, rate), so each grid point's mean over R replicates lies within 4 standard
    errors of persons x days x rate."""
    persons, days, replicates = 1000, 10, 6
    rates = (0.005, 0.02, 0.05)
    scenario = load_scenario(text=tiny(persons=persons, days=days))
    result = scorelab.sweep(scenario, ["processes.driving.rate=" + ",".join(map(str, rates))],
                            replicates=replicates, out=tmp_path / "w")
    table = pl.read_parquet(result.table)
    means = table.group_by("param.processes.driving.rate").agg(
        pl.col(RUN.events.at("traffic_offence")).mean()).sort(
        "param.processes.driving.rate")
    for rate, mean in means.iter_rows():
        n = persons * days
        se = math.sqrt(n * rate * (1 - rate) / replicates)
        assert abs(mean - n * rate) < 4 * se, (rate, mean, n * rate, se)
    cost_paths = [c for c in table.columns if ".cost." in c]
    assert cost_paths == []  # no measure in this scenario: nothing invented


# --- what a report leads with, and scores that are not calibrated ------------------------


def test_a_report_leads_with_what_its_scenario_is_about() -> None:
    summaries = goldens()
    assert build_page(summaries["china-2022"], None).sections[0].id == "who-was-wronged"
    scanner = build_page(summaries["phone-scanner"], None)
    first = scanner.sections[0]
    assert first.id == "control-measures" and scanner.nav[0][0] == "control-measures"
    chain = next(t for t in first.tables if t.id == "chain-of-harm")
    steps = [row.cells[0].text for row in chain.rows]
    assert steps[1:] == ["flagged", "waiting for review", "confirmed by reviewers",
                         "restricted (person-days)", "participants reached"]
    summary = summaries["phone-scanner"]
    assert summary.measures is not None
    name, m = next(iter(summary.measures.items()))
    sentence = first.paragraphs[0]
    assert sentence.startswith(f"{name}: flagged {m.flagged:,} persons, "
                               f"{m.flagged_wrongly_total:,} of them innocent")
    assert f"reviewers confirmed {m.confirmed:,}, {m.confirmed_wrongly:,} of them wrongly" \
        in sentence
    integrated = summaries["integrated"]
    assert integrated.lead == ["integration", "systems"]
    assert [s.id for s in build_page(integrated, None).sections[:2]] == [
        "integration", "who-was-wronged"]


def test_report_lead_names_each_component_once() -> None:
    with pytest.raises(scorelab.ScenarioError, match="at most once"):
        load_scenario(preset="china-2022", overrides={"report": {"lead": ["systems",
                                                                          "systems"]}})
    with pytest.raises(scorelab.ScenarioError, match="report.lead"):
        load_scenario(preset="china-2022", overrides={"report": {"lead": ["everything"]}})


def test_an_uncalibrated_score_says_so_in_summary_warnings_and_report() -> None:
    summary = goldens()["credit-bureau"]
    sesame = summary.systems["sesame"]
    assert sesame.uncalibrated and summary.systems["pboc-bureau"].uncalibrated is None
    assert any(w.startswith("systems.sesame is uncalibrated") for w in summary.warnings)
    # the reason stated is the one seen: nearly every file in the top band
    assert sesame.grades is not None and sesame.files is not None
    assert sesame.grades["excellent"] / sesame.files > 0.95
    page = build_page(summary, None)
    section = next(s for s in page.sections if s.title == "System: sesame")
    assert "uncalibrated" in section.tags and section.notes[0].startswith("Uncalibrated:")
    row = next(r for r in page.sections[0].tables[0].rows if r.cells[0].text == "sesame")
    assert row.cells[0].detail.endswith("uncalibrated")
