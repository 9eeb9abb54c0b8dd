"""Visits to children placed with parents or with a temporarily approved connected person (CPPCR
2010 reg 28(3)-(5)), the care-order visit (reg 28(5)(a)) and the child seen alone (reg 29).

Weekly until the first review held after the placement started, then 6-weekly (reg 28(3)), or
4-weekly under an interim care order or a reg 24 temporary approval (reg 28(4)); under a care
order, 6-weekly and a visit within a week of the order being made (reg 28(5)). The regime is chosen
when each interval starts. Weeks are 7 calendar days: no bank holidays enter these dates.
"""

from __future__ import annotations

from typing import Any

from .conftest import case, ev, expect, ob, obs, placement, run

DOB = "2012-04-02"
SW = {"by": "social_worker"}


def _period(kind: str, legal_status: list[dict[str, str]]) -> dict[str, Any]:
    # Foster placement F1 from Mon 8 Jan 2024, then P2 (``kind``) from Mon 4 Mar 2024.
    return {
        "start": "2024-01-08",
        "placements": [
            placement("F1", "2024-01-08", "2024-03-04", kind="foster"),
            placement("P2", "2024-03-04", kind=kind),
        ],
        "legal_status": legal_status,
    }


ICO_THEN_CARE_ORDER = [
    {"from": "2024-01-08", "status": "interim_care_order"},
    {"from": "2024-05-13", "status": "care_order"},
]
EVENTS = [
    ev("review", "2024-02-05"),  # first review (due Mon 5 Feb 2024: 20 WD, no bank holiday)
    ev("review", "2024-03-21"),  # the first review after P2 started
    ev("visit", "2024-01-10", **SW),
    ev("visit", "2024-02-20", **SW),
    ev("visit", "2024-03-04", **SW, seen_alone=True),
    ev("visit", "2024-03-11", **SW, seen_alone=False, not_seen_alone_reason="child_refused"),
    ev("visit", "2024-03-19", **SW, seen_alone=False),
    ev("visit", "2024-03-26", **SW),
    ev("visit", "2024-04-22", **SW, seen_alone=False, not_seen_alone_reason="unable"),
    ev("visit", "2024-05-17", **SW, seen_alone=False, not_seen_alone_reason="inappropriate"),
]
AS_OF = "2024-07-01"


def test_interim_care_order_then_care_order_with_parents() -> None:
    r = run(case(DOB, [_period("placed_with_parents", ICO_THEN_CARE_ORDER)], EVENTS), AS_OF)
    expect(
        ob(r, "visit-first", placement="P2"),
        status="met_on_time",
        due="2024-03-11",
        met_on="2024-03-04",
    )
    visits = obs(r, "visit", placement="P2")
    # From Mon 4 Mar (interim care order, no review since P2 started): weekly, due Mon 11 Mar
    # (met), Mon 18 Mar (met Tue 19 Mar, 1 day late), Tue 26 Mar (met). The review of Thu 21 Mar
    # came before the interval starting Tue 26 Mar: 4-weekly, due Tue 23 Apr (met Mon 22 Apr),
    # Mon 20 May (met Fri 17 May). The care order of Mon 13 May is in force on 17 May: 6-weekly,
    # due Fri 28 Jun 2024, unmet as at Mon 1 Jul: 3 days overdue.
    assert [(o.due and o.due.isoformat(), o.status, o.days_late) for o in visits] == [
        ("2024-03-11", "met_on_time", None),
        ("2024-03-18", "met_late", 1),
        ("2024-03-26", "met_on_time", None),
        ("2024-04-23", "met_on_time", None),
        ("2024-05-20", "met_on_time", None),
        ("2024-06-28", "overdue", 3),
    ]
    assert [o.citation for o in visits] == [
        "SI 2010/959 reg 28(4)(a)",
        "SI 2010/959 reg 28(4)(a)",
        "SI 2010/959 reg 28(4)(a)",
        "SI 2010/959 reg 28(4)(b)",
        "SI 2010/959 reg 28(4)(b)",
        "SI 2010/959 reg 28(5)(b)",
    ]
    # reg 28(5)(a): within one week of the care order made on Mon 13 May: Mon 20 May (met 17 May).
    (order,) = obs(r, "visit-care-order")
    expect(order, status="met_on_time", due="2024-05-20", met_on="2024-05-17", anchor="2024-05-13")
    assert order.placement_id == "P2"
    # The foster placement F1 keeps the standard regime: 10 Jan + 6 weeks = Wed 21 Feb (met 20
    # Feb); 20 Feb + 6 weeks = Tue 2 Apr, after F1 ended on 4 Mar: not required.
    f1 = obs(r, "visit", placement="F1")
    expect(f1[0], status="met_on_time", due="2024-02-21", met_on="2024-02-20")
    expect(f1[1], status="not_required", due="2024-04-02", reason="scope_ended")
    # The move out of F1 needs a review in [max(4 Dec 2023, 8 Jan 2024), 4 Mar 2024]: 5 Feb.
    expect(
        ob(r, "review-before-move", placement="F1"),
        status="met_on_time",
        due="2024-03-04",
        met_on="2024-02-05",
    )


def test_placed_with_parents_without_an_order_is_weekly_then_six_weekly() -> None:
    # reg 28(3): weekly until the review of 21 Mar, then 6-weekly: 26 Mar + 42 days = Tue 7 May
    # (met Mon 22 Apr); 22 Apr + 42 days = Mon 3 Jun (met Fri 17 May); 17 May + 42 = Fri 28 Jun.
    r = run(case(DOB, [_period("placed_with_parents", [])], EVENTS), AS_OF)
    visits = obs(r, "visit", placement="P2")
    assert [o.due and o.due.isoformat() for o in visits] == [
        "2024-03-11",
        "2024-03-18",
        "2024-03-26",
        "2024-05-07",
        "2024-06-03",
        "2024-06-28",
    ]
    assert visits[3].citation == "SI 2010/959 reg 28(3)(b)"
    assert obs(r, "visit-care-order") == []


def test_connected_person_with_temporary_approval() -> None:
    # reg 28(4): weekly until the first review after the placement started, then 4-weekly.
    r = run(case(DOB, [_period("connected_person_temporary", [])], EVENTS), AS_OF)
    visits = obs(r, "visit", placement="P2")
    assert [o.due and o.due.isoformat() for o in visits][:5] == [
        "2024-03-11",
        "2024-03-18",
        "2024-03-26",
        "2024-04-23",
        "2024-05-20",
    ]


def test_a_care_order_made_before_the_placement_makes_no_care_order_visit() -> None:
    # Care order from Mon 1 Jan 2024, before P2 started: no reg 28(5)(a) obligation (visit-first
    # covers the first week); every interval is 6-weekly under reg 28(5)(b): 4 Mar + 42 days =
    # Mon 15 Apr 2024 (met 11 Mar).
    status = [{"from": "2024-01-01", "status": "care_order"}]
    r = run(case(DOB, [_period("placed_with_parents", status)], EVENTS), AS_OF)
    assert obs(r, "visit-care-order") == []
    expect(
        ob(r, "visit", 1, placement="P2"),
        status="met_on_time",
        due="2024-04-15",
        met_on="2024-03-11",
    )


def test_child_seen_alone_on_each_visit() -> None:
    r = run(case(DOB, [_period("placed_with_parents", ICO_THEN_CARE_ORDER)], EVENTS), AS_OF)
    seen = {o.due.isoformat(): o for o in obs(r, "visit-seen-alone") if o.due}
    assert len(seen) == 8  # one per social worker visit
    expect(seen["2024-03-04"], status="met_on_time", due="2024-03-04", met_on="2024-03-04")
    for day, reason in (
        ("2024-03-11", "child_refused"),
        ("2024-04-22", "unable"),
        ("2024-05-17", "inappropriate"),
    ):
        expect(seen[day], status="exempt", due=day, reason=reason)
    expect(seen["2024-03-19"], status="missed", due="2024-03-19", reason="not_seen_alone")
    expect(seen["2024-03-26"], status="not_evaluated", due="2024-03-26", reason="not_recorded")
    assert seen["2024-03-04"].citation == "SI 2010/959 reg 29"
    assert "refused to be seen alone (reg 29(a))" in seen["2024-03-11"].explanation


def test_seen_alone_on_any_visit_that_day_wins_whatever_the_order() -> None:
    # Two social worker visits on Mon 11 Mar 2024: one without, one with a private talk.
    extra = [
        ev("visit", "2024-03-11", **SW, seen_alone=True),
        ev("visit", "2024-03-11", **SW, seen_alone=False),
    ]
    for events in (extra, extra[::-1]):
        r = run(case(DOB, [_period("foster", [])], events), AS_OF)
        (o,) = obs(r, "visit-seen-alone")
        expect(o, status="met_on_time", due="2024-03-11", met_on="2024-03-11")
