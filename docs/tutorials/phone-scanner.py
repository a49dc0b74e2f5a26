# %% [markdown]
# # How many innocents would a phone scanner flag?
#
# The `phone-scanner` preset is hypothetical: a program on every phone matches each photo
# against a list of protest images, flags an owner after 3 matches in 30 days, and cuts the
# flagged off social media after human review. It does not exist; reporting often assumes
# something like it does. Its parameters (12 photos a day, a 0.1% false-match rate) are
# assumptions meant to be varied, listed in [Sources](../sources.md).
#
# This tutorial asks how many people who never protested it would flag, puts an interval on
# the answer with replicates, and sweeps the false-match rate. The population is small so
# the page builds in seconds; the figures are the method, not a finding.

# %%
import tempfile
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

import scorelab
from scorelab.ledger.catalogue import MEASURE
from scorelab.ledger.reading import Reading
from scorelab.scenario import load_scenario

pio.renderers.default = "plotly_mimetype+notebook"
SIZE = {"population": {"persons": 10_000}, "days": 60}

# %% [markdown]
# ## One run
#
# A measure's figures split the flagged by what they really did: participants of a protest
# are flagged rightly; bystanders, recipients of forwarded photos and the uninvolved are
# innocents.

# %%
scanner = load_scenario(preset="phone-scanner", overrides=SIZE)
one = scorelab.run(scanner)
measure = one.summary.measures["scanner"]
print(f"flagged {measure.flagged:,}: participants {measure.flagged_rightly:,}, "
      f"innocents {measure.flagged_wrongly_total:,} {dict(measure.flagged_wrongly)}")

# %% [markdown]
# On so few persons over two months hardly anyone takes part in a protest, so almost no one
# is flagged rightly; innocents are flagged all the same, because a false match needs no
# protest, only photos.
#
# ## Replicates: how sure is that?
#
# One run answers for one seed. With `replicates=R` the scenario runs R times with seeds
# derived from its own (replicate 0 is the run above); every figure is then the median over
# the replicates with the range where 95% of them fall. `backend="processes"` would spread
# the runs over the cores; the numbers do not depend on it.

# %%
replicated = scorelab.run(scanner, replicates=5)
reading = Reading(replicated.summary)
for figure in (MEASURE.flagged, MEASURE.flagged_rightly, MEASURE.flagged_wrongly_total):
    found = reading.interval(figure, "scanner")
    print(f"{figure.label:32} median {found.median:>7,.0f}   "
          f"95% of runs {found.low:,.0f} to {found.high:,.0f}")

# %% [markdown]
# As a national estimate each count is multiplied by the run's `scale` (real people per
# synthetic person). At this population size the estimate carries the sampling error of a
# small synthetic population, so treat it as an order of magnitude.

# %%
innocents = reading.interval(MEASURE.flagged_wrongly_total, "scanner")
scale = replicated.summary.scale
print(f"innocents flagged, national estimate: {innocents.median * scale:,.0f} "
      f"({innocents.low * scale:,.0f} to {innocents.high * scale:,.0f})")

# %% [markdown]
# `plot` draws a daily column with the median a day and its band over the replicates:

# %%
replicated.plot("flagged_wrongly")

# %% [markdown]
# ## A sweep over the false-match rate
#
# `scorelab.sweep` runs a grid of parameter values (here three false-match rates) with
# replicates at each point, one row a run in `sweep.parquet`, and writes `sweep.html`: each
# key figure against each parameter with its band. A parameter is named by its path in the
# resolved scenario (`scorelab presets --show phone-scanner`).

# %%
out = Path(tempfile.mkdtemp()) / "fpr-sweep"
found = scorelab.sweep(scanner, ["measures.scanner.match_fpr=0.0001,0.001,0.01"],
                       replicates=3, out=out)
print(f"{found.runs} runs; {found.page.name} and {found.table.name} in {out.name}/")

# %%
import polars as pl

table = pl.read_parquet(found.table)
innocent = MEASURE.flagged_wrongly_total.at("scanner")
table.group_by("param.measures.scanner.match_fpr").agg(
    pl.col(innocent).median().alias("innocents flagged (median)"),
    pl.col(innocent).min().alias("fewest"), pl.col(innocent).max().alias("most"),
).sort("param.measures.scanner.match_fpr")

# %% [markdown]
# The sweep page's charts are plotly figures; here is the one of innocents flagged against
# the false-match rate (on a log axis, since the rates span two orders of magnitude):

# %%
from scorelab.report.export import sweep_charts

charts = {chart.name: chart for chart in sweep_charts(table, scanner.name)}
chart = charts[f"sweep-{innocent}-by-measures.scanner.match_fpr"]
go.Figure(chart.responsive())

# %% [markdown]
# `scorelab plot OUT --format pdf` saves every chart of a sweep folder as a file for a paper,
# with the scenario, seed and version in its caption.
#
# ## A design built to keep false flags rare
#
# The `hash-threshold` preset is the same scanner with the parameters of the one published
# design of this kind (Apple, 2021: 3 false matches per 100 million images, a threshold of
# 30 and human review). On the same population:

# %%
apple = scorelab.run(load_scenario(preset="hash-threshold", overrides=SIZE), replicates=5)
apple_innocents = Reading(apple.summary).interval(MEASURE.flagged_wrongly_total, "scanner")
print(f"innocents flagged: phone-scanner {innocents.median:,.0f}, "
      f"hash-threshold {apple_innocents.median:,.0f} (medians of 5 replicates)")

# %% [markdown]
# From the command line the same comparison is `scorelab compare out/a out/b`, which checks
# that both runs are of one population and shows each figure's difference from the first.
# A global sensitivity analysis (`scorelab.sensitivity`, Sobol or Morris indices) says which
# parameters move the count most; see [Outputs](../outputs.md#experiments).
