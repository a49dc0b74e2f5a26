"""Cross-references: a name a scenario uses (a city, a province, an event, a grade, a list)
that must resolve to one it defines, and the error that names each one that does not."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .errors import Problem, ScenarioError, short

AT_KEY = "<key>"  # ends a reference path whose problem is the mapping key, not its value


@dataclass(frozen=True)
class Reference:
    """A name that does not resolve: where (a field path) and what is wrong."""

    path: tuple[str | int, ...]
    message: str


def did_you_mean(word: str, choices: list[str]) -> str:
    if len(word) > 200:
        return ""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass
class References:
    """The names a scenario defines, for checking what refers to them."""

    provinces: list[str]
    cities: list[str]
    events: dict[str, str]  # event type -> the process (or "protests") producing it
    remedies: set[str]  # events with a remedy rate
    lists: list[str] = field(default_factory=list)

    def city(self, path: tuple[str | int, ...], city: str) -> list[Reference]:
        if city in self.cities:
            return []
        return [Reference(path, f"unknown city {short(city)}{did_you_mean(city, self.cities)}; "
                                f"known cities: {', '.join(self.cities)}")]

    def province(self, path: tuple[str | int, ...], province: str) -> list[Reference]:
        if province in self.provinces:
            return []
        return [Reference(path, f"unknown province {short(province)}"
                                f"{did_you_mean(province, self.provinces)}; known provinces: "
                                f"{', '.join(self.provinces)}")]

    def event(self, path: tuple[str | int, ...], event: str) -> list[Reference]:
        if event in self.events:
            return []
        known = list(self.events)
        return [Reference(path, f"unknown event type {short(event)}{did_you_mean(event, known)}; "
                                f"known events: {', '.join(known)}")]


class ReferenceProblems(ScenarioError):
    """Names that do not resolve; the loader locates each path in the YAML it came from."""

    def __init__(self, references: list[Reference]) -> None:
        self.references = references
        super().__init__([Problem(r.message, path=_path_text(r.path)) for r in references])


def _path_text(path: tuple[str | int, ...]) -> str:
    parts = [p for p in path if p != AT_KEY]
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in parts).replace(".[", "[")
