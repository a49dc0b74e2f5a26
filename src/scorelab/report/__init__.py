"""Outputs: summary.json, daily.parquet, scenario.yaml and the HTML report (and the page that
compares runs)."""

from .compare import render_comparison
from .files import OUTPUT_FILES, write_outputs
from .html import render_report

__all__ = ["OUTPUT_FILES", "render_comparison", "render_report", "write_outputs"]
