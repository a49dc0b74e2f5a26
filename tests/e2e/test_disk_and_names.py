"""Output names too long for the file system, and a full disk while publishing or saving a
checkpoint: clear errors (exit code 2) before or instead of a traceback, and the previous run
kept whole."""

from __future__ import annotations

import builtins
import errno
from pathlib import Path
from typing import Any

import pytest

from scorelab.cli import main
from scorelab.engine import checkpoint
from scorelab.report import folder

SMALL = ["run", "--preset", "china-2022", "--persons", "2000", "--days", "3", "--quiet"]


def test_a_name_too_long_for_the_hidden_names_is_refused_before_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / ("r" * 240)
    assert main([*SMALL, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "give a shorter --out" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # refused before anything was made


def _full_disk(where: str) -> Any:
    """An ``open`` that fails as a full disk does for files written inside ``where``."""
    def fake(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode and where in Path(path).parent.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return builtins.open(path, mode, *args, **kwargs)
    return fake


def test_a_full_disk_while_publishing_keeps_the_previous_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "x"
    assert main([*SMALL, "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(folder, "open", _full_disk(".tmp"), raising=False)
    assert main([*SMALL, "--seed", "9", "--out", str(out), "--force"]) == 2
    err = capsys.readouterr().err
    assert "the disk is full" in err and "stays as it was" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_a_full_disk_while_saving_a_checkpoint_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoint, "open", _full_disk(".writing"), raising=False)
    assert main([*SMALL, "--out", str(tmp_path / "x"), "--checkpoint-every", "1"]) == 2
    err = capsys.readouterr().err
    assert "the disk is full: the checkpoint" in err and "Traceback" not in err
