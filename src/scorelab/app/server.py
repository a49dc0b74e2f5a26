"""Serving the explorer: ``scorelab explore`` binds to 127.0.0.1 unless told otherwise, and
says so when told otherwise; each browser session gets its own explorer."""

from __future__ import annotations

import signal
import socket
import sys
from typing import Any

#: addresses that only this machine reaches
LOCAL = ("127.0.0.1", "localhost", "::1")


def free_port(host: str) -> int:
    """A port free on ``host`` now (for ``--port 0``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def origins(host: str, port: int) -> list[str]:
    """The pages allowed to open the explorer's websocket: this address (and its local
    names when local); any origin when bound to every address."""
    if host in ("0.0.0.0", "::", ""):
        return ["*"]
    names = {host, *LOCAL[:2]} if host in LOCAL else {host}
    return sorted(f"{name}:{port}" for name in names)


def warning(host: str) -> str | None:
    """What binding to a non-local address means, or None for a local one."""
    if host in LOCAL:
        return None
    return (f"warning: the explorer listens on {host}, not only on this machine: anyone who "
            "can reach this port can run simulations here (each run takes memory and CPU). "
            "Use --host 127.0.0.1 to keep it local.")


def serve(host: str = "127.0.0.1", port: int = 5006, show: bool = False) -> None:
    """Serve the explorer until interrupted (see the module docstring)."""
    import panel as pn

    from .explorer import app
    from .jobs import stop_all, warm_up
    from .markup import CSS

    said = warning(host)
    if said:
        print(said, file=sys.stderr, flush=True)
    if port == 0:
        port = free_port(host)
    warm_up()  # the fork server imports the engine now, not at the first run
    pn.extension("plotly", "codeeditor", raw_css=[CSS], notifications=False)
    server: Any = pn.serve({"/": app}, port=port, address=host, show=show, start=False,
                           websocket_origin=origins(host, port), title="scorelab explorer",
                           verbose=False)
    shown = f"[{host}]" if ":" in host else host
    print(f"scorelab explorer: http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C: runs end too
    try:
        server.start()
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_all()
        server.stop()


def _interrupt(*_args: Any) -> None:
    raise KeyboardInterrupt


__all__ = ["LOCAL", "free_port", "origins", "serve", "warning"]
