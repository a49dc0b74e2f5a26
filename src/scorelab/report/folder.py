"""Writing scorelab's outputs: checked before the work, locked while it runs, published whole.

An output (a run's folder, an experiment's folder, a comparison page) is claimed before any
work is done, so a place that cannot be written, or holds something else, is refused at once.
While a writer holds it, an advisory lock on a file beside it (``.<name>.lock``, holding the
writer's pid for the message) turns a second writer away; the kernel drops the lock when its
holder dies, so a killed writer never blocks the next one. The files are written into a
temporary folder beside the target (``.<name>.<pid>-<token>.tmp``) and renamed into place as a
whole (the previous folder moved aside to ``.<name>.<pid>-<token>.old`` for the moment), so a
killed writer leaves the old output, the new one, or (killed between the two renames) no
folder, never a mix. The next writer, holding the lock, removes what writers that died left
and puts back a previous run one of them had moved aside: only folders whose marker
(``core.owned``) names this output and the token of their own name, never a user's folder of
a similar name or a sibling output's. A folder holding files that scorelab did not write is
never overwritten, even with ``--force``; links are not followed.

Unfinished work is kept beside the output, in ``.<name>.checkpoint``: a run's checkpoints
(``engine.checkpoint``) or an experiment's finished runs. A new writer does not discard work
that can be resumed unless ``--force`` says so.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

from ..core.faults import pause_point
from ..core.owned import (
    MARKER,
    in_use,
    is_owned,
    is_unmarked_start,
    make_owned,
    marker_of,
    remove_unmarked_start,
)
from ..engine.checkpoint import FORMAT as CHECKPOINT_FORMAT
from ..engine.checkpoint import TOKEN as CHECKPOINT_TOKEN
from ..engine.checkpoint import checkpoint_folders, find_checkpoint, peek_manifest
from ..scenario import ScenarioError
from ..scenario.errors import Problem

#: what a run's folder holds (``report.files`` renders them)
OUTPUT_FILES = ("summary.json", "daily.parquet", "report.html", "scenario.yaml",
                "cases.parquet")


def _error(message: str) -> ScenarioError:
    return ScenarioError(Problem(message, path="out"))


Kind = Literal["run", "experiment", "page"]

#: what an experiment's folder holds (``scorelab sweep``, ``sensitivity``, ``claims``)
EXPERIMENT_FILES = ("experiment.json", "runs", "sweep.parquet", "runs.parquet",
                    "sensitivity.json", "sensitivity.html", "claims.json", "claims.html",
                    "scenario.yaml", "sweep.html")
#: the tag by which a comparison page scorelab wrote is known (in its head)
PAGE_TAG = b'<meta name="generator" content="scorelab compare">'

_TOKEN = r"[0-9]+-[0-9a-f]{8}"
_PART = re.compile(r"[a-z0-9-]+\.parquet")
_EARLIER_TMP = re.compile(r"\.[a-z0-9.-]+\.[0-9]+\.tmp")  # rows written in place before


def experiment_digest(manifest: dict[str, Any]) -> str:
    """The identity of an experiment: the digest of its manifest (``experiment.json``)."""
    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Work:
    """Unfinished work kept beside an output (its ``.<name>.checkpoint``)."""

    kind: Kind
    digest: str | None
    resumable: bool  # discarding it would lose something
    force: bool  # started with --force (a continuation may replace what the output holds)
    what: str  # for messages


def _contents(out: Path) -> tuple[Kind | None, str | None, list[str]]:
    """What the folder ``out`` holds: ("run" or "experiment", its digest, []) or, holding
    something else, (None, None, the entries that are not scorelab's)."""
    try:
        entries = sorted(os.listdir(out))
        if not entries:
            return None, None, []
        kind: Kind = "experiment" if "experiment.json" in entries else "run"
        key, allowed = (("experiment.json", EXPERIMENT_FILES) if kind == "experiment"
                        else ("summary.json", OUTPUT_FILES))
        foreign = [e for e in entries if e not in allowed
                   and not (kind == "experiment" and _EARLIER_TMP.fullmatch(e))]
        if "runs" in entries and kind == "experiment":
            runs = out / "runs"
            if runs.is_symlink() or not runs.is_dir():
                foreign.append("runs")
            else:
                foreign += [f"runs/{e}" for e in sorted(os.listdir(runs))
                            if not (_PART.fullmatch(e) or _EARLIER_TMP.fullmatch(e)
                                    or _run_folder(runs / e))]
    except OSError as exc:
        raise _error(f"cannot read output folder {out}: {exc.strerror}") from None
    if key not in entries and not foreign:
        foreign.append(f"no {key}")
    if foreign:
        return None, None, foreign
    try:
        data = json.loads((out / key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return kind, None, []
    if kind == "experiment":
        return kind, experiment_digest(data) if isinstance(data, dict) else None, []
    digest = data.get("scenario_sha256") if isinstance(data, dict) else None
    return kind, digest if isinstance(digest, str) else None, []


def _run_folder(path: Path) -> bool:
    """A run's folder inside an experiment's (``scorelab claims`` keeps each run's files)."""
    return path.is_dir() and not path.is_symlink() and \
        set(os.listdir(path)) <= set(OUTPUT_FILES)


def _work_of(manifest: dict[str, Any] | None, found: Path) -> _Work:
    if manifest is None:  # ours, but unreadable: resume will say why
        return _Work("run", None, True, False, "a checkpoint of a killed run")
    experiment = manifest.get("experiment")
    if isinstance(experiment, dict):
        noun = "sweep" if experiment.get("kind") == "sweep" else "sensitivity analysis"
        done = sum(1 for p in (found / "runs").glob("*.parquet")) \
            if (found / "runs").is_dir() else 0
        return _Work("experiment", experiment_digest(experiment), done > 0,
                     bool(manifest.get("force")), f"an unfinished {noun} ({done:,} runs done)")
    day = manifest.get("day")
    name = manifest.get("scenario")
    digest = manifest.get("scenario_sha256")
    what = "the checkpoint of a killed run" + (f" of {name!r}" if isinstance(name, str) else "")
    if isinstance(day, int):
        what += f" (saved at day {day + 1})"
    return _Work("run", digest if isinstance(digest, str) else None, day is not None,
                 bool(manifest.get("force")), what)


class OutputFolder:
    """The output of one writer (see the module docstring): a run's folder (``kind="run"``),
    an experiment's (``"experiment"``) or a comparison page (``"page"``, a file).

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "run"
    >>> with OutputFolder(target, digest="abc") as folder:
    ...     folder.publish({"summary.json": b'{"scenario_sha256": "abc"}'})
    >>> sorted(p.name for p in target.iterdir())
    ['summary.json']
    """

    def __init__(self, out: Path, digest: str, force: bool = False, *, kind: Kind = "run",
                 resume: bool = False) -> None:
        self.out = Path(out)
        self.digest = digest
        self.force = force
        self.kind = kind
        self.resume = resume  # resume reads the checkpoint: it is not in the way
        self.token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.lock: Path | None = None
        self.lock_fd: int | None = None
        self.staged_fd: int | None = None

    @property
    def name(self) -> str:
        return self.out.absolute().name

    @property
    def _parent(self) -> Path:
        return self.out.absolute().parent

    def _hidden(self, suffix: str) -> Path:
        middle = "" if suffix in ("lock", "checkpoint") else f".{self.token}"
        return self._parent / f".{self.name}{middle}.{suffix}"

    @property
    def checkpoint_dir(self) -> Path:
        """Where unfinished work goes: a run's checkpoints, an experiment's finished runs."""
        return self._hidden("checkpoint")

    # --- before the work -----------------------------------------------------------------

    def claim(self) -> None:
        """Check the output, create its parent, take the lock, clean up after dead writers,
        settle unfinished work. Raises ``ScenarioError`` (exit code 2) for anything in the
        way."""
        out = self.out
        if str(out) in ("", ".") or out.absolute() == Path.cwd():
            raise _error("the output folder cannot be the current folder; name a new folder")
        if out.is_symlink():
            raise _error(f"output path {out} is a symbolic link (to {os.readlink(out)}); "
                         "scorelab does not write through links: give the real path or "
                         "another --out")
        if self.kind == "page" and out.is_dir():
            raise _error(f"--out {out} is a folder: give the comparison page's file name")
        if self.kind != "page" and out.exists() and not out.is_dir():
            raise _error(f"output path {out} exists and is not a folder")
        self._check_name_length()
        try:
            self._parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise _error(f"cannot create output folder {out}: a part of its path is a "
                         "file, not a folder") from None
        except OSError as exc:
            raise _error(f"cannot create output folder {out}: {exc.strerror}") from None
        self._lock()
        try:
            self._clean_dead_writers()
            if self.kind == "page":
                self._check_page()
            else:
                self._settle(self._unfinished())
        except BaseException:
            self.release()
            raise

    def _check_name_length(self) -> None:
        """Refuse, before any work, a name too long for the hidden names written beside it
        (``.NAME.<pid>-<token>.tmp``, ``.NAME.checkpoint.previous``): otherwise the run would
        fail only when its files are written."""
        parent = self._parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        try:
            most = os.pathconf(parent, "PC_NAME_MAX")
        except (OSError, ValueError):
            most = 255
        longest = max(len(self._hidden("tmp").name), len(self._hidden("checkpoint").name)
                      + len(".previous"))
        if longest > most:
            size = len(self.name.encode("utf-8"))
            raise _error(f"output name {self.name[:40]}... is {size:,} bytes long: with the "
                         f"hidden names scorelab writes beside it, names of at most "
                         f"{size - (longest - most):,} bytes fit on this file system; give a "
                         "shorter --out")

    def _lock(self) -> None:
        lock = self._hidden("lock")
        in_the_way = _error(f"{lock} is in the way: scorelab did not write it; move it away")
        while True:
            try:
                fd = os.open(lock, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o644)
            except PermissionError:
                raise _error(f"cannot write into {self._parent}: permission denied") from None
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.EISDIR):
                    raise in_the_way from None
                raise _error(f"cannot write into {self._parent}: {exc.strerror}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise _error(f"another scorelab run (pid {holder}) is writing {self.out}; "
                             "wait for it or choose another --out") from None
            try:  # the file may have been removed by the writer we waited out: lock anew
                same = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            if not re.fullmatch(rb"([0-9]+\n)?", os.pread(fd, 64, 0)):  # a user's file
                os.close(fd)
                raise in_the_way
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            self.lock, self.lock_fd = lock, fd
            return

    def _clean_dead_writers(self) -> None:
        """Remove what writers of this output that died left, and put back a run one of them
        had moved aside (only a lock holder writes here, and it holds the lock now)."""
        name, parent = self.name, self._parent
        marker = marker_of(self.out)
        if marker is not None and marker.get("folder") == name and not in_use(self.out):
            token = marker.get("token")  # killed after renaming its folder into place
            if isinstance(token, str) and re.fullmatch(_TOKEN, token):
                old = parent / f".{name}.{token}.old"
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old)
                self.remove_checkpoint()
                (self.out / MARKER).unlink()
        own = re.compile(rf"\.{re.escape(name)}\.({_TOKEN})\.tmp")
        for entry in sorted(parent.iterdir()):
            found = own.fullmatch(entry.name)
            if found is None:
                continue
            if is_unmarked_start(entry):
                remove_unmarked_start(entry)
                continue
            token = found.group(1)
            if not is_owned(entry, name, token) or in_use(entry):
                continue
            old = parent / f".{name}.{token}.old"
            if old.is_dir() and not old.is_symlink():  # killed between its two renames
                if os.path.lexists(self.out):
                    continue  # the place was taken meanwhile: touch neither
                os.rename(old, self.out)  # the previous run returns
            shutil.rmtree(entry)

    def _own_checkpoint(self, place: Path) -> bool:
        if is_owned(place, self.name, CHECKPOINT_TOKEN):
            return True
        manifest = peek_manifest(place)  # written before checkpoints carried a marker
        return manifest is not None and manifest.get("format") == CHECKPOINT_FORMAT \
            and isinstance(manifest.get("scenario_sha256"), str) and not place.is_symlink()

    def _unfinished(self) -> _Work | None:
        """The unfinished work beside the output; refuses a folder in its place that is not
        scorelab's."""
        for place in checkpoint_folders(self.checkpoint_dir):
            if not os.path.lexists(place):
                continue
            if is_unmarked_start(place):
                remove_unmarked_start(place)
            elif not self._own_checkpoint(place):
                raise _error(f"{place} is in the way: it is not a checkpoint scorelab wrote "
                             f"for {self.out}; move it away")
        found = find_checkpoint(self.checkpoint_dir)
        return None if found is None else _work_of(peek_manifest(found), found)

    def _settle(self, work: _Work | None) -> None:
        """Check the folder against this writer, then keep, refuse or discard the work."""
        continuing = (work is not None and work.kind == self.kind == "experiment"
                      and work.digest == self.digest and not self.force)
        if continuing and work is not None:
            self.force = work.force  # the --force it was started with
        self._check_contents()
        if work is None or not (self.resume or continuing):
            if work is not None and work.resumable and not self.force:
                how = (f"continue it with `scorelab resume {self.out}`" if work.kind == "run"
                       else "run it again with the same options (without --force) to "
                            "finish it")
                raise _error(f"{self.out} has {work.what}; {how}, or pass --force to "
                             "discard it")
            self.remove_checkpoint()  # nothing to lose, or --force says so

    def _check_contents(self) -> None:
        out = self.out
        if not out.exists():
            return
        kind, digest, foreign = _contents(out)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise _error(f"output folder {out} holds files scorelab did not write ({shown}); "
                         "it is never overwritten, even with --force: choose another --out")
        if kind is None or (kind == self.kind and digest == self.digest) or self.force:
            return
        if kind == self.kind == "run":
            raise _error(f"output folder {out} holds a different run (scenario "
                         f"{str(digest)[:12]}…, this run {self.digest[:12]}…); choose another "
                         "--out or pass --force to overwrite")
        if kind == self.kind:
            raise _error(f"{out} holds another experiment (or another version of this one); "
                         "give another --out, or --force to start it afresh")
        held = "a run" if kind == "run" else "an experiment (a sweep or sensitivity analysis)"
        raise _error(f"output folder {out} holds {held}; choose another --out or pass --force "
                     "to overwrite it")

    def _check_page(self) -> None:
        out = self.out
        if not out.exists() or self.force:
            return
        try:
            with open(out, "rb") as fh:
                head = fh.read(2048)
        except OSError as exc:
            raise _error(f"cannot read {out}: {exc.strerror}") from None
        if not (head.startswith(b"<!DOCTYPE html>") and PAGE_TAG in head):
            raise _error(f"{out} exists and is not a comparison page scorelab wrote; choose "
                         "another --out, or pass --force to overwrite it")

    # --- after the work ------------------------------------------------------------------

    def stage(self) -> Path:
        """This writer's temporary folder beside the output (made, marked and locked at the
        first call): the files go there, then ``commit`` renames them into place."""
        tmp = self._hidden("tmp")
        if self.staged_fd is None:
            self.staged_fd = make_owned(tmp, self.name, self.token)
        return tmp

    def publish(self, contents: dict[str, bytes]) -> None:
        """Write the files into the temporary folder and rename them into place. A full
        disk is a clear error: nothing was replaced, the previous output stays whole."""
        tmp = self.stage()
        try:
            for name, data in contents.items():
                pause_point(f"write:{name}")
                with open(tmp / name, "wb") as fh:
                    fh.write(data)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise _error(f"the disk is full: {self.out} could not be written ("
                         f"{exc.strerror}); nothing was replaced, so what it held before "
                         "stays as it was; free some space and run again") from None
        self.commit()

    def commit(self) -> None:
        """Rename what ``stage`` holds into place; then the previous output, the unfinished
        work and the marker go (in that order: whatever is left is still recognised)."""
        tmp = self.stage()
        _fsync_tree(tmp)
        if self.kind == "page":
            os.replace(tmp / self.name, self.out)
            _fsync(self._parent)
            shutil.rmtree(tmp)
        else:
            old = self._hidden("old")
            if os.path.lexists(self.out):
                os.rename(self.out, old)
                pause_point("swap")
            os.rename(tmp, self.out)
            _fsync(self._parent)
            # killed from here on, the new output is whole but still holds the marker (and
            # the old one and the work may be beside it): the next writer removes all three
            pause_point("placed")
            shutil.rmtree(old, ignore_errors=True)
            self.remove_checkpoint()  # the work is whole now
            (self.out / MARKER).unlink()
            _fsync(self.out)
        assert self.staged_fd is not None
        os.close(self.staged_fd)
        self.staged_fd = None

    def remove_checkpoint(self) -> None:
        """Remove this output's unfinished work (and what a killed write of it left)."""
        for place in checkpoint_folders(self.checkpoint_dir):
            if is_unmarked_start(place):
                remove_unmarked_start(place)
            elif os.path.lexists(place) and self._own_checkpoint(place):
                shutil.rmtree(place)

    def release(self) -> None:
        """Drop the lock and this writer's temporary folder, if it has one."""
        if self.staged_fd is not None:
            shutil.rmtree(self._hidden("tmp"), ignore_errors=True)
            os.close(self.staged_fd)
            self.staged_fd = None
        if self.lock is not None and self.lock_fd is not None:
            self.lock.unlink(missing_ok=True)  # while still holding it: see _lock
            os.close(self.lock_fd)
            self.lock, self.lock_fd = None, None

    def __enter__(self) -> Self:
        self.claim()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _fsync_tree(folder: Path) -> None:
    """Make the files of a folder (and of its subfolders) durable before it is renamed."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            _fsync(path)
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        _fsync(path)


def _fsync(path: Path) -> None:
    """Make a file or a folder's entries durable (where the file system allows)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

