"""Writing a run's files: checked before the run, locked while it runs, published whole.

An output folder is claimed before the first day is simulated, so a folder that cannot be
written, or holds another run, is refused at once. While a run holds it, an advisory lock on a
file beside it (``.<name>.lock``, holding the writer's pid for the message) turns a second
writer away; the kernel drops the lock when its holder dies, so a killed run never blocks the
next one. The files are written into a temporary folder beside the target
(``.<name>.<pid>-<token>.tmp``) and the folder is renamed into place as a whole, so a killed
run leaves the old complete run, the new complete run, or (killed between the two renames) no
folder, never a mix. The next writer, holding the lock, removes the temporaries of writers that
died and puts back a previous run one of them had moved aside. A folder holding files that scorelab did not write is never overwritten, even with
``--force``.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import polars as pl

from ..core.faults import pause_point
from ..ledger.result import Result
from ..ledger.summary import Summary
from ..scenario import ScenarioError, dump_scenario
from ..scenario.errors import Problem

OUTPUT_FILES = ("summary.json", "daily.parquet", "report.html", "scenario.yaml")

def summary_bytes(summary: Summary) -> bytes:
    return summary.to_json()


def daily_bytes(daily: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    daily.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def output_contents(result: Result) -> dict[str, bytes]:
    """The bytes of every output file, rendered before anything is written."""
    from .html import render_report

    return {
        "summary.json": summary_bytes(result.summary),
        "daily.parquet": daily_bytes(result.daily),
        "scenario.yaml": dump_scenario(result.scenario).encode("utf-8"),
        "report.html": render_report(result.summary, result.daily).encode("utf-8"),
    }


def _error(message: str) -> ScenarioError:
    return ScenarioError(Problem(message, path="out"))


class OutputFolder:
    """The output folder of one run (see the module docstring).

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "run"
    >>> with OutputFolder(target, digest="abc") as folder:
    ...     folder.publish({"summary.json": b'{"scenario_sha256": "abc"}'})
    >>> sorted(p.name for p in target.iterdir())
    ['summary.json']
    """

    def __init__(self, out: Path, digest: str, force: bool = False) -> None:
        self.out = Path(out)
        self.digest = digest
        self.force = force
        self.token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.lock: Path | None = None
        self.lock_fd: int | None = None

    @property
    def _parent(self) -> Path:
        return self.out.absolute().parent

    def _hidden(self, suffix: str) -> Path:
        middle = "" if suffix == "lock" else f".{self.token}"
        return self._parent / f".{self.out.absolute().name}{middle}.{suffix}"

    # --- before the run ------------------------------------------------------------------

    def claim(self) -> None:
        """Check the folder, create its parent, take the lock, clean a dead writer's
        temporaries. Raises ``ScenarioError`` (exit code 2) for anything in the way."""
        out = self.out
        if str(out) in ("", ".") or out.absolute() == Path.cwd():
            raise _error("the output folder cannot be the current folder; name a new folder")
        if out.exists() and not out.is_dir():
            raise _error(f"output path {out} exists and is not a folder")
        try:
            self._parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise _error(f"cannot create output folder {out}: a part of its path is a "
                         "file, not a folder") from None
        except NotADirectoryError:
            raise _error(f"cannot create output folder {out}: a part of its path is a "
                         "file, not a folder") from None
        except OSError as exc:
            raise _error(f"cannot create output folder {out}: {exc.strerror}") from None
        self._lock()
        try:
            self._clean_dead_writers()
            self._check_contents()
        except BaseException:
            self.release()
            raise

    def _lock(self) -> None:
        lock = self._hidden("lock")
        while True:
            try:
                fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
            except PermissionError:
                raise _error(f"cannot write into {self._parent}: permission denied") from None
            except OSError as exc:
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
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            self.lock, self.lock_fd = lock, fd
            return

    def _clean_dead_writers(self) -> None:
        """Remove the temporaries of writers that died, and put back a run one of them had
        moved aside (only a lock holder writes here, and it holds the lock now)."""
        prefix = f".{self.out.absolute().name}."
        for entry in sorted(self._parent.iterdir()):
            name = entry.name
            if not name.startswith(prefix) or not name.endswith((".tmp", ".old")):
                continue
            if name.endswith(".old") and not self.out.exists():
                entry.rename(self.out)  # killed between the two renames: the old run returns
            else:
                shutil.rmtree(entry, ignore_errors=True)

    def _check_contents(self) -> None:
        out = self.out
        if not out.exists():
            return
        try:
            entries = sorted(p.name for p in out.iterdir())
        except OSError as exc:
            raise _error(f"cannot read output folder {out}: {exc.strerror}") from None
        if not entries:
            return
        foreign = [e for e in entries if e not in OUTPUT_FILES]
        if foreign or "summary.json" not in entries:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise _error(f"output folder {out} holds files scorelab did not write "
                         f"({shown or 'no summary.json'}); it is never overwritten, even with "
                         "--force: choose another --out")
        try:
            previous = json.loads((out / "summary.json").read_text(encoding="utf-8"))
            digest = previous.get("scenario_sha256") if isinstance(previous, dict) else None
        except (OSError, ValueError):
            digest = None
        if digest != self.digest and not self.force:
            raise _error(f"output folder {out} holds a different run (scenario "
                         f"{str(digest)[:12]}…, this run {self.digest[:12]}…); choose another "
                         "--out or pass --force to overwrite")

    # --- after the run -------------------------------------------------------------------

    def publish(self, contents: dict[str, bytes]) -> None:
        """Write the files into a temporary folder and rename it into place."""
        tmp = self._hidden("tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, data in contents.items():
            pause_point(f"write:{name}")
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        _fsync_dir(tmp)
        if self.out.exists():
            old = self._hidden("old")
            os.rename(self.out, old)
            pause_point("swap")
            os.rename(tmp, self.out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, self.out)
        _fsync_dir(self._parent)
        self.remove_checkpoint()  # the run is whole now

    def remove_checkpoint(self) -> None:
        """Remove this folder's checkpoints (and what a killed checkpoint write left)."""
        for suffix in ("", ".previous", ".writing"):
            shutil.rmtree(self.checkpoint_dir.with_name(self.checkpoint_dir.name + suffix),
                          ignore_errors=True)

    @property
    def checkpoint_dir(self) -> Path:
        """Where a run's checkpoints go (beside the folder, until the run is published)."""
        return self._parent / f".{self.out.absolute().name}.checkpoint"

    def release(self) -> None:
        """Drop the lock and any temporary folder of this writer."""
        shutil.rmtree(self._hidden("tmp"), ignore_errors=True)
        if self.lock is not None and self.lock_fd is not None:
            self.lock.unlink(missing_ok=True)  # while still holding it: see _lock
            os.close(self.lock_fd)
            self.lock, self.lock_fd = None, None

    def __enter__(self) -> Self:
        self.claim()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_outputs(result: Result, out: Path, force: bool = False) -> dict[str, Path]:
    """Write summary.json, daily.parquet, scenario.yaml and report.html into ``out``."""
    out = Path(out)
    with OutputFolder(out, result.summary.scenario_sha256, force) as folder:
        folder.publish(output_contents(result))
    return {name: out / name for name in OUTPUT_FILES}


def write_text_atomic(path: Path, text: str) -> Path:
    """Write a text file whole or not at all (a temporary name, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
    return path


def write_comparison(runs: Sequence[Any], out: Path) -> Path:
    """Write the page comparing ``runs`` (each with ``label``, ``summary``, ``daily``) to the
    file ``out``, whole or not at all."""
    from .compare import render_comparison

    out = Path(out)
    if out.is_dir():
        raise _error(f"--out {out} is a folder: give the comparison page's file name")
    page = render_comparison([(r.label, r.summary, r.daily) for r in runs])
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.chmod(temporary, 0o644)
    os.replace(temporary, out)
    return out
