"""Backends: where the shards of a run live (see ``base.Backend``)."""

from __future__ import annotations

from ...scenario.errors import Problem, ScenarioError
from .base import Backend
from .local import LocalBackend
from .processes import ProcessBackend

BACKENDS: dict[str, type[Backend]] = {"local": LocalBackend, "processes": ProcessBackend}


def get_backend(name: str) -> Backend:
    """A new backend by name."""
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ScenarioError(Problem(f"unknown backend {name!r}; backends: {', '.join(BACKENDS)}",
                                    path="backend")) from None


__all__ = ["BACKENDS", "Backend", "LocalBackend", "ProcessBackend", "get_backend"]
