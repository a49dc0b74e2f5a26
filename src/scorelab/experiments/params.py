"""``--param`` settings of sweeps and sensitivity analyses: a scenario path and its values.

``PATH=V1,V2,...`` lists values (each read as YAML: ``0.1``, ``true``, ``[loans]``);
``PATH=LOW:HIGH`` gives a range. Paths are dotted keys of the resolved scenario (names may
contain dots). Every value is checked by validating the whole scenario with it, so a wrong
path or a wrong type is a located error before any run starts.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..scenario.errors import Problem, ScenarioError, short
from ..scenario.loader import validate
from ..scenario.schedule import ScheduleProblem, split_path
from ..scenario.schema import Scenario


@dataclass(frozen=True)
class Param:
    """A parameter of an experiment: its path (as written and as keys) and values."""

    text: str
    keys: tuple[str, ...]
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    #: the scenario holds a whole number there, so a range's samples are rounded; a decimal
    #: parameter keeps its samples as they are
    whole: bool = False


    def sample(self, x: float) -> float | int:
        """A sampled value as the scenario holds it: rounded for a whole-number parameter."""
        return round(x) if self.whole else float(x)


def _error(message: str, option: str) -> ScenarioError:
    return ScenarioError(Problem(message, path=option))


def _yaml_value(text: str, option: str) -> Any:
    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        raise _error(f"cannot read the value {short(text)}", option) from None


def _keys(scenario: Scenario, path: str, option: str) -> tuple[str, ...]:
    data = scenario.model_dump()
    try:
        return split_path(data, path)
    except ScheduleProblem as exc:
        raise _error(f"{path}: no such parameter: {exc.message}", option) from None


def parse_values(scenario: Scenario, text: str) -> Param:
    """``PATH=V1,V2,...``: a parameter with its list of values (each checked)."""
    option = f"--param {text}"
    path, sep, values = text.partition("=")
    if not sep or not path or not values:
        raise _error("expected PATH=V1,V2,... (a scenario path and its values)", option)
    keys = _keys(scenario, path.strip(), option)
    parsed = tuple(_yaml_value(v.strip(), option) for v in values.split(","))
    param = Param(path.strip(), keys, parsed, whole=bool(parsed) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in parsed))
    for value in parsed:
        apply(scenario, {param: value})
    return param


def parse_range(scenario: Scenario, text: str) -> Param:
    """``PATH=LOW:HIGH``: a parameter with a numeric range (both ends checked)."""
    option = f"--param {text}"
    path, sep, bounds = text.partition("=")
    low_text, colon, high_text = bounds.partition(":")
    if not sep or not colon:
        raise _error("expected PATH=LOW:HIGH (a scenario path and a range)", option)
    keys = _keys(scenario, path.strip(), option)
    low, high = _yaml_value(low_text, option), _yaml_value(high_text, option)
    for end in (low, high):
        if isinstance(end, bool) or not isinstance(end, (int, float)):
            raise _error(f"LOW and HIGH must be numbers, got {short(end)}", option)
    if low >= high:
        raise _error(f"LOW must be below HIGH, got {low} >= {high}", option)
    current = _get(scenario.model_dump(), keys)
    whole = isinstance(current, int) and not isinstance(current, bool)
    param = Param(path.strip(), keys, (), float(low), float(high), whole)
    for end in (low, high):
        apply(scenario, {param: param.sample(end)})
    return param


def _get(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        data = data[key]
    return data


def apply(scenario: Scenario, values: dict[Param, Any]) -> Scenario:
    """The scenario with each parameter set to its value, validated (located errors)."""
    data = copy.deepcopy(scenario.model_dump())
    for param, value in values.items():
        node = data
        for key in param.keys[:-1]:
            node = node[key]
        node[param.keys[-1]] = value
    if not data.get("schedule"):
        data.pop("schedule", None)
    try:
        return validate(data)
    except ScenarioError as exc:
        setting = ", ".join(f"{p.text}={short(v)}" for p, v in values.items())
        raise ScenarioError([Problem(f"with {setting}: {p.path or ''}: {p.message}",
                                     path="--param") for p in exc.problems]) from None
