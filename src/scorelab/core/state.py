"""The state of live objects as plain data, and back: for checkpoints.

``capture(obj)`` walks an object's attributes and returns a JSON-able tree plus a dict of
numpy arrays; ``restore(obj, tree, arrays)`` writes them back into an object of the same
shape (one built afresh from the same plan). Values of the ``skip`` types (the plan, specs,
the population, random streams: everything rebuilt from the plan) are left as they are.
Nothing is pickled, so loading a checkpoint never runs code: arrays are read with
``allow_pickle=False`` and the tree is JSON.

Limits, by design of a walk over attributes: a value reachable from two places comes back as
two copies (the parts of today's kinds share none but the plan's), and an object that a part
creates after it is built cannot be restored into (parts create arrays and plain values).
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

import numpy as np

Tree = Any
_KEEP = {"$keep": True}  # a value rebuilt from the plan, not saved
_FACTORIES: dict[Any, str] = {f: f.__name__ for f in (list, int, dict)}
_BY_NAME: dict[str, Any] = {name: factory for factory, name in _FACTORIES.items()}


def _is_part(value: Any) -> bool:
    """An instance of a plain class (a part of the model, scorelab's or a plugin kind's),
    whose attributes are its state; a frozen dataclass cannot be restored, so it is not one."""
    kind = type(value)
    if isinstance(value, type) or not hasattr(value, "__dict__") \
            or kind.__module__ in ("builtins", "types"):
        return False
    params = getattr(kind, "__dataclass_params__", None)
    return params is None or not params.frozen


class StateError(ValueError):
    """A value that cannot be saved, or a saved state that does not fit the object."""


def capture(obj: Any, skip: tuple[type, ...]) -> tuple[Tree, dict[str, np.ndarray]]:
    """The state of ``obj`` as (tree, arrays)."""
    arrays: dict[str, np.ndarray] = {}

    def walk(value: Any) -> Tree:
        if isinstance(value, skip):
            return _KEEP
        if isinstance(value, np.ndarray):
            key = f"a{len(arrays)}"
            arrays[key] = value
            return {"$array": key}
        if isinstance(value, np.generic):
            return {"$scalar": value.dtype.str, "value": value.item()}
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, defaultdict):
            factory = _FACTORIES.get(value.default_factory)
            if factory is None:
                raise StateError(f"cannot save a defaultdict of {value.default_factory!r}")
            return {"$defaultdict": factory, "items": [[dict_key(k), walk(v)]
                                                       for k, v in value.items()]}
        if isinstance(value, dict):
            return {"$dict": [[dict_key(k), walk(v)] for k, v in value.items()]}
        if isinstance(value, deque):
            return {"$deque": [walk(v) for v in value], "maxlen": value.maxlen}
        if isinstance(value, (list, tuple)):
            return {"$list" if isinstance(value, list) else "$tuple": [walk(v) for v in value]}
        if _is_part(value):
            return {"$object": type(value).__name__,
                    "attrs": {k: walk(v) for k, v in vars(value).items()}}
        raise StateError(f"cannot save a {type(value).__name__}")

    def dict_key(k: Any) -> Any:
        if isinstance(k, bool) or not isinstance(k, (int, str)):
            raise StateError(f"cannot save a dict key {k!r} (keys are text or whole numbers)")
        return k

    return walk(obj), arrays


def _has_keep(node: Tree) -> bool:
    if node == _KEEP:
        return True
    if isinstance(node, dict):
        return any(_has_keep(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_keep(v) for v in node)
    return False


def restore(obj: Any, tree: Tree, arrays: dict[str, np.ndarray]) -> Any:
    """Write a captured state back into ``obj`` (built from the same plan). Objects are
    restored in place; the restored value is returned (a new one for plain containers)."""

    def value(existing: Any, node: Tree) -> Any:
        if not isinstance(node, dict):
            plain = (bool, int, float, str)
            if isinstance(existing, plain) and type(node) is not type(existing) \
                    and not (isinstance(existing, float) and type(node) is int):
                raise StateError(f"a saved {type(node).__name__} where the run holds a "
                                 f"{type(existing).__name__}")
            return node
        if node == _KEEP:
            return existing
        if "$array" in node:
            try:
                array = np.array(arrays[node["$array"]])
            except KeyError:
                raise StateError(f"array {node['$array']!r} is missing") from None
            if isinstance(existing, np.ndarray) and array.dtype != existing.dtype:
                raise StateError(f"a saved array of {array.dtype} where the run holds "
                                 f"{existing.dtype}")
            return array
        if "$scalar" in node:
            return np.dtype(node["$scalar"]).type(node["value"])
        if "$object" in node:
            if type(existing).__name__ != node["$object"]:
                raise StateError(f"state of a {node['$object']} does not fit a "
                                 f"{type(existing).__name__}")
            for name, child in node["attrs"].items():
                if child == _KEEP:
                    continue
                if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
                    raise StateError(f"{name!r} is not an attribute a state may set")
                # (an attribute may first be set during the run, not when the part is built)
                setattr(existing, name, value(getattr(existing, name, None), child))
            return existing
        if "$dict" in node or "$defaultdict" in node:
            items = node["$dict"] if "$dict" in node else node["items"]
            old = existing if isinstance(existing, dict) else {}
            restored = {k: value(old.get(k), v) for k, v in items}
            if "$defaultdict" in node:
                out: dict[Any, Any] = defaultdict(_BY_NAME[node["$defaultdict"]])
                out.update(restored)
                return out
            return restored
        if "$deque" in node:
            return deque((value(None, v) for v in node["$deque"]), maxlen=node.get("maxlen"))
        kind = "$list" if "$list" in node else "$tuple"
        items = node[kind]
        if _has_keep(node):
            # it holds parts rebuilt from the plan: its objects are restored in place (its
            # other values are configuration, rebuilt from the plan as well)
            if not isinstance(existing, (list, tuple)) or len(existing) != len(items):
                raise StateError("a saved list does not fit the one rebuilt from the plan")
            for old, child in zip(existing, items):
                if isinstance(child, dict) and ("$object" in child or "$list" in child
                                                or "$tuple" in child):
                    value(old, child)
            return existing
        restored_items = [value(old, v) for old, v in zip(_padded(existing, len(items)), items)]
        return restored_items if kind == "$list" else tuple(restored_items)

    return value(obj, tree)


def _padded(existing: Any, n: int) -> list[Any]:
    items = list(existing) if isinstance(existing, (list, tuple)) else []
    return (items + [None] * n)[:n]
