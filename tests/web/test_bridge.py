""":mod:`lacplan.web.bridge`, what the page's Web Worker calls: JSON text in and out, every
failure an ``{"error": {"code", "path", "message"}}`` body and never a traceback."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import lacplan
from lacplan.rules import BASE_PACKS, OVERLAYS
from lacplan.service.session import Session
from lacplan.web import bridge

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "lacplan" / "data" / "demo_cases.jsonl"
SSDA903 = ROOT / "docs" / "examples" / "ssda903"
DEMO_FILES = [("demo_cases.jsonl", DEMO.read_bytes())]
DEMO_CASES = sum(1 for line in DEMO.read_text("utf-8").splitlines() if line.strip())
OPTIONS = json.dumps({"as_of": "2024-06-03", "rules": "england", "days": 14})


def error_of(text: str) -> dict[str, Any]:
    """The error of an error body (exactly ``code``, ``path`` and ``message``)."""
    assert "Traceback" not in text
    body = json.loads(text)
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "path", "message"}
    assert all(isinstance(v, str) for v in body["error"].values())
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture(scope="module")
def demo() -> Session:
    session, answer = bridge.open_session(DEMO_FILES, OPTIONS)
    assert session is not None, answer
    return session


def test_ready_names_the_packs_overlays_and_versions() -> None:
    got = json.loads(bridge.ready())
    assert got["lacplan_version"] == lacplan.__version__
    assert got["python"] == "{}.{}.{}".format(*sys.version_info[:3])
    assert got["packs"] == list(BASE_PACKS) and "england" in got["packs"]
    assert got["overlays"] == list(OVERLAYS) and "ifa" in got["overlays"]
    assert got["xlsx"] is True  # openpyxl is installed here
    assert got["holidays_imported"] is ("holidays" in sys.modules)


def test_ready_says_when_xlsx_cannot_be_written(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "openpyxl" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert json.loads(bridge.ready())["xlsx"] is False


def test_a_good_session_gives_its_overview(demo: Session) -> None:
    session, answer = bridge.open_session(DEMO_FILES, OPTIONS)
    assert session is not None
    overview = json.loads(answer)
    assert overview == json.loads(json.dumps(demo.overview()))
    assert overview["counts"]["children"] == DEMO_CASES == 6
    assert overview["counts"]["rejected"] == 0
    assert overview["counts"]["obligations"] == sum(c["obligations"] for c in overview["children"])
    assert (overview["as_of"], overview["rules"]) == ("2024-06-03", "england")
    assert json.loads(bridge.overview(session)) == overview


def test_the_files_are_read_as_auto() -> None:
    files = [(p.relative_to(SSDA903).as_posix(), p.read_bytes()) for p in SSDA903.rglob("*.csv")]
    options = json.dumps({"as_of": "2024-06-03", "input_format": "json"})  # overridden
    session, answer = bridge.open_session(files, options)
    assert session is not None, answer
    assert json.loads(answer)["counts"]["children"] == 4


def test_the_options_are_the_sessions(demo: Session) -> None:
    options = json.dumps({"as_of": "2024-06-03", "rules": "england+ifa", "days": 60})
    session, answer = bridge.open_session(DEMO_FILES, options)
    overview = json.loads(answer)
    assert session is not None and overview["rules"] == "england+ifa"
    assert overview["worklist"]["days"] == 60
    assert overview["counts"]["obligations"] > demo.overview()["counts"]["obligations"]


@pytest.mark.parametrize(
    ("options", "code", "path"),
    [
        ("not json", "invalid_json", "options"),
        ("{'as_of': '2024-06-03'}", "invalid_json", "options"),
        ("", "invalid_json", "options"),
        ("[]", "invalid_value", "options"),
        ('"2024-06-03"', "invalid_value", "options"),
        ("null", "invalid_value", "options"),
        ("{}", "missing_field", "as_of"),
        ('{"rules": "england"}', "missing_field", "as_of"),
        ('{"as_of": "2024-02-30"}', "invalid_date", "as_of"),
        ('{"as_of": "2024-06-03", "days": "14"}', "invalid_value", "days"),
        ('{"as_of": "2024-06-03", "rules": "mars-7q"}', "unknown_rules", "rules"),
        ('{"as_of": "2024-06-03", "period": "2024..2023"}', "invalid_date", "period"),
        ('{"as_of": "2024-06-03", "period": "2024-05-01..2024-04-01"}', "invalid_value", "period"),
        ('{"as_of": "2024-06-03", "days": -1}', "invalid_value", "days"),
    ],
)
def test_bad_options_are_error_bodies(options: str, code: str, path: str) -> None:
    session, answer = bridge.open_session(DEMO_FILES, options)
    assert session is None
    error = error_of(answer)
    assert (error["code"], error["path"]) == (code, path)
    for quoted in ("2024-02-30", "mars-7q", "2024..2023"):
        assert quoted not in error["message"]


def test_an_unknown_option_is_not_named() -> None:
    options = json.dumps({"as_of": "2024-06-03", "secret_field_9": 1})
    session, answer = bridge.open_session(DEMO_FILES, options)
    assert session is None
    error = error_of(answer)
    assert error["code"] == "unknown_field" and "secret_field_9" not in answer


def test_an_unreadable_file_is_named_by_its_place() -> None:
    files = [*DEMO_FILES, ("notes-of-a-child.csv", b"\x00\xffnot a table")]
    session, answer = bridge.open_session(files, OPTIONS)
    assert session is None
    error = error_of(answer)
    assert (error["code"], error["path"]) == ("unreadable_file", "files[1]")
    assert "notes-of-a-child" not in error["message"]


def test_progress_counts_increase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bridge, "_PROGRESS_EVERY", 0)
    seen: list[tuple[str, int]] = []
    session, _ = bridge.open_session(DEMO_FILES, OPTIONS, lambda *a: seen.append(a))
    assert session is not None
    # Each record read, then each record evaluated, counted from 1 in each phase.
    expected = [(phase, n) for phase in ("reading", "evaluating") for n in range(1, 7)]
    assert seen == expected


def test_progress_is_reported_at_most_every_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(range(10_000))  # one "second" per reading of the clock
    monkeypatch.setattr(bridge, "time", types.SimpleNamespace(monotonic=lambda: next(clock)))
    monkeypatch.setattr(bridge, "_PROGRESS_EVERY", 3)
    seen: list[tuple[str, int]] = []
    bridge.open_session(DEMO_FILES, OPTIONS, lambda *a: seen.append(a))
    # The clock is read once when the call starts (0), then once per record and phase
    # (1, 2, ...): a report whenever 3 "seconds" have passed since the last.
    assert seen == [("reading", 3), ("reading", 6), ("evaluating", 3), ("evaluating", 6)]


def test_no_progress_function_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bridge, "_PROGRESS_EVERY", 0)
    session, answer = bridge.open_session(DEMO_FILES, OPTIONS, None)
    assert session is not None and json.loads(answer)["counts"]["children"] == DEMO_CASES


def test_memory_error_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: Any, **kwargs: Any) -> Session:
        raise MemoryError

    monkeypatch.setattr(Session, "open", exhausted)
    session, answer = bridge.open_session(DEMO_FILES, OPTIONS)
    assert session is None
    error = error_of(answer)
    assert (error["code"], error["path"]) == ("too_large", "files")
    assert "memory" in error["message"]


def test_memory_error_in_a_view_is_too_large(
    demo: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*args: Any, **kwargs: Any) -> str:
        raise MemoryError

    monkeypatch.setattr(Session, "csv", exhausted)
    assert error_of(bridge.csv(demo, "obligations"))["code"] == "too_large"


def test_views_are_the_sessions_as_json(demo: Session) -> None:
    child = json.loads(bridge.child(demo, "DEMO-003"))
    assert child == json.loads(json.dumps(demo.child("DEMO-003")))
    assert child["child_id"] == "DEMO-003" and child["rows"]
    key = child["rows"][-1]["key"]
    explained = json.loads(bridge.explanation(demo, "DEMO-003", key))
    assert explained == json.loads(json.dumps(demo.explanation("DEMO-003", key)))
    assert explained["key"] == key and explained["explanation"]
    for kind in ("obligations", "summary", "worklist"):
        assert json.loads(bridge.csv(demo, kind)) == {"text": demo.csv(kind)}
        assert bridge.xlsx(demo, kind)[:2] == b"PK"


def test_view_errors_are_error_bodies(demo: Session) -> None:
    error = error_of(bridge.child(demo, "NO-SUCH-CHILD-4411"))
    assert (error["code"], error["path"]) == ("not_found", "child")
    assert "NO-SUCH-CHILD-4411" not in error["message"]
    error = error_of(bridge.explanation(demo, "NO-SUCH-CHILD-4411", "k"))
    assert (error["code"], error["path"]) == ("not_found", "child")
    error = error_of(bridge.explanation(demo, "DEMO-003", "NO-SUCH-KEY-4411"))
    assert (error["code"], error["path"]) == ("not_found", "key")
    assert "NO-SUCH-KEY-4411" not in error["message"]
    error = error_of(bridge.csv(demo, "pdf"))
    assert (error["code"], error["path"]) == ("invalid_value", "kind")
    assert bridge.xlsx(demo, "pdf") == b""
