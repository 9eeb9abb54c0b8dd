"""The HTTP app through its test client: every endpoint, the headers on every response (errors
included), the error bodies, the limits (body size with and without Content-Length, cases,
content type, deadline), hostile inputs, and the OpenAPI document."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

import lacplan
from lacplan import service
from lacplan.server.app import create_app
from lacplan.server.openapi import build
from lacplan.server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
JSON = "application/json"
CASE = json.loads((ROOT / "docs" / "examples" / "case.json").read_text())
REQUEST: dict[str, Any] = {"cases": [CASE], "as_of": "2021-03-01"}
CANARY = "Zebedee-Canary-1999-12-31"
ALWAYS = (
    "lacplan-version",
    "lacplan-rules",
    "lacplan-rules-version",
    "lacplan-rules-hash",
    "lacplan-calendar",
)


def client(**settings: Any) -> TestClient:
    return TestClient(create_app(Settings(**settings)), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    with client() as c:
        yield c


def check_headers(response: Any, rules: str = "england") -> None:
    pack = lacplan.get_pack(rules)
    h = response.headers
    assert all(name in h for name in ALWAYS), sorted(h)
    assert (h["lacplan-rules"], h["lacplan-rules-version"], h["lacplan-rules-hash"]) == (
        pack.name,
        pack.version,
        pack.content_hash,
    )
    assert h["lacplan-version"] == lacplan.__version__
    assert h["cache-control"] == "no-store"
    assert h["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in h


def check_error(response: Any, status: int, code: str, path: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "path", "message"}
    assert body["error"]["code"] == code
    if path is not None:
        assert body["error"]["path"] == path
    assert CANARY not in response.text and "detail" not in body
    check_headers(response)


def test_evaluate_answers_the_service_document(api: TestClient) -> None:
    r = api.post("/v1/evaluate", json={**REQUEST, "cases": [CASE, {"child_id": CANARY}]})
    assert r.status_code == 200
    assert r.json() == service.evaluate({**REQUEST, "cases": [CASE, {"child_id": CANARY}]})
    assert r.headers["lacplan-rejected"] == "1"
    check_headers(r)
    ifa = api.post("/v1/evaluate", json={**REQUEST, "rules": "england+ifa"})
    check_headers(ifa, "england+ifa")
    assert ifa.headers["lacplan-rejected"] == "0"


def test_the_views_answer_the_service_documents(api: TestClient) -> None:
    for path, run, extra in (
        ("/v1/explain", service.explain, {"rule": "review-first"}),
        ("/v1/summary", service.summary, {"by": ["label:team"]}),
        ("/v1/upcoming", service.upcoming, {"days": 30}),
        (
            "/v1/compare",
            service.compare,
            {"due_dates": [{"child_id": "612408", "rule": "review-first", "due": None}]},
        ),
    ):
        r = api.post(path, json={**REQUEST, **extra})
        assert r.status_code == 200, (path, r.text)
        assert r.json() == run({**REQUEST, **extra})
        check_headers(r)
        assert r.headers["lacplan-rejected"] == "0"


def test_the_read_only_endpoints(api: TestClient) -> None:
    assert api.get("/v1/rules").json() == service.rules()
    r = api.get("/v1/rules?rules=england%2Bifa&as_of=2024-03-31")
    assert r.json() == service.rules([("rules", "england+ifa"), ("as_of", "2024-03-31")])
    check_headers(r, "england+ifa")
    assert api.get("/v1/rules/review-first").json() == service.rule("review-first")
    assert api.get("/v1/schema/case").json() == service.case_schema()
    step = api.get("/v1/calendar/add", params={"date": "2020-12-18", "n": "20"}).json()
    assert step["result"] == "2021-01-20"  # skipping Christmas, Boxing Day (obs.), New Year
    assert api.get("/healthz").json() == {"status": "ok", "lacplan_version": lacplan.__version__}
    openapi = api.get("/openapi.json")
    assert openapi.json() == build()
    for path in ("/v1/rules", "/v1/schema/case", "/healthz", "/openapi.json"):
        check_headers(api.get(path))


def test_json_lines_stream_the_cli_lines_and_end_with_the_summary(api: TestClient) -> None:
    body = (json.dumps(CASE) + "\n{oops\n" + json.dumps(CASE) + "\n").encode()
    r = api.post(
        "/v1/evaluate?as_of=2021-03-01&columns=compact",
        content=body,
        headers={"content-type": "application/x-ndjson"},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(x) for x in r.text.splitlines()]
    expected = service.evaluate_lines(body, [("as_of", "2021-03-01"), ("columns", "compact")])
    assert lines == [json.loads(x) for c in expected.lines for x in c.splitlines()]
    assert lines[-1] == {"summary": {"in": 3, "evaluated": 2, "rejected": 1}}
    check_headers(r)
    check_error(
        api.post("/v1/evaluate", content=body, headers={"content-type": "application/x-ndjson"}),
        422,
        "missing_field",
        "as_of",
    )


REFUSED = [
    ("malformed JSON", "post", "/v1/evaluate", {"content": b'{"as_of": ', "headers":
     {"content-type": "application/json"}}, 400, "invalid_json"),
    ("not UTF-8", "post", "/v1/summary", {"content": b"\xff{}", "headers":
     {"content-type": "application/json"}}, 400, "invalid_json"),
    ("deep nesting", "post", "/v1/evaluate", {"content": b"[" * 200_000 + b"]" * 200_000,
     "headers": {"content-type": "application/json"}}, 400, "invalid_json"),
    ("5,000 digits", "post", "/v1/evaluate", {"content": b'{"as_of": "2021-03-01", "cases": ['
     + b"7" * 5000 + b"]}", "headers": {"content-type": "application/json"}}, 400, "invalid_json"),
    ("wrong content type", "post", "/v1/evaluate", {"content": json.dumps(REQUEST),
     "headers": {"content-type": "text/plain"}}, 415, "unsupported_media_type"),
    ("no content type", "post", "/v1/explain", {"content": json.dumps(REQUEST)}, 415,
     "unsupported_media_type"),
    ("JSON Lines elsewhere", "post", "/v1/summary", {"content": b"{}\n", "headers":
     {"content-type": "application/x-ndjson"}}, 415, "unsupported_media_type"),
    ("unknown rules", "post", "/v1/evaluate", {"json": {**REQUEST, "rules": CANARY}}, 422,
     "unknown_rules"),
    ("bad as_of", "post", "/v1/upcoming", {"json": {**REQUEST, "as_of": CANARY}}, 422,
     "invalid_date"),
    ("date out of range", "post", "/v1/evaluate", {"json": {**REQUEST, "as_of": "3000-01-01"}},
     422, "invalid_date"),
    ("calendar out of range", "get", "/v1/calendar/add?date=2099-01-01&n=1", {}, 422,
     "calendar_range"),
    ("query on a JSON post", "post", f"/v1/evaluate?{CANARY}=1", {"json": REQUEST}, 422,
     "unknown_field"),
    ("unknown field", "post", "/v1/evaluate", {"json": {**REQUEST, CANARY: CANARY}}, 422,
     "unknown_field"),
    ("unknown rule id", "get", f"/v1/rules/{CANARY}", {}, 404, "not_found"),
    ("unknown path", "get", f"/v1/children/{CANARY}", {}, 404, "not_found"),
    ("wrong method", "get", "/v1/evaluate", {}, 405, "method_not_allowed"),
    ("lone surrogate in rules", "post", "/v1/evaluate", {"content": b'{"as_of": "2021-03-01", '
     b'"cases": [], "rules": "\\ud800"}', "headers": {"content-type": "application/json"}}, 422,
     "unknown_rules"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [r[1:] for r in REFUSED],
    ids=[r[0] for r in REFUSED],
)
def test_refusals_are_error_bodies_with_every_header(
    api: TestClient, method: str, path: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    check_error(getattr(api, method)(path, **kwargs), status, code)


def test_405_says_which_methods(api: TestClient) -> None:
    assert api.get("/v1/evaluate").headers["allow"] == "POST"


def test_body_size_is_counted_as_it_arrives() -> None:
    body = json.dumps(REQUEST).encode()
    with client(max_body=len(body) - 1) as small:
        r = small.post("/v1/evaluate", content=body, headers={"content-type": "application/json"})
        check_error(r, 413, "body_too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
            for i in range(0, len(body), 100):
                yield body[i : i + 100]

        r = small.post(
            "/v1/evaluate", content=chunks(), headers={"content-type": "application/json"}
        )
        assert "content-length" not in r.request.headers
        check_error(r, 413, "body_too_large")
    with client(max_body=len(body)) as enough:
        ok = enough.post("/v1/evaluate", content=body, headers={"content-type": "application/json"})
        assert ok.status_code == 200


def test_too_many_cases_and_the_deadline() -> None:
    with client(max_cases=1) as one:
        check_error(one.post("/v1/evaluate", json={**REQUEST, "cases": [CASE] * 2}), 413,
                    "too_many_cases")  # fmt: skip
        body = (json.dumps(CASE) + "\n").encode() * 2
        r = one.post("/v1/evaluate?as_of=2021-03-01", content=body,
                     headers={"content-type": "application/x-ndjson"})  # fmt: skip
        check_error(r, 413, "too_many_cases")
    with client(timeout=1e-9) as hurried:
        check_error(hurried.post("/v1/evaluate", json=REQUEST), 503, "timeout")
        r = hurried.post("/v1/evaluate?as_of=2021-03-01", content=(json.dumps(CASE) + "\n"),
                         headers={"content-type": "application/x-ndjson"})  # fmt: skip
        lines = [json.loads(x) for x in r.text.splitlines()]
        assert lines[-1]["error"]["code"] == "timeout"
        assert all("summary" not in x for x in lines)  # a stream cut short has no summary


def test_a_failure_inside_is_a_500_error_body_with_every_header(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError(CANARY)

    monkeypatch.setattr(service, "upcoming", broken)
    with client() as c, caplog.at_level("INFO"):
        check_error(c.post("/v1/upcoming", json=REQUEST), 500, "internal_error")
    assert "KeyError" in caplog.text and CANARY not in caplog.text


def test_openapi_paths_are_the_apps_routes() -> None:
    app: Any = create_app()
    while not hasattr(app, "routes"):
        app = app.app
    routes = {
        (m.lower(), r.path) for r in app.routes for m in getattr(r, "methods", ()) if m != "HEAD"
    }
    documented = {(m, p) for p, ops in build()["paths"].items() for m in ops}
    assert routes == documented


def test_every_openapi_reference_resolves() -> None:
    doc = build()
    text = json.dumps(doc)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node: Any = doc
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]
        assert node


def test_the_shipped_openapi_file_is_current(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "lacplan.server.openapi"]
    ok = subprocess.run([*run, "--check", str(ROOT / "docs/openapi.json")], capture_output=True)
    assert ok.returncode == 0, ok.stderr
    stale = json.loads((ROOT / "docs/openapi.json").read_text())
    stale["info"]["version"] = "0.0.0-other"  # a version bump alone is not staleness
    (tmp_path / "o.json").write_text(json.dumps(stale, indent=4, sort_keys=True))
    assert subprocess.run([*run, "--check", str(tmp_path / "o.json")]).returncode == 0
    del stale["paths"]["/healthz"]
    (tmp_path / "o.json").write_text(json.dumps(stale))
    bad = subprocess.run([*run, "--check", str(tmp_path / "o.json")], capture_output=True)
    assert bad.returncode == 1 and b"is stale" in bad.stderr
