"""Killing the real entry point at a pause point (``core.faults``), for resume tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from scorelab.core.faults import PAUSE_ENV


def killed_at(args: list[str], point: str, cwd: Path) -> None:
    """Run the real entry point until it pauses at ``point``, then SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-m", "scorelab", *args], cwd=cwd,
                            env={**os.environ, PAUSE_ENV: point}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert f"paused at {point}" in line, line
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
