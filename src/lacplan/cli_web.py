"""``lacplan web build DIR`` and ``lacplan web serve DIR``: the in-browser app (docs/web.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lacplan.escape import printable_lines

__all__ = ["add_web_command", "run_web"]


def add_web_command(sub: Any) -> None:  # sub: argparse's private _SubParsersAction
    """Add the ``web`` parser (``build``, ``serve``) to ``sub``."""
    wp = sub.add_parser(
        "web",
        help="build or serve the in-browser app (the data never leaves the browser)",
        description="The zero-install, in-browser lacplan (docs/web.md): a static bundle of "
        "the Pyodide runtime, lacplan's pure core and a page that reads the files on the "
        "analyst's machine and sends nothing anywhere.",
    )
    web_sub = wp.add_subparsers(dest="web_command", required=True, metavar="ACTION")
    bp = web_sub.add_parser(
        "build",
        help="build the bundle into DIR (from a checkout; needs npm and pip)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Build the static bundle into DIR: the Pyodide runtime (npm ci, pinned "
        "in web/package-lock.json), the Pyodide-platform wheels (pip download "
        "--require-hashes -r web/requirements.txt), lacplan's own wheel and the front end "
        "in web/. DIR/index.html is the page. Runs from a checkout of lacplan only.",
        epilog="examples:\n  lacplan web build out/web\n  lacplan web serve out/web\n\n"
        "Exit status: 0 built, 1 a build tool failed, 2 usage errors (not a checkout, DIR "
        "not empty).",
    )
    bp.add_argument("directory", metavar="DIR", help="where the bundle goes (empty or new)")
    bp.add_argument(
        "--no-precompile",
        action="store_true",
        help="ship Python sources, not bytecode (3 MB smaller; the page takes twice as long "
        "to start)",
    )
    sp = web_sub.add_parser(
        "serve",
        help="serve a built bundle on http://127.0.0.1 (loopback only)",
        description="Serve the bundle in DIR on 127.0.0.1 with its content security policy "
        "as a header (any static host serves it as well: docs/web.md).",
    )
    sp.add_argument("directory", metavar="DIR", help="a bundle built by lacplan web build")
    sp.add_argument("--port", type=int, default=8123, help="port (default 8123; 0: any free)")


def run_web(args: argparse.Namespace) -> int:
    """Run ``lacplan web build`` or ``lacplan web serve``."""
    from lacplan.web.build import BuildError, build, checkout_root

    directory = Path(args.directory)
    if args.web_command == "serve":
        from lacplan.web.serve import serve

        return serve(directory, args.port)
    if checkout_root() is None:
        sys.stderr.write(
            "lacplan: web build runs from a checkout of lacplan (the front end is in its web/ "
            "folder, which an installed wheel does not hold): git clone the repository, "
            "pip install -e . there and run lacplan web build DIR\n"
        )
        return 2
    try:
        result = build(directory, precompile=not args.no_precompile)
    except BuildError as exc:
        sys.stderr.write(printable_lines(f"lacplan: {exc}") + "\n")
        return 1
    print(result.size_report())
    return 0
