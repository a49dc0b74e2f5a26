"""scorelab: a laboratory for social-credit-style scoring and control systems.

Build a synthetic population, run the scoring systems a scenario describes over it day by
day, and measure whom they reach and whom they wrong.

>>> import scorelab
>>> result = scorelab.run(preset="china-2022", persons=2000, days=10)
>>> result.summary["persons"]
2000
"""

from importlib.metadata import PackageNotFoundError, version

from .api import run
from .ledger.result import Result
from .scenario import Scenario, ScenarioError, load_scenario, preset_names

try:
    __version__ = version("scorelab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = ["Result", "Scenario", "ScenarioError", "__version__", "load_scenario",
           "preset_names", "run"]
