"""Pausing the real entry point at a pause point (``core.faults``), then killing it there or
letting it go on: for the resume and fault tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from scorelab.core.faults import PAUSE_ENV


def paused_at(args: list[str], point: str, cwd: Path) -> subprocess.Popen[str]:
    """Start the real entry point and wait until it pauses at ``point``."""
    proc = subprocess.Popen([sys.executable, "-m", "scorelab", *args], cwd=cwd,
                            env={**os.environ, PAUSE_ENV: point}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    if f"paused at {point}" not in line:  # it ended (or failed) without getting there
        proc.kill()
        rest = proc.stderr.read()
        proc.stderr.close()
        proc.wait()
        raise AssertionError(f"never paused at {point}: {line}{rest}")
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL: no handler runs, no file is closed cleanly."""
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.stderr is not None
    proc.stderr.close()


def go_on(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Let a paused run go on to its end (on from each pause at the same point, as each run
    of an experiment gets there): its exit code and the rest of its stderr."""
    assert proc.stderr is not None
    proc.send_signal(signal.SIGUSR1)
    rest = []
    for line in proc.stderr:
        if line.startswith("scorelab: paused at "):
            proc.send_signal(signal.SIGUSR1)
        else:
            rest.append(line)
    proc.stderr.close()
    return proc.wait(), "".join(rest)


def killed_at(args: list[str], point: str, cwd: Path) -> None:
    """Run the real entry point until it pauses at ``point``, then SIGKILL it."""
    kill(paused_at(args, point, cwd))
