"""Writing a run's files: atomically, and never over a different run.

Each file is written to a temporary name in the output folder, flushed, then renamed over
its final name, so a killed run leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import polars as pl

from ..ledger.result import Result
from ..ledger.summary import Summary
from ..scenario import ScenarioError, dump_scenario
from ..scenario.errors import Problem

OUTPUT_FILES = ("summary.json", "daily.parquet", "report.html", "scenario.yaml")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary_bytes(summary: Summary) -> bytes:
    return summary.to_json()


def daily_bytes(daily: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    daily.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def check_out_dir(out: Path, digest: str, force: bool) -> None:
    """Refuse to write into a folder holding a different run, unless forced."""
    summary = out / "summary.json"
    if force or not out.exists():
        return
    if not out.is_dir():
        raise ScenarioError(Problem(f"output path {out} exists and is not a folder", path="out"))
    if not summary.exists():
        if any(out.iterdir()):
            raise ScenarioError(Problem(
                f"output folder {out} is not empty and holds no scorelab run; "
                "choose another --out or pass --force", path="out"))
        return
    try:
        previous = json.loads(summary.read_text(encoding="utf-8")).get("scenario_sha256")
    except (OSError, ValueError):
        previous = None
    if previous != digest:
        raise ScenarioError(Problem(
            f"output folder {out} holds a different run (scenario {str(previous)[:12]}…, this "
            f"run {digest[:12]}…); choose another --out or pass --force to overwrite", path="out"))


def write_outputs(result: Result, out: Path, force: bool = False) -> dict[str, Path]:
    """Write summary.json, daily.parquet, scenario.yaml and report.html into ``out``."""
    from .html import render_report

    out = Path(out)
    check_out_dir(out, result.summary.scenario_sha256, force)
    # render everything before touching the folder: a failure leaves nothing behind
    contents = {
        "summary.json": summary_bytes(result.summary),
        "daily.parquet": daily_bytes(result.daily),
        "scenario.yaml": dump_scenario(result.scenario).encode("utf-8"),
        "report.html": render_report(result.summary, result.daily).encode("utf-8"),
    }
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in OUTPUT_FILES:
        paths[name] = out / name
        write_atomic(paths[name], contents[name])
    return paths
