"""Reading a scenario's YAML safely: bounds on its size, nesting and values, the round-trip
parser (which builds only plain mappings, sequences and scalars: nothing is evaluated as
code), and plain data with each value's position kept for errors."""

from __future__ import annotations

import re
import stat
import sys
import warnings
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from .errors import Problem, ScenarioError, short

#: bounds on a scenario file: size, nesting, and values once aliases are expanded. The
#: round-trip YAML parser reads about 70 KB a second, so 32 KiB keeps any rejection under a
#: second; the largest preset is about 10 KB
MAX_FILE_BYTES = 32 << 10
MAX_DEPTH = 32
MAX_NODES = 200_000


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
