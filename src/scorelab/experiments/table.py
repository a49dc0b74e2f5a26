"""A results table on disk: one Parquet file per finished run, in a folder.

Each run's row is written to ``runs/<key>.parquet`` under a temporary name and renamed, so a
part is either whole or absent; a run whose part exists is done, which makes an interrupted
experiment resumable. Rows are never all held in memory: readers scan the folder lazily
(``polars.scan_parquet``), and :meth:`RunTable.finish` streams them into one file.
A manifest (``experiment.json``) records what the experiment is, so a folder is only ever
resumed by the same experiment.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from ..scenario.errors import Problem, ScenarioError

MANIFEST = "experiment.json"


class RunTable:
    """The folder of an experiment's rows (see the module docstring)."""

    def __init__(self, folder: Path, manifest: dict[str, Any], force: bool = False) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / "runs"
        path = self.folder / MANIFEST
        if path.exists() and not force:
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = None
            if old != manifest:
                raise ScenarioError(Problem(
                    f"{self.folder} holds another experiment (or another version of this "
                    "one); give another --out, or --force to start it afresh",
                    path="--out"))
        elif self.folder.exists() and any(self.folder.iterdir()) and not force \
                and not path.exists():
            raise ScenarioError(Problem(f"{self.folder} exists and is not an experiment's "
                                        "folder; give another --out", path="--out"))
        if force and self.parts.exists():
            for part in self.parts.glob("*.parquet"):
                part.unlink()
        self.parts.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))

    def done(self, key: str) -> bool:
        return (self.parts / f"{key}.parquet").exists()

    def add(self, key: str, row: dict[str, Any]) -> None:
        """Write one run's row (whole or not at all)."""
        target = self.parts / f"{key}.parquet"
        temporary = self.parts / f".{key}.{os.getpid()}.tmp"
        pl.DataFrame([row]).write_parquet(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)

    def scan(self) -> pl.LazyFrame:
        return pl.scan_parquet(self.parts / "*.parquet", missing_columns="insert",
                               extra_columns="ignore")

    def finish(self, name: str, sort: list[str]) -> Path:
        """Stream every row, sorted, into ``<folder>/<name>`` and return its path."""
        target = self.folder / name
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        self.scan().sort(sort).sink_parquet(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        return target


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
