"""Dated versions (A20): the 1991 regulations before 1 April 2011, the 2011 rules, and SI
2020/445 for emergency placements made from 24 April to 25 September 2020.

Each version computes its own due date and the one in force on it applies; a version tied to an
event (plans for children first placed before 1 Apr 2011, placements made in the 2020 window) is
chosen by its anchor.
"""

from __future__ import annotations

from typing import Any

from .conftest import case, ev, expect, ob, obs, period, placement, run

DOB = "2005-05-05"


def test_a_period_starting_on_friday_25_march_2011() -> None:
    # 20 working days after Fri 25 Mar 2011 skip Fri 22 Apr (Good Friday) and Mon 25 Apr 2011
    # (Easter Monday): Tue 26 Apr 2011, when the 2011 Regulations are in force. The 1991 version
    # (4 weeks: Fri 22 Apr 2011) falls after its own end, 31 Mar 2011, so the 2011 version applies.
    r = run(case(DOB, [period("2011-03-25")], [ev("review", "2011-04-20")]), "2011-06-01")
    first = ob(r, "review-first")
    expect(first, status="met_on_time", due="2011-04-26", met_on="2011-04-20")
    assert first.rule_version == "2011-04-01"
    assert "Fri 22 Apr 2011 (Good Friday)" in first.explanation
    assert "(version 2011-04-01)" in first.explanation
    # The care and placement plans are tied to the (first) placement of Fri 25 Mar 2011, before
    # 1 Apr 2011: no fixed timescale (reg 4(6)).
    for rule in ("care-plan", "placement-plan"):
        o = ob(r, rule)
        assert (o.status, o.due, o.reason, o.rule_version) == (
            "pending",
            None,
            "no_fixed_timescale",
            "1991-10-14",
        ), rule
    assert ob(r, "care-plan").citation == "SI 2010/959 reg 4(6)"
    # Due on the placement day, 25 Mar 2011, under the 2011 rule only: not in force.
    for rule in ("placement-notification", "pep-initial"):
        o = ob(r, rule)
        assert (o.status, o.reason) == ("not_evaluated", "not_in_force"), rule
    # Within a week: Fri 1 Apr 2011, in force.
    expect(ob(r, "visit-first"), status="overdue", due="2011-04-01", days_late=61)


def test_a_child_who_entered_care_in_2010() -> None:
    events = [
        ev("care_plan", "2010-06-10"),
        ev("review", "2010-06-22"),
        ev("review", "2010-09-20"),
        ev("review", "2011-03-15"),
        ev("review", "2011-09-09"),
    ]
    r = run(case(DOB, [period("2010-06-01")], events), "2011-10-01")
    # 1991 regulations: first review within four weeks of Tue 1 Jun 2010 (Tue 29 Jun 2010).
    first = ob(r, "review-first")
    expect(first, status="met_on_time", due="2010-06-29", met_on="2010-06-22")
    assert (first.rule_version, first.citation) == ("1991-10-14", "SI 1991/895 reg 3")
    # Second within 3 months of Tue 22 Jun 2010: Wed 22 Sep 2010 (held Mon 20 Sep).
    second = ob(r, "review-second")
    expect(second, status="met_on_time", due="2010-09-22", met_on="2010-09-20")
    assert second.rule_version == "1991-10-14"
    # Then 6 months: Sun 20 Mar 2011 (1991 version, held Tue 15 Mar 2011); Thu 15 Sep 2011 is
    # after 1 Apr 2011, so the 2011 version applies (held Fri 9 Sep 2011); next Fri 9 Mar 2012.
    subs = obs(r, "review-subsequent")
    assert [(o.due and o.due.isoformat(), o.rule_version, o.status) for o in subs] == [
        ("2011-03-20", "1991-10-14", "met_on_time"),
        ("2011-09-15", "2011-04-01", "met_on_time"),
        ("2012-03-09", "2011-04-01", "pending"),
    ]
    # The care plan before April 2011 has no fixed timescale: met, so on time.
    expect(ob(r, "care-plan"), status="met_on_time", due=None, met_on="2010-06-10")


def test_a_plan_never_made_before_2011_is_missed_when_the_period_ends() -> None:
    r = run(case(DOB, [period("2010-06-01", end="2010-12-01")]), "2011-06-01")
    expect(ob(r, "care-plan"), status="missed", due=None, reason="no_fixed_timescale")


def _emergency_move(start: str, end: str | None = None) -> dict[str, Any]:
    # Planned period from Mon 6 Jan 2020; an emergency placement PL2 from ``start``.
    return period(
        "2020-01-06",
        [
            placement("PL1", "2020-01-06", start, end_reason="immediate_risk"),
            placement("PL2", start, end, emergency=True),
        ],
    )


def test_emergency_placements_inside_and_outside_the_2020_window() -> None:
    # Thu 23 Apr 2020, the day before the window: 5 working days, Thu 30 Apr 2020 (no bank holiday).
    o = ob(
        run(case(DOB, [_emergency_move("2020-04-23")]), "2020-06-01"),
        "placement-plan",
        placement="PL2",
    )
    expect(o, status="overdue", due="2020-04-30", days_late=32)
    assert o.rule_version == "2011-04-01"
    # Fri 24 Apr and Fri 25 Sep 2020 (both ends of the window, inclusive): no fixed timescale.
    for start in ("2020-04-24", "2020-09-25"):
        r = run(
            case(DOB, [_emergency_move(start)], [ev("placement_plan", "2020-10-12")]), "2020-11-01"
        )
        o = ob(r, "placement-plan", placement="PL2")
        assert (o.status, o.due, o.rule_version) == ("met_on_time", None, "2020-04-24"), start
        assert o.citation == "SI 2020/445 reg 8(4)"
        assert "as soon as is reasonably practicable" in o.explanation
    # Sat 26 Sep 2020, the day after: 5 working days, Fri 2 Oct 2020 (met late on Mon 12 Oct).
    r = run(
        case(DOB, [_emergency_move("2020-09-26")], [ev("placement_plan", "2020-10-12")]),
        "2020-11-01",
    )
    o = ob(r, "placement-plan", placement="PL2")
    expect(o, status="met_late", due="2020-10-02", met_on="2020-10-12", days_late=10)


def test_a_planned_placement_in_the_window_is_unchanged() -> None:
    # Planned (not emergency) move on Mon 1 Jun 2020: still due before the placement starts.
    pls = [placement("PL1", "2020-01-06", "2020-06-01"), placement("PL2", "2020-06-01")]
    r = run(case(DOB, [period("2020-01-06", pls)]), "2020-07-01")
    o = ob(r, "placement-plan", placement="PL2")
    expect(o, status="overdue", due="2020-06-01", days_late=30)
    assert o.rule_version == "2020-04-24"


def test_an_emergency_placement_in_the_window_ending_without_a_plan_is_missed() -> None:
    r = run(case(DOB, [_emergency_move("2020-05-04", "2020-06-15")]), "2020-07-01")
    o = ob(r, "placement-plan", placement="PL2")
    assert (o.status, o.due, o.reason) == ("missed", None, "no_fixed_timescale")
