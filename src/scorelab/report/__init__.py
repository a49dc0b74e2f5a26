"""Outputs: summary.json, daily.parquet, scenario.yaml and the HTML report."""

from .files import OUTPUT_FILES, write_outputs
from .html import render_report

__all__ = ["OUTPUT_FILES", "render_report", "write_outputs"]
