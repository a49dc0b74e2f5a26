"""Every preset still gives its checked-in results, byte for byte (see goldens.py)."""

from __future__ import annotations

import difflib

import pytest

from .goldens import HERE, golden_files, golden_names


@pytest.mark.parametrize("preset", golden_names())
def test_preset_matches_its_golden_results(preset: str) -> None:
    folder = HERE / preset
    assert folder.is_dir(), f"no golden results for {preset}: run `make golden`"
    for name, data in golden_files(preset).items():
        expected = (folder / name).read_bytes()
        if data != expected:
            diff = "\n".join(list(difflib.unified_diff(
                expected.decode().splitlines(), data.decode().splitlines(),
                f"golden/{preset}/{name}", "this run", lineterm=""))[:60])
            pytest.fail(f"{preset}/{name} differs from its golden result; if the change is "
                        f"on purpose, run `make golden` and say why in the commit.\n{diff}")


def test_every_golden_folder_is_a_preset() -> None:
    folders = {p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert folders == set(golden_names())
