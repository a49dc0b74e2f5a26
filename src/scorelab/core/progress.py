"""Progress of a run, as the CLI shows it: the days done, and labelled steps of the long
global phases between them (building the parts, a linkage, a checkpoint, writing the files),
so that a phase of many seconds says what it is doing and how far it is.

A progress callback is called with (days done, days in all). Where it also has a ``step``
method, that gets (label, stages done, stages in all) as each stage of a long phase begins,
and (label, n, n) when the phase ends; a plain callable gets only the days.

>>> seen = []
>>> with stages(lambda *a: seen.append(a), "linking records", ["load", "cluster"]) as stage:
...     stage("load")
...     stage("cluster")
>>> seen
[('linking records: load', 0, 2), ('linking records: cluster', 1, 2), ('linking records', 2, 2)]
>>> with labelled(lambda *a: seen.append(a), "writing the files"):
...     pass
>>> seen[3:]
[('writing the files', 0, 1), ('writing the files', 1, 1)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

#: (days done, days in all)
Progress = Callable[[int, int], None]
#: (label, stages done, stages in all)
Report = Callable[[str, int, int], None]


def reporter(progress: object) -> Report | None:
    """The labelled-step reporter of a progress callback: its ``step`` method, if it has
    one."""
    step = getattr(progress, "step", None)
    return step if callable(step) else None


@contextmanager
def stages(report: Report | None, label: str, names: Sequence[str]
           ) -> Iterator[Callable[[str], None]]:
    """A long phase in named stages: ``stage(name)`` says that stage begins; leaving the
    block says the phase has ended (also when it fails)."""
    order = {name: i for i, name in enumerate(names)}

    def stage(name: str) -> None:
        if report is not None:
            report(label if name == label else f"{label}: {name}", order[name], len(names))

    try:
        yield stage
    finally:
        if report is not None:
            report(label, len(names), len(names))


@contextmanager
def labelled(report: Report | None, label: str) -> Iterator[None]:
    """A long phase of one stage."""
    with stages(report, label, [label]) as stage:
        stage(label)
        yield
