"""The progress display through the real entry point, on a terminal: a long global phase (a
linkage, a checkpoint, writing the files) shows what it is doing and how far it is, under the
bar of the days, instead of a bar that stands still."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from scorelab.integration.linkage import stage_names
from scorelab.scenario import load_scenario

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(args: list[str], timeout: float = 300) -> tuple[int, str]:
    """Run ``python -m scorelab ARGS`` with a pseudo-terminal as its output (the progress
    display draws only on a terminal); its exit code and what it drew, without escapes."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "140", "LINES": "40"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "scorelab", *args], stdin=child,
                               stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    drawn = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    data = os.read(main, 1 << 16)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                drawn += data
            elif process.poll() is not None:
                break
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    text = ANSI.sub("\n", drawn.decode("utf-8", "replace"))
    return code, text


def test_a_linkage_shows_a_labelled_step(tmp_path: Path) -> None:
    code, text = on_a_terminal(["run", "--preset", "integrated", "--persons", "5000", "--days",
                                "30", "--checkpoint-every", "200", "--out",
                                str(tmp_path / "run")])
    assert code == 0, text[-2000:]
    # the linkage of the last day, stage by stage, with how far it is
    stages = re.findall(r"linking records, day (\d+): ([\w ()]+?)\s*$", text, re.MULTILINE)
    assert stages, text[-3000:]
    linkage = load_scenario(preset="integrated").integration
    assert linkage is not None
    names = ["gathering records", *stage_names(linkage.linkage), "auditing"]
    assert [stage for _day, stage in dict.fromkeys(stages)] == names
    assert re.search(r"^\s*step [1-9]\d*/[1-9]\d*\s*$", text, re.MULTILINE)
    # a checkpoint and the files say so too
    assert "checkpoint after day 200" in text
    assert "writing the output: rendering the files" in text


def test_no_terminal_no_display(tmp_path: Path) -> None:
    """Piped output (a log, a script) gets the results, not frames of a display."""
    done = subprocess.run([sys.executable, "-m", "scorelab", "run", "--preset", "china-2022",
                           "--persons", "2000", "--days", "5", "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "step " not in done.stderr and "building the population" not in done.stderr
