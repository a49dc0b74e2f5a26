"""What a run's folder holds: the bytes of each file, all rendered before anything is
written, then published whole through :class:`~scorelab.report.folder.OutputFolder`."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ..ledger.result import Result
from ..ledger.summary import Summary
from ..scenario import dump_scenario
from .folder import OUTPUT_FILES, OutputFolder

__all__ = ["OUTPUT_FILES", "daily_bytes", "output_contents", "summary_bytes",
           "write_comparison", "write_outputs"]


def summary_bytes(summary: Summary) -> bytes:
    return summary.to_json()


def daily_bytes(daily: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    daily.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def output_contents(result: Result, scenario_yaml: str | None = None) -> dict[str, bytes]:
    """The bytes of every output file, rendered before anything is written
    (``scenario_yaml``: the scenario's ``dump_scenario`` text, when the caller has it)."""
    from .html import render_report

    if scenario_yaml is None:
        scenario_yaml = dump_scenario(result.scenario)
    out = {
        "summary.json": summary_bytes(result.summary),
        "daily.parquet": daily_bytes(result.daily),
        "scenario.yaml": scenario_yaml.encode("utf-8"),
        "report.html": render_report(result.summary, result.daily, result.cases
                                     ).encode("utf-8"),
    }
    if result.cases is not None:
        out["cases.parquet"] = daily_bytes(result.cases)
    return out



def write_outputs(result: Result, out: Path, force: bool = False) -> dict[str, Path]:
    """Write summary.json, daily.parquet, scenario.yaml, report.html and (with case files)
    cases.parquet into ``out``."""
    out = Path(out)
    with OutputFolder(out, result.summary.scenario_sha256, force) as folder:
        contents = output_contents(result)
        folder.publish(contents)
    return {name: out / name for name in OUTPUT_FILES if name in contents}


def write_comparison(runs: Sequence[Any], out: Path, force: bool = False) -> Path:
    """Write the page comparing ``runs`` (each with ``label``, ``summary``, ``daily``) to the
    file ``out``, whole or not at all; an existing file that is not a comparison page
    scorelab wrote is only replaced with ``force``."""
    from .compare import render_comparison

    out = Path(out)
    with OutputFolder(out, "", force, kind="page") as target:
        page = render_comparison([(r.label, r.summary, r.daily) for r in runs])
        target.publish({target.name: page.encode("utf-8")})
    return out
