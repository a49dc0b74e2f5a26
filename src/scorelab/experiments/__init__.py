"""Experiments: many runs of one scenario (replicates over seeds, sweeps over a grid,
sensitivity analysis) and comparisons of finished runs."""
