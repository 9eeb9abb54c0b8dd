"""permanence-plan (statutory guidance, S; CPPCR reg 5(a)): a plan for permanence by the second
review: due on the second review's due date, or on the day it was held if that came first."""

from __future__ import annotations

from .conftest import case, ev, expect, mentions, ob, obs, period, run

DOB = "2012-04-02"
START = "2024-01-08"  # Mon; first review due Mon 5 Feb 2024 (20 WD, no bank holidays)
FIRST = ev("review", "2024-02-05")  # second review due Sun 5 May 2024 (3 calendar months)


def test_due_on_the_second_reviews_due_date() -> None:
    r = run(case(DOB, [period(START)], [FIRST, ev("permanence_plan", "2024-04-30")]), "2024-04-30")
    o = ob(r, "permanence-plan")
    expect(o, status="met_on_time", due="2024-05-05", met_on="2024-04-30", anchor="2024-05-05")
    assert o.key == "C1:1:-:permanence-plan:2024-05-05"


def test_an_earlier_second_review_brings_it_forward() -> None:
    # Second review held Thu 2 May 2024: the plan is due that day; prepared Fri 3 May, 1 day late.
    events = [FIRST, ev("review", "2024-05-02"), ev("permanence_plan", "2024-05-03")]
    r = run(case(DOB, [period(START)], events), "2024-06-01")
    o = ob(r, "permanence-plan")
    expect(
        o,
        status="met_late",
        due="2024-05-02",
        met_on="2024-05-03",
        days_late=1,
        anchor="2024-05-05",
    )
    mentions(o, "the date the second review was held", "earlier than Sun 5 May 2024")


def test_no_plan_and_no_first_review() -> None:
    # Unmet as at Mon 3 Jun 2024: 29 days overdue. With no first review held, the second
    # review's clock has not started, so neither has this one.
    r = run(case(DOB, [period(START)], [FIRST]), "2024-06-03")
    expect(ob(r, "permanence-plan"), status="overdue", due="2024-05-05", days_late=29)
    assert obs(run(case(DOB, [period(START)]), "2024-06-03"), "permanence-plan") == []
