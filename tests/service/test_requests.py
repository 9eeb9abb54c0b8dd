"""Requests the request layer refuses: each a ``ServiceError`` with a stable code, the path of
the bad field, a 4xx status and a message that never quotes what was sent; and the hostile
inputs of the reliability issue (deep nesting, 5,000-digit numbers, lone surrogates), which
are 4xx or rejected records, never another exception."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import service
from lacplan.service import ERROR_STATUS, ServiceError

ROOT = Path(__file__).resolve().parents[2]
CASE = json.loads((ROOT / "docs" / "examples" / "case.json").read_text())
#: A value no message may ever hold (a name, say, sent where it should not be).
CANARY = "Zebedee-Canary-1999-12-31"
OK: dict[str, Any] = {"cases": [CASE], "as_of": "2021-03-01"}


def refused(request: object, run: Any = service.evaluate) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        run(request)
    err = caught.value
    assert err.code in ERROR_STATUS and 400 <= err.status < 500
    assert set(err.as_dict()["error"]) == {"code", "path", "message"}
    return err


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


REFUSALS: list[tuple[str, dict[str, Any], str, str]] = [
    ("no as_of", {"cases": []}, "missing_field", "as_of"),
    ("as_of a number", {**OK, "as_of": 20210301}, "invalid_date", "as_of"),
    ("as_of not ISO", {**OK, "as_of": CANARY}, "invalid_date", "as_of"),
    ("as_of impossible", {**OK, "as_of": "2021-02-30"}, "invalid_date", "as_of"),
    ("as_of a datetime", {**OK, "as_of": "2021-03-01T00:00:00"}, "invalid_date", "as_of"),
    ("as_of in year 9999", {**OK, "as_of": "9999-12-31"}, "invalid_date", "as_of"),
    ("as_of in year 1", {**OK, "as_of": "0001-01-01"}, "invalid_date", "as_of"),
    ("unknown rules", {**OK, "rules": CANARY}, "unknown_rules", "rules"),
    ("an overlay twice", {**OK, "rules": "england+ifa+ifa"}, "unknown_rules", "rules"),
    ("rules a number", {**OK, "rules": 1}, "invalid_value", "rules"),
    ("unknown field", {**OK, CANARY: 1}, "unknown_field", "<unknown key 1>"),
    ("neither cases nor files", {"as_of": "2021-03-01"}, "missing_field", "cases"),
    ("cases and files", {**OK, "files": []}, "invalid_value", "cases"),
    ("cases not a list", {**OK, "cases": CASE}, "invalid_value", "cases"),
    ("months", {**OK, "months": CANARY}, "invalid_value", "months"),
    ("redact a string", {**OK, "redact": "true"}, "invalid_value", "redact"),
    ("columns", {**OK, "columns": f"key,{CANARY}"}, "invalid_value", "columns"),
    ("columns empty", {**OK, "columns": " , "}, "invalid_value", "columns"),
    ("input format", {"files": [], "as_of": "2021-03-01", "input_format": CANARY},
     "invalid_value", "input_format"),
    ("a return file as json", {"files": [{"name": "2024/episodes.csv", "bytes": ""}],
     "as_of": "2021-03-01"}, "invalid_value", "files[0].name"),
    ("file name traversal", {"files": [{"name": "../etc/passwd", "bytes": ""}],
     "as_of": "2021-03-01"}, "invalid_value", "files[0].name"),
    ("file name absolute", {"files": [{"name": "/tmp/x.json", "bytes": ""}],
     "as_of": "2021-03-01"}, "invalid_value", "files[0].name"),
    ("file name surrogate", {"files": [{"name": "a\ud800.json", "bytes": ""}],
     "as_of": "2021-03-01"}, "invalid_string", "files[0].name"),
    ("file names repeated", {"files": [{"name": "a.json", "bytes": ""}] * 2,
     "as_of": "2021-03-01"}, "invalid_value", "files[1].name"),
    ("a file inside a file", {"files": [{"name": "a", "bytes": ""}, {"name": "a/b.csv",
     "bytes": ""}], "as_of": "2021-03-01"}, "invalid_value", "files[1].name"),
    ("bytes not base64", {"files": [{"name": "a.json", "bytes": CANARY + "!"}],
     "as_of": "2021-03-01"}, "invalid_value", "files[0].bytes"),
    ("file field unknown", {"files": [{"name": "a.json", "bytes": "", CANARY: 1}],
     "as_of": "2021-03-01"}, "unknown_field", "files[0].<unknown key 1>"),
    ("years of no file", {"files": [{"name": "a.csv", "bytes": ""}], "as_of": "2021-03-01",
     "input_format": "ssda903", "years": {CANARY: 2020}}, "invalid_value", "years"),
    ("year out of range", {"files": [{"name": "a.csv", "bytes": ""}], "as_of": "2021-03-01",
     "input_format": "ssda903", "years": {"a.csv": 1850}}, "invalid_value", "years"),
    ("window years", {"files": [{"name": "a.csv", "bytes": ""}], "as_of": "2021-03-01",
     "input_format": "ssd", "window_years": 0}, "invalid_value", "window_years"),
    ("window years text", {**OK, "window_years": CANARY}, "invalid_value", "window_years"),
]  # fmt: skip


@pytest.mark.parametrize(("request_", "code", "path"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])  # fmt: skip
def test_a_bad_request_is_refused_at_its_path_without_echo(
    request_: dict[str, Any], code: str, path: str
) -> None:
    err = refused(request_)
    assert (err.code, err.path) == (code, path)
    assert CANARY not in err.message and CANARY not in err.path
    assert "ud800" not in err.message and "\ud800" not in err.message


def test_the_request_must_be_an_object() -> None:
    for value in ([], "x", 3, None):
        assert refused(value).code == "invalid_value"


@pytest.mark.parametrize(
    ("run", "extra", "path"),
    [
        (service.summary, {"period": "2024-04-01"}, "period"),
        (service.summary, {"period": "2024-04-01..2023-04-01"}, "period"),
        (service.summary, {"period": "2024-04-01..2024-02-30"}, "period"),
        (service.summary, {"period": "0001-01-01..2024-01-01"}, "period"),
        (service.summary, {"by": ["rule", f"team:{CANARY}"]}, "by[1]"),
        (service.summary, {"by": "rule"}, "by"),
        (service.upcoming, {"days": -1}, "days"),
        (service.upcoming, {"days": 10**30}, "days"),
        (service.upcoming, {"days": "14"}, "days"),
        (service.upcoming, {"by": "month"}, "by"),
        (service.explain, {"sequence": 0}, "sequence"),
        (service.explain, {"child": "nobody"}, "child"),
        (service.explain, {"rule": CANARY}, "rule"),
        (service.explain, {"cases": [CASE, CASE]}, "child"),
        (service.compare, {}, "due_dates"),
        (service.compare, {"due_dates": [{"child_id": "1", "rule": "r"}]}, "due_dates[0].due"),
        (service.compare, {"due_dates": [], "due_dates_file": {"name": "d.csv", "bytes": ""}},
         "due_dates"),
        (service.compare, {"due_dates_file": {"name": "d.csv", "bytes": b64(b"a,b\n1,2\n")}},
         "due_dates_file"),
        (service.compare,
         {"due_dates_file": {"name": "d.csv", "bytes": b64(b"child_id,rule,due,sequence\n"
                                                          + b"612408,review,x," + b"9" * 5000)}},
         "due_dates_file"),
    ],
)  # fmt: skip
def test_the_commands_own_options_are_checked(run: Any, extra: dict[str, Any], path: str) -> None:
    err = refused({**OK, **extra}, run)
    assert err.path == path
    assert CANARY not in err.message


def test_parse_json_refuses_what_the_loaders_refuse() -> None:
    for body, detail in (
        (b"", "empty"),
        (b"{bad", "not valid JSON"),
        (b'{"a": 1, "a": 2}', "same name"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"as_of": ' + b"9" * 5000 + b"}", "too many digits"),
    ):
        with pytest.raises(ServiceError, match=detail) as caught:
            service.parse_json(body)
        assert (caught.value.code, caught.value.status) == ("invalid_json", 400)
    assert service.parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


HOSTILE: list[Any] = [
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    float("1" + "0" * 5000 + ".5"),
    10**5000,
    "\ud800",
    "\udc00\ud800",
    "\x1b]0;title\x07",
    {"\ud800": 1},
    float("nan"),
    -(2**64),
    "x" * 100_000,
]


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    field=st.sampled_from(
        [
            "as_of", "rules", "columns", "months", "cases", "files", "input_format", "years",
            "redact", "child", "rule", "sequence", "period", "by", "days", "window_years",
            "extract_date", "due_dates",
        ]
    ),
    value=st.sampled_from(HOSTILE),
    run=st.sampled_from(
        [service.evaluate, service.explain, service.summary, service.upcoming, service.compare]
    ),
)  # fmt: skip
def test_hostile_values_anywhere_are_4xx_never_another_exception(
    field: str, value: Any, run: Any
) -> None:
    """Property: a hostile value in any field of any request is refused with a 4xx (or, in a
    case, is a rejected record); nothing else escapes."""
    request = {**OK, field: value}
    if field == "cases":
        request["cases"] = [value, CASE]
    try:
        answer = run(request)
    except ServiceError as exc:
        assert 400 <= exc.status < 500
        assert "\ud800" not in exc.message and "deep" not in exc.message
        return
    json.dumps(answer)  # what is answered can be sent
    assert field in ("cases", "child", "rule") or run is not service.evaluate


def test_hostile_json_bodies_are_invalid_json() -> None:
    texts = [
        '{"as_of": "2021-03-01", "cases": [' + "[" * 50_000 + "]" * 50_000 + "]}",
        '{"as_of": "2021-03-01", "cases": [{"child_id": ' + "1" * 5000 + "}]}",
        '{"as_of": "2021-03-01", "cases": [], "as_of": "2021-03-02"}',
    ]
    for text in texts:
        with pytest.raises(ServiceError) as caught:
            service.evaluate(service.parse_json(text.encode()))
        assert caught.value.code == "invalid_json"


def test_a_lone_surrogate_in_a_case_is_a_rejected_record() -> None:
    body = json.dumps({"cases": [{**CASE, "child_id": "A\ud800"}], "as_of": "2021-03-01"})
    doc = service.evaluate(service.parse_json(body.encode()))
    assert doc["children"] == []
    assert [p["code"] for p in doc["errors"][0]["problems"]] == ["invalid_string"]
    json.dumps(doc).encode("ascii")  # escaped, so it can be sent


def test_the_error_body_shape_and_statuses() -> None:
    err = ServiceError("too_many_cases", "cases", "too many")
    assert err.as_dict() == {
        "error": {"code": "too_many_cases", "path": "cases", "message": "too many"}
    }
    assert err.status == 413
    assert ServiceError("timeout", "", "x").status == 503
    with pytest.raises(ValueError):
        ServiceError("no_such_code", "", "x")
