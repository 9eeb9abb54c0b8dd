"""Leaving care (CPPCR 2010 regs 40-43, Care Leavers (England) Regulations 2010 reg 7).

Eligibility: the first day from the 16th birthday on which the young person is looked after
having been looked after for 91 days (13 weeks) since the 14th birthday, each period counted from
its start up to, not including, its end or that day. ``needs-assessment`` is due 3 months later,
``pathway-plan`` on the same day, ``pathway-plan-review`` 6 months after the plan or the previous
review, until the 21st birthday. The three belong to the period covering the eligibility date.
Calendar months only: no working days, so no bank holidays enter these dates.
"""

from __future__ import annotations

from .conftest import case, ev, expect, ob, obs, period, run

DOB = "2008-03-01"  # 14 on Tue 1 Mar 2022, 16 on Fri 1 Mar 2024, 18 on Wed 1 Mar 2026, 21 in 2029


def test_entering_care_at_15_years_11_months() -> None:
    # In care from Thu 1 Feb 2024: 1 Feb + 91 days = Thu 2 May 2024 (Feb 29 + Mar 31 + Apr 30 =
    # 90 days to 1 May), after the 16th birthday. Needs assessment and pathway plan due 3 months
    # later, Fri 2 Aug 2024.
    events = [
        ev("needs_assessment", "2024-07-15"),
        ev("pathway_plan", "2024-08-09"),
        ev("pathway_plan_review", "2025-02-03"),
    ]
    r = run(case(DOB, [period("2024-02-01")], events), "2025-09-01")
    na = ob(r, "needs-assessment")
    expect(na, status="met_on_time", due="2024-08-02", met_on="2024-07-15", anchor="2024-05-02")
    assert (na.key, na.placement_id) == ("C1:1:-:needs-assessment:2024-05-02", None)
    assert na.citation == "SI 2010/959 reg 42(1)"
    expect(
        ob(r, "pathway-plan"), status="met_late", due="2024-08-02", met_on="2024-08-09", days_late=7
    )
    reviews = obs(r, "pathway-plan-review")
    # Fri 9 Aug 2024 + 6 months = Sun 9 Feb 2025 (met Mon 3 Feb); + 6 months = Sun 3 Aug 2025,
    # unmet as at Mon 1 Sep 2025: 29 days overdue.
    assert len(reviews) == 2
    expect(reviews[0], status="met_on_time", due="2025-02-09", met_on="2025-02-03")
    expect(reviews[1], status="overdue", due="2025-08-03", days_late=29, anchor="2025-02-03")


def test_looked_after_from_13_to_17_and_reviews_after_care_ended() -> None:
    # Tue 1 Mar 2021 (aged 13) to Sat 1 Mar 2025 (aged 17): by the 16th birthday, Fri 1 Mar 2024,
    # 730 days since the 14th: eligible on the birthday. Assessment due Sat 1 Jun 2024.
    events = [
        ev("needs_assessment", "2024-04-30"),
        ev("pathway_plan", "2024-06-03"),
        ev("pathway_plan_review", "2024-12-03"),
        ev("pathway_plan_review", "2025-06-02"),  # after care ended: still counts, no finding
    ]
    r = run(case(DOB, [period("2021-03-01", end="2025-03-01")], events), "2026-01-01")
    expect(ob(r, "needs-assessment"), status="met_on_time", due="2024-06-01", met_on="2024-04-30")
    expect(
        ob(r, "pathway-plan"), status="met_late", due="2024-06-01", met_on="2024-06-03", days_late=2
    )
    reviews = obs(r, "pathway-plan-review")
    # Mon 3 Jun 2024 + 6 months = Tue 3 Dec 2024 (met that day); + 6 months = Tue 3 Jun 2025
    # (met Mon 2 Jun 2025, after care ended on 1 Mar 2025); + 6 months = Tue 2 Dec 2025, unmet as
    # at Thu 1 Jan 2026: 30 days overdue (the scope runs to the 21st birthday, 1 Mar 2029).
    assert [(o.due and o.due.isoformat(), o.status) for o in reviews] == [
        ("2024-12-03", "met_on_time"),
        ("2025-06-03", "met_on_time"),
        ("2025-12-02", "overdue"),
    ]
    assert reviews[2].days_late == 30
    assert r.children[0].findings == ()


def test_leaving_care_before_16_and_returning_after_it() -> None:
    # Period 1, Wed 1 Jun 2022 to Fri 30 Sep 2022 (aged 14): 121 days counted (up to, not
    # including, 30 Sep). Not looked after on the 16th birthday. Period 2 from Mon 1 Jul 2024:
    # eligible on its first day. Assessment and plan due Tue 1 Oct 2024; unmet as at Fri 1 Nov
    # 2024: 31 days overdue. The duties belong to period 2 only.
    r = run(
        case(DOB, [period("2022-06-01", end="2022-09-30"), period("2024-07-01", pid="PL2")]),
        "2024-11-01",
    )
    for rule, anchor in (("needs-assessment", "2024-07-01"), ("pathway-plan", "2024-10-01")):
        (o,) = obs(r, rule)
        assert o.period_id == "2"
        expect(o, status="overdue", due="2024-10-01", days_late=31, anchor=anchor)
    assert obs(r, "pathway-plan-review") == []  # no plan yet, so no review clock


def test_an_assessment_after_care_ended_still_counts() -> None:
    # In care from Mon 1 Jul 2024 (aged 16): eligible Mon 30 Sep 2024; assessment due Mon 30 Dec
    # 2024. Care ends Fri 15 Nov 2024, before the due date: not required, unless an assessment
    # is recorded before the 21st birthday (Mon 9 Dec 2024: met on time).
    ended = period("2024-07-01", end="2024-11-15")
    r = run(case(DOB, [ended]), "2025-02-01")
    expect(ob(r, "needs-assessment"), status="not_required", due="2024-12-30", reason="scope_ended")
    r = run(case(DOB, [ended], [ev("needs_assessment", "2024-12-09")]), "2025-02-01")
    expect(ob(r, "needs-assessment"), status="met_on_time", due="2024-12-30", met_on="2024-12-09")
    assert r.children[0].findings == ()


def test_no_duty_before_eligibility_or_without_13_weeks() -> None:
    # Eligible on Mon 30 Sep 2024: nothing as at Sun 29 Sep.
    r = run(case(DOB, [period("2024-07-01")]), "2024-09-29")
    assert obs(r, "needs-assessment") == []
    # In care for 90 days from 1 Jul 2024 (ends Sun 29 Sep): never eligible.
    r = run(case(DOB, [period("2024-07-01", end="2024-09-29")]), "2025-06-01")
    assert obs(r, "needs-assessment") == obs(r, "pathway-plan") == []


def test_short_breaks_never_make_a_child_eligible() -> None:
    sb = period("2022-06-01")
    sb["regime"] = "short_breaks"
    r = run(case(DOB, [sb]), "2025-06-01")
    assert obs(r, "needs-assessment") == []


def test_reviews_stop_at_the_21st_birthday() -> None:
    # Born Mon 1 Mar 2004: 21 on Sat 1 Mar 2025. Eligible on the 16th birthday, Sun 1 Mar 2020
    # (in care from Mon 1 Jul 2019, aged 15); plan Mon 1 Jun 2020; review Tue 1 Dec 2020; the next
    # due Tue 1 Jun 2021 is never held. Care ended at 18 (Tue 1 Mar 2022); the scope ends on
    # the 21st birthday: as at 1 Jun 2025 the open review is missed.
    events = [ev("needs_assessment", "2020-05-01"), ev("pathway_plan", "2020-06-01")]
    events.append(ev("pathway_plan_review", "2020-12-01"))
    r = run(case("2004-03-01", [period("2019-07-01")], events), "2025-06-01")
    reviews = obs(r, "pathway-plan-review")
    expect(reviews[-1], status="missed", due="2021-06-01")
    assert "the leaving-care duties ended at 21 on Sat 1 Mar 2025" in reviews[-1].explanation
