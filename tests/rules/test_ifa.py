"""The fostering agency overlay (``england+ifa``): the agency's standards beside the statute.

Hand-computed: calendar months and weeks need no calendar; working days name the bank holidays
they skip (none fall in these spans unless said).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lacplan import evaluate
from lacplan.model import Case
from lacplan.report import Obligation, Report

from .conftest import case, d, ev, expect, period, placement

DOB = "2012-04-02"
START = "2024-01-08"  # Mon; first review due Mon 5 Feb 2024 (20 WD, no bank holiday)
SSW = {"by": "supervising_social_worker"}


def run_ifa(c: Case, as_of: str) -> Report:
    when = d(as_of)
    assert when is not None
    return evaluate(c, as_of=when, rules="england+ifa")


def of(report: Report, rule: str) -> list[Obligation]:
    return [o for o in report.obligations if o.rule == rule]


STATUTORY_DUTIES_MET = [
    ev("care_plan", "2024-01-05"),
    ev("placement_plan", "2024-01-05"),
    ev("placement_notification", "2024-01-05"),
    ev("pep", "2024-01-05"),
    ev("health_assessment", "2024-02-01"),
    ev("review", "2024-02-05"),
    ev("pep_review", "2024-03-01"),
    ev("permanence_plan", "2024-04-30"),
    ev("review", "2024-05-02"),
    ev("pep_review", "2024-05-20"),
    *(
        ev("visit", day, by="social_worker", seen_alone=True)
        for day in ("2024-01-10", "2024-02-20", "2024-04-02", "2024-05-14")
    ),
]
AGENCY_STANDARDS_MET = [
    ev("review_consultation", "2024-03-28"),
    ev("pep", "2024-01-05"),
    ev("review", "2024-02-05"),
    ev("review", "2024-05-02"),
    ev("pep_review", "2024-03-01"),
    ev("pep_review", "2024-05-20"),
    *(
        ev("visit", day, **SSW, unannounced=day == "2024-04-05")
        for day in ("2024-01-10", "2024-02-09", "2024-03-08", "2024-04-05", "2024-05-03")
    ),
    ev("visit", "2024-05-31", **SSW),
]


def _child(events: list[dict[str, Any]]) -> Case:
    return case(DOB, [period(START, [placement("F1", START, intended_until_18=True)])], events)


def test_meets_the_statute_but_misses_the_agencys_standards() -> None:
    r = run_ifa(_child(STATUTORY_DUTIES_MET), "2024-06-03")
    statutory = [o for o in r.obligations if o.source == "statutory"]
    assert {o.status for o in statutory} <= {"met_on_time", "pending"}
    # No supervising social worker visit: due Mon 15 Jan 2024 (7 days), 140 days overdue.
    (first,) = of(r, "ifa-visit-first")
    expect(first, status="overdue", due="2024-01-15", days_late=140)
    assert (first.source, first.base_rule) == ("agency", None)
    # The second review meeting, Thu 2 May 2024, needed a consultation 20 working days before it:
    # Thu 4 Apr 2024 (Easter fell earlier, on 29 Mar and 1 Apr; the early-May holiday, 6 May,
    # later). The meeting was held without one: missed.
    (consult,) = of(r, "ifa-review-consultation")
    expect(consult, status="missed", due="2024-04-04", anchor="2024-05-02")
    assert consult.placement_id is None
    # The first review (Mon 5 Feb) needs no consultation.
    assert [o.anchor for o in of(r, "ifa-review-consultation")] == [date(2024, 5, 2)]


def test_meets_the_agencys_standards_but_misses_the_statute() -> None:
    r = run_ifa(_child(AGENCY_STANDARDS_MET), "2024-06-03")
    # The child's own social worker never visited: statutory visit-first overdue since Mon 15 Jan.
    (first,) = of(r, "visit-first")
    expect(first, status="overdue", due="2024-01-15", days_late=140)
    agency = [o for o in r.obligations if o.source == "agency"]
    assert {o.status for o in agency} <= {"met_on_time", "pending"}
    # Monthly supervising visits: 10 Jan + 1 month = 10 Feb (met 9 Feb); 9 Mar (met 8 Mar);
    # 8 Apr (met 5 Apr); 5 May (met 3 May); 3 Jun (met 31 May); 31 May + 1 month = 30 Jun (no 31
    # June), pending.
    assert [(o.due and o.due.isoformat(), o.status) for o in of(r, "ifa-visit")] == [
        ("2024-02-10", "met_on_time"),
        ("2024-03-09", "met_on_time"),
        ("2024-04-08", "met_on_time"),
        ("2024-05-05", "met_on_time"),
        ("2024-06-03", "met_on_time"),
        ("2024-06-30", "pending"),
    ]
    # The unannounced visit of Fri 5 Apr 2024 meets the placement's first year (8 Jan 2024 to
    # Tue 7 Jan 2025).
    (year,) = of(r, "ifa-unannounced-visit")
    expect(year, status="met_on_time", due="2025-01-07", met_on="2024-04-05", anchor=START)
    # Consulted on Thu 28 Mar, before the due date Thu 4 Apr: on time.
    (consult,) = of(r, "ifa-review-consultation")
    expect(consult, status="met_on_time", due="2024-04-04", met_on="2024-03-28")
    # School year 2023-24 entered on 8 Jan: one review per term starting while looked after (the
    # summer term, 1 Apr): met by the first review in the year, Fri 1 Mar.
    (pep,) = of(r, "ifa-pep-review")
    expect(pep, status="met_on_time", due="2024-08-31", met_on="2024-03-01")
    assert pep.base_rule == "pep-review"
    assert "beside the statutory pep-review" in pep.explanation


def test_consultation_after_the_review_or_before_the_previous_one() -> None:
    base = [ev("review", "2024-02-05"), ev("review", "2024-05-02")]
    # On the meeting day itself: met late (2 May is 20 working days after the due date).
    late = run_ifa(_child([*base, ev("review_consultation", "2024-05-02")]), "2024-06-03")
    expect(
        of(late, "ifa-review-consultation")[0],
        status="met_late",
        due="2024-04-04",
        met_on="2024-05-02",
        days_late=28,
    )
    # Dated before the previous held review (Mon 5 Feb): it was about that review, not this one.
    early = run_ifa(_child([*base, ev("review_consultation", "2024-02-01")]), "2024-06-03")
    expect(of(early, "ifa-review-consultation")[0], status="missed", due="2024-04-04")


def test_reduced_contact_agreed_by_the_agency_after_the_first_year() -> None:
    visits = ["2024-01-10", *(f"2024-{m:02d}-05" for m in range(2, 13)), "2025-01-15"]
    events = [ev("visit", v, **SSW) for v in visits]
    events += [
        ev("reduced_visits_agreed", "2025-02-01", agreed_by="agency"),
        ev("visit", "2025-02-10", **SSW),
        ev("reduced_visits_withdrawn", "2025-03-01"),  # the child's: the agency's still stands
        ev("visit", "2025-04-09", **SSW),
        ev("reduced_visits_withdrawn", "2025-04-20", agreed_by="agency"),
        ev("visit", "2025-06-05", **SSW),
    ]
    r = run_ifa(_child(events), "2025-06-30")
    tail = [
        (o.anchor and o.anchor.isoformat(), o.due and o.due.isoformat(), o.status)
        for o in of(r, "ifa-visit")
    ][-4:]
    # From Wed 15 Jan 2025 (after the anniversary, 8 Jan, but before the agreement): 1 month, Sat
    # 15 Feb (met 10 Feb). From Mon 10 Feb, agreed: 2 months, Thu 10 Apr (met 9 Apr; the child's
    # withdrawal on 1 Mar clears only the child's agreement). From Wed 9 Apr, the agency's
    # agreement withdrawn on 20 Apr is still in force when the interval starts: 2 months, Mon 9
    # Jun (met Thu 5 Jun). From 5 Jun, withdrawn: 1 month, Sat 5 Jul, pending.
    assert tail == [
        ("2025-01-15", "2025-02-15", "met_on_time"),
        ("2025-02-10", "2025-04-10", "met_on_time"),
        ("2025-04-09", "2025-06-09", "met_on_time"),
        ("2025-06-05", "2025-07-05", "pending"),
    ]


def _moves(end_reason: str | None, next_emergency: bool, events: list[dict[str, Any]]) -> Case:
    pls = [
        placement("M1", START, "2024-02-12", end_reason=end_reason),
        placement("M2", "2024-02-12", emergency=next_emergency),
    ]
    return case(DOB, [period(START, pls)], events)


def test_a_review_soon_after_an_emergency_move() -> None:
    # Immediate risk on Mon 12 Feb 2024: the statute exempts the review; the agency wants one
    # within 10 working days: Mon 26 Feb 2024 (no bank holiday).
    for reason, emergency in (("immediate_risk", False), (None, True)):
        r = run_ifa(_moves(reason, emergency, [ev("review", "2024-02-22")]), "2024-04-01")
        (stat,) = of(r, "review-before-move")
        assert stat.status == "exempt"
        (ifa,) = of(r, "ifa-review-before-move")
        expect(ifa, status="met_on_time", due="2024-02-26", met_on="2024-02-22")
        assert (ifa.rule_variant, ifa.placement_id, ifa.base_rule) == (
            "after_emergency",
            "M1",
            "review-before-move",
        )
    late = run_ifa(_moves("immediate_risk", False, [ev("review", "2024-02-28")]), "2024-04-01")
    expect(
        of(late, "ifa-review-before-move")[0],
        status="met_late",
        due="2024-02-26",
        met_on="2024-02-28",
        days_late=2,
    )
    # None held: the clock runs with the period, not the ended placement: overdue 35 days.
    none = run_ifa(_moves("immediate_risk", False, []), "2024-04-01")
    expect(of(none, "ifa-review-before-move")[0], status="overdue", due="2024-02-26", days_late=35)


def test_a_planned_move_needs_a_review_before_it_as_in_the_statute() -> None:
    r = run_ifa(_moves("planned", True, [ev("review", "2024-02-05")]), "2024-04-01")
    (ifa,) = of(r, "ifa-review-before-move")
    expect(ifa, status="met_on_time", due="2024-02-12", met_on="2024-02-05")
    assert ifa.rule_variant == "standard"


def test_a_review_meeting_each_year_of_a_long_term_foster_placement_after_the_first() -> None:
    pls = [placement("F1", START, long_term_foster=True, intended_until_18=True)]
    events = [ev("review", "2025-07-10"), ev("review", "2026-01-10", meeting=False)]
    r = run_ifa(case(DOB, [period(START, pls)], events), "2027-01-08")
    # 2nd year: Wed 8 Jan 2025 to Wed 7 Jan 2026, met by the meeting of 10 Jul 2025. 3rd year:
    # Thu 8 Jan 2026 to Thu 7 Jan 2027: the review of 10 Jan 2026 was not a meeting: overdue.
    years = of(r, "ifa-review-meeting")
    assert [(o.anchor, o.due, o.status) for o in years] == [
        (date(2025, 1, 8), date(2026, 1, 7), "met_on_time"),
        (date(2026, 1, 8), date(2027, 1, 7), "overdue"),
        (date(2027, 1, 8), date(2028, 1, 7), "pending"),  # the 4th year began today
    ]
    assert "the end of the 2nd year of the placement" in years[0].explanation


def test_three_pep_reviews_in_a_school_year_looked_after_throughout() -> None:
    # Looked after from Tue 1 Aug 2023, ending Fri 15 Nov 2024. 2022-23: no term starts in the
    # days looked after (1-31 Aug 2023), so nothing. 2023-24 (1 Sep to 31 Aug), throughout: 3
    # reviews needed; the third on Mon 10 Jun 2024. 2024-25: looked after 1 Sep to 15 Nov 2024,
    # one term starting (autumn, 1 Sep): one review, due when the period ended, 15 Nov 2024.
    events = [
        ev("pep_review", "2023-10-10"),
        ev("pep_review", "2024-02-05"),
        ev("pep_review", "2024-06-10"),
        ev("pep_review", "2024-10-01"),
    ]
    r = run_ifa(case(DOB, [period("2023-08-01", end="2024-11-15")], events), "2025-01-01")
    years = of(r, "ifa-pep-review")
    assert [(o.due, o.met_on, o.status) for o in years] == [
        (date(2024, 8, 31), date(2024, 6, 10), "met_on_time"),
        (date(2024, 11, 15), date(2024, 10, 1), "met_on_time"),
    ]
    assert "one per school term looked after" in years[1].explanation
    # Two reviews only in 2023-24: overdue once the year has ended (as at Sun 1 Sep 2024).
    short = run_ifa(case(DOB, [period("2023-08-01")], events[:2]), "2024-09-01")
    expect(of(short, "ifa-pep-review")[0], status="overdue", due="2024-08-31", days_late=1)


def test_pathway_plan_due_when_the_young_person_becomes_eligible() -> None:
    # In care from Thu 1 Feb 2024, born 1 Mar 2008: eligible Thu 2 May 2024. The agency wants the
    # pathway plan then; the statute by the needs assessment's due date, Fri 2 Aug 2024. A plan on
    # Fri 9 Aug 2024 is 99 days late for the agency, 7 for the statute.
    events = [ev("needs_assessment", "2024-07-15"), ev("pathway_plan", "2024-08-09")]
    r = run_ifa(case("2008-03-01", [period("2024-02-01")], events), "2024-09-01")
    (ifa,) = of(r, "ifa-pathway-plan")
    expect(ifa, status="met_late", due="2024-05-02", met_on="2024-08-09", days_late=99)
    (stat,) = of(r, "pathway-plan")
    expect(stat, status="met_late", due="2024-08-02", met_on="2024-08-09", days_late=7)
    assert ifa.base_rule == "pathway-plan" and stat.base_rule is None


def test_statutory_results_are_the_same_with_or_without_the_overlay() -> None:
    c = _child(STATUTORY_DUTIES_MET + AGENCY_STANDARDS_MET)
    alone = evaluate(c, as_of=date(2024, 6, 3)).obligations
    beside = [o for o in run_ifa(c, "2024-06-03").obligations if o.source == "statutory"]
    assert list(alone) == beside
