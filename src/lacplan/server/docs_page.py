"""``--docs``: the interactive API docs at ``/docs``, from vendored assets only (no CDN).

Swagger UI's files come from the installed ``swagger-ui-bundle-v2`` package (part of the
``server`` extra), served from this app under ``/docs/``; the page's own script is a file too,
so the page's content security policy allows scripts from this origin only. Without that
package, ``/docs`` is a plain page listing the endpoints and linking ``/openapi.json``.
"""

from __future__ import annotations

from html import escape
from importlib import import_module
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.responses import Response

__all__ = ["DOCS_CSP", "add_docs_routes", "swagger_assets"]

#: The content security policy of the docs pages (Swagger UI sets inline styles).
DOCS_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_ASSETS: Final = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
}
_INIT: Final = """window.onload = function () {
  window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: false});
};
"""


def swagger_assets() -> Path | None:
    """The directory of the installed Swagger UI files, or ``None``."""
    try:
        bundle: Any = import_module("swagger_ui_bundle")
    except ImportError:
        return None
    path = Path(str(bundle.swagger_ui_path))
    return path if all((path / name).is_file() for name in _ASSETS) else None


def _page(assets: Path | None) -> str:
    if assets is not None:
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>lacplan API</title>"
            '<link rel="stylesheet" href="/docs/swagger-ui.css"></head><body>'
            '<div id="swagger-ui"></div><script src="/docs/swagger-ui-bundle.js"></script>'
            '<script src="/docs/init.js"></script></body></html>'
        )
    from lacplan.server.openapi import build

    items = []
    for path, ops in build()["paths"].items():
        for method, op in ops.items():
            items.append(
                f"<li><code>{escape(method.upper())} {escape(path)}</code>: "
                f"{escape(op.get('summary', ''))}</li>"
            )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lacplan API</title>'
        "</head><body><h1>lacplan API</h1><p>The OpenAPI document: "
        '<a href="/openapi.json">/openapi.json</a> (docs/service.md explains it).</p>'
        f"<ul>{''.join(items)}</ul></body></html>"
    )


def add_docs_routes(api: FastAPI) -> None:
    """Add ``/docs`` (and its assets) to ``api``."""
    assets = swagger_assets()
    page = _page(assets).encode()
    csp = {"Content-Security-Policy": DOCS_CSP}

    async def docs(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=csp)

    async def init(request: Request) -> Response:
        return Response(_INIT, media_type="text/javascript", headers=csp)

    api.add_api_route("/docs", docs, methods=["GET"])
    if assets is None:
        return
    api.add_api_route("/docs/init.js", init, methods=["GET"])
    for name, media in _ASSETS.items():
        api.add_api_route(
            f"/docs/{name}", _asset((assets / name).read_bytes(), media), methods=["GET"]
        )


def _asset(data: bytes, media: str) -> Any:
    async def asset(request: Request) -> Response:
        return Response(data, media_type=media, headers={"Content-Security-Policy": DOCS_CSP})

    return asset
