"""Golden results: every preset at a small size and a fixed seed, checked in.

A number that changes must change on purpose. ``make golden`` (this module run as a script)
rewrites the files; commit them with a message that says why they changed.

For each preset, and for the test scenario ``tests/scenarios/small.yaml`` (a national point
system that sanctions and takes appeals, which the presets rarely do at this size),
``tests/golden/<name>/`` holds the ``summary.json`` of the run,
``daily.csv``, the daily table as text (the same values as ``daily.parquet``, in a form
whose bytes do not depend on the Parquet writer's version and whose diff can be read), and
``cases.csv``, the case files as text (``cases.parquet``'s values).
"""

from __future__ import annotations

import sys
from pathlib import Path

import scorelab
from scorelab.report.files import summary_bytes
from scorelab.scenario import preset_names

HERE = Path(__file__).parent
PERSONS, DAYS, SEED = 200_000, 30, 5
SCENARIO_FILES = {"scenario-small": HERE.parent / "scenarios" / "small.yaml"}
#: presets whose schedule spans their whole run: their own days, fewer persons
FULL_LENGTH = {"plan-2014": 20_000}
#: presets that link records with splink: fewer persons, so the suite stays quick
LINKED = {"integrated": 20_000}


def golden_names() -> list[str]:
    return [*preset_names(), *SCENARIO_FILES]


def golden_files(name: str) -> dict[str, bytes]:
    """The files a golden run gives today."""
    if name in SCENARIO_FILES:
        result = scorelab.run(SCENARIO_FILES[name], seed=SEED)
    elif name in LINKED:
        result = scorelab.run(preset=name, persons=LINKED[name], days=DAYS, seed=SEED)
    elif name in FULL_LENGTH:
        result = scorelab.run(preset=name, persons=FULL_LENGTH[name], seed=SEED)
    else:
        result = scorelab.run(preset=name, persons=PERSONS, days=DAYS, seed=SEED)
    files = {"summary.json": summary_bytes(result.summary),
             "daily.csv": result.daily.write_csv().encode("utf-8")}
    if result.cases is not None:
        files["cases.csv"] = result.cases.write_csv().encode("utf-8")
    return files


def regenerate(cases: list[str] | None = None) -> list[Path]:
    written = []
    for case in cases or golden_names():
        folder = HERE / case
        folder.mkdir(exist_ok=True)
        for name, data in golden_files(case).items():
            (folder / name).write_bytes(data)
            written.append(folder / name)
    return written


if __name__ == "__main__":
    # ``goldens.py NAME ...`` rewrites only those cases
    for path in regenerate(sys.argv[1:] or None):
        print(path.relative_to(HERE.parents[1]))
    sys.exit(0)
