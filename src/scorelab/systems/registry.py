"""System kinds by name: a new kind is one module and one entry here."""

from __future__ import annotations

from typing import Any

from ..scenario.schema import ProcessSpec, Scenario
from .lists import ListState
from .points import PointsState

SYSTEM_KINDS: dict[str, Any] = {"points": PointsState, "list": ListState}


def build_system(name: str, scenario: Scenario, pop: Any, streams: Any) -> Any:
    spec = scenario.systems[name]
    if spec.kind == "list":
        process: tuple[str, ProcessSpec] | None = None
        for pname, proc in scenario.processes.items():
            if spec.entry.event in proc.events():
                process = (pname, proc)
        return ListState(name, spec, pop, streams, scenario.days, scenario.warmup_days, process)
    return SYSTEM_KINDS[spec.kind](name, spec, pop, streams, scenario.days, scenario.warmup_days)


def stream_names(scenario: Scenario) -> list[str]:
    """Every random stream the systems of a scenario use."""
    from .base import SystemState
    from .records import Recorder

    names: list[str] = []
    for name, spec in scenario.systems.items():
        events = list(spec.rules) if spec.kind == "points" else [spec.entry.event]
        for event in events:
            names += Recorder.stream_names(name, event)
        names += SystemState.appeal_streams(name)
        if spec.kind == "list":
            names += ListState.stream_names(name)
    return names
