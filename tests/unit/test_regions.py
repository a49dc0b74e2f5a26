"""Region tables: the second country's counts follow its table exactly, and bad tables (CSV
or YAML) are located errors with exit code 2 through the real command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorelab.core.streams import Streams
from scorelab.population import build_geography, generate_population
from scorelab.scenario import ScenarioError, dump_scenario, load_scenario, scenario_digest
from scorelab.scenario.geography import largest_remainder
from scorelab.scenario.loader import preset_text, validate

SCORELAB = Path(sys.executable).parent / "scorelab"
US = "united-states-2020"


def reference_split(weights: list[int], total: int) -> list[int]:
    """Largest remainder in exact integer arithmetic: floors of the quotas, then one more
    for the largest remainders (ties to the earlier row)."""
    whole = sum(weights)
    counts = [w * total // whole for w in weights]
    remainders = [w * total % whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:total - sum(counts)]:
        counts[i] += 1
    return counts


def us_spec(persons: int):  # type: ignore[no-untyped-def]
    return load_scenario(preset=US, overrides={"population": {"persons": persons}}).population


US_SPEC = us_spec(1000)
US_TABLE = [(name, p.population) for name, p in US_SPEC.provinces.items()]


def test_the_us_table_is_the_2020_census() -> None:
    assert len(US_TABLE) == 51  # 50 states and the District of Columbia
    assert sum(p for _, p in US_TABLE) == 331_449_281
    assert dict(US_TABLE)["California"] == 39_538_223
    assert dict(US_TABLE)["Wyoming"] == 576_851


@settings(max_examples=60, deadline=None)
@given(persons=st.integers(min_value=1, max_value=5_000_000))
def test_us_state_counts_are_the_largest_remainder_split(persons: int) -> None:
    geo = build_geography(US_SPEC.model_copy(update={"persons": persons}))
    counts = np.diff(geo.city_starts).tolist()
    assert geo.city_names == tuple(f"{name} (rest)" for name, _ in US_TABLE)
    assert counts == reference_split([p for _, p in US_TABLE], persons)
    assert sum(counts) == persons == geo.persons
    assert geo.real_population == 331_449_281


@settings(max_examples=30, deadline=None)
@given(persons=st.integers(min_value=1, max_value=5_000_000))
def test_china_cells_are_the_largest_remainder_split_too(persons: int) -> None:
    spec = load_scenario(overrides={"population": {"persons": persons}}).population
    geo = build_geography(spec)
    cells = []
    for pname, prov in spec.provinces.items():
        named = [c.population for c in spec.cities.values() if c.province == pname]
        cells += named + [prov.population - sum(named)]
    assert np.diff(geo.city_starts).tolist() == reference_split(cells, persons)


def test_the_generated_population_holds_those_counts() -> None:
    spec = us_spec(20_000).model_copy(update={"block_size": 4096})
    geo = build_geography(spec)
    pop = generate_population(spec, geo, Streams(spec.seed, block_size=4096))
    per_state = np.bincount(pop.province, minlength=len(US_TABLE)).tolist()
    assert per_state == reference_split([p for _, p in US_TABLE], 20_000)
    assert largest_remainder(np.array([p for _, p in US_TABLE], float), 20_000).tolist() \
        == per_state


def test_urban_share_keeps_the_national_figure() -> None:
    spec = US_SPEC
    urban = sum((p.urban_share if p.urban_share is not None else spec.urban_share)
                * p.population for p in spec.provinces.values())
    assert urban / 331_449_281 == pytest.approx(0.800, abs=5e-7)


def test_resolved_scenario_repeats_with_the_table_inline() -> None:
    scenario = load_scenario(preset=US)
    text = dump_scenario(scenario)
    assert "united-states-2020-states.csv" not in text and "name: Wyoming" in text
    again = load_scenario(text=text)
    assert scenario_digest(again) == scenario_digest(scenario)
    assert "regions: united-states-2020-states.csv" in preset_text(US)


def test_a_scenario_brings_its_own_csv_relative_to_its_file(tmp_path: Path) -> None:
    folder = tmp_path / "country"
    folder.mkdir()
    (folder / "regions.csv").write_text(
        "name,population,urban_share,minority_share,code\n"
        "North,3000000,0.9,,\nSouth,1000000,,0.5,\n\"East, coast\",2000000,0.7,0.1,\n",
        encoding="utf-8")
    (folder / "land.yaml").write_text(
        "extends: united-states-2020\nname: land\npopulation:\n  persons: 600\n"
        "  block_size: 64\n  identity: {scheme: none}\n  regions: regions.csv\ndays: 2\n",
        encoding="utf-8")
    scenario = load_scenario(folder / "land.yaml")
    pop = scenario.population
    assert list(pop.provinces) == ["North", "South", "East, coast"]
    assert pop.provinces["South"].minority_share == 0.5
    assert pop.provinces["South"].urban_share is None
    geo = build_geography(pop)
    assert np.diff(geo.city_starts).tolist() == [300, 100, 200]


# --- bad input -----------------------------------------------------------------------------

def cli(*args: str, cwd: Path) -> tuple[int, str]:
    done = subprocess.run([str(SCORELAB), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, check=False)
    return done.returncode, done.stdout + done.stderr


HEADER = "name,population,urban_share,minority_share\n"


@pytest.mark.parametrize(("table", "expected"), [
    ("name,urban_share\nNorth,0.5\n",
     ["regions.csv:1:1:", "population.regions[*].population", "missing column 'population'"]),
    (HEADER + "North,1000,0.5,0.1\nSouth,2000,1.5,0.1\n",
     ["regions.csv:3:12:", "population.regions[1].urban_share", "less than or equal to 1",
      "1.5"]),
    (HEADER + "North,1000,0.5,0.1\nSouth,2000,0.5,-0.2\n",
     ["regions.csv:3:16:", "population.regions[1].minority_share", "greater than or equal"]),
    (HEADER + "North,many,0.5,0.1\n",
     ["regions.csv:2:7:", "population.regions[0].population", "expected a whole number",
      "'many'"]),
    (HEADER + "North,0,0.5,0.1\n",
     ["regions.csv:2:7:", "population.regions[0].population", "greater than 0"]),
    (HEADER, ["regions.csv:1:1:", "population.regions", "header but no rows"]),
    ("", ["regions.csv:1:1:", "population.regions", "the region table is empty"]),
    ("name,population,urban\nNorth,10,0.5\n",
     ["regions.csv:1:17:", "unknown column 'urban'", "urban_share"]),
    (HEADER + "North,1000,0.5\n", ["regions.csv:2:1:", "population.regions[0]", "3 cells"]),
    (HEADER + "North,1000,0.5,0.1\nNorth,2000,0.5,0.1\n",
     ["scenario.yaml:", "names 'North' twice"]),
])
def test_bad_csv_region_tables_are_located(tmp_path: Path, table: str,
                                           expected: list[str]) -> None:
    (tmp_path / "regions.csv").write_text(table, encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text(
        "extends: united-states-2020\npopulation:\n  persons: 1000\n  regions: regions.csv\n",
        encoding="utf-8")
    code, out = cli("validate", "scenario.yaml", cwd=tmp_path)
    assert code == 2, out
    assert "Traceback" not in out
    for part in expected:
        assert part in out, (part, out)


@pytest.mark.parametrize(("text", "expected"), [
    (("extends: united-states-2020\npopulation:\n  regions:\n"
      "    - {name: North, population: 10, urban_share: 1.5}\n"),
     ["scenario.yaml:4:", "population.regions[0].urban_share", "less than or equal to 1"]),
    ("extends: united-states-2020\npopulation:\n  regions: []\n",
     ["scenario.yaml:3:3:", "population.regions is empty"]),
    ("extends: united-states-2020\npopulation:\n  regions: nowhere.csv\n",
     ["scenario.yaml:3:12:", "cannot read region table 'nowhere.csv'"]),
    ("extends: united-states-2020\npopulation:\n  provinces: {North: {population: 10}}\n",
     ["scenario.yaml:3:3:", "not both"]),
    ("extends: united-states-2020\npopulation:\n  identity: {scheme: china}\n",
     ["the china identity scheme needs an ID code from 11 to 99", "'Alabama'"]),
    ("extends: united-states-2020\npopulation:\n  identity: {scheme: france}\n",
     ["scenario.yaml:3:22:", "population.identity.scheme", "'china'", "'united-states'"]),
    ("extends: china-2022\npopulation:\n  cities:\n    Rongcheng: {county_codes: []}\n",
     ["needs county_codes for every named city", "'Rongcheng'"]),
])
def test_bad_yaml_region_tables_are_located(tmp_path: Path, text: str,
                                            expected: list[str]) -> None:
    (tmp_path / "scenario.yaml").write_text(text, encoding="utf-8")
    code, out = cli("validate", "scenario.yaml", cwd=tmp_path)
    assert code == 2, out
    assert "Traceback" not in out
    for part in expected:
        assert part in out, (part, out)


def test_a_csv_path_in_python_data_is_refused_clearly() -> None:
    data = load_scenario(preset=US).model_dump(mode="json")
    data["population"]["regions"] = "states.csv"
    with pytest.raises(ScenarioError, match="names a CSV file"):
        validate(data)


# --- a scenario reads only its own folder --------------------------------------------------

SECRET = "root:x:0:0:secret-first-line"


@pytest.mark.parametrize(("regions", "expected"), [
    ("{outside}/foreign.csv", "not an absolute path"),
    ("../foreign.csv", "named without '..'"),
    ("inside/../../foreign.csv", "named without '..'"),
    ("link.csv", "symlink to a file outside the scenario file's folder"),
    ("linked/foreign.csv", "symlink to a file outside the scenario file's folder"),
    ("passwd.csv", "symlink to a file outside the scenario file's folder"),
])
def test_a_region_table_outside_the_scenario_folder_is_refused(
        tmp_path: Path, regions: str, expected: str) -> None:
    """Whatever the path, a CSV file beyond the scenario's folder is never read: its rows do
    not reach scenario.yaml or summary.json, and no error echoes a line of it."""
    outside, folder = tmp_path / "outside", tmp_path / "scenario"
    outside.mkdir()
    (folder / "inside").mkdir(parents=True)
    (outside / "foreign.csv").write_text(f"{SECRET}\nname,population\nLeaked,10\n",
                                         encoding="utf-8")
    (folder / "link.csv").symlink_to(outside / "foreign.csv")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    (folder / "s.yaml").write_text(
        "extends: united-states-2020\nname: r\ndays: 2\npopulation:\n  persons: 1000\n"
        f"  identity: {{scheme: none}}\n  regions: {regions.format(outside=outside)}\n",
        encoding="utf-8")
    for command in (["validate", "s.yaml"], ["run", "s.yaml", "--out", "o", "--quiet"]):
        code, out = cli(*command, cwd=folder)
        assert code == 2, out
        assert "Traceback" not in out
        assert "s.yaml:7:12: population.regions: cannot read region table" in out, out
        assert expected in out, out
        assert SECRET not in out and "Leaked" not in out and "root:" not in out
    assert not (folder / "o").exists()


def test_a_symlink_within_the_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "regions.csv").write_text("name,population\nA,10\nB,30\n",
                                                     encoding="utf-8")
    (tmp_path / "regions.csv").symlink_to(tmp_path / "tables" / "regions.csv")
    for regions in ("regions.csv", "tables/regions.csv"):
        (tmp_path / "s.yaml").write_text(
            "extends: united-states-2020\nname: r\ndays: 2\npopulation:\n  persons: 40\n"
            f"  block_size: 64\n  identity: {{scheme: none}}\n  regions: {regions}\n",
            encoding="utf-8")
        assert list(load_scenario(tmp_path / "s.yaml").population.provinces) == ["A", "B"]
