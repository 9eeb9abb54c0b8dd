"""Findings: valid but suspicious data."""

from __future__ import annotations

from datetime import date
from typing import Any

from lacplan.model import FINDING_CODES, Finding, parse_case

from .factories import assert_private, make_case


def _findings(case: dict[str, Any], as_of: date | None = None) -> list[tuple[str, str]]:
    found = parse_case(case).findings(as_of)
    for finding in found:
        assert_private(finding.message)
        assert finding.message.startswith(f'case "{case["child_id"]}", {finding.field}: ')
    return [(f.code, f.field) for f in found]


def test_clean_case_has_no_findings() -> None:
    assert _findings(make_case()) == []


def test_no_periods() -> None:
    case = make_case()
    case["periods"] = []
    case["events"] = []
    assert _findings(case) == [("no_periods", "periods")]


def test_event_outside_period() -> None:
    case = make_case()
    case["periods"][1]["end"] = "2022-01-31"
    case["events"].append({"type": "visit", "date": "2022-02-01", "event_id": "V9"})
    assert _findings(case) == [("event_outside_period", "events[1].date")]
    [finding] = parse_case(case).findings()
    assert '"V9"' in finding.message


def test_events_without_periods_are_outside() -> None:
    case = make_case()
    case["periods"] = []
    assert _findings(case) == [
        ("no_periods", "periods"),
        ("event_outside_period", "events[0].date"),
    ]


def test_event_before_birth() -> None:
    case = make_case()
    case["events"].append({"type": "health_assessment", "date": "2009-07-22"})
    assert _findings(case) == [("event_before_birth", "events[1].date")]


def test_placement_of_other_period() -> None:
    case = make_case()
    case["events"].append({"type": "visit", "date": "2021-03-01", "placement_id": "PL1"})
    assert _findings(case) == [("placement_of_other_period", "events[1].placement_id")]


def test_placement_of_other_period_after_the_last_period() -> None:
    case = make_case()
    case["periods"][1]["end"] = "2022-01-31"
    case["events"].append({"type": "visit", "date": "2022-03-01", "placement_id": "PL3"})
    assert _findings(case) == [
        ("event_outside_period", "events[1].date"),
        ("placement_of_other_period", "events[1].placement_id"),
    ]


def test_duplicate_event() -> None:
    case = make_case()
    case["events"] += [
        {"type": "review", "date": "2021-01-20", "event_id": "R1"},  # event_id is ignored
        {"type": "review", "date": "2021-01-20", "placement_id": "PL2"},  # same placement
        {"type": "review", "date": "2021-01-20", "cancelled": True},  # different fields
        {"type": "pep", "date": "2021-01-20"},  # different type
    ]
    assert _findings(case) == [("duplicate_event", "events[1]"), ("duplicate_event", "events[2]")]
    assert "events[0]" in parse_case(case).findings()[0].message


def test_same_day_visits_to_different_placements_are_not_duplicates() -> None:
    case = make_case()
    case["events"] = [
        {"type": "visit", "date": "2021-02-15", "placement_id": "PL2"},
        {"type": "visit", "date": "2021-02-15"},  # move day: PL3
    ]
    assert _findings(case) == []


def test_events_after_as_of_are_skipped() -> None:
    case = make_case()
    case["periods"][1]["end"] = "2022-01-31"
    case["events"] += [
        {"type": "review", "date": "2021-01-20"},
        {"type": "visit", "date": "2022-02-01"},
    ]
    assert _findings(case, date(2021, 1, 19)) == []
    assert _findings(case, date(2021, 1, 20)) == [("duplicate_event", "events[1]")]
    assert _findings(case) == [
        ("duplicate_event", "events[1]"),
        ("event_outside_period", "events[2].date"),
    ]


def test_finding_as_dict() -> None:
    finding = Finding("no_periods", "periods", "msg")
    assert finding.as_dict() == {"code": "no_periods", "field": "periods", "message": "msg"}


def test_every_finding_code_is_listed() -> None:
    assert set(FINDING_CODES) == {
        "no_periods",
        "event_outside_period",
        "event_before_birth",
        "placement_of_other_period",
        "duplicate_event",
    }
