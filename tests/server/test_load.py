"""A bounded load run against a real server on a loopback port: single-child evaluate requests
from a few concurrent clients over keep-alive connections, every answer checked against the
library's; it prints p50 and p99 latency and requests per second, and stops by itself (a count,
and a deadline).

``LACPLAN_LOAD_REQUESTS`` sets the count (default 5,000), ``LACPLAN_LOAD_CLIENTS`` the clients
(default 4) and ``LACPLAN_LOAD_WORKERS`` the server's processes (default 1: the suite's
server; more starts one of its own with ``--workers``).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import lacplan
from lacplan.synth import synth_cases
from tests.server.conftest import LiveServer, start_server, stop, wait_until_up

REQUESTS = int(os.environ.get("LACPLAN_LOAD_REQUESTS", "5000"))
CLIENTS = int(os.environ.get("LACPLAN_LOAD_CLIENTS", "4"))
WORKERS = int(os.environ.get("LACPLAN_LOAD_WORKERS", "1"))
DEADLINE_SECONDS = 300.0
AS_OF = date(2024, 6, 3)
JSON = {"Content-Type": "application/json"}


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``sorted_values``."""
    rank = max(0, math.ceil(q * len(sorted_values)) - 1)
    return sorted_values[rank]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (
        50.0,
        99.0,
        100.0,
    )


@pytest.fixture
def server(live_server: LiveServer, tmp_path: Path) -> Iterator[int]:
    """The port of the server to load: the suite's, or one with ``--workers``."""
    if WORKERS == 1:
        yield live_server.port
        return
    proc, port = start_server(tmp_path / "log", "--workers", str(WORKERS))
    try:
        wait_until_up(port, proc)
        yield port
    finally:
        stop(proc)


def test_a_bounded_load_run_answers_every_request_as_the_library_does(
    server: int, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = synth_cases(40, seed=15, as_of=AS_OF)
    bodies = [json.dumps({"cases": [c], "as_of": AS_OF.isoformat()}).encode() for c in cases]
    expected = [
        lacplan.evaluate(lacplan.parse_case(c), as_of=AS_OF).children[0].as_dict() for c in cases
    ]
    latencies: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + DEADLINE_SECONDS

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
        mine: list[float] = []
        answers: list[tuple[int, bytes]] = []
        try:
            for i in range(k, REQUESTS, CLIENTS):
                if time.monotonic() > stop_at:
                    break
                n = i % len(bodies)
                started = time.perf_counter()
                conn.request(
                    "POST", "/v1/evaluate", bodies[n], {"Content-Type": "application/json"}
                )
                response = conn.getresponse()
                data = response.read()
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    answers.append((-1, data))
                else:
                    answers.append((n, data))
        finally:
            conn.close()
        wrong = []
        for n, data in answers:  # checked after the run, outside the timings
            doc: Any = json.loads(data)
            if n < 0 or doc["children"] != [expected[n]] or doc["errors"]:
                wrong.append(f"request for case {n}: not the library's answer")
        with lock:
            latencies.extend(mine)
            problems.extend(wrong)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    assert problems == []
    assert len(latencies) == REQUESTS, "the run hit its deadline before the last request"
    latencies.sort()
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    with capsys.disabled():
        print(
            f"\nload run: {REQUESTS} single-child POST /v1/evaluate from {CLIENTS} clients, "
            f"{WORKERS} server process(es): p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
            f"{REQUESTS / wall:.0f} requests/second ({wall:.1f} s)"
        )
