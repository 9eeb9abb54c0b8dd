"""``lacplan serve`` as a process: TLS, several workers with a token, and the command line's
refusals and warnings (exit 2 with one line; nothing bound)."""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lacplan.cli import main
from tests.server.conftest import ROOT, start_server, stop, wait_until_up
from tests.server.test_settings import TOKEN, token_file

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

CASE = (ROOT / "docs" / "examples" / "case.json").read_text()
BODY = '{"as_of": "2021-03-01", "cases": [' + CASE + "]}"


def _post(conn: http.client.HTTPConnection, headers: dict[str, str]) -> tuple[int, Any]:
    conn.request("POST", "/v1/evaluate", BODY, {"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    return response.status, json.loads(response.read())


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_tls_on_loopback(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
         "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    proc, port = start_server(tmp_path / "log", "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        context = ssl.create_default_context(cafile=str(cert))
        wait_until_up(port, proc, context=context)
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
        status, doc = _post(conn, {})
        assert status == 200 and doc["children"][0]["child_id"] == "612408"
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        with pytest.raises((http.client.HTTPException, OSError)):
            plain.request("GET", "/healthz")
            plain.getresponse().read()
    finally:
        stop(proc)


def test_two_workers_each_read_the_token(tmp_path: Path) -> None:
    proc, port = start_server(
        tmp_path / "log", "--workers", "2", "--token-file", token_file(tmp_path)
    )
    try:
        wait_until_up(port, proc)
        for _ in range(6):  # (spread over both workers)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            assert _post(conn, {})[0] == 401
            status, doc = _post(conn, {"Authorization": f"Bearer {TOKEN}"})
            assert status == 200 and doc["errors"] == []
            conn.close()
    finally:
        stop(proc)
    assert TOKEN not in (tmp_path / "log").read_text()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--host", "0.0.0.0"], "--token-file"),
        (["--host", "0.0.0.0", "--insecure-no-auth"], "--tls-cert"),
        (["--cors-origin", "*"], "never *"),
        (["--tls-cert", "c.pem"], "together"),
        (["--token-file", "/nonexistent/token"], "cannot open"),
        (["--tls-cert", "/nonexistent/c", "--tls-key", "/nonexistent/k"], "cannot read"),
        (["--max-body", "0"], "more than 0"),
        (["--workers", "x"], "more than 0"),
    ],
)
def test_the_command_refuses_unsafe_options_with_exit_2(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import lacplan.server.run

    monkeypatch.setattr(lacplan.server.run, "serve", lambda s: pytest.fail("it served"))
    with pytest.raises(SystemExit) as caught:
        main(["serve", *argv])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_insecure_flags_warn_and_then_serve(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import lacplan.server.run

    served: list[Any] = []
    monkeypatch.setattr(lacplan.server.run, "serve", served.append)
    argv = ["serve", "--host", "0.0.0.0", "--insecure-no-auth", "--insecure-no-tls",
            "--cors-origin", "https://a.example", "--cors-origin", "https://b.example:8443",
            "--max-cases", "5", "--timeout", "2.5", "--docs"]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "warning: --insecure-no-auth" in err and "warning: --insecure-no-tls" in err
    (settings,) = served
    assert settings.cors_origins == ("https://a.example", "https://b.example:8443")
    assert (settings.max_cases, settings.timeout, settings.docs) == (5, 2.5, True)
    assert main(["serve", "--token-file", token_file(tmp_path)]) == 0
    assert capsys.readouterr().err == ""  # loopback with a token: nothing to warn about


def test_a_port_in_use_is_exit_2(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "lacplan", "serve", "--port", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
