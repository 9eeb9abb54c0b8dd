""":class:`lacplan.service.session.Session`, what the in-browser app asks: its downloads equal
the CLI's bytes on the same files, its counts and views agree with the CLI's JSON report and
with the request layer's ``summary`` and ``upcoming``, and it does not depend on file order."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import service
from lacplan.cli import main
from lacplan.report import STATUS_ORDER
from lacplan.service import ServiceError
from lacplan.service.session import CHILD_COLUMNS, Session

ROOT = Path(__file__).resolve().parents[2]
SSDA903 = ROOT / "docs" / "examples" / "ssda903"
D2I = ROOT / "tests" / "data" / "ssda903-samples" / "d2i-validator-fake"
DEMO = ROOT / "src" / "lacplan" / "data" / "demo_cases.jsonl"


@dataclass(frozen=True)
class Sample:
    """Input files (relative to ``base``) and the options they are evaluated with."""

    base: Path
    names: tuple[str, ...]
    as_of: str
    rules: str = "england"
    days: int | None = None
    period: str | None = None

    def files(self) -> list[dict[str, Any]]:
        return [{"name": n, "bytes": (self.base / n).read_bytes()} for n in self.names]

    def inputs(self) -> dict[str, Any]:
        return {
            "files": self.files(),
            "input_format": "auto",
            "as_of": self.as_of,
            "rules": self.rules,
        }

    def request(self) -> dict[str, Any]:
        extra = {"days": self.days, "period": self.period}
        return {**self.inputs(), **{k: v for k, v in extra.items() if v is not None}}

    def cli(self, command: str) -> list[str]:
        argv = [command, *self.names, "--input-format", "auto", "--as-of", self.as_of]
        argv += ["--rules", self.rules]
        if command == "upcoming" and self.days is not None:
            argv += ["--days", str(self.days)]
        if command == "summary" and self.period is not None:
            argv += ["--period", self.period]
        return argv


def _names(base: Path, *folders: str) -> tuple[str, ...]:
    found = [p for f in folders for p in sorted((base / f).iterdir()) if p.suffix == ".csv"]
    return tuple(p.relative_to(base).as_posix() for p in found)


SAMPLES = {
    "ssda903": Sample(SSDA903, _names(SSDA903, "2023", "2024"), "2024-06-03"),
    "d2i": Sample(D2I, _names(D2I, "."), "2024-03-31", days=28),
    "demo": Sample(DEMO.parent, (DEMO.name,), "2024-06-03"),
    "demo-ifa": Sample(
        DEMO.parent,
        (DEMO.name,),
        "2024-06-03",
        rules="england+ifa",
        days=60,
        period="2023-10-01..2024-05-31",
    ),
}
DOWNLOADS = {"obligations": "evaluate", "summary": "summary", "worklist": "upcoming"}


@functools.cache
def opened(name: str) -> Session:
    return Session.open(SAMPLES[name].request())


def run_cli(
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
    base: Path,
    *argv: str,
) -> bytes:
    monkeypatch.chdir(base)
    capsysbinary.readouterr()
    status = main(list(argv))
    out, err = capsysbinary.readouterr()
    assert status in (0, 1), err
    return out


@pytest.fixture(params=list(SAMPLES))
def sample(request: pytest.FixtureRequest) -> tuple[Sample, Session]:
    return SAMPLES[request.param], opened(request.param)


def report_of(
    capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch, s: Sample
) -> dict[str, Any]:
    argv = [*s.cli("evaluate"), "--format", "json"]
    doc: dict[str, Any] = json.loads(run_cli(capsysbinary, monkeypatch, s.base, *argv))
    return doc


def test_each_download_is_the_clis_bytes(
    sample: tuple[Sample, Session],
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s, session = sample
    for kind, command in DOWNLOADS.items():
        argv = [*s.cli(command), "--format", "csv", "--excel-safe"]
        expected = run_cli(capsysbinary, monkeypatch, s.base, *argv)
        assert session.csv(kind).encode("utf-8") == expected, kind
        assert expected.count(b"\n") >= 2 or kind == "worklist"  # a header and some rows


def test_the_counts_are_the_reports(
    sample: tuple[Sample, Session],
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s, session = sample
    report = report_of(capsysbinary, monkeypatch, s)
    statuses = Counter(o["status"] for c in report["children"] for o in c["obligations"])
    counts = session.overview()["counts"]
    assert counts == {
        "children": len(report["children"]),
        "rejected": len(report["errors"]),
        "obligations": sum(len(c["obligations"]) for c in report["children"]),
        "statuses": dict(statuses),
    }
    assert list(counts["statuses"]) == [k for k in STATUS_ORDER if k in statuses]
    assert counts["children"] > 0 and counts["obligations"] > 0
    overview = session.overview()
    assert (overview["errors"], overview["accounting"]) == (report["errors"], report["accounting"])


@pytest.mark.parametrize(
    "name",
    [
        "ssda903",
        "d2i",
        "demo",
    ],
)
def test_the_findings_are_the_reports(
    name: str, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = opened(name).overview()["source_findings"]
    assert findings == report_of(capsysbinary, monkeypatch, SAMPLES[name])["source_findings"]
    assert "lacplan-service-" not in json.dumps(findings)


def test_summary_and_worklist_are_the_services_rows(sample: tuple[Sample, Session]) -> None:
    s, session = sample
    overview = session.overview()
    summary_request = s.inputs() if s.period is None else {**s.inputs(), "period": s.period}
    upcoming_request = s.inputs() if s.days is None else {**s.inputs(), "days": s.days}
    summary = service.summary(summary_request)
    upcoming = service.upcoming(upcoming_request)
    assert overview["summary"]["rows"] == summary["rows"] != []
    assert overview["summary"]["columns"] == summary["columns"]
    assert overview["summary"]["period"] == summary["period"]
    assert overview["worklist"]["rows"] == upcoming["rows"]
    assert overview["worklist"]["columns"] == upcoming["columns"]
    assert overview["worklist"]["until"] == upcoming["until"]
    assert overview["worklist"]["days"] == (s.days if s.days is not None else 14)
    for key in ("as_of", "rules", "rules_version", "errors", "accounting"):
        assert overview[key] == summary[key], key


def test_child_rows_and_explanations_are_the_reports(
    sample: tuple[Sample, Session],
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s, session = sample
    report = report_of(capsysbinary, monkeypatch, s)
    listed = session.overview()["children"]
    assert [c["child_id"] for c in listed] == [c["child_id"] for c in report["children"]]
    for entry, expected in zip(listed, report["children"], strict=True):
        got = session.child(expected["child_id"])
        assert got["columns"] == list(CHILD_COLUMNS)
        assert got["rows"] == [{c: o[c] for c in CHILD_COLUMNS} for o in expected["obligations"]]
        assert got["labels"] == expected["labels"]
        assert entry["obligations"] == len(expected["obligations"])
        assert entry["statuses"] == dict(Counter(o["status"] for o in expected["obligations"]))
        for o in expected["obligations"]:
            assert session.explanation(expected["child_id"], o["key"]) == o


@pytest.mark.parametrize("asked", ["NO-SUCH-CHILD-7f3a", "demo-001", "DEMO-001 ", "DEMO-00"])
def test_an_unknown_child_is_not_found_without_its_id(asked: str) -> None:
    session = opened("demo")
    for call in (lambda: session.child(asked), lambda: session.explanation(asked, "k")):
        with pytest.raises(ServiceError) as caught:
            call()
        assert (caught.value.code, caught.value.path) == ("not_found", "child")
        assert asked not in caught.value.message


def test_a_child_id_two_records_give_is_not_answered_for_either() -> None:
    """Two records with one id: each is evaluated and listed, but a view by id would show one of
    them as if it were the only one, so it is refused (without repeating the id)."""
    first, second = (json.loads(line) for line in DEMO.read_text("utf-8").splitlines()[:2])
    twin = {**second, "child_id": first["child_id"]}
    body = "\n".join(json.dumps(c) for c in (first, twin, second)).encode()
    session = Session.open(
        {
            "files": [{"name": "twins.jsonl", "bytes": body}],
            "input_format": "auto",
            "as_of": "2024-06-03",
        }
    )
    listed = [c["child_id"] for c in session.overview()["children"]]
    assert listed == [first["child_id"], first["child_id"], second["child_id"]]
    key = session.child(second["child_id"])["rows"][0]["key"]
    for call in (
        lambda: session.child(first["child_id"]),
        lambda: session.explanation(first["child_id"], key),
    ):
        with pytest.raises(ServiceError) as caught:
            call()
        assert (caught.value.code, caught.value.path) == ("invalid_value", "child")
        assert first["child_id"] not in caught.value.message
    assert session.explanation(second["child_id"], key)["key"] == key  # the others answer


def test_an_unknown_key_is_not_found_without_the_key() -> None:
    session = opened("demo")
    key = session.child("DEMO-001")["rows"][0]["key"]
    assert session.explanation("DEMO-001", key)["key"] == key
    other = session.child("DEMO-002")["rows"][0]["key"]  # another child's key
    for asked in (key + "x", key.upper(), "KEY-SECRET-99", other):
        with pytest.raises(ServiceError) as caught:
            session.explanation("DEMO-001", asked)
        assert (caught.value.code, caught.value.path) == ("not_found", "key")
        assert asked not in caught.value.message


@pytest.mark.parametrize("kind", ["pdf", "", "Obligations", "errors", "children"])
def test_a_kind_that_is_no_download_is_invalid(kind: str) -> None:
    session = opened("demo")
    for call in (lambda: session.csv(kind), lambda: session.xlsx(kind)):
        with pytest.raises(ServiceError) as caught:
            call()
        assert (caught.value.code, caught.value.path) == ("invalid_value", "kind")


BAD_DAY = "2011-02-31"


def with_a_bad_date(tmp_path: Path) -> Path:
    lines = DEMO.read_text("utf-8").splitlines()
    case = json.loads(lines[1])
    case["date_of_birth"] = BAD_DAY
    lines[1] = json.dumps(case)
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_a_rejected_record_is_an_error_and_the_rest_are_evaluated(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Sample(tmp_path, (with_a_bad_date(tmp_path).name,), "2024-06-03")
    session = Session.open(s.request())
    overview = session.overview()
    (error,) = overview["errors"]
    assert (error["file"], error["line"], error["child_id"]) == ("cases.jsonl", 2, "DEMO-002")
    assert [p["field"] for p in error["problems"]] == ["date_of_birth"]
    assert BAD_DAY not in json.dumps(overview)
    assert overview["counts"]["rejected"] == 1
    ids = [c["child_id"] for c in overview["children"]]
    assert ids == ["DEMO-001", "DEMO-003", "DEMO-004", "DEMO-005", "DEMO-006"]
    assert opened("demo").child("DEMO-003") == session.child("DEMO-003")
    for kind, command in DOWNLOADS.items():
        argv = [*s.cli(command), "--format", "csv", "--excel-safe"]
        assert session.csv(kind).encode() == run_cli(capsysbinary, monkeypatch, tmp_path, *argv)
    book = openpyxl.load_workbook(io.BytesIO(session.xlsx("obligations")), read_only=True)
    rows = list(book["errors"].iter_rows(values_only=True))
    assert rows[0] == ("file", "line", "child_id", "field", "code", "message")
    assert [r[1:4] for r in rows[1:]] == [(2, "DEMO-002", "date_of_birth")]


def test_the_workbooks_errors_name_the_files_as_given(tmp_path: Path) -> None:
    s = Sample(tmp_path, (with_a_bad_date(tmp_path).name,), "2024-06-03")
    book = openpyxl.load_workbook(io.BytesIO(Session.open(s.request()).xlsx("obligations")))
    assert [r[0] for r in book["errors"].iter_rows(min_row=2, values_only=True)] == ["cases.jsonl"]


def test_excel_safe_is_the_clis_option(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = json.loads(DEMO.read_text("utf-8").splitlines()[0])
    case["labels"]["team"] = "=HYPERLINK(1)"
    (tmp_path / "case.json").write_text(json.dumps(case), "utf-8")
    s = Sample(tmp_path, ("case.json",), "2024-06-03")
    session = Session.open(s.request())
    safe, plain = session.csv("obligations"), session.csv("obligations", excel_safe=False)
    assert plain.endswith(",=HYPERLINK(1)\n") and safe.endswith(",'=HYPERLINK(1)\n")
    argv = [*s.cli("evaluate"), "--format", "csv"]
    assert safe.encode() == run_cli(capsysbinary, monkeypatch, tmp_path, *argv, "--excel-safe")
    assert plain.encode() == run_cli(capsysbinary, monkeypatch, tmp_path, *argv)


@pytest.mark.parametrize("name", ["ssda903", "demo-ifa"])
def test_the_workbooks_hold_the_csvs_rows(name: str) -> None:
    session = opened(name)
    for kind, sheet in (("obligations", "obligations"), ("summary", "rows"), ("worklist", "rows")):
        book = openpyxl.load_workbook(io.BytesIO(session.xlsx(kind)), read_only=True)
        rows = list(book[sheet].iter_rows(values_only=True))
        table = list(csv.reader(io.StringIO(session.csv(kind))))
        assert len(rows) == len(table) > 1, kind
        assert list(rows[0]) == table[0]
        assert [r[0] for r in rows[1:]] == [t[0] for t in table[1:]]


FILES = SAMPLES["ssda903"].files()


@functools.cache
def in_order() -> tuple[dict[str, Any], str]:
    session = Session.open({"files": FILES, "input_format": "auto", "as_of": "2024-06-03"})
    return session.overview(), session.csv("obligations")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(FILES))
def test_the_order_of_the_files_does_not_matter(files: list[dict[str, Any]]) -> None:
    session = Session.open({"files": files, "input_format": "auto", "as_of": "2024-06-03"})
    overview, obligations = in_order()
    assert session.overview() == overview
    assert session.csv("obligations") == obligations
    assert overview["counts"]["children"] == 4
