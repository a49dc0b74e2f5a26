"""Checkpoints: the state of a run after a day, saved so that a killed run can go on.

A checkpoint is a folder: ``manifest.json`` (the resolved scenario, the run's settings, the
last day done, and the SHA-256 of every other file), ``driver.json`` / ``driver.npz`` (the
global coordinators and desks) and ``shard-K.json`` / ``shard-K.npz`` per shard. The
population and everything else rebuilt from the plan is not saved; random streams need no
state, since every draw is keyed by (seed, name, day, person). A checkpoint is written into a
temporary folder and renamed over the previous one, so it is always whole; each folder holds
the marker of the output it belongs to (``core.owned``), so only checkpoints are ever removed.

A run writes a first "checkpoint" before its first day: the manifest alone, with no day and
no state. It says that a run into the folder was started, so that ``resume`` after a run
killed before its first checkpoint can say there is nothing to resume for that run, instead
of taking the folder's previous run for it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from pydantic import BaseModel

from ..core.owned import make_owned
from ..core.state import StateError, capture, restore
from ..core.streams import Stream, Streams
from ..population.generate import Population
from ..scenario.errors import Problem, ScenarioError
from ..scenario.geography import Geography
from ..scenario.plan import MeasurePlan, Plan, SystemPlan
from ..systems.jurisdiction import Coverage

FORMAT = 1
#: the token in the marker of a checkpoint folder (its name has none: one per output)
TOKEN = "checkpoint"
#: values rebuilt from the plan when a run is resumed, never saved
REBUILT = (Plan, SystemPlan, MeasurePlan, Geography, Population, Streams, Stream, BaseModel,
           Coverage)

State = tuple[Any, dict[str, np.ndarray]]


def state_of(obj: Any, attributes: Sequence[str] | None = None) -> State:
    """The state of ``obj`` (or of some of its attributes) as (tree, arrays)."""
    if attributes is None:
        return capture(obj, REBUILT)
    return capture({name: getattr(obj, name) for name in attributes}, REBUILT)


def load_into(obj: Any, state: State, attributes: Sequence[str] | None = None) -> None:
    """Write a state back: into ``obj`` itself, or into the named attributes of it."""
    tree, arrays = state
    if attributes is None:
        restore(obj, tree, arrays)
        return
    restored = restore({name: getattr(obj, name) for name in attributes}, tree, arrays)
    for name in attributes:
        setattr(obj, name, restored[name])


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _encode(state: State) -> dict[str, bytes]:
    tree, arrays = state
    buffer = io.BytesIO()
    if any(a.dtype == object for a in arrays.values()):
        raise StateError("an array of Python objects cannot be saved")
    np.savez(buffer, allow_pickle=False, **cast(dict[str, Any], arrays))
    return {"json": json.dumps(tree, separators=(",", ":")).encode("utf-8"),
            "npz": buffer.getvalue()}


def _decode(files: dict[str, bytes]) -> State:
    tree = json.loads(files["json"])
    with np.load(io.BytesIO(files["npz"]), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return tree, arrays


@dataclass
class Checkpoint:
    """A loaded checkpoint: the manifest, the driver's state and each shard's."""

    manifest: dict[str, Any]
    driver: State
    shards: list[State]

    @property
    def day(self) -> int:
        return int(self.manifest["day"])


def write_checkpoint(folder: Path, manifest: dict[str, Any], driver: State,
                     shards: list[State], owner: str) -> None:
    """Write a whole checkpoint into ``folder`` (through a temporary folder and a rename),
    marked as the checkpoint of the output folder named ``owner``."""
    files: dict[str, bytes] = {}
    for stem, state in [("driver", driver), *((f"shard-{k}", s) for k, s in enumerate(shards))]:
        for suffix, data in _encode(state).items():
            files[f"{stem}.{suffix}"] = data
    manifest = {**manifest, "format": FORMAT, "shards": len(shards),
                "files": {name: _digest(data) for name, data in files.items()}}
    files["manifest.json"] = json.dumps(manifest, indent=1).encode("utf-8")
    _write_folder(folder, files, owner)


def write_started(folder: Path, manifest: dict[str, Any], owner: str) -> None:
    """Write the record of a run that has no checkpoint yet (see the module docstring)."""
    manifest = {**manifest, "format": FORMAT, "day": None, "files": {}}
    _write_folder(folder, {"manifest.json": json.dumps(manifest, indent=1).encode("utf-8")},
                  owner)


def _write_folder(folder: Path, files: dict[str, bytes], owner: str) -> None:
    tmp = folder.with_name(folder.name + ".writing")
    shutil.rmtree(tmp, ignore_errors=True)  # a killed write's (the caller holds the lock)
    os.close(make_owned(tmp, owner, TOKEN))
    for name, data in files.items():
        with open(tmp / name, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    old = folder.with_name(folder.name + ".previous")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.rename(folder, old)
    os.rename(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def peek_manifest(folder: Path) -> dict[str, Any] | None:
    """A checkpoint folder's manifest as written, unchecked (None if it cannot be read)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def checkpoint_folders(folder: Path) -> list[Path]:
    """The folder and the two a write may leave if killed between its renames."""
    return [folder, folder.with_name(folder.name + ".previous"),
            folder.with_name(folder.name + ".writing")]


def find_checkpoint(folder: Path) -> Path | None:
    """The checkpoint to resume from: the folder, or the complete one a write killed
    between its two renames left behind (the newer first), or else the record of a run
    started and killed before its first checkpoint (``write_started``)."""
    main, previous, writing = checkpoint_folders(folder)
    if main.exists() and not _started(main):
        return main
    for candidate in (writing, previous):
        try:
            read_checkpoint(candidate)
        except ScenarioError:
            continue
        return candidate
    return next((c for c in (main, writing, previous) if _started(c)), None)


def _started(folder: Path) -> bool:
    manifest = peek_manifest(folder)
    return manifest is not None and manifest.get("day") is None and manifest.get("files") == {}


def read_checkpoint(folder: Path) -> Checkpoint:
    """Read and check a checkpoint; a corrupt or foreign one is refused with the reason."""
    def refuse(reason: str) -> ScenarioError:
        return ScenarioError(Problem(f"checkpoint {folder} cannot be used: {reason}",
                                     path="checkpoint"))

    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise refuse("it has no manifest.json") from None
    except (OSError, ValueError) as exc:
        raise refuse(f"its manifest is unreadable ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise refuse(f"it is not a checkpoint of format {FORMAT}")
    expected = {"scenario_yaml": str, "scenario_sha256": str, "day": int, "shards": int,
                "backend": str, "checkpoint_every": int, "files": dict}
    for key, kind in expected.items():
        if not isinstance(manifest.get(key), kind) or isinstance(manifest.get(key), bool):
            raise refuse(f"its manifest has no valid {key!r}")
    data: dict[str, bytes] = {}
    for name, digest in manifest.get("files", {}).items():
        try:
            data[name] = (folder / name).read_bytes()
        except OSError:
            raise refuse(f"{name} is missing") from None
        if _digest(data[name]) != digest:
            raise refuse(f"{name} is corrupt (its SHA-256 does not match the manifest)")
    try:
        driver = _decode({"json": data["driver.json"], "npz": data["driver.npz"]})
        shards = [_decode({"json": data[f"shard-{k}.json"], "npz": data[f"shard-{k}.npz"]})
                  for k in range(int(manifest["shards"]))]
    except (KeyError, ValueError, OSError) as exc:
        raise refuse(f"its state cannot be read ({exc})") from None
    return Checkpoint(manifest, driver, shards)


__all__ = ["REBUILT", "TOKEN", "Checkpoint", "State", "StateError", "checkpoint_folders",
           "find_checkpoint", "load_into", "peek_manifest", "read_checkpoint", "state_of",
           "write_checkpoint", "write_started"]
