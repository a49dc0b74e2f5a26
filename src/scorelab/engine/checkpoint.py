"""Checkpoints: the state of a run after a day, saved so that a killed run can go on.

A checkpoint is a folder: ``manifest.json`` (the resolved scenario, the run's settings, the
last day done, the SHA-256 of every other file, and the SHA-256 of all of that), ``driver.json``
/ ``driver.npz`` (the global coordinators and desks) and ``shard-K.json`` / ``shard-K.npz`` per
shard. The population and everything else rebuilt from the plan is not saved; random streams
need no state, since every draw is keyed by (seed, name, day, person). A checkpoint is written
into a temporary folder and renamed over the previous one, so it is always whole; each folder
holds the marker of the output it belongs to (``core.owned``), so only checkpoints are ever
removed.

A run writes a first "checkpoint" before its first day: the manifest alone, with no day and
no state. It says that a run into the folder was started, so that ``resume`` after a run
killed before its first checkpoint can say there is nothing to resume for that run, instead
of taking the folder's previous run for it.

A checkpoint is trusted only when whole: every field of the manifest is covered by its
digest, each state file says which day and which scenario it holds (and a shard's state which
persons and days, checked by the shard), and :func:`check_day` holds the day against the run
rebuilt from the scenario, so an edited or mismatched checkpoint is refused with the reason
before any day runs.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from pydantic import BaseModel

from ..core.lanes import Lanes
from ..core.owned import make_owned
from ..core.state import StateError, capture, restore
from ..core.streams import Stream, Streams
from ..population.generate import Population
from ..scenario.errors import Problem, ScenarioError
from ..scenario.geography import Geography
from ..scenario.plan import MeasurePlan, Plan, SystemPlan
from ..systems.jurisdiction import Coverage

FORMAT = 3  # (3: a process holds the events of its window, not a calendar)
#: the token in the marker of a checkpoint folder (its name has none: one per output)
TOKEN = "checkpoint"
#: values rebuilt from the plan when a run is resumed, never saved
REBUILT = (Plan, SystemPlan, MeasurePlan, Geography, Population, Streams, Stream, BaseModel,
           Coverage, Lanes)

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


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of every field of a manifest but the digest itself (canonical JSON)."""
    fields = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return _digest(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def _encode(state: State, header: dict[str, Any]) -> dict[str, bytes]:
    """A state's files; the tree goes with ``header`` (the day and the scenario it is of)."""
    tree, arrays = state
    buffer = io.BytesIO()
    if any(a.dtype == object for a in arrays.values()):
        raise StateError("an array of Python objects cannot be saved")
    np.savez(buffer, allow_pickle=False, **cast(dict[str, Any], arrays))
    document = {**header, "state": tree}
    return {"json": json.dumps(document, separators=(",", ":")).encode("utf-8"),
            "npz": buffer.getvalue()}


def _decode(files: dict[str, bytes], header: dict[str, Any]) -> State:
    """A state read back, refused when its header is not ``header``."""
    document = json.loads(files["json"])
    if not isinstance(document, dict) or "state" not in document:
        raise ValueError("it holds no state")
    found = {key: document.get(key) for key in header}
    if found["part"] != header["part"]:
        raise ValueError(f"it holds the state of {found['part']!r}")
    if found["scenario_sha256"] != header["scenario_sha256"]:
        raise ValueError("it holds the state of another scenario than the manifest's")
    if found["day"] != header["day"]:
        raise ValueError(f"it holds the state after day {found['day']!r}, the manifest says "
                         f"after day {header['day']}")
    with np.load(io.BytesIO(files["npz"]), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return document["state"], arrays


@dataclass
class Checkpoint:
    """A loaded checkpoint: the manifest, the driver's state and each shard's."""

    manifest: dict[str, Any]
    driver: State
    shards: list[State]
    folder: Path

    @property
    def day(self) -> int:
        return int(self.manifest["day"])


def write_checkpoint(folder: Path, manifest: dict[str, Any], driver: State,
                     shards: list[State], owner: str) -> None:
    """Write a whole checkpoint into ``folder`` (through a temporary folder and a rename),
    marked as the checkpoint of the output folder named ``owner``."""
    files: dict[str, bytes] = {}
    for stem, state in [("driver", driver), *((f"shard-{k}", s) for k, s in enumerate(shards))]:
        for suffix, data in _encode(state, _header(manifest, stem)).items():
            files[f"{stem}.{suffix}"] = data
    manifest = {**manifest, "format": FORMAT, "shards": len(shards),
                "files": {name: _digest(data) for name, data in files.items()}}
    manifest["manifest_sha256"] = manifest_digest(manifest)
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
    try:
        os.close(make_owned(tmp, owner, TOKEN))
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        shutil.rmtree(tmp, ignore_errors=True)
        raise ScenarioError(Problem(
            f"the disk is full: the checkpoint {folder} could not be written "
            f"({exc.strerror}); the last whole checkpoint (if any) stays, and "
            "'scorelab resume' goes on from it once there is space", path="checkpoint")
        ) from None
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


def _header(manifest: dict[str, Any], stem: str) -> dict[str, Any]:
    """What a state file says it is: which part, of which day, of which scenario."""
    return {"part": stem, "day": manifest["day"], "scenario_sha256": manifest["scenario_sha256"]}


def check_day(checkpoint: Checkpoint, total_days: int) -> None:
    """Refuse a checkpoint whose day is not one its run saves after: a day before the last
    of ``total_days`` (warm-up included), on the run's cadence."""
    day, every = checkpoint.day, int(checkpoint.manifest["checkpoint_every"])
    if every < 1 or not 0 <= day < total_days - 1 or (day + 1) % every:
        raise ScenarioError(Problem(
            f"checkpoint {checkpoint.folder} cannot be used: it says it was saved after day "
            f"{day}, and a run of {total_days:,} days (warm-up included) saving every "
            f"{every} days saves after none such", path="checkpoint"))


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
                "backend": str, "checkpoint_every": int, "files": dict,
                "manifest_sha256": str}
    for key, kind in expected.items():
        if not isinstance(manifest.get(key), kind) or isinstance(manifest.get(key), bool):
            raise refuse(f"its manifest has no valid {key!r}")
    optional = {"address": (str, type(None)), "workers": (int, type(None)), "force": (bool,)}
    for key, kinds in optional.items():
        if not isinstance(manifest.get(key), kinds):
            raise refuse(f"its manifest has no valid {key!r}")
    if manifest_digest(manifest) != manifest["manifest_sha256"]:
        raise refuse("its manifest was changed after it was written (its SHA-256 does not "
                     "match)")
    count = manifest["shards"]
    stems = ["driver", *(f"shard-{k}" for k in range(count))] if \
        0 < count and 2 * (count + 1) == len(manifest["files"]) else []
    if not stems or sorted(manifest["files"]) != sorted(
            f"{stem}.{suffix}" for stem in stems for suffix in ("json", "npz")):
        raise refuse(f"its manifest does not list the files of {count:,} shards")
    data: dict[str, bytes] = {}
    for name, digest in manifest["files"].items():
        try:
            data[name] = (folder / name).read_bytes()
        except OSError:
            raise refuse(f"{name} is missing") from None
        if _digest(data[name]) != digest:
            raise refuse(f"{name} is corrupt (its SHA-256 does not match the manifest)")
    states: list[State] = []
    for stem in stems:
        try:
            states.append(_decode({"json": data[f"{stem}.json"], "npz": data[f"{stem}.npz"]},
                                  _header(manifest, stem)))
        except (KeyError, ValueError, OSError, RecursionError, zipfile.BadZipFile) as exc:
            raise refuse(f"{stem}'s state cannot be read ({exc})") from None
    return Checkpoint(manifest, states[0], states[1:], folder)


__all__ = ["REBUILT", "TOKEN", "Checkpoint", "State", "StateError", "check_day",
           "checkpoint_folders", "find_checkpoint", "load_into", "manifest_digest",
           "peek_manifest", "read_checkpoint", "state_of", "write_checkpoint",
           "write_started"]
