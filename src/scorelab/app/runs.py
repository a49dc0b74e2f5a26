"""The runs of one explorer session: kept in memory for that session only (another
browser's session has its own), each with what was chosen, its result, its report's view
model and its files.

A run downloads as its folder in a zip: the four files ``scorelab run --out`` writes, the
same bytes (:func:`scorelab.report.files.output_contents`), so its ``scenario.yaml`` run
through ``scorelab run`` gives the same files again. The zip itself is the same bytes for
the same run (fixed timestamps).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from functools import cached_property

from ..ledger.result import Result
from ..report.files import OUTPUT_FILES, output_contents
from ..report.numbers import format_count
from ..report.view import Page, build_page
from .choose import Choice
from .knobs import sliders

#: a zip entry's time: fixed, so the same run gives the same bytes
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class Run:
    """One finished run of the session."""

    number: int
    choice: Choice
    result: Result
    seconds: float
    _files: dict[str, bytes] | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """How the page names the run: its number and preset."""
        return f"run {self.number}: {self.choice.preset}"

    @property
    def folder(self) -> str:
        """The name of the run's folder in its zip."""
        return f"{self.result.scenario.name}-run-{self.number}"

    def changes(self) -> list[str]:
        """What differs from the preset, in words: sliders moved and the YAML box."""
        preset = {s.path: s for s in sliders(self.choice.preset)}
        out = []
        for path, value in sorted(self.choice.knobs.items()):
            was = preset[path].value if path in preset else None
            out.append(f"{path} = {value:g}" + (f" (preset {was:g})" if was is not None else ""))
        if self.choice.text.strip():
            lines = [line for line in self.choice.text.splitlines()
                     if line.strip() and not line.lstrip().startswith("#")]
            if lines:
                out.append(f"YAML box: {len(lines)} line{'s' if len(lines) > 1 else ''}")
        return out

    def describe(self) -> str:
        """The run in one line: size, seed, replicates."""
        c = self.choice
        text = f"{format_count(c.persons)} persons \u00d7 {format_count(c.days)} days, seed {c.seed}"
        if c.replicates > 1:
            text += f", {c.replicates} replicates"
        return text

    @cached_property
    def page(self) -> Page:
        """The report's view model of the run."""
        return build_page(self.result.summary, self.result.daily, self.result.cases)

    def files(self) -> dict[str, bytes]:
        """The run's four files, as ``scorelab run --out`` writes them."""
        if self._files is None:
            self._files = output_contents(self.result)
        return self._files

    def zip_bytes(self) -> bytes:
        """The run's folder as a zip (see the module docstring)."""
        buffer = io.BytesIO()
        files = self.files()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in (n for n in OUTPUT_FILES if n in files):
                info = zipfile.ZipInfo(f"{self.folder}/{name}", date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name])
        return buffer.getvalue()

    def command(self) -> str:
        """The command that repeats the run from its downloaded folder."""
        more = f" --replicates {self.choice.replicates}" if self.choice.replicates > 1 else ""
        return f"scorelab run {self.folder}/scenario.yaml{more} --out {self.folder}-again"


@dataclass
class Runs:
    """Every run of one session, in order."""

    runs: list[Run] = field(default_factory=list)

    def add(self, choice: Choice, result: Result, seconds: float) -> Run:
        run = Run(len(self.runs) + 1, choice, result, seconds)
        self.runs.append(run)
        return run

    def get(self, number: int | None) -> Run | None:
        for run in self.runs:
            if run.number == number:
                return run
        return None

    def __len__(self) -> int:
        return len(self.runs)


__all__ = ["ZIP_TIME", "Run", "Runs"]
