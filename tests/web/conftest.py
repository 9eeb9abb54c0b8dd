"""Fixtures of the in-browser app's tests: the bundle (built once per run by ``lacplan web
build``, or the one named by ``LACPLAN_WEB_BUNDLE``), served on loopback by ``lacplan web
serve``'s server, and Chromium driven by Playwright.

Without npm, Node or Chromium these tests skip, except under ``CI=true``, where ``.ci/run``
installs them and a missing tool is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lacplan.web.build import build, checkout_root
from lacplan.web.serve import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox",  # Chromium refuses to run as root with its sandbox
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def need(tool: str) -> str:
    """The path of ``tool``, or skip (fail under CI)."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is not installed; .ci/run installs it")
        pytest.skip(f"{tool} is not installed")
    return found


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built bundle (``LACPLAN_WEB_BUNDLE``: an existing one, for quicker local runs)."""
    given = os.environ.get("LACPLAN_WEB_BUNDLE")
    if given:
        return Path(given)
    need("npm")
    if checkout_root() is None:
        pytest.skip("the bundle builds from a checkout only")
    target = tmp_path_factory.mktemp("web") / "bundle"
    build(target)
    return target


@pytest.fixture(scope="session")
def origin(bundle: Path) -> Iterator[str]:
    """The bundle served on 127.0.0.1 (a free port), as ``lacplan web serve`` serves it."""
    server = make_server(bundle, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}"
    server.shutdown()
    server.server_close()
