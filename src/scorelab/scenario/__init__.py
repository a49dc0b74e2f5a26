"""Scenario files: schema, loading with positions, presets."""

from .errors import Problem, ScenarioError
from .loader import (
    dump_scenario,
    load_scenario,
    preset_description,
    preset_names,
    preset_text,
    scenario_digest,
)
from .schema import SANCTIONS, Scenario

__all__ = [
    "SANCTIONS",
    "Problem",
    "Scenario",
    "ScenarioError",
    "dump_scenario",
    "load_scenario",
    "preset_description",
    "preset_names",
    "preset_text",
    "scenario_digest",
]
