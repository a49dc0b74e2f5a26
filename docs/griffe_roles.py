"""A Griffe extension for the API reference: scorelab's docstrings are prose in reST habits
(``code``, :func:`name`) with doctest examples, read here as Markdown: a role becomes code,
and a run of ``>>>`` lines a fenced ``pycon`` block (Markdown would read ``>>>`` as quotes)."""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|obj|exc):`~?([^`]+)`")


def markdown(text: str) -> str:
    """The docstring with its roles as code and its doctest runs fenced."""
    lines = ROLE.sub(r"`\1`", text).split("\n")
    out: list[str] = []
    fenced = False
    for line in lines:
        starts = line.lstrip().startswith(">>>")
        if starts and not fenced:
            out.append("```pycon")
            fenced = True
        elif fenced and not line.strip():
            out.append("```")
            fenced = False
        out.append(line)
    if fenced:
        out.append("```")
    return "\n".join(out)


class DocstringMarkdown(Extension):
    """Rewrite every docstring as it is loaded (see the module docstring)."""

    def on_instance(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
