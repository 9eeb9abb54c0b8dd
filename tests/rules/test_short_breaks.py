"""A series of short breaks (CPPCR 2010 reg 48) over a year: the reg 48 variants of the rules.

Reg 4 still applies (the care plan); regs 5, 7, 9 and 13 do not (placement plan and
notification, health, PEP, permanence plan: ``not_required``, reason ``short_breaks``). Reviews: 3
months after the first break, then at most 6 months. Visits: on days the child is placed, at the
agreed interval, and in any event within 3 months of the first break, then at most 6 months
(backstops UNVERIFIED). Calendar units only: no bank holidays enter these dates.
"""

from __future__ import annotations

from typing import Any

from .conftest import case, ev, expect, ob, obs, placement, run

DOB = "2012-04-02"
# Breaks (Mon to Fri): 8-12 Jan, 5-9 Feb, 4-8 Mar, 3-7 Jun, 2-6 Sep 2024 and 6-10 Jan 2025.
BREAKS = [
    ("B1", "2024-01-08", "2024-01-12"),
    ("B2", "2024-02-05", "2024-02-09"),
    ("B3", "2024-03-04", "2024-03-08"),
    ("B4", "2024-06-03", "2024-06-07"),
    ("B5", "2024-09-02", "2024-09-06"),
    ("B6", "2025-01-06", "2025-01-10"),
]
SEEN = {"by": "social_worker", "seen_alone": True}


def _series(agreed: int | None = 60) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": "2024-01-08",
        "regime": "short_breaks",
        "placements": [placement(pid, start, end) for pid, start, end in BREAKS],
    }
    if agreed is not None:
        out["agreed_visit_interval_days"] = agreed
    return out


EVENTS = [
    ev("care_plan", "2024-01-05"),
    ev("review", "2024-04-02"),
    ev("review", "2024-10-02"),
    ev("visit", "2024-01-10", **SEEN),  # in B1
    ev("visit", "2024-02-19", **SEEN),  # between B2 and B3: the child is not placed that day
    ev("visit", "2024-03-06", **SEEN),  # in B3
    ev("visit", "2024-06-05", **SEEN),  # in B4
    ev("visit", "2024-09-03", **SEEN),  # in B5
]
AS_OF = "2025-01-13"


def test_care_plan_and_reviews() -> None:
    r = run(case(DOB, [_series()], EVENTS), AS_OF)
    # Reg 4 applies: planned entry, due before the first placement (Mon 8 Jan 2024).
    expect(ob(r, "care-plan"), status="met_on_time", due="2024-01-08", met_on="2024-01-05")
    # First review: Mon 8 Jan 2024 + 3 months = Mon 8 Apr 2024 (held Tue 2 Apr).
    first = ob(r, "review-first")
    expect(first, status="met_on_time", due="2024-04-08", met_on="2024-04-02")
    assert first.rule_variant == "short_breaks"
    # Second: 2 Apr + 6 months = Wed 2 Oct 2024 (held that day); then Wed 2 Apr 2025, pending.
    expect(ob(r, "review-second"), status="met_on_time", due="2024-10-02", met_on="2024-10-02")
    expect(ob(r, "review-subsequent"), status="pending", due="2025-04-02")


def test_duties_reg_48_disapplies_are_not_required() -> None:
    r = run(case(DOB, [_series()], EVENTS), AS_OF)
    for rule in ("placement-plan", "placement-notification"):
        rows = obs(r, rule)
        assert [o.placement_id for o in rows] == [b[0] for b in BREAKS]
        assert {(o.status, o.reason, o.due) for o in rows} == {
            ("not_required", "short_breaks", None)
        }
    for rule in ("health-initial", "health-review", "pep-initial", "pep-review", "permanence-plan"):
        o = ob(r, rule)
        assert (o.status, o.reason, o.due, o.rule_variant) == (
            "not_required",
            "short_breaks",
            None,
            "short_breaks",
        ), rule
        assert "does not apply to a child placed for a series of short breaks" in o.explanation
    assert ob(r, "placement-plan", placement="B1").citation == "SI 2010/959 reg 48(3)(a)"
    assert ob(r, "health-initial").citation == "SI 2010/959 reg 48(3)(b)"
    # Nothing is left unevaluated, and no SDQ or leaving-care duty arises.
    assert all(o.status != "not_evaluated" for o in r.obligations)
    assert obs(r, "sdq") == obs(r, "needs-assessment") == []


def test_visits_at_the_agreed_interval_on_days_the_child_is_placed() -> None:
    r = run(case(DOB, [_series(agreed=60)], EVENTS), AS_OF)
    # One first visit for the series: Mon 8 Jan 2024 + 60 days = Fri 8 Mar 2024 (23 days of
    # January, 29 of February, 8 of March), before the backstop Mon 8 Apr 2024. Met Wed 10 Jan.
    first = ob(r, "visit-first")
    assert first.placement_id is None and first.rule_variant == "short_breaks"
    expect(first, status="met_on_time", due="2024-03-08", met_on="2024-01-10")
    visits = obs(r, "visit")
    assert all(o.placement_id is None for o in visits)
    # 10 Jan + 60 = Sun 10 Mar (the 19 Feb visit was between breaks; met Wed 6 Mar in B3);
    # 6 Mar + 60 = Sun 5 May (met Wed 5 Jun, 31 days late); 5 Jun + 60 = Sun 4 Aug (met Tue 3 Sep,
    # 30 days late); 3 Sep + 60 = Sat 2 Nov 2024, unmet as at Mon 13 Jan 2025: 72 days overdue.
    assert [(o.due and o.due.isoformat(), o.status, o.days_late) for o in visits] == [
        ("2024-03-10", "met_on_time", None),
        ("2024-05-05", "met_late", 31),
        ("2024-08-04", "met_late", 30),
        ("2024-11-02", "overdue", 72),
    ]
    assert [o.met_on and o.met_on.isoformat() for o in visits[:3]] == [
        "2024-03-06",
        "2024-06-05",
        "2024-09-03",
    ]
    assert "agreed with the IRO and the parents" in visits[0].explanation


def test_backstops_when_no_interval_is_agreed() -> None:
    r = run(case(DOB, [_series(agreed=None)], EVENTS), AS_OF)
    # Within 3 months of the first break: Mon 8 Apr 2024; then at most 6 months after each visit:
    # 10 Jan + 6 months = Wed 10 Jul 2024 (met 6 Mar); 6 Mar + 6 months = Fri 6 Sep (met 5 Jun);
    # 5 Jun + 6 months = Thu 5 Dec (met 3 Sep); 3 Sep + 6 months = Mon 3 Mar 2025, pending.
    expect(ob(r, "visit-first"), status="met_on_time", due="2024-04-08", met_on="2024-01-10")
    assert [(o.due and o.due.isoformat(), o.status) for o in obs(r, "visit")] == [
        ("2024-07-10", "met_on_time"),
        ("2024-09-06", "met_on_time"),
        ("2024-12-05", "met_on_time"),
        ("2025-03-03", "pending"),
    ]


def test_each_visit_in_a_break_is_checked_for_seen_alone() -> None:
    r = run(case(DOB, [_series()], EVENTS), AS_OF)
    seen = obs(r, "visit-seen-alone")
    # The 19 Feb visit (between breaks) is no statutory visit of a break.
    assert [(o.placement_id, o.due and o.due.isoformat()) for o in seen] == [
        ("B1", "2024-01-10"),
        ("B3", "2024-03-06"),
        ("B4", "2024-06-05"),
        ("B5", "2024-09-03"),
    ]
    assert {o.status for o in seen} == {"met_on_time"}
