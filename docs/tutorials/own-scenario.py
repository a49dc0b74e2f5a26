# %% [markdown]
# # Writing your own scenario
#
# A scenario is a YAML file. It usually starts from a built-in preset (`extends:`) and says
# only what it changes: mappings merge key by key, anything else replaces, and `null` removes
# a preset's system. No value is ever evaluated as code. This tutorial writes one that adds a
# point system to a city, checks it, runs it, and changes a parameter during the run.

# %%
import tempfile
from pathlib import Path

import plotly.io as pio

import scorelab
from scorelab.ledger.catalogue import SYSTEM
from scorelab.ledger.reading import Reading

pio.renderers.default = "plotly_mimetype+notebook"
folder = Path(tempfile.mkdtemp())

# %% [markdown]
# ## A scenario file
#
# The presets list every key with its sources in comments: `scorelab presets --show
# china-2022`. Here a province, Jiangsu, gets a point system of its own that punishes traffic
# offences hard, and Rongcheng records more good deeds. Grades are floors, highest first; a grade's sanctions
# are restrictions its holders get.

# %%
text = """\
extends: china-2022
name: strict-city
days: 90
population: {persons: 20_000, seed: 3}
systems:
  rongcheng:
    rules:
      volunteering: {coverage: 0.9, points: 5}     # record more good deeds
  jiangsu:                                         # a new system
    kind: points
    description: A provincial point system that punishes traffic offences hard
    jurisdiction: {provinces: [Jiangsu]}
    base: 1000
    grades: {A: 960, B: 850, C: 600, D: -32000}
    rules:
      traffic_offence: {coverage: 0.8, points: -60, false_rate: 0.0001}
      loan_late: {coverage: 0.5, points: -30}
    sanctions: {C: [loans], D: [loans, flights]}
"""
path = folder / "strict-city.yaml"
_ = path.write_text(text, encoding="utf-8")

# %% [markdown]
# ## Checking it
#
# `scorelab.load_scenario` reads and validates a file (as `scorelab validate` does). A
# mistake is an error that names the file, the line, the column and the field, and says what
# was expected, before anything runs:

# %%
broken = folder / "broken.yaml"
broken.write_text(text.replace("coverage: 0.8", "coverage: 8"), encoding="utf-8")
try:
    scorelab.load_scenario(broken)
except scorelab.ScenarioError as error:
    for problem in error.problems:
        print(problem)

# %% [markdown]
# A misspelt key is caught too, with a suggestion:

# %%
misspelt = folder / "misspelt.yaml"
misspelt.write_text(text.replace("jurisdiction: {provinces", "jurisdicton: {provinces"),
                    encoding="utf-8")
try:
    scorelab.load_scenario(misspelt)
except scorelab.ScenarioError as error:
    for problem in error.problems:
        print(str(problem)[:200])

# %% [markdown]
# ## Running it

# %%
scenario = scorelab.load_scenario(path)
result = scorelab.run(scenario)
result

# %% [markdown]
# The new system is audited like every other: whom it covers, scores and sanctions, and how
# many of its sanctions the truth does not support (a false record, a namesake's record, a
# record still standing after the person remedied):

# %%
reading = Reading(result.summary)
for figure in (SYSTEM.covered, SYSTEM.scored, SYSTEM.sanctioned, SYSTEM.sanctioned_wrongly):
    print(f"{figure.label:32} {reading.count(figure, 'jiangsu'):>8,.0f}")
print("sanctioned wrongly, by cause:",
      result.summary.systems["jiangsu"].sanctioned_wrongly_by_cause)

# %%
result.plot("sanctioned")

# %% [markdown]
# ## Changing a parameter during the run
#
# `schedule:` lists dated steps (`at`) and linear ramps (`at` ... `until`) of any parameter
# of the processes, systems, measures or protests. With a `start_date` the days have dates.
# Here Jiangsu's penalty for a traffic offence doubles a month in:

# %%
scheduled = folder / "strict-city-scheduled.yaml"
scheduled.write_text(text + """\
start_date: 2022-01-01
schedule:
  - {at: 2022-02-01, set: systems.jiangsu.rules.traffic_offence.points, to: -120}
""", encoding="utf-8")
later = scorelab.run(scorelab.load_scenario(scheduled))
for name, found in (("as written", result), ("with the schedule", later)):
    print(f"{name:18} jiangsu sanctioned {Reading(found.summary).count(SYSTEM.sanctioned, 'jiangsu'):,.0f}")

# %% [markdown]
# ## Repeating a run
#
# A run's `scenario.yaml` is the fully resolved scenario (the preset merged in, every default
# filled): running it again gives the same files, byte for byte. Its sha256 is in the
# summary and in the report's methods section.

# %%
out = folder / "run"
result.write(out)
again = scorelab.run(out / "scenario.yaml")
again.summary.scenario_sha256 == result.summary.scenario_sha256, again.summary == result.summary

# %% [markdown]
# Every key of a scenario is described in [The model](../model.md#scenario-keys); the
# figures a run reports in [Outputs](../outputs.md).
