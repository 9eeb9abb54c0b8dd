"""``lacplan serve``: answer over HTTP (the ``server`` extra; docs/service.md).

The options are checked before the web framework is imported (:mod:`lacplan.server.settings`):
a bind other than loopback without a token file and TLS (or the explicit ``--insecure-*``
flags), a bad token file or a missing TLS file is exit 2 with one line, and each insecure flag
given prints a warning.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lacplan.errors import UsageError
from lacplan.escape import printable
from lacplan.server.settings import (
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_CASES,
    DEFAULT_TIMEOUT,
    Settings,
    check_settings,
    read_token_file,
)

__all__ = ["add_serve_command", "run_serve"]


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a number more than 0, got {text!r}")
        return value

    return parse


def add_serve_command(sub: Any) -> None:  # sub: argparse's private _SubParsersAction
    """Add the ``serve`` parser to ``sub``."""
    sp = sub.add_parser(
        "serve",
        help="answer over HTTP: evaluate, explain, summary, upcoming, rules (server extra)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Serve lacplan's answers over HTTP (docs/service.md; needs "
        "pip install 'lacplan[server]'). Binds to 127.0.0.1 unless told otherwise; any other "
        "address needs --token-file and --tls-cert/--tls-key (or --insecure-no-auth and "
        "--insecure-no-tls). Nothing sent is stored or logged.",
        epilog="examples:\n  lacplan serve\n  lacplan serve --port 8080 --workers 2\n  lacplan "
        "serve --host 0.0.0.0 --token-file token --tls-cert cert.pem --tls-key key.pem\n\n"
        "Exit status: 0 when stopped (Ctrl-C), 2 for usage errors.",
    )
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    sp.add_argument(
        "--workers", type=_positive(int), default=1, metavar="N", help="processes (default 1)"
    )
    sp.add_argument(
        "--token-file",
        metavar="FILE",
        help="require Authorization: Bearer <the token in FILE> (32 bytes or more, readable "
        "by its owner only); /healthz stays open",
    )
    sp.add_argument("--tls-cert", metavar="FILE", help="TLS certificate (PEM)")
    sp.add_argument("--tls-key", metavar="FILE", help="TLS private key (PEM)")
    sp.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="serve a non-loopback address without a token (a warning is printed)",
    )
    sp.add_argument(
        "--insecure-no-tls",
        action="store_true",
        help="serve a non-loopback address without TLS, e.g. behind a TLS-terminating proxy",
    )
    sp.add_argument(
        "--max-body",
        type=_positive(int),
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"largest request body, counted as it arrives (default {DEFAULT_MAX_BODY}; 413)",
    )
    sp.add_argument(
        "--max-cases",
        type=_positive(int),
        default=DEFAULT_MAX_CASES,
        metavar="N",
        help=f"most records in one request (default {DEFAULT_MAX_CASES}; 413)",
    )
    sp.add_argument(
        "--timeout",
        type=_positive(float),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"per-request deadline, checked between cases (default {DEFAULT_TIMEOUT:g}; 503)",
    )
    sp.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser pages of this origin (https://host[:port]); repeatable, never *",
    )
    sp.add_argument("--docs", action="store_true", help="serve the interactive API docs at /docs")


def settings_of(args: argparse.Namespace) -> Settings:
    """The :class:`Settings` of ``lacplan serve``'s options."""
    return Settings(
        host=args.host,
        port=args.port,
        workers=args.workers,
        token_file=args.token_file,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        insecure_no_auth=args.insecure_no_auth,
        insecure_no_tls=args.insecure_no_tls,
        max_body=args.max_body,
        max_cases=args.max_cases,
        timeout=args.timeout,
        cors_origins=tuple(args.cors_origin),
        docs=args.docs,
    )


def run_serve(args: argparse.Namespace) -> int:
    """Check the options, then serve until stopped."""
    settings = settings_of(args)
    for warning in check_settings(settings):
        sys.stderr.write(f"lacplan serve: warning: {warning}\n")
    if settings.token_file is not None:
        read_token_file(settings.token_file)
    for option, path in (("--tls-cert", settings.tls_cert), ("--tls-key", settings.tls_key)):
        if path is not None:
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                raise UsageError(
                    f"{option}: cannot read {printable(repr(path))}: {exc.strerror}"
                ) from None
    try:
        from lacplan.server.run import serve
    except ImportError:
        raise UsageError(
            "lacplan serve needs the server extra: pip install 'lacplan[server]'"
        ) from None
    try:
        serve(settings)
    except SystemExit as exc:  # uvicorn could not start (the port is taken...): it said why
        return 0 if exc.code in (None, 0) else 2
    return 0
