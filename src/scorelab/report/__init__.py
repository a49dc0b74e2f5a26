"""Outputs: summary.json, daily.parquet, scenario.yaml and the HTML report."""

from .files import OUTPUT_FILES, write_outputs

__all__ = ["OUTPUT_FILES", "write_outputs"]
