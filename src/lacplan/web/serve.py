"""``lacplan web serve DIR``: the bundle on http://127.0.0.1 (loopback only), with the page's
content security policy sent as a header too (docs/web.md).

A static file server from the standard library: the bundle needs nothing else, and any static
host serves it as well (the policy is also in ``index.html``). Nothing sent to it is logged but
the request line's method, path and status (the page sends no data: it fetches its own files).
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from lacplan.errors import UsageError
from lacplan.escape import printable
from lacplan.web import CONTENT_SECURITY_POLICY

__all__ = ["HOST", "BundleHandler", "make_server", "serve"]

#: The only address served.
HOST: Final = "127.0.0.1"

_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".png": "image/png",
}


class BundleHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the bundle's files with the policy, ``nosniff`` and exact content types."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return _TYPES.get(os.path.splitext(path)[1].lower()) or "application/octet-stream"

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        super().end_headers()

    def list_directory(self, path: str | Any) -> Any:
        self.send_error(404, "Not found")
        return None

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(printable(format % args) + "\n")


def make_server(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A server of ``directory`` on 127.0.0.1:``port`` (0: a free port), not yet started."""
    if not (directory / "index.html").is_file():
        raise UsageError(f"{directory} holds no index.html; build it with lacplan web build")
    handler: Callable[..., BundleHandler] = functools.partial(
        BundleHandler, directory=str(directory)
    )
    try:
        return http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None


def serve(directory: Path, port: int) -> int:
    """Serve until Ctrl-C; prints the page's address first."""
    server = make_server(directory, port)
    host, bound = server.server_address[:2]
    print(f"lacplan web: serving {directory} on http://{host!s}:{bound}/ (Ctrl-C stops)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
