"""Registries of system and measure kinds: ``kind:`` name -> the part that implements it.

A kind is one module (its spec model, its shard part, and for measures its global
coordinator) plus one line in its family's registry (``systems/registry.py``,
``finance/registry.py``, ``measures/registry.py``). The registry feeds the scenario schema (``kind:`` picks the spec
model), the loader's error messages (valid keys and kinds), the plan (stream names) and, through
the part, the engine and the ledger.

The scenario layer sits below the parts, so it cannot import them; like a plugin system it
loads each family's registry module by name the first time a kind is looked up.
"""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import BaseModel


class Kinds:
    """The kinds of one family (``systems`` or ``measures``)."""

    def __init__(self, family: str, *registry_modules: str) -> None:
        self.family = family
        self.registry_modules = registry_modules
        self._parts: dict[str, Any] = {}
        self._loaded = False

    def register(self, part: Any) -> Any:
        """Add a kind; its ``kind`` name must be new. Returns the part (usable as a
        decorator)."""
        kind = part.kind
        if kind in self._parts and self._parts[kind] is not part:
            raise ValueError(f"{self.family} kind {kind!r} is registered twice")
        spec_kind = part.Spec.model_fields["kind"].annotation
        if getattr(spec_kind, "__args__", None) != (kind,):
            raise ValueError(f"{part.__name__}.Spec must declare kind: Literal[{kind!r}]")
        self._parts[kind] = part
        return part

    def unregister(self, kind: str) -> None:
        self._parts.pop(kind, None)

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self.registry_modules:
                importlib.import_module(module)

    def names(self) -> list[str]:
        self._load()
        return list(self._parts)

    def part(self, kind: str) -> Any:
        """The part of a kind (KeyError for an unknown kind)."""
        self._load()
        return self._parts[kind]

    def spec(self, kind: str) -> type[BaseModel] | None:
        self._load()
        part = self._parts.get(kind)
        return part.Spec if part is not None else None


#: financial scores are system kinds that live in their own layer above the systems
SYSTEM_KINDS = Kinds("systems", "scorelab.systems.registry", "scorelab.finance.registry")
MEASURE_KINDS = Kinds("measures", "scorelab.measures.registry")
FAMILIES = {"systems": SYSTEM_KINDS, "measures": MEASURE_KINDS}
