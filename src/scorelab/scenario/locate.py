"""Errors located where they were written: the file, line and column of a bad value (the
user's file if it came from there, else the preset), its field path, and what was expected
(valid keys and kinds from the models and the registries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import regions as region_csv
from .errors import Problem, short
from .kinds import FAMILIES
from .schema import Scenario, did_you_mean

#: where a region table's CSV path points in a scenario
REGIONS_PATH = ("population", "regions")


@dataclass
class _Source:
    """One YAML document and where it came from, kept for locating errors (and the CSV
    region table it named, whose cells are located in that file)."""

    label: str
    tree: Any
    table: region_csv.RegionTable | None = None


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
