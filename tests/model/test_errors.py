"""Every error code from a hand-written bad record: code, field path, and no dates in messages."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from lacplan import InputError, LacplanError
from lacplan.loaders import load_cases
from lacplan.model import ERROR_CODES, Problem, RecordError, parse_case

from .factories import DOB, assert_private, codes_and_fields, make_case, problems_of

Mutate = Callable[[dict[str, Any]], None]


def _set(path: str, value: object) -> Mutate:
    """A mutation setting ``value`` at a dotted path (ints index lists)."""

    def mutate(case: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = case
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _delete(path: str) -> Mutate:
    def mutate(case: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = case
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


def _add_event(event: dict[str, Any]) -> Mutate:
    return lambda case: case["events"].append(event)


def _add_placement(period: int, placement: dict[str, Any]) -> Mutate:
    return lambda case: case["periods"][period]["placements"].append(placement)


def _add_period(period: dict[str, Any]) -> Mutate:
    return lambda case: case["periods"].append(period)


def _default_id_collision(case: dict[str, Any]) -> None:
    """An explicit period id equal to the default another period gets ("2", by start order)."""
    case["periods"][0]["period_id"] = "2"
    del case["periods"][1]["period_id"]


# (code, expected field, mutation of the valid base case)
BAD_RECORDS: list[tuple[str, str, Mutate]] = [
    ("invalid_date", "date_of_birth", _set("date_of_birth", "23/07/2009")),
    ("invalid_date", "date_of_birth", _set("date_of_birth", DOB + "T00:00:00")),
    ("invalid_date", "periods[1].start", _set("periods.1.start", "2020-12-18 09:30")),
    ("invalid_date", "periods[0].end", _set("periods.0.end", "2019-02-30")),
    ("invalid_date", "events[0].date", _set("events.0.date", 20210120)),
    ("invalid_date", "periods[0].placements[0].start", _set("periods.0.placements.0.start", None)),
    ("invalid_date", "events[0].date", _set("events.0.date", "2021-1-20")),
    ("end_before_start", "periods[0].end", _set("periods.0.end", "2019-03-01")),
    (
        "end_before_start",
        "periods[1].placements[0].end",
        _set("periods.1.placements.0.end", "2020-12-01"),
    ),
    ("unknown_field", "<unknown key 1>", _set("name", "A Child")),  # a key's text: never shown
    (
        "unknown_field",
        "events[1].seen_alone",
        _add_event({"type": "review", "date": "2021-02-01", "seen_alone": True}),
    ),
    ("unknown_field", "periods[0].placements[0].type", _set("periods.0.placements.0.type", "U4")),
    ("unknown_event_type", "events[1].type", _add_event({"type": "reveiw", "date": "2021-02-01"})),
    (
        "placement_outside_period",
        "periods[0].placements[0].start",
        _set("periods.0.placements.0.start", "2019-03-01"),
    ),
    (
        "placement_outside_period",
        "periods[0].placements[0].end",
        _set("periods.0.placements.0.end", "2019-07-01"),
    ),
    (
        "placement_outside_period",
        "periods[0].placements[1].start",
        _add_placement(0, {"placement_id": "PL9", "start": "2019-07-01"}),
    ),
    (
        "overlapping_periods",
        "periods[2].start",
        _add_period(
            {
                "start": "2019-06-28",
                "end": "2019-07-05",
                "placements": [{"placement_id": "PL9", "start": "2019-06-28"}],
            }
        ),
    ),
    (
        "overlapping_periods",
        "periods[1].end",
        _add_period(
            {"start": "2022-01-10", "placements": [{"placement_id": "PL9", "start": "2022-01-10"}]}
        ),
    ),
    (
        "overlapping_placements",
        "periods[1].placements[2].start",
        _add_placement(1, {"placement_id": "PL9", "start": "2021-02-14", "end": "2021-02-15"}),
    ),
    (
        "overlapping_placements",
        "periods[1].placements[1].end",
        _add_placement(1, {"placement_id": "PL9", "start": "2022-03-01"}),
    ),
    (
        "duplicate_placement_id",
        "periods[1].placements[1].placement_id",
        _set("periods.1.placements.1.placement_id", "PL2"),
    ),
    (
        "duplicate_placement_id",
        "periods[1].placements",
        _set("periods.1.placements.1.placement_id", "PL1"),
    ),
    ("birth_after_entry", "date_of_birth", _set("date_of_birth", "2019-03-05")),
    ("missing_field", "child_id", _delete("child_id")),
    ("missing_field", "periods[0].placements", _delete("periods.0.placements")),
    ("missing_field", "events[1].type", _add_event({"date": "2021-02-01"})),
    ("missing_field", "events[1].date", _add_event({"type": "visit"})),
    ("invalid_value", "child_id", _set("child_id", 566910)),
    ("invalid_value", "child_id", _set("child_id", " 566910")),
    ("invalid_value", "periods[1].entry", _set("periods.1.entry", "urgent")),
    (
        "invalid_value",
        "periods[1].placements[1].long_term_foster",
        _set("periods.1.placements.1.long_term_foster", "yes"),
    ),
    (
        "invalid_value",
        "events[1].seen_alone",
        _add_event({"type": "visit", "date": "2021-02-01", "seen_alone": 1}),
    ),
    ("invalid_value", "labels.<key 1>", _set("labels", {"team": 7})),
    ("invalid_string", "labels.<key 2>", _set("labels", {"team": "T1", "iro": "I\ud800"})),
    ("invalid_string", "child_id", _set("child_id", "C\udc001")),
    ("invalid_value", "periods", _set("periods", {"start": "2019-03-04"})),
    ("no_placements", "periods[0].placements", _set("periods.0.placements", [])),
    (
        "unknown_placement",
        "events[1].placement_id",
        _add_event({"type": "visit", "date": "2021-02-01", "placement_id": "PL7"}),
    ),
    ("duplicate_period_id", "periods[1].period_id", _set("periods.1.period_id", "A")),
    ("duplicate_period_id", "periods[1].period_id", _default_id_collision),
    ("not_an_object", "events[1]", _add_event(["review", "2021-02-01"])),  # type: ignore[arg-type]
    ("not_an_object", "periods[0].placements[0]", _set("periods.0.placements.0", "PL1")),
    (
        "duplicate_legal_status",
        "periods[1].legal_status[1].from",
        _set(
            "periods.1.legal_status",
            [
                {"from": "2021-01-04", "status": "interim_care_order"},
                {"from": "2021-01-04", "status": "care_order"},
            ],
        ),
    ),
    (
        "legal_status_outside_period",
        "periods[0].legal_status[0].from",
        _set("periods.0.legal_status", [{"from": "2019-07-01", "status": "care_order"}]),
    ),
    (
        "invalid_value",
        "periods[0].legal_status[0].status",
        _set("periods.0.legal_status", [{"from": "2019-03-04", "status": "full_care_order"}]),
    ),
    (
        "invalid_value",
        "periods[0].placements[0].kind",
        _set("periods.0.placements.0.kind", "kinship"),
    ),
    (
        "invalid_value",
        "periods[0].agreed_visit_interval_days",
        _set("periods.0.agreed_visit_interval_days", 0),
    ),
    (
        "invalid_value",
        "events[1].refused_by",
        _add_event({"type": "health_consent_refused", "date": "2021-02-01", "refused_by": "mum"}),
    ),
    (
        "invalid_value",
        "events[1].not_seen_alone_reason",
        _add_event({"type": "visit", "date": "2021-02-01", "not_seen_alone_reason": "busy"}),
    ),
]


def _id(row: tuple[str, str, Mutate]) -> str:
    return f"{row[0]}:{row[1]}"


@pytest.mark.parametrize(
    ("code", "field", "mutate"), BAD_RECORDS, ids=[_id(r) for r in BAD_RECORDS]
)
def test_bad_record(code: str, field: str, mutate: Mutate) -> None:
    case = make_case()
    mutate(case)
    assert codes_and_fields(case) == [(code, field)]


def test_every_error_code_is_exercised() -> None:
    # calendar_range and internal_error reject valid cases at evaluation:
    # tests/engine/test_record_failures.py
    exercised = {code for code, _, _ in BAD_RECORDS} | {
        "invalid_json",
        "calendar_range",
        "internal_error",
    }
    assert exercised == set(ERROR_CODES)


def test_invalid_json() -> None:
    text = '{"child_id": "1", "date_of_birth": "2010-01-01"}\n{"child_id": "2", "date_of_b\n'
    results = list(load_cases(io.StringIO(text), name="upload.jsonl"))
    error = results[1]
    assert isinstance(error, RecordError)
    assert (error.file, error.line, error.child_id) == ("upload.jsonl", 2, None)
    assert [(p.code, p.field) for p in error.problems] == [("invalid_json", "")]
    assert "line 2" in error.problems[0].message
    assert_private(error.problems[0].message)


def test_duplicate_json_key_is_invalid_json() -> None:
    text = f'{{"child_id": "1", "date_of_birth": "{DOB}", "date_of_birth": "2010-01-01"}}'
    [error] = load_cases(io.StringIO(text))
    assert isinstance(error, RecordError)
    assert [p.code for p in error.problems] == ["invalid_json"]
    # The keys' positions, never their text (a key may itself be personal data).
    assert "keys 2 and 3 of one object have the same name" in error.problems[0].message
    assert "date_of_birth" not in error.problems[0].message
    assert_private(error.problems[0].message)


def test_not_an_object_at_top_level() -> None:
    assert codes_and_fields([make_case()]) == [("not_an_object", "")]
    assert codes_and_fields("566910") == [("not_an_object", "")]


def test_several_problems_are_reported_together() -> None:
    case = make_case()
    case["date_of_birth"] = "2009/07/23"
    case["periods"][1]["entry"] = "urgent"
    case["events"].append({"type": "visti", "date": "2021-02-01"})
    case["events"].append({"type": "visit", "date": "2021-02-01", "meeting": False})
    assert codes_and_fields(case) == [
        ("invalid_date", "date_of_birth"),
        ("invalid_value", "periods[1].entry"),
        ("unknown_event_type", "events[1].type"),
        ("unknown_field", "events[2].meeting"),
    ]


def test_messages_name_the_record_and_the_field() -> None:
    case = make_case()
    case["periods"][1]["placements"][0]["end"] = "2020-12-01"
    [problem] = problems_of(case)
    assert problem["message"].startswith('case "566910", periods[1].placements[0].end: ')
    assert '"PL2"' in problem["message"]


def test_messages_suggest_fixes_without_echoing_values() -> None:
    case = make_case()
    case["events"].append({"type": "reveiw", "date": "2021-02-01"})
    case["events"].append({"type": "visit", "date": "2021-02-01", "meeting": True})
    typo, wrong_type = problems_of(case)
    assert 'Did you mean "review"?' in typo["message"]
    assert "reveiw" not in typo["message"]
    assert "only allowed on review events" in wrong_type["message"]


def test_input_error_carries_child_id_and_problems() -> None:
    case = make_case()
    case["child_id"] = "0042"
    case["periods"][0]["end"] = "2019-01-01"
    with pytest.raises(InputError) as info:
        parse_case(case)
    exc = info.value
    assert isinstance(exc, LacplanError)
    assert isinstance(exc, ValueError)
    assert exc.child_id == "0042"
    assert [p["code"] for p in exc.problems] == ["end_before_start"]
    assert exc.__cause__ is None  # the pydantic error (which quotes input) is not chained
    assert exc.__context__ is None


def test_numeric_child_id_is_still_reported() -> None:
    case = make_case()
    case["child_id"] = 566910
    with pytest.raises(InputError) as info:
        parse_case(case)
    assert info.value.child_id == "566910"


def test_record_error_as_dict_and_exception() -> None:
    error = RecordError(
        "cases.jsonl", 3, "0042", (Problem("periods[0].end", "end_before_start", "msg"),)
    )
    assert error.as_dict() == {
        "file": "cases.jsonl",
        "line": 3,
        "child_id": "0042",
        "problems": [{"field": "periods[0].end", "code": "end_before_start", "message": "msg"}],
    }
    exc = error.to_exception()
    assert isinstance(exc, InputError)
    assert exc.child_id == "0042"
    assert exc.problems == [p.as_dict() for p in error.problems]
    assert str(exc).startswith("cases.jsonl:3: ")


def test_model_validate_raises_case_error_that_hides_input() -> None:
    """Case.model_validate raises lacplan's CaseError (an InputError and a ValueError) with the
    codes and value-free messages of parse_case (issue 11)."""
    from lacplan.errors import CaseError, InputError
    from lacplan.model import Case

    case = make_case()
    case["periods"][0]["end"] = "2019-01-01"
    with pytest.raises(CaseError) as info:
        Case.model_validate(case)
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)
    assert DOB not in str(info.value) and "2019-01-01" not in str(info.value)
    assert info.value.problems[0]["code"] == "end_before_start"
    with pytest.raises(InputError) as parsed:
        parse_case(case)
    assert parsed.value.problems == info.value.problems
    with pytest.raises(CaseError):
        Case.model_validate_json('{"child_id": "C1"}')


def test_keyword_construction_raises_case_error_with_whole_record_paths() -> None:
    """Case(...), Period(...) and event classes built by keyword raise CaseError, not pydantic's
    ValidationError; nested errors keep their paths, and the value is never echoed (issue 11)."""
    from pydantic import ValidationError

    from lacplan.errors import CaseError
    from lacplan.model import Case, Period

    with pytest.raises(CaseError) as info:
        Case(
            child_id="C9",
            date_of_birth=DOB,
            periods=[
                {
                    "period_id": "P1",
                    "start": "2020-01-01",
                    "end": "2019-01-01",
                    "placements": [],
                }
            ],
        )
    assert not isinstance(info.value, ValidationError)
    assert info.value.child_id == "C9"
    assert [p["field"] for p in info.value.problems] == ["periods[0].end"]
    assert info.value.problems[0]["code"] == "end_before_start"
    assert DOB not in str(info.value) and "2019-01-01" not in str(info.value)
    with pytest.raises(CaseError) as period:
        Period(period_id="P1", start="2020-01-01", placements=[], colour="red")  # type: ignore[call-arg]
    assert period.value.problems[0]["code"] == "unknown_field"
    assert "not a field of a period" in period.value.problems[0]["message"]
    assert "red" not in str(period.value)
    # valid keyword construction is unchanged
    built = Case(child_id="C9", date_of_birth=DOB)
    assert built == Case.model_validate({"child_id": "C9", "date_of_birth": DOB})
