"""The request layer's evaluating requests, with no web framework: the answers are the CLI's
(``lacplan evaluate --format json`` and ``jsonl``) and the library's, for case objects, JSON
files, an SSDA903 return and a JSON Lines body."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lacplan
from lacplan import service
from lacplan.cli import main
from lacplan.service import ServiceError
from lacplan.synth import synth_cases
from tests.privacy import canary

ROOT = Path(__file__).resolve().parents[2]
CASE_FILE = ROOT / "docs" / "examples" / "case.json"
SSDA903 = ROOT / "docs" / "examples" / "ssda903"
CASE = json.loads(CASE_FILE.read_text())


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def cli_json(*argv: str, capsys: pytest.CaptureFixture[str]) -> Any:
    capsys.readouterr()
    main(list(argv))
    return json.loads(capsys.readouterr().out)


def test_a_json_file_gives_the_cli_document(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    name = "docs/examples/case.json"
    doc = service.evaluate(
        {"files": [{"name": name, "bytes": b64(CASE_FILE.read_bytes())}], "as_of": "2021-03-01"}
    )
    assert doc == cli_json("evaluate", name, "--as-of", "2021-03-01", capsys=capsys)
    assert list(doc)[-4:] == ["children", "errors", "accounting", "source_findings"]


def test_an_ssda903_return_read_from_its_bytes_gives_the_cli_document(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(SSDA903)
    files = [
        {"name": f"{year}/{f.name}", "bytes": b64(f.read_bytes())}
        for year in ("2023", "2024")
        for f in sorted((SSDA903 / year).iterdir())
    ]
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the files are written, then removed
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    doc = service.evaluate({"files": files, "input_format": "ssda903", "as_of": "2024-03-31"})
    expected = cli_json(
        "evaluate", "2023", "2024", "--input-format", "ssda903", "--as-of", "2024-03-31",
        capsys=capsys,
    )  # fmt: skip
    assert doc == expected
    assert doc["accounting"]["Episodes"]["rows"] > 0
    assert list(tmp_path.iterdir()) == []  # nothing kept
    assert str(tmp_path) not in json.dumps(doc)


def test_a_return_file_the_adapter_refuses_is_named_by_its_place() -> None:
    files = [
        {"name": "2024/header.csv", "bytes": b64((SSDA903 / "2024" / "header.csv").read_bytes())},
        {"name": "Jane-Doe-notes.csv", "bytes": b64(b"name,notes\nJane,x\n")},
    ]
    with pytest.raises(ServiceError) as caught:
        service.evaluate({"files": files, "input_format": "ssda903", "as_of": "2024-03-31"})
    assert (caught.value.code, caught.value.path, caught.value.status) == (
        "unreadable_file",
        "files[1]",
        422,
    )
    assert "Jane" not in caught.value.message


def test_case_objects_and_a_rejected_one_named_by_position() -> None:
    bad = {"child_id": "C9", "date_of_birth": "2010-02-30"}
    doc = service.evaluate({"cases": [CASE, bad, "not a case"], "as_of": "2021-03-01"})
    report = lacplan.evaluate(lacplan.parse_case(CASE), as_of=date(2021, 3, 1))
    assert doc["children"] == [c.as_dict() for c in report.children]
    assert [(e["file"], e["line"], e["child_id"]) for e in doc["errors"]] == [
        ("<cases>", 2, "C9"),
        ("<cases>", 3, None),
    ]
    codes = [p["code"] for e in doc["errors"] for p in e["problems"]]
    assert codes == ["invalid_date", "not_an_object"]
    assert "2010-02-30" not in json.dumps(doc["errors"])


def test_columns_choose_the_fields_and_put_the_catalogue_in_the_header() -> None:
    doc = service.evaluate(
        {"cases": [CASE], "as_of": "2021-03-01", "columns": "key,rule,due,status"}
    )
    assert {tuple(o) for o in doc["children"][0]["obligations"]} == {
        ("key", "rule", "due", "status")
    }
    assert doc["catalogue"]["content_hash"] == doc["rules_hash"]
    compact = service.evaluate({"cases": [CASE], "as_of": "2021-03-01", "columns": "compact"})
    assert "explanation" not in compact["children"][0]["obligations"][0]


def test_rules_and_months_are_the_cli_options(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    request = {
        "files": [{"name": "docs/examples/case.json", "bytes": b64(CASE_FILE.read_bytes())}],
        "as_of": "2021-03-01",
        "rules": "england+ifa",
        "months": "fixed_days",
    }
    expected = cli_json(
        "evaluate", "docs/examples/case.json", "--as-of", "2021-03-01", "--rules",
        "england+ifa", "--months", "fixed_days", capsys=capsys,
    )  # fmt: skip
    assert service.evaluate(request) == expected


def test_redact_withholds_every_birthday() -> None:
    request = {"cases": [canary.good_case(1)], "as_of": canary.AS_OF}
    plain = json.dumps(service.evaluate(request))
    redacted = json.dumps(service.evaluate({**request, "redact": True}))
    assert canary.leaks(redacted, canary.birthday_forms()) == []
    assert canary.leaks(plain, canary.birthday_forms())  # (so the check can fail)


def test_more_cases_than_allowed_is_413_before_anything_is_evaluated() -> None:
    with pytest.raises(ServiceError) as caught:
        service.evaluate({"cases": [CASE] * 3, "as_of": "2021-03-01"}, max_cases=2)
    assert (caught.value.code, caught.value.status) == ("too_many_cases", 413)
    files = [{"name": "a.jsonl", "bytes": b64((json.dumps(CASE) + "\n").encode() * 3)}]
    with pytest.raises(ServiceError, match="more than 2 records"):
        service.evaluate({"files": files, "as_of": "2021-03-01"}, max_cases=2)
    assert len(service.evaluate({"files": files, "as_of": "2021-03-01"})["children"]) == 3


def test_the_tick_is_called_between_cases_and_may_stop_the_request() -> None:
    calls: list[int] = []

    def tick() -> None:
        calls.append(1)
        if len(calls) > 4:
            raise ServiceError("timeout", "", "too long")

    service.evaluate({"cases": [CASE] * 2, "as_of": "2021-03-01"}, tick=tick)
    assert len(calls) == 4  # read twice, evaluated twice
    calls.clear()
    with pytest.raises(ServiceError) as caught:
        service.evaluate({"cases": [CASE] * 3, "as_of": "2021-03-01"}, tick=tick)
    assert caught.value.status == 503


def lines_of(body: bytes, **query: str) -> list[Any]:
    answer = service.evaluate_lines(body, list({"as_of": "2021-03-01", **query}.items()))
    return [json.loads(line) for chunk in answer.lines for line in chunk.splitlines()]


def test_json_lines_are_the_cli_lines_then_the_summary(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b"\n".join([json.dumps(CASE).encode(), b"{broken", b"", b'{"child_id": "C2"}']) + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body)))
    capsys.readouterr()
    main(["evaluate", "-", "--as-of", "2021-03-01", "--format", "jsonl"])
    cli = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    got = lines_of(body)
    assert got[-1] == {"summary": {"in": 3, "evaluated": 1, "rejected": 2}}
    for mine, theirs in zip(got[:-1], cli, strict=True):
        if "error" in mine:  # the same error, read from the body instead of standard input
            assert mine["error"]["file"] == "<body>"
            mine["error"]["file"] = theirs["error"]["file"]
        assert mine == theirs
    assert [e["error"]["line"] for e in got if "error" in e] == [2, 4]


def test_a_json_lines_stream_cut_by_the_deadline_ends_with_an_error_not_a_summary() -> None:
    calls: list[int] = []

    def tick() -> None:
        calls.append(1)
        if len(calls) > 2:
            raise ServiceError("timeout", "", "the request took too long")

    body = (json.dumps(CASE) + "\n").encode() * 3
    answer = service.evaluate_lines(body, [("as_of", "2021-03-01")], tick=tick)
    lines = [json.loads(x) for chunk in answer.lines for x in chunk.splitlines()]
    assert [next(iter(x)) for x in lines] == ["child_id", "child_id", "error"]
    assert lines[-1]["error"]["code"] == "timeout"


def test_json_lines_parameters_are_checked_before_anything_is_read() -> None:
    body = (json.dumps(CASE) + "\n").encode() * 3
    for query, code in (
        ([], "missing_field"),
        ([("as_of", "2021-03-01"), ("rules", "wales")], "unknown_rules"),
        ([("as_of", "2021-03-01"), ("redact", "yes")], "invalid_value"),
        ([("as_of", "2021-03-01"), ("child", "X")], "unknown_field"),
        ([("as_of", "2021-03-01"), ("as_of", "2021-03-02")], "invalid_value"),
    ):
        with pytest.raises(ServiceError) as caught:
            service.evaluate_lines(body, query)
        assert caught.value.code == code
    with pytest.raises(ServiceError, match="more than 2 records"):
        service.evaluate_lines(body, [("as_of", "2021-03-01")], max_cases=2)
    header = service.evaluate_lines(body, [("as_of", "2021-03-01"), ("columns", "compact")])
    assert "catalogue" in header.header


@settings(max_examples=15, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 4), as_of=st.dates(*service.DATE_RANGE))
def test_the_answer_is_the_librarys(seed: int, n: int, as_of: date) -> None:
    """Property: for any cohort and date, the children of the answer are the library's."""
    cases = synth_cases(n, seed=seed)
    doc = service.evaluate({"cases": cases, "as_of": as_of.isoformat()})
    report = lacplan.evaluate([lacplan.parse_case(c) for c in cases], as_of=as_of)
    assert doc["children"] == [c.as_dict() for c in report.children]
    assert doc["errors"] == [e.as_dict() for e in report.errors]


def test_the_layer_imports_no_pandas_numpy_or_web_framework() -> None:
    code = (
        "import json, sys; from lacplan import service; "
        f"service.evaluate({{'cases': [json.load(open({str(CASE_FILE)!r}))], "
        "'as_of': '2021-03-01'}); service.summary({'cases': [], 'as_of': '2021-03-01'}); "
        "print(sorted(m for m in ('pandas', 'numpy', 'fastapi', 'starlette', 'uvicorn') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
