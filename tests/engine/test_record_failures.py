"""A valid record whose evaluation fails is rejected on its own and the batch goes on (issue
13): ``calendar_range`` for a date beyond the calendar, ``internal_error`` (the exception's type
only) for anything else; the error names the file and line, never a value from the record."""

from __future__ import annotations

import importlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lacplan import evaluate, load_cases, parse_case
from lacplan.cli import main
from lacplan.model import RecordError, origin_of

EVALUATE = importlib.import_module("lacplan.evaluate")  # the module (its function shares the name)

SENTINEL_DOB = "2045-03-04"


def _case(child_id: str, dob: str = "2012-03-04", start: str = "2024-01-08") -> dict[str, Any]:
    return {
        "child_id": child_id,
        "date_of_birth": dob,
        "periods": [
            {
                "period_id": "P1",
                "start": start,
                "placements": [{"placement_id": "PL1", "start": start}],
            }
        ],
        "events": [],
    }


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    """Three children; the second looked after from Monday 20 December 2060, so its first
    duties (5 and 20 working days on) fall after 31 December 2060, the calendar's last day."""
    path = tmp_path / "cohort.jsonl"
    rows = [_case("A1"), _case("B2", SENTINEL_DOB, "2060-12-20"), _case("C3")]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _no_record_values(err: RecordError) -> None:
    text = json.dumps(err.as_dict())
    for value in (SENTINEL_DOB, "2060-12-20", "04/03/2045", "20/12/2060"):
        assert value not in text


def test_a_date_beyond_the_calendar_rejects_that_record_only(cohort: Path) -> None:
    report = evaluate(load_cases(cohort), as_of=date(2060, 12, 30))
    assert [c.child_id for c in report.children] == ["A1", "C3"]
    (err,) = report.errors
    assert (err.file, err.line, err.child_id) == (str(cohort), 2, "B2")
    assert [(p.field, p.code) for p in err.problems] == [("", "calendar_range")]
    assert "1990-01-01 to 2060-12-31" in err.problems[0].message
    _no_record_values(err)


def test_any_other_failure_is_an_internal_error_naming_the_type_only(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = EVALUATE.evaluate_case

    def failing(case: Any, *args: Any, **kwargs: Any) -> Any:
        if case.child_id == "C3":
            raise KeyError(f"secret {SENTINEL_DOB}")
        return real(case, *args, **kwargs)

    monkeypatch.setattr(EVALUATE, "evaluate_case", failing)
    report = evaluate(load_cases(cohort), as_of=date(2024, 6, 3))
    assert [c.child_id for c in report.children] == ["A1", "B2"]
    (err,) = report.errors
    assert (err.line, err.child_id, err.problems[0].code) == (3, "C3", "internal_error")
    assert "KeyError" in err.problems[0].message
    _no_record_values(err)


def test_cases_built_in_code_are_named_by_position() -> None:
    cases = [parse_case(_case("A1")), parse_case(_case("B2", SENTINEL_DOB, "2060-12-20"))]
    assert origin_of(cases[0]) is None
    (err,) = evaluate(cases, as_of=date(2060, 12, 30)).errors
    assert (err.file, err.line, err.child_id) == ("<cases>", 2, "B2")


def test_an_origin_changes_no_value_semantics(cohort: Path) -> None:
    loaded = next(iter(load_cases(cohort)))
    built = parse_case(_case("A1"))
    assert origin_of(loaded) == (str(cohort), 1)
    assert loaded == built and repr(loaded) == repr(built)
    assert loaded.model_dump_json() == built.model_dump_json()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_cli_rejects_it_and_evaluates_the_rest(
    cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    out = tmp_path / "out.jsonl"
    argv = ["evaluate", str(cohort), "--as-of", "2060-12-30", "--format", "jsonl"]
    status = main([*argv, "--columns", "key,status", "--jobs", jobs, "-o", str(out)])
    assert status == 1  # some records rejected
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r.get("child_id") or r["error"]["child_id"] for r in rows] == ["A1", "B2", "C3"]
    assert rows[1]["error"]["problems"][0]["code"] == "calendar_range"  # in its place
    err = capsys.readouterr().err
    assert f"{cohort}:2 (child B2): calendar_range:" in err
    assert "Traceback" not in err and SENTINEL_DOB not in err


def test_a_birthday_after_the_year_9999_is_calendar_range_not_a_crash() -> None:
    """Found by fuzzing: a date of birth in 9999 made ``Case.findings`` raise ValueError."""
    case = parse_case({"child_id": "Z9", "date_of_birth": "9999-12-31"})
    assert [f.code for f in case.findings(date(2024, 3, 31))] == ["no_periods"]
    (err,) = evaluate([case], as_of=date(2024, 3, 31)).errors
    assert err.problems[0].code == "calendar_range"
