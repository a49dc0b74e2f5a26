"""The explorer: a local web app (Panel) to choose a scenario, move its assumptions, run it
in the background, see the report's sections and figures, compare two runs and download one.

``scorelab explore`` serves it (:func:`scorelab.app.server.serve`); ``scorelab.explore()``
shows it in a notebook. Panel is an extra: ``pip install 'scorelab[app]'``.
"""

from __future__ import annotations

from typing import Any

#: what to install when Panel is missing
INSTALL = "the explorer needs Panel: pip install 'scorelab[app]'"


def require_panel() -> None:
    """Raise ImportError saying how to install Panel when it is missing."""
    try:
        import panel  # noqa: F401
    except ImportError:
        raise ImportError(INSTALL) from None


def notebook() -> Any:
    """The explorer for a notebook cell: one page, following its own runs."""
    require_panel()
    import panel as pn

    from .explorer import Explorer
    from .jobs import warm_up
    from .markup import CSS

    warm_up()
    pn.extension("plotly", "codeeditor", raw_css=[CSS])
    explorer = Explorer()
    explorer.start()
    return explorer.view()


__all__ = ["INSTALL", "notebook", "require_panel"]
