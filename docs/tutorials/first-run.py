# %% [markdown]
# # A first run and its report
#
# This tutorial runs the default scenario, `china-2022`, on a small synthetic population,
# reads what it found from Python, and writes the report and a figure for a paper. It runs in
# a few seconds; every number below was computed when this page was built.
#
# `china-2022` is China as reported in 2022: a national court list of judgment defaulters and
# local point systems in four cities, none of them integrated. Every person is synthetic.

# %%
import tempfile
from pathlib import Path

import plotly.io as pio

import scorelab

# interactive in Jupyter, and still drawn when the notebook is exported to HTML
pio.renderers.default = "plotly_mimetype+notebook"
scorelab.__version__

# %% [markdown]
# ## Run
#
# `scorelab.run` takes a preset (or a scenario file) and the usual overrides. The population
# here is 10,000 synthetic persons over 60 days; the default is 1,000,000 over 365. A seed
# fixes every random draw: the same seed gives the same numbers, however the work is split.

# %%
result = scorelab.run(preset="china-2022", persons=10_000, days=60, seed=7)
result

# %% [markdown]
# A notebook shows a result as its key tables, as the command line prints them after a run:
# per system, the persons it covers (its jurisdiction), scores (those a record has reached),
# sanctions, and sanctions **wrongly** (a decision the truth does not support), simulated and
# as a national estimate (the count times the run's `scale`, real people per synthetic
# person).

# %% [markdown]
# ## The summary
#
# `result.summary` is the typed summary that `summary.json` holds. Its fields have names;
# `result.summary["..."]` gives the JSON form.

# %%
summary = result.summary
court = summary.systems["court-list"]
print(f"1 synthetic person stands for {summary.scale:,.0f} people")
print(f"court list: {court.listed:,} listed, {court.sanctioned_wrongly:,} sanctioned wrongly")
print("wrongly, by cause:", court.sanctioned_wrongly_by_cause)

# %% [markdown]
# Every figure that leaves a run has a path in the catalogue of figures, with a label and a
# unit (`scorelab figures` lists them). Reading figures through the catalogue is what the
# report, the CLI, sweeps and comparisons do, and it works the same for a replicated run,
# where every figure is the median over the replicates.

# %%
from scorelab.ledger.catalogue import SYSTEM
from scorelab.ledger.reading import Reading

reading = Reading(summary)
for name in summary.systems:
    figure = SYSTEM.share_wrongly
    share = reading.value(figure, name)
    shown = "-" if share is None else f"{share:.1%}"
    print(f"{figure.at(name):45} {figure.label}: {shown}")

# %% [markdown]
# ## The daily table
#
# `result.daily` (`daily.parquet`) has one row per day and system or measure.

# %%
result.daily.filter(result.daily["name"] == "court-list").select(
    "day", "records", "listed", "sanctioned", "sanctioned_wrongly").tail(5)

# %% [markdown]
# `result.plot(column)` draws a daily column, a line per system:

# %%
result.plot("sanctioned")

# %% [markdown]
# ## The report
#
# `result.write(folder)` writes the five files of a run: `summary.json`, `daily.parquet`,
# `cases.parquet` (the case files: dated trails of some of the synthetic persons each system
# and measure wronged, also `result.cases`), `scenario.yaml` (the resolved scenario, which
# repeats the run exactly) and `report.html`, one self-contained page that opens offline and
# leads with who was wronged. A temporary
# folder is used here; any folder will do (`scorelab run --out` writes the same files).

# %%
out = Path(tempfile.mkdtemp()) / "first-run"
files = result.write(out)
sorted(path.name for path in files.values())

# %% [markdown]
# The report's charts can be drawn here by name too (the names are the charts' ids, listed
# by `scorelab plot OUT --list`):

# %%
result.plot("provinces")

# %% [markdown]
# ## A figure for a paper
#
# `result.plot(name, path="file.png")` also saves the chart as a PNG, SVG or PDF file with a
# title, axis labels with units and a caption naming the scenario, the seed and the version;
# `scorelab plot OUT --format svg` saves every chart of a finished run. Drawing files needs a
# headless Chromium on the machine, so this page does not run it:
#
# ```python
# result.plot("provinces", path="provinces.pdf")
# scorelab.save_figures(out, format="svg")   # every chart, into first-run-figures/
# ```
#
# Next: [How many innocents would a phone scanner flag?](phone-scanner.py) runs a scenario
# many times to put intervals on its figures.
