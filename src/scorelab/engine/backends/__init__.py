"""Backends: where the shards of a run live (see ``base.Backend``)."""

from __future__ import annotations

from ...scenario.errors import Problem, ScenarioError
from .base import Backend
from .local import LocalBackend
from .processes import ProcessBackend
from .ray_address import check_ray_address
from .ray_backend import RayBackend

BACKENDS: dict[str, type[Backend]] = {"local": LocalBackend, "processes": ProcessBackend,
                                      "ray": RayBackend}


def get_backend(name: str, address: str | None = None, workers: int | None = None
                ) -> Backend:
    """A new backend by name; ``address`` and ``workers`` are for Ray."""
    if name not in BACKENDS:
        raise ScenarioError(Problem(f"unknown backend {name!r}; backends: {', '.join(BACKENDS)}",
                                    path="backend"))
    if name != "ray":
        if address is not None or workers is not None:
            raise ScenarioError(Problem("--address and --workers are options of --backend ray",
                                        path="backend"))
        return BACKENDS[name]()
    if workers is not None and workers < 1:
        raise ScenarioError(Problem(f"--workers must be at least 1, got {workers}",
                                    path="workers"))
    if address is not None:
        check_ray_address(address)  # in seconds, saying what to set, before anything runs
    return RayBackend(address=address, workers=workers)


__all__ = ["BACKENDS", "Backend", "LocalBackend", "ProcessBackend", "RayBackend", "get_backend"]
