"""lacplan over HTTP: ``lacplan serve`` (the ``server`` extra: FastAPI and uvicorn).

* ``settings.py``: :class:`Settings` and the safe-by-default bind rules (standard library);
* ``app.py``: :func:`create_app`, the ASGI app over :mod:`lacplan.service`;
* ``guard.py``: headers on every response, access logs, bearer-token authentication;
* ``openapi.py``: the OpenAPI document (``docs/openapi.json``, checked in CI);
* ``docs_page.py``: the interactive docs (``--docs``), from vendored assets;
* ``run.py``: starting uvicorn (one process, or ``--workers N``).

``docs/service.md`` is the user's guide. :func:`create_app` is imported on first use, so that
``lacplan.server.settings`` and ``lacplan.server.openapi`` work without the web framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lacplan.server.app import create_app
    from lacplan.server.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from lacplan.server.app import create_app

        return create_app
    if name == "Settings":
        from lacplan.server.settings import Settings

        return Settings
    raise AttributeError(f"module 'lacplan.server' has no attribute {name!r}")
