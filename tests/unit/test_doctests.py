"""The examples in the docstrings (``>>>``) run as doctests, one test per module that has
any, so an example that no longer holds fails here and the API reference never shows one.
About 10 s: most examples run a preset on 2,000 persons for a few days."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import scorelab

SRC = Path(scorelab.__file__).parent


def modules_with_examples() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if ">>>" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(SRC.parent).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


MODULES = modules_with_examples()


def test_the_examples_are_found() -> None:
    assert {"scorelab", "scorelab.api", "scorelab.ledger.catalogue",
            "scorelab.report.sweep"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    assert tests, f"{name} has '>>>' but no doctest was found"
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
