"""Writers into neighbouring outputs at once (``d/run``, ``d/run.2``), some killed at random
points and some between their two renames, beside a user's folders of similar names: every
output that survives holds exactly one whole run of its own, and the user's folders are never
touched. The seed of the random choices is in every failure message
(``SCORELAB_CHAOS_SEED`` repeats a sequence)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from killing import kill, paused_at

from scorelab.core.owned import MARKER, in_use, marker_of
from scorelab.report.files import OUTPUT_FILES

SCENARIO = "extends: china-2022\nname: {name}\npopulation: {{persons: 2000, block_size: 1024}}\n" \
           "days: {days}\nwarmup_days: 0\n"
TARGETS = {"run": "alpha", "run.2": "beta"}  # output -> the scenario name of its runs
ROUNDS = 3
BUDGET_S = 12  # no third round after this (the test stays under ~30 s on a loaded machine)


def whole_run_of(out: Path, *, settled: bool = True) -> str:
    """The scenario name of the one whole run in ``out``. Unless ``settled``, the marker of a
    writer killed after renaming its folder into place may still be inside, held by no one and
    naming this output (the next writer removes it, with what else that writer left)."""
    names = sorted(p.name for p in out.iterdir())
    if not settled and MARKER in names:
        marker = marker_of(out)
        assert marker is not None and marker["folder"] == out.name, (out, marker)
        assert not in_use(out), out
        names.remove(MARKER)
    assert names == sorted(OUTPUT_FILES), out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario_sha256"] in (out / "report.html").read_text(), out
    assert f"name: {summary['scenario']}" in (out / "scenario.yaml").read_text(), out
    return str(summary["scenario"])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_writers_killed_at_random_never_mix_or_touch_other_folders(tmp_path: Path) -> None:
    seed = int(os.environ.get("SCORELAB_CHAOS_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    why = f"(SCORELAB_CHAOS_SEED={seed})"
    d = tmp_path / "d"
    d.mkdir()
    users = [d / ".run.old", d / ".run.12345-0badcafe.tmp", d / ".run.2.checkpoint.old"]
    for folder in users:
        folder.mkdir()
        (folder / "keep.txt").write_text(f"{folder.name}: mine", encoding="utf-8")
    kept = {folder: snapshot(folder) for folder in users}
    scenarios = {}
    for target, name in TARGETS.items():
        for days in (2, 3):
            path = tmp_path / f"{name}-{days}.yaml"
            path.write_text(SCENARIO.format(name=name, days=days), encoding="utf-8")
            scenarios.setdefault(target, []).append(str(path))

    first = [subprocess.Popen([sys.executable, "-m", "scorelab", "run", scenarios[target][0],
                               "--out", str(d / target), "--quiet"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL) for target in TARGETS]
    assert [proc.wait() for proc in first] == [0] * len(TARGETS)

    def command(target: str) -> list[str]:
        if rng.random() < 0.15:
            return ["resume", str(d / target), "--quiet"]
        extra = ["--checkpoint-every", "1"] if rng.random() < 0.5 else []
        return ["run", rng.choice(scenarios[target]), "--out", str(d / target), "--force",
                "--quiet", *extra]

    began = time.monotonic()
    for round_ in range(ROUNDS):
        if round_ >= 2 and time.monotonic() - began > BUDGET_S:  # a loaded machine: enough
            break
        # one writer held between its two renames (if its output is there to be moved aside)
        # while the others come and go, then killed
        there = [t for t in TARGETS if (d / t).exists()]
        held = None
        if there:
            target = rng.choice(there)
            held = paused_at(["run", rng.choice(scenarios[target]), "--out", str(d / target),
                              "--force", "--quiet"], "swap", tmp_path)
        writers = []
        start = time.monotonic()
        for _ in range(5):
            target = rng.choice(list(TARGETS))
            args = command(target)
            proc = subprocess.Popen([sys.executable, "-m", "scorelab", *args], cwd=tmp_path,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True)
            deadline = start + rng.uniform(0.2, 2.0) if rng.random() < 0.5 else None
            writers.append((proc, args, deadline))
            time.sleep(rng.uniform(0, 0.2))
        if held is not None and rng.random() < 0.5:
            kill(held)
        while any(proc.poll() is None for proc, _, _ in writers):
            now = time.monotonic()
            for proc, _, deadline in writers:
                if deadline is not None and now >= deadline and proc.poll() is None:
                    proc.kill()
            time.sleep(0.02)
        if held is not None and held.poll() is None:
            kill(held)
        for proc, args, deadline in writers:
            assert proc.stderr is not None
            err = proc.stderr.read()
            proc.stderr.close()
            if proc.returncode == -9:
                continue
            assert "Traceback" not in err, (why, args, err)
            assert proc.returncode in (0, 2), (why, args, proc.returncode, err)
            if proc.returncode == 2:  # turned away: another writer, or nothing to resume
                assert "another scorelab run" in err or args[0] == "resume", (why, args, err)
        for target, name in TARGETS.items():
            if (d / target).exists():
                assert whole_run_of(d / target, settled=False) == name, (why, round_)
        for folder in users:
            assert snapshot(folder) == kept[folder], (why, folder)

    # the next writer of each output finishes what the dead ones left, and cleans up
    for target, name in TARGETS.items():
        done = subprocess.run([sys.executable, "-m", "scorelab", "run", scenarios[target][0],
                               "--out", str(d / target), "--force", "--quiet"], cwd=tmp_path,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, (why, done.stderr)
        assert whole_run_of(d / target) == name, why
    for folder in users:
        assert snapshot(folder) == kept[folder], (why, folder)
    assert sorted(p.name for p in d.iterdir()) == sorted(
        [*TARGETS, *(folder.name for folder in users)]), why
