"""Rule files in a request (``overlay_files``): stacked on ``rules`` as ``--overlay FILE`` is,
through the request layer, the HTTP app and the in-browser app's bridge."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from lacplan import service
from lacplan.cli import main
from lacplan.service import ServiceError
from lacplan.web import bridge

ROOT = Path(__file__).resolve().parents[2]
RULE_FILE = ROOT / "docs" / "examples" / "my-council.toml"
CASES = ROOT / "src" / "lacplan" / "data" / "demo_cases.jsonl"
AS_OF = "2024-06-03"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def request(rules: str = "england", **extra: Any) -> dict[str, Any]:
    return {
        "files": [{"name": "demo_cases.jsonl", "bytes": b64(CASES.read_bytes())}],
        "as_of": AS_OF,
        "rules": rules,
        "overlay_files": [{"name": "my-council.toml", "bytes": b64(RULE_FILE.read_bytes())}],
        **extra,
    }


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    main(["evaluate", "demo_cases.jsonl", "--as-of", AS_OF, *argv])
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("rules", ["england", "england+ifa"])
def test_a_rule_file_is_stacked_as_the_cli_stacks_it(
    rules: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES.parent)
    doc = service.evaluate(request(rules))
    expected = cli_json(capsys, "--rules", rules, "--overlay", str(RULE_FILE))
    assert doc == expected
    assert doc["rules"] == f"{rules}+my-council"
    # The overlay's own rules were evaluated (docs/overlays.md: its rules are local ones).
    sources = {o["source"] for c in doc["children"] for o in c["obligations"]}
    assert "local" in sources or len(sources) > 1


def test_a_bad_rule_file_is_named_by_its_place() -> None:
    bad = {"name": "bad.toml", "bytes": b64(b"[pack\nname = 1\n")}
    with pytest.raises(ServiceError) as caught:
        service.evaluate({**request(), "overlay_files": [bad]})
    assert caught.value.code == "invalid_rule_file"
    assert caught.value.status == 422
    assert caught.value.path == "overlay_files[0]"
    assert "bad.toml:1" in caught.value.message


def test_a_rule_file_that_is_not_text_is_refused() -> None:
    with pytest.raises(ServiceError) as caught:
        service.evaluate(
            {**request(), "overlay_files": [{"name": "x.toml", "bytes": b64(b"\xff")}]}
        )
    assert (caught.value.code, caught.value.path) == ("invalid_rule_file", "overlay_files[0]")


def test_the_http_app_takes_rule_files() -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from lacplan.server.app import create_app
    from lacplan.server.settings import Settings

    with TestClient(create_app(Settings())) as api:
        answer = api.post("/v1/summary", json=request())
        assert answer.status_code == 200, answer.text
        assert answer.headers["lacplan-rules"] == "england+my-council"
        bad = api.post("/v1/summary", json={**request(), "overlay_files": [{"name": "b.toml"}]})
        assert bad.status_code == 422
        assert bad.json()["error"]["path"].startswith("overlay_files[0]")


def test_the_page_stacks_a_dropped_toml_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES.parent)
    files = [("my-council.TOML", RULE_FILE.read_bytes()), ("demo_cases.jsonl", CASES.read_bytes())]
    session, answer = bridge.open_session(files, json.dumps({"as_of": AS_OF}))
    assert session is not None, answer
    assert json.loads(answer)["rules"] == "england+my-council"
    expected = cli_json(capsys, "--overlay", str(RULE_FILE))
    assert json.loads(answer)["counts"]["obligations"] == sum(
        len(c["obligations"]) for c in expected["children"]
    )
