"""What the explorer's controls say, made into a validated scenario, or into problems the
page shows where they are: a line of the YAML box, or the control at fault.

The box holds scenario keys in YAML, as a scenario file would, over the chosen preset; the
controls (persons, days, seed and the sliders) are merged over it, and a key the box shares
with a control is refused, so each parameter has one place. The box names no file: it may not
choose a preset (``extends``) or read a region table from a CSV path. Everything goes through
:func:`scorelab.scenario.load_scenario`, so the box gets the errors a scenario file gets, at
its own lines.

>>> scenario = resolve(Choice("phone-scanner", persons=20_000, days=10, seed=7,
...                           knobs={"measures.scanner.match_fpr": 0.0005}))
>>> scenario.measures["scanner"].match_fpr, scenario.population.persons
(0.0005, 20000)
>>> try:
...     resolve(Choice("phone-scanner", persons=20_000, days=10, seed=7,
...                    text="protests:\\n  size_median: -5\\n"))
... except ChoiceError as exc:
...     print(exc.problems[0].line, exc.problems[0].text)
2 YAML box:2:16: protests.size_median: input should be greater than 0 (got -5)
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..engine.estimate import FIXED_BYTES
from ..engine.run import available_bytes, check_resources, estimate_bytes
from ..scenario import Scenario, ScenarioError, load_scenario
from ..scenario.errors import Problem
from ..scenario.loader import MAX_FILE_BYTES
from .knobs import sliders

#: the bounds of the controls
MIN_PERSONS, MAX_PERSONS = 10_000, 2_000_000
MIN_DAYS, MAX_DAYS = 1, 3_650
MIN_REPLICATES, MAX_REPLICATES = 1, 10
MAX_SEED = 2**31 - 1
#: how the page names the box and the controls in a located problem
BOX = "YAML box"
CONTROLS = "explorer controls"


@dataclass(frozen=True)
class Choice:
    """Everything the controls say about the next run (``knobs``: the sliders moved off the
    preset's values, by scenario path; ``text``: the YAML box)."""

    preset: str
    persons: int
    days: int
    seed: int
    replicates: int = 1
    knobs: Mapping[str, int | float] = field(default_factory=dict)
    text: str = ""

    def key(self) -> tuple[Any, ...]:
        """What identifies the choice (for reusing a validation)."""
        return (self.preset, self.persons, self.days, self.seed, self.replicates,
                tuple(sorted(self.knobs.items())), self.text)


@dataclass(frozen=True)
class Located:
    """One problem as the page shows it: its text, and its line and column in the box when
    it is in the box."""

    text: str
    line: int | None = None
    column: int | None = None


class ChoiceError(Exception):
    """The controls do not make a scenario that can run; nothing runs."""

    def __init__(self, problems: list[Located]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.text for p in problems))


def _nested(path: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def overrides(choice: Choice) -> dict[str, Any]:
    """The controls as scenario keys (merged over the preset and the box)."""
    from ..scenario.loader import deep_merge

    data: dict[str, Any] = {"population": {"persons": choice.persons, "seed": choice.seed},
                            "days": choice.days}
    for path, value in sorted(choice.knobs.items()):
        data = deep_merge(data, _nested(path, value))
    return data


def _bounds(choice: Choice) -> list[Located]:
    found = []
    bounds: tuple[tuple[str, int, int, int], ...] = (
        ("persons", choice.persons, MIN_PERSONS, MAX_PERSONS),
        ("days", choice.days, MIN_DAYS, MAX_DAYS), ("seed", choice.seed, 0, MAX_SEED),
        ("replicates", choice.replicates, MIN_REPLICATES, MAX_REPLICATES))
    for label, value, low, high in bounds:
        if not isinstance(value, int) or not low <= value <= high:
            found.append(Located(f"{CONTROLS}: {label}: must be a whole number from {low:,} "
                                 f"to {high:,} (got {value!r})"))
    known = {s.path: s for s in sliders(choice.preset)}
    for path, moved in choice.knobs.items():
        slider = known.get(path)
        if slider is None:
            found.append(Located(f"{CONTROLS}: {path}: not a slider of {choice.preset}"))
        elif not slider.low <= moved <= slider.high:
            found.append(Located(f"{CONTROLS}: {path}: must be from {slider.low:g} to "
                                 f"{slider.high:g} (got {moved!r})"))
    return found


def _position(node: Any, key: str) -> tuple[int | None, int | None]:
    try:
        line, column = node.lc.key(key)
        return int(line) + 1, int(column) + 1
    except (AttributeError, KeyError, TypeError):
        return None, None


def _box_problems(tree: Any, controlled: set[str]) -> list[Located]:
    """What the box may not say: a preset, a file, or a key that a control sets."""
    found = []

    def at(node: Any, key: str, message: str) -> None:
        line, column = _position(node, key)
        where = f"{BOX}:{line}:{column}: " if line is not None else f"{BOX}: "
        found.append(Located(where + message, line, column))

    if "extends" in tree:
        at(tree, "extends", "extends: choose the preset above; the box holds the keys to "
                            "change over it")
    population = tree.get("population")
    if isinstance(population, Mapping) and isinstance(population.get("regions"), str):
        at(population, "regions", "population.regions: the explorer reads no files; give the "
                                  "regions as a list of rows (name, population, ...)")

    # only along the controls' paths: a box of aliases to aliases is never walked whole
    along = {".".join(p.split(".")[:i]) for p in controlled
             for i in range(1, p.count(".") + 1)}

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, Mapping):
            return
        for key, value in node.items():
            path = f"{prefix}{key}"
            if path in controlled:
                at(node, key, f"{path}: set by its control above, not in the box")
            elif path in along:
                walk(value, path + ".")

    walk(tree, "")
    return found


def _relabel(problem: Problem, box: str | None) -> Located:
    """A loader's problem, naming the box and the controls as the page does."""
    file = problem.file
    in_box = box is not None and file == box
    if in_box:
        file = BOX
    elif file == "<command line>":
        file = CONTROLS
    shown = Problem(problem.message, file, problem.line, problem.column, problem.path)
    return Located(str(shown), problem.line if in_box else None,
                   problem.column if in_box else None)


def resolve(choice: Choice) -> Scenario:
    """The scenario the controls describe; raises :class:`ChoiceError` with every problem
    located (see the module docstring)."""
    found = _bounds(choice)
    if found:
        raise ChoiceError(found)
    text = choice.text
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ChoiceError([Located(f"{BOX}: at most {MAX_FILE_BYTES:,} bytes, this has "
                                   f"{len(text.encode('utf-8')):,}", 1, 1)])
    controlled = {"population.persons", "population.seed", "days"} | {
        s.path for s in sliders(choice.preset)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a reused anchor: the loader's error, below
            tree = YAML(typ="rt").load(text)
    except (YAMLError, ValueError, TypeError, RecursionError, Warning):
        tree = text  # malformed: the loader below says where
    if tree is None:  # an empty box, or comments only
        return _load(None, choice)
    if isinstance(tree, Mapping):
        found = _box_problems(tree, controlled)
        if found:
            raise ChoiceError(found)
    return _load(text, choice)


def _load(text: str | None, choice: Choice) -> Scenario:
    if text is None:
        try:
            return load_scenario(preset=choice.preset, overrides=overrides(choice))
        except ScenarioError as exc:
            raise ChoiceError([_relabel(p, None) for p in exc.problems]) from None
    # the loader reads a box as it reads a scenario file (a path under --preset): written to
    # a private temporary file, whose name the problems then give back as the box's
    handle, name = tempfile.mkstemp(prefix="scorelab-box-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            return load_scenario(Path(name), preset=choice.preset, overrides=overrides(choice))
        except ScenarioError as exc:
            raise ChoiceError([_relabel(p, name) for p in exc.problems]) from None
    finally:
        os.unlink(name)


@dataclass(frozen=True)
class Fit:
    """What a run needs in memory (its own worker process included) and what there is."""

    need: int
    have: int

    def text(self) -> str:
        return (f"needs about {_size(self.need)} of memory (estimate, with its worker "
                f"process); {_size(self.have)} available")


def _size(count: int) -> str:
    return f"{count / 2**30:.1f} GiB" if count >= 2**30 else f"{count / 2**20:,.0f} MiB"


def fit(scenario: Scenario) -> Fit:
    """The memory estimate of a run of ``scenario`` in a worker process."""
    return Fit(estimate_bytes(scenario) + FIXED_BYTES, available_bytes())


def check_fits(scenario: Scenario) -> None:
    """Refuse, with the estimate, a run that would not fit this machine's memory now (as
    ``scorelab run`` does, counting the worker process the explorer runs it in)."""
    try:
        check_resources(scenario, 1, backend="processes")
    except ScenarioError as exc:
        raise ChoiceError([_relabel(p, None) for p in exc.problems]) from None


__all__ = ["BOX", "CONTROLS", "MAX_DAYS", "MAX_PERSONS", "MAX_REPLICATES", "MAX_SEED",
           "MIN_DAYS", "MIN_PERSONS", "MIN_REPLICATES", "Choice", "ChoiceError", "Fit",
           "Located", "check_fits", "fit", "overrides", "resolve"]
