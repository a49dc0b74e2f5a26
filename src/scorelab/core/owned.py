"""Folders that scorelab makes beside an output, marked as its own.

A run's files are written into a temporary folder beside its output folder, a previous run
is moved aside there, checkpoints are kept there. A user may keep folders of similar names
in the same place (``.x.old``, the temporaries of a sibling ``x.2``), so a name is never
proof enough: each folder scorelab makes holds a marker file, written before anything else,
that names the output it belongs to and the token in the folder's own name. The clean-up
after a killed writer removes a folder only when its marker says so, and only when no live
writer holds the marker's lock (the kernel drops it when the writer dies).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
from pathlib import Path

#: the marker file inside every folder scorelab makes beside an output
MARKER = ".scorelab-owner"
_MAX_MARKER = 4096


def make_owned(path: Path, owner: str, token: str) -> int:
    """Create the folder ``path`` holding a marker for (``owner``, ``token``) and return the
    marker's descriptor, locked: the folder is in use until it is closed."""
    path.mkdir()
    fd = os.open(path / MARKER, os.O_CREAT | os.O_EXCL | os.O_RDWR | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, json.dumps({"scorelab": 1, "folder": owner, "token": token}).encode())
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        raise
    return fd


def marker_of(path: Path) -> dict[str, object] | None:
    """The marker of a real folder (not a link) scorelab made, or None."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return None
        info = os.lstat(path / MARKER)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_MARKER:
            return None
        data = json.loads((path / MARKER).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("scorelab") == 1 else None


def is_owned(path: Path, owner: str, token: str) -> bool:
    """Whether ``path`` is a folder scorelab made for ``owner`` with ``token``."""
    marker = marker_of(path)
    return marker is not None and marker.get("folder") == owner and marker.get("token") == token


def is_unmarked_start(path: Path) -> bool:
    """A folder a writer was killed in before its marker was written: empty, or holding an
    empty marker only (removing it loses nothing)."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
        entries = os.listdir(path)
        return entries == [] or (entries == [MARKER] and os.lstat(path / MARKER).st_size == 0)
    except OSError:
        return False


def in_use(path: Path) -> bool:
    """Whether a live writer holds the lock of the folder's marker."""
    try:
        fd = os.open(path / MARKER, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
    finally:
        os.close(fd)  # closing drops a lock taken here
    return False


def remove_unmarked_start(path: Path) -> None:
    """Remove what ``is_unmarked_start`` found (never anything else: rmdir needs it empty)."""
    with contextlib.suppress(OSError):
        if (path / MARKER).exists() and os.lstat(path / MARKER).st_size == 0:
            (path / MARKER).unlink()
        path.rmdir()
