"""The curl examples of docs/service.md, run against a real server on a loopback port: each
``sh`` block that calls curl runs as written (its URL pointed at the test server), from the
repository's root, and each ``# expect:`` line must be found in what it prints. The client
examples of docs/examples/ run the same way."""

from __future__ import annotations

import http.client
import re
import resource
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.server.conftest import ROOT, LiveServer

DOC = ROOT / "docs" / "service.md"
URL = "http://127.0.0.1:8000"
_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def blocks() -> list[str]:
    return [b for b in _BLOCK.findall(DOC.read_text(encoding="utf-8")) if "curl " in b]


def test_the_page_has_examples_and_each_expects_something() -> None:
    found = blocks()
    assert len(found) >= 9
    assert all("# expect: " in b for b in found)


@pytest.mark.parametrize("n", range(len(blocks())))
def test_each_curl_example_answers_as_documented(live_server: LiveServer, n: int) -> None:
    block = blocks()[n]
    script = block.replace(URL, live_server.url)
    run = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    for expected in re.findall(r"^# expect: (.*)$", block, re.M):
        assert expected in run.stdout, (expected, run.stdout[:2000])


def test_the_shell_client_example(live_server: LiveServer) -> None:
    run = subprocess.run(
        ["bash", str(ROOT / "docs" / "examples" / "service-client.sh"), "docs/examples/case.json",
         "2021-03-01"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"LACPLAN_URL": live_server.url, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "612408" in run.stdout and "visit-first" in run.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_javascript_client_example(live_server: LiveServer) -> None:
    node = shutil.which("node")
    assert node is not None
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    if int(version.strip().lstrip("v").split(".")[0]) < 18:
        pytest.skip("the example needs Node 18 or later (fetch)")
    # Under a limited address space (tests/fuzz/test_runner.py leaves RLIMIT_AS at 4 GiB in
    # this process), V8 cannot reserve the guard regions of the Wasm fetch parser unless it
    # goes without its trap handler.
    limited = resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY
    flags = ["--disable-wasm-trap-handler"] if limited else []
    run = subprocess.run(
        [node, *flags, str(ROOT / "docs" / "examples" / "service-client.mjs"),
         "docs/examples/case.json", "2021-03-01"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"LACPLAN_URL": live_server.url, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    if "bad option" in run.stderr:
        pytest.skip("this node cannot run fetch under the limited address space")
    assert run.returncode == 0, run.stderr
    assert "612408" in run.stdout and "overdue" in run.stdout


def test_nothing_of_a_request_reached_the_servers_log(live_server: LiveServer) -> None:
    """The real server's log names routes, statuses and durations only."""
    case = (ROOT / "docs" / "examples" / "case.json").read_text()
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=30)
    body = '{"as_of": "2021-03-01", "cases": [' + case + "]}"
    conn.request("POST", "/v1/evaluate?x=612408", body, {"Content-Type": "application/json"})
    refused = conn.getresponse()
    assert refused.status == 422 and refused.read()  # (an unknown query parameter)
    conn.request("POST", "/v1/evaluate", body, {"Content-Type": "application/json"})
    assert b"612408" in conn.getresponse().read()
    conn.close()
    time.sleep(0.2)
    text = Path(live_server.log).read_text()
    assert "POST /v1/evaluate 200" in text
    for needle in ("612408", "2006-04-02", "?", "CLA-North", "Traceback"):
        assert needle not in text


def test_the_page_lists_every_error_code_with_its_status() -> None:
    from lacplan.service import ERROR_STATUS

    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| 4") or
            line.startswith("| 5")]  # fmt: skip
    listed = {
        code: int(row[2:5]) for row in rows for code in re.findall(r"`([a-z_]+)`", row)
        if code in ERROR_STATUS
    }  # fmt: skip
    assert listed == dict(ERROR_STATUS)
