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
        "period_after_18",
        "placement_after_18",
        "event_after_scope_end",
        "consent_refused_by_other",
        "as_of_after_data",
    }


# The base child (born 23 Jul 2009) turns 18 on Fri 23 Jul 2027 and 21 on Tue 23 Jul 2030.
def test_a_period_starting_on_or_after_the_18th_birthday() -> None:
    case = make_case()
    case["periods"][1]["end"] = "2027-07-01"
    case["periods"].append(
        {
            "period_id": "C",
            "start": "2027-07-23",
            "placements": [{"placement_id": "PL4", "start": "2027-07-23"}],
        }
    )
    assert _findings(case) == [("period_after_18", "periods[2].start")]
    assert _findings(case, date(2027, 7, 22)) == []  # not yet begun as at the day before


def test_a_placement_starting_on_or_after_the_18th_birthday() -> None:
    case = make_case()
    case["periods"][1]["placements"][1]["end"] = "2027-08-02"
    case["periods"][1]["placements"].append({"placement_id": "PL4", "start": "2027-08-02"})
    assert _findings(case) == [("placement_after_18", "periods[1].placements[2].start")]


def test_events_after_the_18th_birthday_inside_a_period() -> None:
    case = make_case()
    case["events"] += [
        {"type": "visit", "date": "2027-07-23"},  # on the birthday: still in scope
        {"type": "visit", "date": "2027-07-24"},
        {"type": "pathway_plan_review", "date": "2027-07-24"},  # leaving care: used to 21
    ]
    assert _findings(case) == [("event_after_scope_end", "events[2].date")]


def test_leaving_care_events_up_to_21_are_never_outside_a_period() -> None:
    case = make_case()
    case["periods"][1]["end"] = "2026-01-31"
    case["events"] += [
        {"type": "pathway_plan", "date": "2026-03-01"},
        {"type": "needs_assessment", "date": "2030-07-23"},  # the 21st birthday
        {"type": "pathway_plan_review", "date": "2030-07-24"},  # after it: outside
        {"type": "visit", "date": "2026-03-01"},
    ]
    assert _findings(case) == [
        ("event_outside_period", "events[3].date"),
        ("event_outside_period", "events[4].date"),
    ]


def test_a_refusal_by_someone_other_than_the_child() -> None:
    case = make_case()
    case["events"] += [
        {"type": "health_consent_refused", "date": "2021-01-05", "refused_by": "parent"},
        {"type": "health_consent_refused", "date": "2021-01-06", "refused_by": "other"},
        {"type": "health_consent_refused", "date": "2021-01-07"},  # the child: no finding
    ]
    assert _findings(case) == [
        ("consent_refused_by_other", "events[1].refused_by"),
        ("consent_refused_by_other", "events[2].refused_by"),
    ]
