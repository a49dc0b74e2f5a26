"""Registries of system and measure kinds: ``kind:`` name -> the part that implements it.

A kind is one module (its spec model, its shard part with its totals and summary model, and
for measures its global coordinator) plus one line in its family's registry
(``systems/registry.py``, ``finance/registry.py``, ``measures/registry.py``). The registry
feeds the scenario schema (``kind:`` picks the spec model), the loader's error messages (valid
keys and kinds), the plan (stream names), the memory estimate (columns), the engine (the
part), the ledger and the summary (``kind`` picks the summary model).

Each family's registry is typed with its own part class and lives in the family's layer. The
scenario layer sits below the parts, so it cannot import them; like a plugin system it loads
a family's registry module by name the first time a kind is looked up (``FAMILIES``).
"""

from __future__ import annotations

import importlib
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from ..core.columns import Column
from ..core.results import kind_of


class KindPart(Protocol):
    """What every layer may read of a kind's part (a class): its name, its spec and summary
    models, and its column table (every per-person column it allocates)."""

    @property
    def kind(self) -> str: ...

    @property
    def Spec(self) -> type[BaseModel]: ...

    @property
    def Summary(self) -> type[BaseModel]: ...

    def table(self, spec: Any) -> tuple[Column, ...]: ...


P = TypeVar("P", bound=KindPart)


class Kinds(Generic[P]):
    """The kinds of one family (``systems`` or ``measures``); ``more`` names modules that
    register more kinds of the family from a higher layer (loaded on the first look-up)."""

    def __init__(self, family: str, *more: str) -> None:
        self.family = family
        self.more = more
        self._parts: dict[str, P] = {}
        self._loaded = False

    def register(self, part: P) -> P:
        """Add a kind; its ``kind`` name must be new, and its spec and summary models must
        declare it. Returns the part (usable as a decorator)."""
        kind = part.kind
        if kind in self._parts and self._parts[kind] is not part:
            raise ValueError(f"{self.family} kind {kind!r} is registered twice")
        for role, model in (("Spec", part.Spec), ("Summary", part.Summary)):
            try:
                declared = kind_of(model)
            except (KeyError, ValueError):
                declared = None
            if declared != kind:
                name = getattr(part, "__name__", kind)
                raise ValueError(f"{name}.{role} must declare kind: Literal[{kind!r}]")
        self._parts[kind] = part
        return part

    def unregister(self, kind: str) -> None:
        self._parts.pop(kind, None)

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self.more:
                importlib.import_module(module)

    def names(self) -> list[str]:
        self._load()
        return list(self._parts)

    def part(self, kind: str) -> P:
        """The part of a kind (KeyError for an unknown kind)."""
        self._load()
        return self._parts[kind]

    def spec(self, kind: str) -> type[BaseModel] | None:
        self._load()
        part = self._parts.get(kind)
        return part.Spec if part is not None else None

    def summaries(self) -> dict[str, type[BaseModel]]:
        """Every kind's summary model, by kind."""
        self._load()
        return {kind: part.Summary for kind, part in self._parts.items()}


class Family:
    """A family's registry as the scenario layer reaches it: by the name of the module that
    defines it (as ``KINDS``), imported on first use."""

    def __init__(self, module: str) -> None:
        self.module = module

    @property
    def kinds(self) -> Kinds[Any]:
        found = importlib.import_module(self.module).KINDS
        assert isinstance(found, Kinds)
        return found

    def names(self) -> list[str]:
        return self.kinds.names()

    def part(self, kind: str) -> KindPart:
        part: KindPart = self.kinds.part(kind)
        return part

    def spec(self, kind: str) -> type[BaseModel] | None:
        return self.kinds.spec(kind)


FAMILIES = {"systems": Family("scorelab.systems.registry"),
            "measures": Family("scorelab.measures.registry")}
