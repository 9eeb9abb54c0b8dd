"""The request layer's views: explain, summary, upcoming and compare (the rows the CLI's
commands print, from :mod:`lacplan.measures` and :mod:`lacplan.compare`), and the read-only
requests (rules, one rule, the case schema, working-day arithmetic, provenance)."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import lacplan
from lacplan import service
from lacplan.cli import main
from lacplan.measures import SUMMARY_COLUMNS, summary_rows, upcoming_rows
from lacplan.model import case_json_schema
from lacplan.service import ServiceError

ROOT = Path(__file__).resolve().parents[2]
CASE = json.loads((ROOT / "docs" / "examples" / "case.json").read_text())
PARITY = ROOT / "docs" / "examples" / "parity"
AS_OF = date(2021, 3, 1)


def report() -> lacplan.Report:
    return lacplan.evaluate(lacplan.parse_case(CASE), as_of=AS_OF)


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    main(list(argv))
    return json.loads(capsys.readouterr().out)


def test_explain_gives_the_childs_obligations_with_their_explanations() -> None:
    doc = service.explain({"cases": [CASE], "as_of": "2021-03-01", "rule": "review-first"})
    expected = [o.as_dict() for o in report().children[0].obligations if o.rule == "review-first"]
    assert doc["child_id"] == "612408" and doc["obligations"] == expected
    # Hand-computed: 20 working days after Fri 18 Dec 2020, skipping Christmas Day (Fri 25
    # Dec), Boxing Day (observed, Mon 28 Dec) and New Year's Day (Fri 1 Jan 2021).
    second = [o for o in doc["obligations"] if o["anchor"] == "2020-12-18"]
    assert second[0]["due"] == "2021-01-20"
    assert "Boxing Day (observed)" in second[0]["explanation"]
    one = service.explain(
        {"cases": [CASE], "as_of": "2021-03-01", "child": "612408", "rule": "review-first",
         "sequence": 1}
    )  # fmt: skip
    assert [o["sequence"] for o in one["obligations"]] == [1] * len(one["obligations"]) != []


def test_explain_of_a_rejected_child_says_why_in_errors() -> None:
    doc = service.explain({"cases": [{"child_id": "C9"}], "as_of": "2021-03-01"})
    assert doc["obligations"] == [] and doc["errors"][0]["child_id"] == "C9"
    named = service.explain(
        {"cases": [CASE, {"child_id": "C9"}], "as_of": "2021-03-01", "child": "C9"}
    )
    assert named["child_id"] == "C9" and named["obligations"] == []


def test_summary_rows_are_the_measures_rows(capsys: pytest.CaptureFixture[str]) -> None:
    doc = service.summary(
        {"cases": [CASE], "as_of": "2021-03-01", "period": "2019-04-01..2021-03-31"}
    )
    rows = summary_rows(
        report().children,
        as_of=AS_OF,
        period=(date(2019, 4, 1), date(2021, 3, 31)),
        rule_order=lacplan.get_pack("england").ids,
    )
    assert doc["columns"] == list(SUMMARY_COLUMNS)
    assert doc["rows"] == rows
    assert doc["period"] == {"from": "2019-04-01", "to": "2021-03-31"}
    cli = cli_json(
        capsys, "summary", str(ROOT / "docs/examples/case.json"), "--as-of", "2021-03-01",
        "--period", "2019-04-01..2021-03-31", "--format", "json",
    )  # fmt: skip
    assert doc["rows"] == cli


def test_summary_by_label_per_child_and_dfe(capsys: pytest.CaptureFixture[str]) -> None:
    base = {"cases": [CASE], "as_of": "2021-03-01"}
    by = service.summary({**base, "by": ["label:team", "month"]})
    assert by["columns"][:2] == ["label_team", "month"]
    assert all(r["label_team"] == "CLA-North" for r in by["rows"])
    per_child = service.summary({**base, "per_child": True, "period": "2019-04-01..2021-03-31"})
    assert per_child["rows"][0]["child_id"] == "612408"
    dfe = service.summary({**base, "dfe": True})
    assert dfe["year_end"] == "2020-03-31"
    cli = cli_json(
        capsys, "summary", str(ROOT / "docs/examples/case.json"), "--as-of", "2021-03-01",
        "--dfe", "--format", "json",
    )  # fmt: skip
    assert dfe["rows"] == cli


def test_upcoming_rows_are_the_worklist(capsys: pytest.CaptureFixture[str]) -> None:
    doc = service.upcoming({"cases": [CASE], "as_of": "2021-03-01", "days": 60})
    expected = upcoming_rows(report().children, as_of=AS_OF, days=60)
    assert doc["rows"] == [{k: _iso(v) for k, v in r.items()} for r in expected]
    assert doc["until"] == "2021-04-30" and doc["days"] == 60
    cli = cli_json(
        capsys, "upcoming", str(ROOT / "docs/examples/case.json"), "--as-of", "2021-03-01",
        "--days", "60", "--format", "json",
    )  # fmt: skip
    assert doc["rows"] == cli
    by = service.upcoming({"cases": [CASE], "as_of": "2021-03-01", "by": "label:iro"})
    assert by["columns"][0] == "label_iro"


def _iso(v: object) -> object:
    return v.isoformat() if isinstance(v, date) else v


def test_compare_from_a_csv_file_is_lacplan_compare(capsys: pytest.CaptureFixture[str]) -> None:
    csv = (PARITY / "due-dates.csv").read_bytes()
    cases = json.loads((PARITY / "cases.json").read_text())
    doc = service.compare(
        {
            "cases": cases,
            "as_of": "2021-11-01",
            "due_dates_file": {"name": "due-dates.csv", "bytes": base64.b64encode(csv).decode()},
        }
    )
    cli = cli_json(
        capsys, "compare", str(PARITY / "cases.json"), "--as-of", "2021-11-01", "--due-dates",
        str(PARITY / "due-dates.csv"), "--format", "json",
    )  # fmt: skip
    assert doc["rows"] == cli["rows"] and doc["summary"] == cli["summary"]
    assert doc["source"] == "due-dates.csv"


def test_compare_from_rows_is_report_compare() -> None:
    # Hand-computed: the first review of period 2 is due 20 working days after Fri 18 Dec
    # 2020, skipping Christmas Day, Boxing Day (observed) and New Year's Day: Wed 20 Jan
    # 2021. A system that stored Tue 19 Jan counted the anchor day itself (or one of those
    # bank holidays as a working day).
    rows = [{"child_id": "612408", "rule": "review-first", "due": "2021-01-19", "period_id": "2"}]
    doc = service.compare({"cases": [CASE], "as_of": "2021-03-01", "due_dates": rows})
    expected = report().compare(rows)
    assert doc["rows"] == expected.as_rows()
    assert doc["summary"] == expected.summary
    mine = [r for r in doc["rows"] if r["period_id"] == "2"]
    assert [(r["class"], r["also"], r["lacplan_due"]) for r in mine] == [
        ("anchor_day_counted", ["holiday_as_working_day"], "2021-01-20")
    ]


def test_rules_are_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert service.rules() == cli_json(capsys, "rules", "--format", "json")
    on = service.rules([("as_of", "2010-01-01"), ("rules", "england+ifa")])
    assert on == cli_json(
        capsys, "rules", "--format", "json", "--as-of", "2010-01-01", "--rules", "england+ifa"
    )
    one = service.rule("review-first")
    assert one["id"] == "review-first" and one["declarations"]
    assert {d["id"] for d in one["declarations"]} == {"review-first"}
    with pytest.raises(ServiceError) as caught:
        service.rule("no-such-rule")
    assert (caught.value.code, caught.value.status) == ("not_found", 404)
    with pytest.raises(ServiceError, match="is not a parameter"):
        service.rules([("sort", "id")])


def test_schema_and_provenance() -> None:
    assert service.case_schema() == case_json_schema()
    prov = service.provenance("england+ifa")
    pack = lacplan.get_pack("england+ifa")
    assert (prov["rules"], prov["rules_version"], prov["rules_hash"]) == (
        pack.name,
        pack.version,
        pack.content_hash,
    )
    assert prov["lacplan_version"] == lacplan.__version__
    assert prov["calendar"].startswith("england-and-wales; holidays ")
    assert service.health() == {"status": "ok", "lacplan_version": lacplan.__version__}


def test_calendar_add_as_lacplan_calendar_explain(capsys: pytest.CaptureFixture[str]) -> None:
    step = service.calendar_add([("date", "2020-12-18"), ("n", "20")])
    # Hand-computed: skipping Fri 25 Dec 2020 (Christmas Day), Mon 28 Dec 2020 (Boxing Day
    # (observed)) and Fri 1 Jan 2021 (New Year's Day) and 10 weekend days.
    assert step["result"] == "2021-01-20"
    assert [s["name"] for s in step["skipped"]] == [
        "Christmas Day",
        "Boxing Day (observed)",
        "New Year's Day",
    ]
    assert step["weekend_days"] == 10
    capsys.readouterr()
    main(["calendar", "explain", "2020-12-18", "20"])
    assert step["explanation"] + "\n" == capsys.readouterr().out
    # Hand-computed: 8 May 2020 was the VE Day bank holiday (moved from 4 May).
    assert service.calendar_add([("date", "2020-05-07"), ("n", "1")])["result"] == "2020-05-11"


@pytest.mark.parametrize(
    ("query", "code", "path"),
    [
        ([("date", "2020-12-18")], "missing_field", "n"),
        ([("n", "3")], "missing_field", "date"),
        ([("date", "2020-12-18"), ("n", "9" * 5000)], "invalid_value", "n"),
        ([("date", "2020-12-18"), ("n", "1.5")], "invalid_value", "n"),
        ([("date", "2020-12-18"), ("n", "100001")], "invalid_value", "n"),
        ([("date", "18/12/2020"), ("n", "3")], "invalid_date", "date"),
        ([("date", "2020-02-30"), ("n", "3")], "invalid_date", "date"),
        ([("date", "2061-01-01"), ("n", "3")], "calendar_range", "date"),
        ([("date", "2060-12-20"), ("n", "100")], "calendar_range", "date"),
        ([("date", "0001-01-01"), ("n", "-3")], "calendar_range", "date"),
        ([("date", "2020-12-18"), ("n", "3"), ("x", "1")], "unknown_field",
         "<unknown parameter 3>"),
    ],
)  # fmt: skip
def test_calendar_add_refusals(query: list[tuple[str, str]], code: str, path: str) -> None:
    with pytest.raises(ServiceError) as caught:
        service.calendar_add(query)
    assert (caught.value.code, caught.value.path) == (code, path)
    assert 400 <= caught.value.status < 500
    assert "9999" not in caught.value.message and "18/12" not in caught.value.message
