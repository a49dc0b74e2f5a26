# %% [markdown]
# # What an integrated score would add
#
# China has no single national social credit score: the court list, city point systems and
# bank credit scores are run by different agencies and are not merged. Reporting often
# assumes they are. The `integrated` preset is that hypothetical: every source's records are
# linked to persons by probabilistic record linkage (splink, on DuckDB) on the identities each
# source wrote down, one composite score is computed per linked cluster, and it sanctions.
#
# Linking is where it goes wrong. A source writes a name with a typo, a pinyin variant, a
# birth date with day and month swapped, an ID number with a wrong digit, or leaves a field
# out. Two records of one person left apart are a **split** (a person's bad record may escape
# the composite); two persons joined are a **wrong merge** (one may be sanctioned for the
# other's record). scorelab knows the truth behind every record, so it counts both.

# %%
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

import scorelab
from scorelab.ledger.catalogue import INTEGRATION
from scorelab.ledger.reading import Reading
from scorelab.scenario import load_scenario

pio.renderers.default = "plotly_mimetype+notebook"
pl.Config.set_tbl_rows(20).set_fmt_str_lengths(70)

# %% [markdown]
# ## The preset as it is
#
# 10,000 synthetic persons, 30 warm-up days and 30 reported days, with one linkage at the end
# (the preset links once a month). `u_max_pairs` makes splink's training sample smaller than
# the preset's, so the page builds in seconds.

# %%
SIZE = {"population": {"persons": 10_000}, "days": 30, "warmup_days": 30,
        "integration": {"linkage": {"u_max_pairs": 20_000}}}
preset = load_scenario(preset="integrated", overrides=SIZE)
result = scorelab.run(preset)
result

# %% [markdown]
# The summary's `integration` section holds the last linkage against the truth. Its figures
# are in the catalogue (`INTEGRATION`), with their labels:

# %%
SHOWN = (INTEGRATION.records, INTEGRATION.clusters, INTEGRATION.precision,
         INTEGRATION.recall, INTEGRATION.wrongful_merges, INTEGRATION.split_persons,
         INTEGRATION.sanctioned, INTEGRATION.sanctioned_with_perfect_linkage,
         INTEGRATION.sanctioned_by_merge, INTEGRATION.sanctioned_by_split,
         INTEGRATION.escaped_by_split, INTEGRATION.fragmented_sanctioned_any)


def linkage(results: dict[str, scorelab.Result]) -> pl.DataFrame:
    """One row per figure, one column per run."""
    rows = {"figure": [f.label for f in SHOWN]}
    for label, found in results.items():
        reading = Reading(found.summary)
        rows[label] = [reading.value(f) for f in SHOWN]
    return pl.DataFrame(rows)


linkage({"preset": result})

# %% [markdown]
# Pairwise **precision** is the share of linked record pairs that really are one person;
# **recall** the share of one person's record pairs that were linked. With the preset's noise
# (a few percent of fields garbled per source) and the ID number as the first blocking rule,
# the linkage is nearly perfect at this size, and the composite sanctions about as many
# persons as the separate systems together.
#
# ## Noisier records, a looser threshold
#
# The noise rates and the match threshold are assumptions (see [Sources](../sources.md)).
# Five times the preset's noise, and clusters joined at a match probability of 0.5 instead
# of 0.95:

# %%
noise = {name: {key: min(0.5, 5 * rate) for key, rate in source.model_dump().items()}
         for name, source in preset.integration.sources.items()}
noisy = scorelab.run(load_scenario(preset="integrated", overrides={
    **SIZE, "integration": {"sources": noise,
                            "linkage": {"u_max_pairs": 20_000, "threshold": 0.5}}}))

# %% [markdown]
# ## Sources without ID numbers
#
# Many local systems record a name and a birth date, not the 18-character resident ID. What
# if the ID number is wrong or missing in half the records?

# %%
no_ids = {name: {**rates, "id_digit": 0.5, "missing": 0.5} for name, rates in noise.items()}
without_ids = scorelab.run(load_scenario(preset="integrated", overrides={
    **SIZE, "integration": {"sources": no_ids, "linkage": {"u_max_pairs": 20_000}}}))

table = linkage({"preset": result, "noisy, threshold 0.5": noisy,
                 "half the IDs missing": without_ids})
table

# %%
figures = ("pairwise precision", "pairwise recall")
fig = go.Figure([go.Bar(name=label, x=list(figures),
                        y=table.filter(pl.col("figure").is_in(figures))[label].to_list())
                 for label in table.columns[1:]])
fig.update_layout(barmode="group", title="Linkage quality of the last linkage",
                  yaxis_title="share of record pairs", yaxis_range=[0, 1.05])

# %% [markdown]
# What to read from this: noisy identities split persons long before they merge them, so the
# first cost of integration is records that never meet their person; without reliable ID
# numbers the preset's linkage finds few of a person's other records at all (recall
# collapses), because its blocking rules and its trained model lean on the ID. Wrong merges
# need namesakes, and namesakes grow with the population: a 200,000-person run of the preset
# made one wrong merge whose other person was sanctioned only because of it (see
# [Scale](../scale.md)). The rows "only because of a wrong merge" and "only because of a
# split" say whether the composite's sanctions moved in these small runs; run the preset at
# its default size to see more of them: `scorelab run --preset integrated` (1,000,000 persons
# and a linkage a month, about two minutes of CPU: bench/RESULTS.md).
#
# [Outputs](../outputs.md) lists every figure of the `integration` section, and
# [The model](../model.md#integration-the-hypothetical-national-score) how the linkage and
# the composite work.
