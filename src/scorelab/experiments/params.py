"""``--param`` settings of sweeps and sensitivity analyses: a scenario path and its values.

``PATH=V1,V2,...`` lists values (each read as YAML: ``0.1``, ``true``, ``[loans]``);
``PATH=LOW:HIGH`` gives a range. Paths are dotted keys of the resolved scenario (names may
contain dots) that hold a value: a number, text, a flag, a date or a list of them, never a
section or a table (the schedule). Every value is checked by validating the whole scenario
with it, so a wrong path or a wrong type is a located error before any run starts.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..scenario.errors import MAX_ECHO, Problem, ScenarioError, short
from ..scenario.loader import validate
from ..scenario.schedule import ScheduleProblem, split_path
from ..scenario.schema import Scenario

#: bounds on the ``--param`` options of one experiment: options, characters of each, and
#: values of each (every value is validated before any run)
MAX_PARAMS = 64
MAX_PARAM_CHARS = 10_000
MAX_VALUES = 1_000


@dataclass(frozen=True)
class Param:
    """A parameter of an experiment: its path (as written and as keys) and values."""

    text: str
    keys: tuple[str, ...]
    #: (not hashed: a value may be a list, and a parameter is a key of the settings of a run)
    values: tuple[Any, ...] = field(default=(), hash=False)
    low: float | None = None
    high: float | None = None
    #: the scenario holds a whole number there, so a range's samples are rounded; a decimal
    #: parameter keeps its samples as they are
    whole: bool = False


    def sample(self, x: float) -> float | int:
        """A sampled value as the scenario holds it: rounded for a whole-number parameter."""
        return round(x) if self.whole else float(x)


def _clip(text: str) -> str:
    """An option as written, cut short: an error never echoes a huge input back."""
    return text if len(text) <= MAX_ECHO else f"{text[:MAX_ECHO - 1]}…"


def _error(message: str, option: str) -> ScenarioError:
    return ScenarioError(Problem(message, path=option))


def check_count(params: list[str], option: str = "--param") -> None:
    """At most ``MAX_PARAMS`` options of at most ``MAX_PARAM_CHARS`` characters each, told
    before any is read."""
    if len(params) > MAX_PARAMS:
        raise _error(f"{len(params):,} parameters; at most {MAX_PARAMS} are allowed", option)
    for text in params:
        if len(text) > MAX_PARAM_CHARS:
            raise _error(f"a --param of {len(text):,} characters; at most "
                         f"{MAX_PARAM_CHARS:,} are allowed", option)


def _yaml_value(text: str, option: str) -> Any:
    """A value as YAML reads it: a number, text, a flag, a date or a flat list of them."""
    try:
        value = YAML(typ="safe", pure=True).load(text)
    except (YAMLError, RecursionError):
        raise _error(f"cannot read the value {short(text)}", option) from None
    except ValueError as exc:  # a number of more than 4,300 digits, a date that is none
        digits = text.strip().lstrip("+-")
        reason = (f"a number of {len(digits):,} digits is too long to read" if
                  digits.isdigit() else str(exc).split(";")[0])
        raise _error(f"cannot read the value {short(text)}: {reason}", option) from None
    items = value if isinstance(value, list) else [value]
    if isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in items):
        raise _error(f"the value {short(text)} is a mapping or a nested list; a parameter's "
                     "value is a number, text, a flag, a date or a list of them", option)
    return value


#: top-level keys that hold tables (lists of mappings), whatever they hold now
TABLES = ("schedule", "joint_punishment")


def _keys(scenario: Scenario, path: str, option: str) -> tuple[str, ...]:
    data = scenario.model_dump()
    try:
        keys = split_path(data, path)
    except ScheduleProblem as exc:
        raise _error(f"{path}: no such parameter: {exc.message}", option) from None
    current = _get(data, keys)
    if isinstance(current, dict):
        raise _error(f"{short(path)} is a section, not a parameter; give one of its values: "
                     f"{', '.join(f'{path}.{k}' for k in list(current)[:8])}", option)
    if keys[0] in TABLES or (isinstance(current, list)
                             and any(isinstance(v, (dict, list)) for v in current)):
        raise _error(f"{short(path)} is a table, not a parameter; write it in the scenario "
                     "and vary the values it holds", option)
    return keys


def parse_values(scenario: Scenario, text: str) -> Param:
    """``PATH=V1,V2,...``: a parameter with its list of values (each checked)."""
    check_count([text])
    option = f"--param {_clip(text)}"
    path, sep, values = text.partition("=")
    if not sep or not path or not values:
        raise _error("expected PATH=V1,V2,... (a scenario path and its values)", option)
    keys = _keys(scenario, path.strip(), option)
    if values.count(",") >= MAX_VALUES:
        raise _error(f"{values.count(',') + 1:,} values; at most {MAX_VALUES:,} a parameter",
                     option)
    parsed = tuple(_yaml_value(v.strip(), option) for v in values.split(","))
    param = Param(path.strip(), keys, parsed, whole=bool(parsed) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in parsed))
    for value in parsed:
        apply(scenario, {param: value})
    return param


def parse_range(scenario: Scenario, text: str) -> Param:
    """``PATH=LOW:HIGH``: a parameter with a numeric range (both ends checked)."""
    check_count([text])
    option = f"--param {_clip(text)}"
    path, sep, bounds = text.partition("=")
    low_text, colon, high_text = bounds.partition(":")
    if not sep or not colon:
        raise _error("expected PATH=LOW:HIGH (a scenario path and a range)", option)
    keys = _keys(scenario, path.strip(), option)
    low, high = _yaml_value(low_text, option), _yaml_value(high_text, option)
    for end in (low, high):
        if isinstance(end, bool) or not isinstance(end, (int, float)):
            raise _error(f"LOW and HIGH must be numbers, got {short(end)}", option)
        try:
            finite = math.isfinite(end)
        except OverflowError:  # a whole number beyond any float
            finite = False
        if not finite:
            raise _error(f"LOW and HIGH must be finite numbers, got {short(end)}", option)
    if low >= high:
        raise _error(f"LOW must be below HIGH, got {short(low)} >= {short(high)}", option)
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
