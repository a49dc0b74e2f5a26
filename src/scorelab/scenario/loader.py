"""Load scenario files: YAML with positions, ``extends:`` presets, validation, clear errors.

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
import re
import stat
import sys
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from . import regions as region_csv
from .errors import MAX_PROBLEMS, Problem, ScenarioError, short
from .kinds import FAMILIES
from .schema import AT_KEY, ReferenceProblems, Scenario, did_you_mean

PRESET_PACKAGE = "scorelab.scenario.presets"

#: bounds on a scenario file: size, nesting, and values once aliases are expanded. The
#: round-trip YAML parser reads about 70 KB a second, so 32 KiB keeps any rejection under a
#: second; the largest preset is about 10 KB
MAX_FILE_BYTES = 32 << 10
MAX_DEPTH = 32
MAX_NODES = 200_000


#: where a region table's CSV path points in a scenario
REGIONS_PATH = ("population", "regions")


@dataclass
class _Source:
    """One YAML document and where it came from, kept for locating errors (and the CSV
    region table it named, whose cells are located in that file)."""

    label: str
    tree: Any
    table: region_csv.RegionTable | None = None


def preset_names() -> list[str]:
    """Names of the built-in presets."""
    folder = resources.files(PRESET_PACKAGE)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def preset_description(name: str) -> str:
    """The one-line description a preset declares."""
    data = _read_preset(name, [])[0]
    return str(data.get("description", ""))


def read_scenario_text(path: Path) -> str:
    """A scenario file's text: a regular file of at most ``MAX_FILE_BYTES`` in UTF-8.

    Checked before reading, so a folder, a device (``/dev/zero``) or a named pipe is refused
    at once instead of read forever."""
    label = str(path)
    try:
        info = path.stat()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError(Problem(f"cannot read scenario file: {reason}", label)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(Problem("cannot read scenario file: it is a folder", label))
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(Problem("cannot read scenario file: not a regular file (a "
                                    "device, pipe or socket)", label))
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(Problem(f"scenario file is {info.st_size:,} bytes; at most "
                                    f"{MAX_FILE_BYTES:,} are allowed", label))
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(Problem(f"cannot read scenario file: {exc.strerror}", label)) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(Problem(f"scenario file is over {MAX_FILE_BYTES:,} bytes", label))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ScenarioError(Problem(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded; save the file "
            "as UTF-8", label, line, column)) from None


def _flow_depth(text: str, label: str) -> None:
    """Refuse brackets nested deeper than ``MAX_DEPTH`` before the parser recurses into them
    (quoted text and comments aside)."""
    depth, quote, line, column = 0, "", 1, 0
    comment = False
    for char in text:
        column += 1
        if char == "\n":
            line, column, comment = line + 1, 0, False
            continue
        if comment:
            continue
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(Problem(f"nested deeper than {MAX_DEPTH} levels", label,
                                            line, column))
        elif char in "]}":
            depth = max(depth - 1, 0)


#: Python reads whole numbers of at most this many digits from text
_MAX_DIGITS = sys.get_int_max_str_digits() or 4300
_LONG_NUMBER = re.compile(rf"[0-9_]{{{_MAX_DIGITS + 1},}}")


def _parse_yaml(text: str, label: str) -> Any:
    _flow_depth(text, label)
    yaml = YAML(typ="rt")
    try:
        # the round-trip loader builds only mappings, sequences and scalars: no tag can
        # construct an object or run code. Its warnings (a reused anchor) are errors here.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return yaml.load(text)
    except Warning as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(Problem(f"malformed YAML: {problem[:120]}", label, line,
                                    col)) from None
    except TypeError:  # a mapping or a list used as a key
        raise ScenarioError(Problem("malformed YAML: a key must be plain text or a number, "
                                    "not a mapping or a list", label)) from None
    except ValueError as exc:  # e.g. a date that does not exist, 2022-13-45
        digits = _LONG_NUMBER.search(text)
        if digits is not None and "integer string conversion" in str(exc):
            line = text.count("\n", 0, digits.start()) + 1
            column = digits.start() - (text.rfind("\n", 0, digits.start()) + 1) + 1
            raise ScenarioError(Problem(
                f"a number of {len(digits.group()):,} digits; numbers this long are not read "
                f"(at most {_MAX_DIGITS:,} digits)", label, line, column)) from None
        raise ScenarioError(Problem(f"malformed YAML: {short(str(exc))}", label)) from None
    except RecursionError:
        raise ScenarioError(Problem(f"malformed YAML: nested deeper than Python can read "
                                    f"(at most {MAX_DEPTH} levels are allowed)", label)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        raise ScenarioError(Problem(f"malformed YAML: {problem}", label, line, col)) from None
    except YAMLError as exc:
        raise ScenarioError(Problem(f"malformed YAML: {exc}", label)) from None


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


def _plain(tree: Any, label: str) -> Any:
    """Round-trip YAML nodes to plain dicts, lists and scalars, within bounds: at most
    ``MAX_DEPTH`` levels and ``MAX_NODES`` values once aliases are expanded (an alias bomb
    is refused, not expanded)."""
    count = 0

    def convert(node: Any, depth: int, where: Any) -> Any:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            line, col = _node_position(where)
            raise ScenarioError(Problem(
                f"the scenario expands to more than {MAX_NODES:,} values (aliases repeat what "
                "they point to); a scenario is a description, not a data set", label, line, col))
        if depth > MAX_DEPTH:
            line, col = _node_position(where)
            raise ScenarioError(Problem(f"nested deeper than {MAX_DEPTH} levels", label,
                                        line, col))
        if isinstance(node, dict):
            return {text(str(k), node): convert(v, depth + 1, node) for k, v in node.items()}
        if isinstance(node, list):
            return [convert(v, depth + 1, node) for v in node]
        if isinstance(node, ScalarBoolean):
            return bool(node)
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, str):
            return text(str(node), where)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return node

    def text(value: str, where: Any) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # "\ud800" escapes give lone surrogates: not text
            line, col = _node_position(where)
            raise ScenarioError(Problem(f"{short(value)} is not valid text (it holds an "
                                        "unpaired surrogate escape)", label, line, col)) from None
        return value

    return convert(tree, 0, tree)


def _node_position(node: Any) -> tuple[int | None, int | None]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None, None
    return lc.line + 1, lc.col + 1


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


def _position(tree: Any, path: tuple[Any, ...], value: bool = False) -> tuple[int | None, int | None]:
    """1-based (line, column) of the deepest part of ``path`` present in ``tree``."""
    node = tree
    found: tuple[int | None, int | None] = (None, None)
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            try:
                pos = node.lc.value(part) if value else node.lc.key(part)
            except KeyError:  # a key added after parsing (--preset) has no position
                pos = None
            if pos is not None:
                found = (pos[0] + 1, pos[1] + 1)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            pos = node.lc.item(part)
            if pos is not None:
                found = (pos[0] + 1, pos[1] + 1)
            node = node[part]
        else:
            return found if found != (None, None) else (None, None)
    return found


def _has_path(tree: Any, path: tuple[Any, ...]) -> bool:
    node = tree
    for part in path:
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return True


def _locate(sources: list[_Source], path: tuple[Any, ...], key: bool = False) -> Problem:
    """Find where a field was written: the first document (user file first) that holds it;
    a field of a region table read from CSV is in that file's row and column."""
    if path[:len(REGIONS_PATH)] == REGIONS_PATH:
        origin = next((s for s in sources if _has_path(s.tree, REGIONS_PATH)), None)
        if origin is not None and origin.table is not None:
            table = origin.table
            rest = path[len(REGIONS_PATH):]
            if rest and isinstance(rest[0], int) and 0 <= rest[0] < len(table.rows):
                field = str(rest[1]) if len(rest) > 1 else None
                row_line, row_col = table.where(rest[0], field)
                return Problem("", table.label, row_line, row_col)
            return Problem("", table.label, 1, 1)
    for depth in range(len(path), 0, -1):
        prefix = path[:depth]
        for source in sources:
            if _has_path(source.tree, prefix):
                line, col = _position(source.tree, prefix, value=not key or depth < len(path))
                return Problem("", source.label, line, col)
    first = sources[0]
    return Problem("", first.label, 1 if first.tree is not None else None, 1)


_did_you_mean = did_you_mean


def _inner_model(annotation: Any) -> Any:
    """The model type a field holds, looking through dict[...] / list[...] / Optional."""
    import typing

    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if origin is dict and len(args) == 2:
        inner = _inner_model(args[1])
        return _MappingOf(inner) if inner is not None else None
    for arg in args:
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


class _MappingOf:
    def __init__(self, model: Any) -> None:
        self.model = model


def _kind_model(data: dict[str, Any], path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The spec model of the kind at ``systems.<name>`` or ``measures.<name>`` in ``data``."""
    section = data.get(path[0]) if isinstance(data, dict) else None
    entry = section.get(path[1]) if isinstance(section, dict) else None
    kind = entry.get("kind") if isinstance(entry, dict) else None
    return FAMILIES[path[0]].spec(kind) if isinstance(kind, str) else None


def _fields_for(path: tuple[Any, ...], data: dict[str, Any]) -> list[str]:
    model: Any = Scenario
    if len(path) >= 2 and path[0] in FAMILIES:
        model, path = _kind_model(data, path), path[2:]
    for part in path:
        if isinstance(model, _MappingOf):
            model = model.model
            continue
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(part))
            if field is None:
                return []
            model = _inner_model(field.annotation)
        else:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _describe_error(err: Any, data: dict[str, Any]) -> tuple[tuple[Any, ...], str, bool]:
    """(field path, message, whether the path ends at an offending *key*)."""
    loc = tuple(err["loc"])
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        valid = _fields_for(loc[:-1], data)
        hint = _did_you_mean(key, valid)
        tail = f"; valid keys: {', '.join(valid)}" if valid else ""
        return loc, f"unknown key {short(key)}{hint}{tail}", True
    if kind == "missing":
        return loc, "required field is missing", True
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return loc + ("kind",), (
            f"unknown kind {short(ctx.get('tag'))}; expected one of {ctx.get('expected_tags')}"
        ), False
    if kind == "union_tag_not_found":
        kinds = FAMILIES[str(loc[0])].names() if loc and loc[0] in FAMILIES else []
        return loc, f"missing 'kind' (expected one of: {', '.join(kinds)})", True
    message = err["msg"]
    if kind == "literal_error":
        close = ""
        expected = err.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        if isinstance(given, str):
            close = _did_you_mean(given, choices)
        return loc, f"got {short(given)}{close}; expected one of {expected}", False
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
        return loc, message, False
    return loc, f"{message[0].lower()}{message[1:]} (got {short(given)})", False


def _path_text(path: tuple[Any, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")


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
