"""Checking the address of an existing Ray cluster before connecting to it.

``ray.init(address=...)`` against a head it cannot use does not fail fast: an unreachable port
waits about 40 s for the cluster's control store (GCS), and a head with token
authentication (on by default for ``ray start --head`` since Ray 2.5x) refuses a driver
without its token for about 20 s of repeated warnings before a bare ``ConnectionError``.
So the address is checked first, in a few seconds, and a problem is an error that says what
failed and what to set:

* the form: ``HOST:PORT`` of the head's GCS (the port of ``ray start --head --port``, 6379 by
  default), ``ray://HOST:PORT`` for Ray Client (10001 by default), or ``auto``;
* that the port accepts a connection;
* with ``RAY_AUTH_MODE=token``, that a token is at hand (``RAY_AUTH_TOKEN``, the file named by
  ``RAY_AUTH_TOKEN_PATH``, or ``~/.ray/auth_token``);
* that the GCS answers this driver, which shows whether the head wants a token and whether
  it takes this one.

Ray never sends a local token to an address named explicitly unless ``RAY_AUTH_MODE=token``
says so, and neither does this check: the token goes where the user sends it.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

from ...scenario.errors import Problem, ScenarioError

#: seconds for the port to accept a connection, and for the GCS to answer
CONNECT_S, ANSWER_S = 3.0, 5.0

FORMS = ("HOST:PORT of the head's GCS (the port of 'ray start --head --port', 6379 by "
         "default), ray://HOST:PORT for Ray Client, or auto")
TOKEN = ("give the cluster's token in RAY_AUTH_TOKEN, or in a file named by "
         "RAY_AUTH_TOKEN_PATH (default ~/.ray/auth_token); on the head, 'ray get-auth-token' "
         "prints it")


def _error(message: str) -> ScenarioError:
    return ScenarioError(Problem(message, path="address"))


def split_address(address: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of ``[ray://]HOST:PORT``; None for ``auto``. A malformed address
    is an error naming the forms."""
    if address == "auto":
        return None
    scheme, rest = ("ray://", address[6:]) if address.startswith("ray://") else ("", address)
    host, sep, port = rest.rpartition(":")
    host = host.strip("[]")  # [::1]:6379
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise _error(f"--address {address!r} is not a Ray address: give {FORMS}")
    return scheme, host, int(port)


def token_source() -> str | None:
    """Where Ray will read the token from in token mode, or None when it has none."""
    if os.environ.get("RAY_AUTH_TOKEN", "").strip():
        return "RAY_AUTH_TOKEN"
    named = os.environ.get("RAY_AUTH_TOKEN_PATH")
    path = Path(named).expanduser() if named else Path.home() / ".ray" / "auth_token"
    try:
        return str(path) if path.read_text("utf-8").strip() else None
    except OSError:
        return None


def check_ray_address(address: str) -> None:
    """Check that a Ray cluster at ``address`` answers this driver, in a few seconds;
    raise a :class:`ScenarioError` that says what failed and what to set."""
    parts = split_address(address)
    if parts is None:
        return
    scheme, host, port = parts
    where = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=CONNECT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError):
            reason = f"no answer within {CONNECT_S:g} s"
        raise _error(f"cannot reach a Ray cluster at {address}: {reason}. Is its head "
                     f"running and the port open? Give {FORMS}") from None
    token_mode = os.environ.get("RAY_AUTH_MODE", "").lower() == "token"
    if token_mode and token_source() is None:
        raise _error(f"RAY_AUTH_MODE=token, but there is no token to send to {address}: "
                     f"{TOKEN}")
    if scheme:  # Ray Client speaks its own protocol; ray.init checks the rest
        return
    _ask_the_gcs(address, where, token_mode)


def _ask_the_gcs(address: str, where: str, token_mode: bool) -> None:
    """Ask the GCS at ``where`` for its cluster id, as a driver's first step. The call is made
    in a thread given ``ANSWER_S`` seconds, since a port that is not a GCS can keep it
    waiting much longer."""
    try:
        from ray._raylet import GcsClient  # type: ignore[attr-defined]
        from ray.exceptions import AuthenticationError
    except ImportError:  # another Ray: ray.init reports what it finds
        return
    answer: list[BaseException | None] = []

    def ask() -> None:
        try:
            GcsClient(address=where)
            answer.append(None)
        except BaseException as exc:  # noqa: BLE001 -- handed to the caller's thread
            answer.append(exc)

    thread = threading.Thread(target=ask, name="ray-address-check", daemon=True)
    thread.start()
    thread.join(ANSWER_S)
    if not answer:
        raise _error(f"{address} accepts connections but does not answer as a Ray head "
                     f"within {ANSWER_S:g} s: give {FORMS}")
    problem = answer[0]
    if problem is None:
        return
    if isinstance(problem, AuthenticationError):
        if token_mode:
            raise _error(f"the Ray cluster at {address} refused the authentication token "
                         f"from {token_source()}: {TOKEN}")
        raise _error(f"the Ray cluster at {address} requires token authentication: set "
                     f"RAY_AUTH_MODE=token and {TOKEN}")
    said = str(problem).strip()
    detail = f"{type(problem).__name__}: {said.splitlines()[0]}" if said else \
        type(problem).__name__
    raise _error(f"{address} answers, but not as the GCS of a Ray head ({detail}): give "
                 f"{FORMS}")
