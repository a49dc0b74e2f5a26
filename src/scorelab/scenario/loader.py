"""Load scenario files: YAML with positions, ``extends:`` presets, validation, clear errors.

Reading the YAML is in ``reading``, presets and ``extends:`` in ``extends``, locating an
error where it was written in ``locate``; this module puts them together.

A scenario file may start from a built-in preset (``extends: china-2022``); its keys are
deep-merged over the preset (mappings merge key by key, anything else replaces). Command-line
overrides are merged last. Every error names the file, line and column where the bad value was
written (the user's file if the value came from there, else the preset), the field path, and
what was expected. Nothing in a scenario is ever evaluated as code: YAML is read with the
round-trip loader, which builds only plain mappings, sequences and scalars.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from .errors import MAX_PROBLEMS, Problem, ScenarioError, short
from .extends import (
    PRESET_PACKAGE,
    _resolve,
    deep_merge,
    preset_description,
    preset_names,
    preset_text,
)
from .locate import REGIONS_PATH, _describe_error, _locate, _path_text, _position, _Source
from .reading import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, _parse_yaml, read_scenario_text
from .schema import AT_KEY, ReferenceProblems, Scenario


def load_scenario(
    path: str | Path | None = None,
    *,
    preset: str | None = None,
    text: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Scenario:
    """Read, merge and validate a scenario.

    Give a file ``path``, YAML ``text``, or a ``preset`` name (the default is ``china-2022``).
    ``overrides`` (for example from the command line) are merged last.
    Raises :class:`ScenarioError` with located problems on any bad input.
    """
    if path is not None:
        label = str(path)
        tree = _parse_yaml(read_scenario_text(Path(path)), label)
    elif text is not None:
        label = "<text>"
        if len(text) > MAX_FILE_BYTES:
            raise ScenarioError(Problem(f"a scenario may be at most {MAX_FILE_BYTES:,} "
                                        f"characters, this one has {len(text):,}", label))
        tree = _parse_yaml(text, label)
    else:
        label = "<command line>"
        tree = CommentedMap({"extends": preset or "china-2022"})
    # an explicit --preset goes under a file that extends nothing; a file that extends
    # another preset conflicts with it
    if preset is not None and path is not None and isinstance(tree, dict):
        if "extends" not in tree:
            tree["extends"] = preset
        elif tree["extends"] != preset:
            line, col = _position(tree, ("extends",), value=True)
            raise ScenarioError(Problem(
                f"this file extends {short(tree['extends'])} and --preset asks for "
                f"{short(preset)}: give one of them", label, line, col, "extends"))
    folder = Path(path).parent if path is not None else None
    data, sources = _resolve(tree, label, [], folder=folder)
    if overrides:
        data = deep_merge(data, overrides)
        sources = [_Source("<command line>", overrides)] + sources
    return validate(data, sources)


def validate(data: dict[str, Any], sources: list[Any] | None = None) -> Scenario:
    """Validate merged scenario data, mapping each error to where it was written."""
    sources = sources or [_Source("<input>", data)]
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        errors = exc.errors()
        for err in errors[:MAX_PROBLEMS]:  # a hundred thousand unknown keys: name a few
            path, message, at_key = _describe_error(err, data)
            where = _locate(sources, path, key=at_key)
            problems.append(Problem(message, where.file, where.line, where.column, _path_text(path)))
        if len(errors) > MAX_PROBLEMS:
            problems.append(Problem(f"... and {len(errors) - MAX_PROBLEMS:,} more problems"))
        raise ScenarioError(problems) from None
    except ReferenceProblems as exc:
        problems = []
        for ref in exc.references[:MAX_PROBLEMS]:
            at_key = bool(ref.path) and ref.path[-1] == AT_KEY
            path = ref.path[:-1] if at_key else ref.path
            where = _locate(sources, path, key=at_key)
            problems.append(Problem(ref.message, where.file, where.line, where.column,
                                    _path_text(path)))
        if len(exc.references) > MAX_PROBLEMS:
            more = len(exc.references) - MAX_PROBLEMS
            problems.append(Problem(f"... and {more:,} more problems"))
        raise ScenarioError(problems) from None


def _document(scenario: Scenario) -> dict[str, Any]:
    """The scenario as JSON-able data; an empty schedule is left out (a scenario without one
    is the same scenario as before schedules existed, with the same digest)."""
    data = scenario.model_dump(mode="json")
    if not data.get("schedule"):
        data.pop("schedule", None)
    return data


def dump_scenario(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML: running it again repeats the run exactly."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep order
    buffer = io.StringIO()
    yaml.dump(_document(scenario), buffer)
    return buffer.getvalue()


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario, identifying a run's inputs."""
    canonical = json.dumps(_document(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


#: the loader's names, with those of the modules it reads through (re-exported)
__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "PRESET_PACKAGE", "REGIONS_PATH",
           "deep_merge", "dump_scenario", "load_scenario", "preset_description", "preset_names",
           "preset_text", "read_scenario_text", "scenario_digest", "validate"]
