"""Safe by default, in the app: bearer authentication, CORS only for the origins named, the
interactive docs only with ``--docs`` (from vendored assets), and access logs that hold no
body, query string or personal value (the privacy canary)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lacplan.errors import UsageError
from lacplan.server.settings import Settings
from tests.privacy import canary
from tests.server.test_settings import TOKEN, token_file

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from lacplan.server import docs_page
from lacplan.server.app import create_app

CASE = json.loads((Path(__file__).resolve().parents[2] / "docs/examples/case.json").read_text())


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(token_file=token_file(tmp_path)))) as c:
        yield c


def test_every_path_but_healthz_needs_the_token(guarded: TestClient) -> None:
    request = {"cases": [CASE], "as_of": "2021-03-01"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"},
                    {"Authorization": "Bearer "}):  # fmt: skip
        r = guarded.post("/v1/evaluate", json=request, headers=headers)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["cache-control"] == "no-store" and "lacplan-rules-hash" in r.headers
        assert TOKEN not in r.text
    for path in ("/openapi.json", "/v1/rules", "/nowhere"):
        assert guarded.get(path).status_code == 401
    assert guarded.get("/healthz").status_code == 200
    ok = guarded.post("/v1/evaluate", json=request, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    lower = guarded.get("/v1/rules", headers={"Authorization": f"bearer {TOKEN}"})
    assert lower.status_code == 200


def test_a_bad_token_file_stops_the_app_being_built(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        create_app(Settings(token_file=token_file(tmp_path, mode=0o644)))


def test_no_cors_headers_unless_an_origin_is_named() -> None:
    origin = {"Origin": "https://cases.example.org"}
    with TestClient(create_app()) as plain:
        r = plain.get("/healthz", headers=origin)
        assert not [h for h in r.headers if h.startswith("access-control")]
        pre = plain.options("/v1/evaluate", headers={**origin, "Access-Control-Request-Method":
                                                     "POST"})  # fmt: skip
        assert not [h for h in pre.headers if h.startswith("access-control")]
    with TestClient(create_app(Settings(cors_origins=("https://cases.example.org",)))) as cors:
        r = cors.get("/healthz", headers=origin)
        assert r.headers["access-control-allow-origin"] == "https://cases.example.org"
        assert "Lacplan-Rules-Hash" in r.headers["access-control-expose-headers"]
        other = cors.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        pre = cors.options(
            "/v1/evaluate",
            headers={**origin, "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization,content-type"},
        )  # fmt: skip
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] != "*"
        assert pre.headers["cache-control"] == "no-store"


def test_the_docs_are_off_unless_asked_for_and_come_from_this_server() -> None:
    with TestClient(create_app()) as plain:
        assert plain.get("/docs").status_code == 404
        assert plain.get("/redoc").status_code == 404
    if docs_page.swagger_assets() is None:
        pytest.skip("swagger-ui-bundle-v2 is not installed")
    with TestClient(create_app(Settings(docs=True))) as docs:
        page = docs.get("/docs")
        assert page.status_code == 200
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere
        for asset in ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"):
            r = docs.get(asset)
            assert r.status_code == 200 and len(r.content) > 10
        assert docs.get("/docs/index.html").status_code == 404


def test_without_the_assets_docs_is_a_plain_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docs_page, "swagger_assets", lambda: None)
    with TestClient(create_app(Settings(docs=True))) as docs:
        page = docs.get("/docs")
        assert page.status_code == 200
        assert "/openapi.json" in page.text and "POST /v1/evaluate" in page.text
        assert "<script" not in page.text
        assert docs.get("/docs/swagger-ui-bundle.js").status_code == 404


def _sensitive() -> list[str]:
    return [*canary.dob_forms(), canary.ID_PREFIX, "Zebedee"]


def test_the_access_log_holds_no_body_query_or_personal_value(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """The privacy canary: children born on the sentinel date, with the sentinel in query
    strings, unknown fields, paths and bad tokens; nothing of it in any log line."""
    dob = canary.SENTINEL_DOB.isoformat()
    cases = [canary.good_case(1), {**canary.good_case(2), "Zebedee": dob}]
    request: dict[str, Any] = {"cases": cases, "as_of": canary.AS_OF}
    body = json.dumps(request)
    with (
        caplog.at_level(logging.DEBUG),
        TestClient(create_app(Settings(token_file=token_file(tmp_path)))) as c,
    ):
        auth = {"Authorization": f"Bearer {TOKEN}"}
        c.post("/v1/evaluate", content=body, headers={**auth, "content-type": "application/json"})
        c.post(f"/v1/evaluate?as_of={dob}&child={canary.ID_PREFIX}", content=body,
               headers={**auth, "content-type": "application/x-ndjson"})  # fmt: skip
        c.post("/v1/explain", json={**request, "child": f"{canary.ID_PREFIX}G1"}, headers=auth)
        c.post("/v1/summary", json={**request, "Zebedee": dob}, headers=auth)
        c.post("/v1/upcoming", json={**request, "as_of": f"Zebedee {dob}"}, headers=auth)
        c.get(f"/v1/rules/{canary.ID_PREFIX}{dob}", headers=auth)
        c.get(f"/v1/children/{canary.ID_PREFIX}/{dob}", headers=auth)
        c.get(f"/v1/calendar/add?date={dob}&n=Zebedee", headers=auth)
        c.get(f"/healthz?who={canary.ID_PREFIX}")
        c.get("/v1/rules", headers={"Authorization": f"Bearer Zebedee-{dob}"})
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("lacplan")]
    assert len([x for x in lines if x.startswith(("GET", "POST"))]) == 10
    text = "\n".join(lines)
    assert canary.leaks(text, _sensitive()) == []
    assert canary.leaks(text, canary.birthday_forms()) == []
    assert TOKEN not in text and "?" not in text
    assert "POST /v1/evaluate 200" in text and "GET /v1/rules/{rule_id} 404" in text
    assert "GET - 404" in text and "GET /v1/rules 401" not in text  # unrouted: no path
    assert os.linesep not in "".join(lines)
