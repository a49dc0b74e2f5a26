"""Presets and ``extends:``: a scenario starts from a built-in preset and its keys are
deep-merged over it (mappings merge key by key, anything else replaces); a region table
named as a CSV file is read beside the file that names it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from . import regions as region_csv
from .errors import Problem, ScenarioError, short
from .locate import REGIONS_PATH, _position, _Source
from .reading import _parse_yaml, _plain
from .references import did_you_mean as _did_you_mean

PRESET_PACKAGE = "scorelab.scenario.presets"


def preset_names() -> list[str]:
    """Names of the built-in presets."""
    folder = resources.files(PRESET_PACKAGE)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def preset_description(name: str) -> str:
    """The one-line description a preset declares."""
    data = _read_preset(name, [])[0]
    return str(data.get("description", ""))


def preset_text(name: str) -> str:
    """A built-in preset's YAML, as shipped (its comments name the sources)."""
    if name not in preset_names():
        choices = preset_names()
        raise ScenarioError(Problem(f"unknown preset {short(name)}{_did_you_mean(name, choices)};"
                                    f" available presets: {', '.join(choices)}", path="preset"))
    return resources.files(PRESET_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def _read_preset(name: str, chain: list[str]) -> tuple[dict[str, Any], list[_Source]]:
    resource = resources.files(PRESET_PACKAGE).joinpath(f"{name}.yaml")
    if not resource.is_file():
        raise KeyError(name)
    label = f"<preset {name}>"
    tree = _parse_yaml(resource.read_text(encoding="utf-8"), label)
    return _resolve(tree, label, chain + [name], preset=True)


def _region_table(data: dict[str, Any], tree: Any, label: str, folder: Path | None,
                  preset: bool) -> region_csv.RegionTable | None:
    """Read the CSV file that ``population.regions`` names (if it names one) into rows in
    ``data``: a file in the scenario file's folder or below it (the current folder for
    text), or for a preset a file of the presets folder. Returns the table, for locating
    errors in its cells."""
    population = data.get("population")
    if not isinstance(population, dict) or not isinstance(population.get("regions"), str):
        return None
    name = population["regions"]
    line, col = _position(tree, REGIONS_PATH, value=True)
    where = ".".join(REGIONS_PATH)
    if not name.endswith(".csv"):
        raise ScenarioError(Problem(f"regions {short(name)}: expected a list of regions or "
                                    "the path of a .csv file", label, line, col, where))
    if preset:
        if Path(name).name != name:
            raise ScenarioError(Problem(f"a preset's region table is a file of the presets "
                                        f"folder, not the path {short(name)}", label, line, col,
                                        where))
        resource = resources.files(PRESET_PACKAGE).joinpath(name)
        csv_label = f"<preset {name}>"
        if not resource.is_file():
            raise ScenarioError(Problem(f"no region table {short(name)} among the presets",
                                        label, line, col, where))
        text = resource.read_text(encoding="utf-8-sig")
    else:
        base = folder if folder is not None else Path()
        path = region_csv.locate(base, name, label, line, col, where)
        csv_label = str(base / name)
        text = region_csv.read_text(path, csv_label)
    table = region_csv.parse(text, csv_label, where)
    population["regions"] = table.rows
    return table


def _resolve(tree: Any, label: str, chain: list[str], *, folder: Path | None = None,
             preset: bool = False) -> tuple[dict[str, Any], list[_Source]]:
    """Plain dict for one document with its ``extends`` chain merged underneath; a region
    table it names in a CSV file is read relative to ``folder`` (or the presets folder)."""
    if tree is None:
        tree = CommentedMap()
    if not isinstance(tree, dict):
        raise ScenarioError(Problem("a scenario must be a mapping of keys to values", label, 1, 1))
    data = _plain(tree, label)
    table = _region_table(data, tree, label, folder, preset)
    sources = [_Source(label, tree, table)]
    parent = data.pop("extends", None)
    if parent is None:
        return data, sources
    line, col = _position(tree, ("extends",), value=True)
    if not isinstance(parent, str):
        raise ScenarioError(Problem("expected a preset name", label, line, col, "extends"))
    if parent not in preset_names():  # a name, never a path: nothing is looked up with it
        choices = preset_names()
        raise ScenarioError(Problem(
            f"unknown preset {short(parent)}{_did_you_mean(parent, choices)}; available "
            f"presets: {', '.join(choices)} (extends takes a preset's name, not a path)",
            label, line, col, "extends"))
    if parent in chain:
        raise ScenarioError(
            Problem(f"presets extend each other in a cycle: {' -> '.join(chain + [parent])}",
                    label, line, col, "extends")
        )
    try:
        base, base_sources = _read_preset(parent, chain)
    except KeyError:
        choices = preset_names()
        hint = _did_you_mean(parent, choices)
        raise ScenarioError(
            Problem(f"unknown preset {short(parent)}{hint}; available presets: "
                    f"{', '.join(choices)}",
                    label, line, col, "extends")
        ) from None
    return deep_merge(base, data), sources + base_sources


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: mappings merge key by key, anything else replaces, and
    ``null`` over a key of a mapping removes it (``systems: {rongcheng: null}``)."""
    merged = dict(base)
    for key, value in over.items():
        if value is None and key in merged and isinstance(base.get(key), dict):
            del merged[key]
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
