"""Errors a user can fix: each names where (file, line, column, field path) and what was expected."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: at most this many problems are reported at once; at most this many characters of a value
MAX_PROBLEMS = 20
MAX_ECHO = 80


def short(value: Any, limit: int = MAX_ECHO) -> str:
    """``repr(value)`` cut to ``limit`` characters: an error never echoes a huge input back
    (and a whole number too long to write out is described by its length instead)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"a whole number of about {int(value.bit_length() * math.log10(2)) + 1:,} digits"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 1]}…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str | None = None  # dotted field path, e.g. "systems.rongcheng.rules.traffic"

    def __str__(self) -> str:
        if self.file is None and self.line is None:
            return f"{self.path}: {self.message}" if self.path else self.message
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class ScenarioError(Exception):
    """Bad input: the CLI prints it without a traceback and exits with code 2."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        if len(problems) > MAX_PROBLEMS + 1:  # (+1: a caller's own "and N more" line)
            more = len(problems) - MAX_PROBLEMS
            problems = problems[:MAX_PROBLEMS] + [Problem(f"... and {more:,} more problems")]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
