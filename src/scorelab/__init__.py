"""scorelab: a laboratory for social-credit-style scoring and control systems.

Build a synthetic population, run the scoring systems a scenario describes over it day by
day, and measure whom they reach and whom they wrong.

>>> import scorelab
>>> result = scorelab.run(preset="china-2022", persons=2000, days=10)
>>> result.summary.persons
2000

The names below are loaded on first use, so importing a low layer (``scorelab.core``) does
not pull in the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .core.version import __version__

if TYPE_CHECKING:
    from .api import Result, compare, explore, resume, run, save_figures, sensitivity, sweep
    from .ledger.summary import Summary
    from .scenario import Scenario, ScenarioError, load_scenario, preset_names
    from .scenario.plan import Plan
    from .scenario.plan import compile as compile_plan

_EXPORTS = {
    "run": ("api", "run"),
    "resume": ("api", "resume"),
    "sweep": ("api", "sweep"),
    "sensitivity": ("api", "sensitivity"),
    "compare": ("api", "compare"),
    "save_figures": ("api", "save_figures"),
    "explore": ("api", "explore"),
    "Result": ("api", "Result"),
    "Summary": ("ledger.summary", "Summary"),
    "Scenario": ("scenario", "Scenario"),
    "ScenarioError": ("scenario", "ScenarioError"),
    "load_scenario": ("scenario", "load_scenario"),
    "preset_names": ("scenario", "preset_names"),
    "Plan": ("scenario.plan", "Plan"),
    "compile_plan": ("scenario.plan", "compile"),
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, attr = _EXPORTS[name]
        return getattr(import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'scorelab' has no attribute {name!r}")


__all__ = ["Plan", "Result", "Scenario", "ScenarioError", "Summary", "__version__", "compare",
           "compile_plan", "explore", "load_scenario", "preset_names", "resume", "run",
           "save_figures", "sensitivity", "sweep"]
