"""Which period and placement each event belongs to."""

from __future__ import annotations

from typing import Any

import pytest

from lacplan.model import Assignment, assign_events, parse_case

from .factories import make_case

# The base case: period A 2019-03-04..2019-06-28 (PL1 throughout); period B from 2020-12-18,
# PL2 2020-12-18..2021-02-15, then a move to PL3 on 2021-02-15 (open).


def _assign(case: dict[str, Any], *events: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    case["events"] = list(events)
    return [(a.period_id, a.placement_id) for a in assign_events(parse_case(case))]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2018-11-01", ("A", "PL1")),  # before the first period: the upcoming period
        ("2019-03-04", ("A", "PL1")),  # period start, inclusive
        ("2019-06-28", ("A", "PL1")),  # period end, inclusive
        ("2019-06-29", ("B", "PL2")),  # gap after A: the upcoming period B
        ("2020-12-17", ("B", "PL2")),
        ("2020-12-18", ("B", "PL2")),
        ("2021-02-14", ("B", "PL2")),
        ("2021-02-15", ("B", "PL3")),  # move day: the incoming placement
        ("2030-01-01", ("B", "PL3")),  # open period, open placement
    ],
)
def test_by_date(day: str, expected: tuple[str, str]) -> None:
    assert _assign(make_case(), {"type": "visit", "date": day}) == [expected]


def test_explicit_placement_id_wins() -> None:
    case = make_case()
    assert _assign(
        case,
        {"type": "placement_plan", "date": "2021-02-11", "placement_id": "PL3"},  # ahead of a move
        {"type": "placement_plan", "date": "2021-02-11"},  # without it: the running placement
        {"type": "visit", "date": "2021-03-01", "placement_id": "PL1"},  # another period's
    ) == [("B", "PL3"), ("B", "PL2"), ("B", "PL1")]


def test_look_ahead_before_the_first_placement_of_a_period() -> None:
    case = make_case()
    case["periods"][0]["placements"][0]["start"] = "2019-03-11"
    assert _assign(
        case,
        {"type": "placement_plan", "date": "2019-03-05"},
        {"type": "placement_plan", "date": "2019-01-05"},
    ) == [("A", "PL1"), ("A", "PL1")]


def test_look_ahead_between_placements() -> None:
    case = make_case()
    case["periods"][1]["placements"][0]["end"] = "2021-02-10"
    assert _assign(
        case,
        {"type": "placement_notification", "date": "2021-02-10"},
        {"type": "placement_notification", "date": "2021-02-12"},
    ) == [("B", "PL2"), ("B", "PL3")]


def test_after_the_last_closed_period() -> None:
    case = make_case()
    case["periods"][1]["end"] = "2022-01-31"
    assert _assign(
        case,
        {"type": "review", "date": "2022-01-31"},  # the open placement ends with the period
        {"type": "review", "date": "2022-02-01"},
    ) == [("B", "PL3"), (None, None)]


def test_after_the_last_placement_of_an_open_period() -> None:
    case = make_case()
    case["periods"][1]["placements"][1]["end"] = "2021-06-30"
    assert _assign(case, {"type": "visit", "date": "2021-07-01"}) == [("B", None)]


def test_no_periods() -> None:
    case = make_case()
    case["periods"] = []
    assert _assign(case, {"type": "visit", "date": "2021-07-01"}) == [(None, None)]


def test_parallel_to_events_and_cheap_to_call_twice() -> None:
    parsed = parse_case(make_case())
    first = assign_events(parsed)
    assert len(first) == len(parsed.events)
    assert assign_events(parsed) == first
    assert first[0] == Assignment("B", "PL2")


def test_assignment_is_frozen() -> None:
    a = Assignment("A", "PL1")
    with pytest.raises(AttributeError):
        a.period_id = "B"  # type: ignore[misc]
