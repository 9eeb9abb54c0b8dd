"""A real ``lacplan serve`` on a free loopback port, for the tests that talk HTTP to one."""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    """A server process: its URL, port and the file its standard error goes to."""

    url: str
    port: int
    log: Path


def wait_until_up(
    port: int,
    proc: subprocess.Popen[bytes],
    seconds: float = 60,
    context: ssl.SSLContext | None = None,
) -> None:
    """Until ``GET /healthz`` answers 200 (over TLS with ``context``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"lacplan serve exited with {proc.returncode}")
        try:
            conn = (
                http.client.HTTPSConnection("127.0.0.1", port, timeout=2, context=context)
                if context is not None
                else http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            )
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("lacplan serve did not start in time")


def start_server(log: Path, *options: str) -> tuple[subprocess.Popen[bytes], int]:
    """``python -m lacplan serve --port P options...``, standard error to ``log``."""
    port = free_port()
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lacplan", "serve", "--port", str(port), *options],
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    log = tmp_path_factory.mktemp("live-server") / "stderr.log"
    proc, port = start_server(log)
    try:
        wait_until_up(port, proc)
        yield LiveServer(f"http://127.0.0.1:{port}", port, log)
    finally:
        stop(proc)
