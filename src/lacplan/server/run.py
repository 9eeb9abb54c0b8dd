"""Starting the HTTP app under uvicorn: :func:`serve` (``lacplan serve``).

One process serves the app directly; ``--workers N`` starts N processes, each building the
app from the settings passed in the environment (:data:`SETTINGS_ENV`: the options, never the
token itself, which each worker reads from ``--token-file``). uvicorn's own access log is off:
the app writes its own (:mod:`lacplan.server.guard`), to standard error, one line a request.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any, Final

from starlette.types import ASGIApp

from lacplan.server.app import create_app
from lacplan.server.settings import Settings

__all__ = ["SETTINGS_ENV", "app_from_environment", "configure_logging", "serve"]

#: The environment variable that carries the settings to each worker process.
SETTINGS_ENV: Final = "LACPLAN_SERVE_SETTINGS"
_HANDLER_NAME: Final = "lacplan-serve"


def configure_logging() -> None:
    """The app's logs (``lacplan.server.*``) to standard error, once per process."""
    logger = logging.getLogger("lacplan.server")
    if any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def app_from_environment() -> ASGIApp:
    """The app of the settings in :data:`SETTINGS_ENV` (uvicorn's factory, in each worker)."""
    configure_logging()
    return create_app(Settings.from_dict(json.loads(os.environ[SETTINGS_ENV])))


def serve(settings: Settings) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM: uvicorn shuts down gracefully)."""
    import uvicorn

    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "ssl_certfile": settings.tls_cert,
        "ssl_keyfile": settings.tls_key,
        "log_level": "info",
        "timeout_graceful_shutdown": 5,
    }
    if settings.workers == 1:
        configure_logging()
        uvicorn.run(create_app(settings), **options)
        return
    os.environ[SETTINGS_ENV] = json.dumps(settings.as_dict())
    uvicorn.run(
        "lacplan.server.run:app_from_environment",
        factory=True,
        workers=settings.workers,
        **options,
    )
