"""A results table on disk: one Parquet file per finished run, published whole at the end.

The experiment's output folder is claimed, locked and published like a run's
(``report.folder.OutputFolder``): checked before the first run, locked while the experiment
runs, and renamed into place whole at the end, so a killed experiment leaves the previous
folder as it was. Until then each finished run's row is kept beside it, in the output's
``.<name>.checkpoint/runs/<key>.parquet`` (written under a temporary name and renamed, so a
part is whole or absent); a run whose part exists is done, which makes an interrupted
experiment resumable: the same experiment run again goes on from there (its manifest,
``experiment.json``, says which experiment it is). The published folder holds
``experiment.json``, ``runs/`` and the tables. Rows are never all held in memory: readers scan
the parts lazily (``polars.scan_parquet``), and :meth:`RunTable.finish` streams them into one
file.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Self

import polars as pl

from ..core.faults import pause_point
from ..core.owned import make_owned
from ..engine.checkpoint import FORMAT, TOKEN
from ..report.folder import OutputFolder, experiment_digest

MANIFEST = "experiment.json"


class RunTable:
    """The rows of one experiment (see the module docstring); a context manager holding the
    output folder's lock."""

    def __init__(self, folder: Path, manifest: dict[str, Any], force: bool = False) -> None:
        self.folder = Path(folder)
        self.manifest = manifest
        self.output = OutputFolder(self.folder, experiment_digest(manifest), force,
                                   kind="experiment")
        self.work = self.output.checkpoint_dir
        self.parts = self.work / "runs"

    def __enter__(self) -> Self:
        self.output.claim()
        try:
            self._open()
        except BaseException:
            self.output.release()
            raise
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is not None and self.work.exists() and not any(self.parts.glob("*.parquet")):
            self.output.remove_checkpoint()  # failed before any run finished: nothing to keep
        self.output.release()

    def _open(self) -> None:
        """Go on with this experiment's kept rows, or start them (with the rows of the same
        experiment already published, unless --force starts it afresh)."""
        if (self.work / "manifest.json").exists():  # the claim kept it: this experiment's
            self.parts.mkdir(exist_ok=True)
            for leftover in self.parts.glob(".*.tmp"):
                leftover.unlink()
            return
        os.close(make_owned(self.work, self.output.name, TOKEN))
        record = {"format": FORMAT, "experiment": self.manifest, "force": self.output.force}
        (self.work / "manifest.json.tmp").write_text(json.dumps(record, indent=1),
                                                     encoding="utf-8")
        os.replace(self.work / "manifest.json.tmp", self.work / "manifest.json")
        self.parts.mkdir()
        published = self.folder / "runs"
        if not self.output.force and (self.folder / MANIFEST).exists() and published.is_dir():
            for part in published.glob("*.parquet"):  # the claim found this experiment there
                _link(part, self.parts / part.name)

    def done(self, key: str) -> bool:
        return (self.parts / f"{key}.parquet").exists()

    def add(self, key: str, row: dict[str, Any]) -> None:
        """Keep one run's row (whole or not at all)."""
        target = self.parts / f"{key}.parquet"
        temporary = self.parts / f".{key}.{os.getpid()}.tmp"
        pl.DataFrame([row]).write_parquet(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)

    def scan(self) -> pl.LazyFrame:
        # the parts listed by pathlib, not a glob handed to polars: a folder named like
        # ``sw[1]`` is a name, not a pattern
        parts = [str(part) for part in sorted(self.parts.glob("*.parquet"))]
        return pl.scan_parquet(parts, glob=False, missing_columns="insert",
                               extra_columns="ignore")

    def _staged(self) -> Path:
        """The folder to publish: the manifest and every row, then the tables."""
        staged = self.output.stage()
        if not (staged / MANIFEST).exists():
            (staged / "runs").mkdir()
            for part in sorted(self.parts.glob("*.parquet")):
                _link(part, staged / "runs" / part.name)
            (staged / MANIFEST).write_text(json.dumps(self.manifest, indent=2) + "\n",
                                           encoding="utf-8")
        return staged

    def finish(self, name: str, sort: list[str]) -> Path:
        """Stream every row, sorted, into the table ``name`` of the folder to publish; return
        where it can be read until then."""
        pause_point(f"write:{name}")
        target = self._staged() / name
        self.scan().sort(sort).sink_parquet(target)
        return target

    def write(self, name: str, data: bytes) -> None:
        """Add a file to the folder to publish."""
        pause_point(f"write:{name}")
        (self._staged() / name).write_bytes(data)

    def publish(self) -> None:
        """Rename the folder into place (the previous one goes), and drop the kept rows."""
        self._staged()
        self.output.commit()


def _link(source: Path, target: Path) -> None:
    """A second name for a finished row (a copy where the file system has no links)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
