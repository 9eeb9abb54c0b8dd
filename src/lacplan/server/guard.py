"""The HTTP app's outer layers, as plain ASGI middleware:

* :class:`Guard`, outermost: every response, errors included, gets the provenance headers
  (``Lacplan-Version``, ``Lacplan-Rules``, ``Lacplan-Rules-Version``, ``Lacplan-Rules-Hash``,
  ``Lacplan-Calendar``: the answer's own where it set them, else the server's default pack's),
  ``Cache-Control: no-store``, ``X-Content-Type-Options: nosniff`` and a restrictive content
  security policy; an exception that escapes the app becomes a 500 error body (if nothing was
  sent yet) and one log line naming its type only; each request is one access-log line:
  method, path (the route's template, never the query string), status and duration.
* :class:`BearerAuth`: with ``--token-file``, every path but ``/healthz`` needs
  ``Authorization: Bearer <token>``, compared in constant time (401 with
  ``WWW-Authenticate: Bearer`` otherwise).

Nothing here reads or logs a request body, a query string or a header's value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lacplan.escape import printable
from lacplan.service import ServiceError

__all__ = ["ACCESS_LOG", "ERROR_LOG", "BearerAuth", "Guard", "error_response", "header_pairs"]

#: The access log (one line a request) and the error log (an exception's type).
ACCESS_LOG: Final = logging.getLogger("lacplan.server.access")
ERROR_LOG: Final = logging.getLogger("lacplan.server.error")

#: Headers every response carries, whatever the app set.
FORCED: Final[Mapping[str, str]] = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}
#: Headers every response carries unless the app set its own (the docs page does).
DEFAULTS: Final[Mapping[str, str]] = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}

_Headers = list[tuple[bytes, bytes]]


def header_pairs(headers: Mapping[str, str]) -> _Headers:
    """ASGI header pairs (lower-case names, latin-1 values)."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def error_response(
    send: Send, error: ServiceError, extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """Send ``error``'s body with its status."""
    body = json.dumps(error.as_dict(), separators=(",", ":")).encode()
    headers: _Headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _route(scope: Scope) -> str:
    """The path to log: the matched route's template (``/v1/rules/{rule_id}``), never a
    submitted value; ``-`` for a request that reached no route (an unknown path, or one
    refused before routing), whose path is the client's text."""
    template = getattr(scope.get("route"), "path", None)
    return template if isinstance(template, str) else "-"


class Guard:
    """The outermost layer (module docstring); ``defaults`` are the provenance headers of
    the server's default pack."""

    def __init__(self, app: ASGIApp, defaults: Mapping[str, str]) -> None:
        self.app = app
        self.defaults = header_pairs({**DEFAULTS, **defaults})
        self.forced = header_pairs(FORCED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = {"status": 500, "sent": False}

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["sent"], state["status"] = True, message["status"]
                message = {**message, "headers": self._headers(message.get("headers", []))}
            await send(message)

        try:
            await self.app(scope, receive, guarded)
        except Exception as exc:  # the app failed: one line naming the type only
            ERROR_LOG.error("internal error: %s", type(exc).__name__)
            if not state["sent"]:
                await error_response(
                    guarded,
                    ServiceError(
                        "internal_error", "", "the server failed to answer; the log names why."
                    ),
                )
        finally:
            ms = (time.perf_counter() - started) * 1000
            method = printable(str(scope.get("method", "")))[:16]
            ACCESS_LOG.info("%s %s %d %.1fms", method, _route(scope), state["status"], ms)

    def _headers(self, given: Sequence[tuple[bytes, bytes]]) -> _Headers:
        forced = {k for k, _ in self.forced}
        out = [(k.lower(), v) for k, v in given if k.lower() not in forced]
        present = {k for k, _ in out}
        out += [(k, v) for k, v in self.defaults if k not in present]
        return out + self.forced


class BearerAuth:
    """Bearer-token authentication for every path but ``open_paths``."""

    def __init__(
        self, app: ASGIApp, token: bytes, open_paths: Sequence[str] = ("/healthz",)
    ) -> None:
        self.app = app
        self._digest = hashlib.sha256(token).digest()
        self.open_paths = frozenset(open_paths)

    def allowed(self, scope: Scope) -> bool:
        """Whether the request carries the token (compared in constant time: the digests of
        what was given and of the token, so not even its length is told)."""
        given = b""
        for name, value in scope.get("headers", ()):
            if name.lower() == b"authorization":
                scheme, _, credentials = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    given = credentials.strip()
                break
        return hmac.compare_digest(hashlib.sha256(given).digest(), self._digest) and bool(given)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.open_paths or self.allowed(scope):
            await self.app(scope, receive, send)
            return
        await error_response(
            send,
            ServiceError(
                "unauthorized",
                "",
                "this server needs Authorization: Bearer <token> (the token in its --token-file).",
            ),
            [(b"www-authenticate", b'Bearer realm="lacplan"')],
        )
