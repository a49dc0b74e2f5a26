"""Backends: where the shards of a run live, and where an experiment's whole runs go (see
``base.Backend``). One registry, ``BACKENDS``: another backend is one module and one entry."""

from __future__ import annotations

from ...scenario.errors import Problem, ScenarioError, short
from .base import Backend
from .local import LocalBackend
from .processes import ProcessBackend
from .ray_address import check_ray_address
from .ray_backend import RayBackend

BACKENDS: dict[str, type[Backend]] = {"local": LocalBackend, "processes": ProcessBackend,
                                      "ray": RayBackend}


def check_backend(name: str, address: str | None = None, workers: int | None = None,
                  whole_runs: bool = False) -> None:
    """Check a backend's settings, before anything runs or any folder is touched: its name,
    its options, and a Ray cluster's ``address`` (in seconds, saying what to set)."""
    if name not in BACKENDS:
        raise ScenarioError(Problem(f"unknown backend {name!r}; backends: {', '.join(BACKENDS)}",
                                    path="backend"))
    if whole_runs:
        if address is not None and name != "ray":
            raise ScenarioError(Problem("--address is an option of --backend ray",
                                        path="address"))
    elif name != "ray" and (address is not None or workers is not None):
        raise ScenarioError(Problem("--address and --workers are options of --backend ray",
                                    path="backend"))
    if workers is not None and workers < 1:
        raise ScenarioError(Problem(f"--workers must be at least 1, got {short(workers)}",
                                    path="workers"))
    if address is not None:
        check_ray_address(address)


def get_backend(name: str, address: str | None = None, workers: int | None = None,
                whole_runs: bool = False) -> Backend:
    """A new backend by name. For the shards of one run, ``address`` and ``workers`` are
    Ray's; for whole runs (``whole_runs``), ``workers`` is how many run at once on the
    processes backend or Ray, and ``address`` Ray's cluster."""
    check_backend(name, address, workers, whole_runs)
    return BACKENDS[name](address=address, workers=workers)


__all__ = ["BACKENDS", "Backend", "LocalBackend", "ProcessBackend", "RayBackend", "check_backend",
           "get_backend"]
