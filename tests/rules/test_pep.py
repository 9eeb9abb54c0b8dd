"""pep-initial (SI 2010/959 reg 5(b)(ii), Sch 1 para 2; DfE 2018 guidance) and pep-review.

* pep-initial: due on the period's start (planned) or 10 working days after it (emergency); not
  required (outside_pep_ages) unless the child is aged 3-17 on the due date (convention
  ``pep_ages``).
* pep-review: one per school term (1 Sep-31 Dec, 1 Jan-31 Mar, 1 Apr-31 Jul) starting after
  pep-initial's due date while looked after and on or before as_of; due at the term's end; met by a
  ``pep_review`` inside the term.
"""

from __future__ import annotations

from typing import Any

import pytest

from lacplan.model import Case
from lacplan.rules.conventions import Conventions

from .conftest import case, ev, expect, mentions, ob, obs, period, run

DOB = "2014-05-20"
START = "2024-09-02"  # Mon, planned entry: pep-initial due the same day


def _case(events: list[dict[str, Any]], dob: str = DOB, start: str = START, **kw: Any) -> Case:
    return case(dob, [period(start, **kw)], events)


# ------------------------------------------------------------------------------ pep-initial
def test_planned_entry_pep_made_before_the_start() -> None:
    o = ob(run(_case([ev("pep", "2024-08-26")]), "2024-10-01"), "pep-initial")
    expect(o, status="met_on_time", due=START, met_on="2024-08-26", anchor=START)
    assert o.key == f"C1:1:-:pep-initial:{START}"
    assert o.citation == "SI 2010/959 reg 5(b)(ii), Sch 1 para 2"


@pytest.mark.parametrize(
    ("made", "status", "days_late"),
    [("2024-09-02", "met_on_time", None), ("2024-09-03", "met_late", 1)],
)
def test_planned_entry_pep_dates(made: str, status: str, days_late: int | None) -> None:
    expect(
        ob(run(_case([ev("pep", made)]), "2024-10-01"), "pep-initial"),
        status=status,
        due=START,
        met_on=made,
        days_late=days_late,
    )


@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [("2024-09-02", "pending", None), ("2024-09-10", "overdue", 8)],
)
def test_planned_entry_no_pep(as_of: str, status: str, days_late: int | None) -> None:
    expect(ob(run(_case([]), as_of), "pep-initial"), status=status, due=START, days_late=days_late)


def test_emergency_entry_over_christmas() -> None:
    # Fri 18 Dec 2020 + 10 WD = Wed 6 Jan 2021: skips Fri 25 Dec (Christmas Day), Mon 28 Dec
    # (Boxing Day substitute) and Fri 1 Jan 2021 (New Year's Day).
    c = _case([ev("pep", "2021-01-07")], dob="2012-04-02", start="2020-12-18", entry="emergency")
    o = ob(run(c, "2021-02-01"), "pep-initial")
    expect(
        o,
        status="met_late",
        due="2021-01-06",
        met_on="2021-01-07",
        days_late=1,
        anchor="2020-12-18",
    )
    mentions(o, "Christmas Day", "Mon 28 Dec 2020", "New Year's Day")


@pytest.mark.parametrize(
    ("end", "status", "reason"),
    [("2021-01-05", "not_required", "scope_ended"), ("2021-01-06", "missed", None)],
)
def test_emergency_entry_period_ended(end: str, status: str, reason: str | None) -> None:
    c = _case([], dob="2012-04-02", start="2020-12-18", entry="emergency", end=end)
    expect(ob(run(c, "2021-02-01"), "pep-initial"), status=status, due="2021-01-06", reason=reason)


@pytest.mark.parametrize(
    ("dob", "status", "reason"),
    [
        ("2021-09-03", "not_required", "outside_pep_ages"),  # 2 on Mon 2 Sep 2024
        ("2021-09-02", "pending", None),  # 3 that day
        ("2007-09-03", "pending", None),  # 16
        ("2006-09-03", "pending", None),  # 17 (18 the next day)
    ],
)
def test_default_pep_ages_on_the_due_date(dob: str, status: str, reason: str | None) -> None:
    expect(
        ob(run(_case([], dob=dob), START), "pep-initial"), status=status, due=START, reason=reason
    )


@pytest.mark.parametrize(
    ("dob", "status", "reason"),
    [
        ("2018-01-05", "pending", None),  # 2 on entry, 3 on the due date Wed 6 Jan 2021
        ("2018-01-07", "not_required", "outside_pep_ages"),  # still 2 on the due date
    ],
)
def test_age_is_taken_on_the_due_date(dob: str, status: str, reason: str | None) -> None:
    c = _case([], dob=dob, start="2020-12-18", entry="emergency")
    expect(ob(run(c, "2021-01-06"), "pep-initial"), status=status, due="2021-01-06", reason=reason)


@pytest.mark.parametrize(
    ("dob", "default_status", "school_age_status"),
    [
        ("2019-09-03", "pending", "not_required"),  # 4 on Mon 2 Sep 2024
        ("2019-09-02", "pending", "pending"),  # 5
        ("2008-09-03", "pending", "pending"),  # 15
        ("2008-09-02", "pending", "not_required"),  # 16
    ],
)
def test_pep_ages_convention(dob: str, default_status: str, school_age_status: str) -> None:
    c = _case([], dob=dob)
    assert ob(run(c, START), "pep-initial").status == default_status
    o = ob(run(c, START, Conventions(pep_ages=(5, 15))), "pep-initial")
    reason = "outside_pep_ages" if school_age_status == "not_required" else None
    expect(o, status=school_age_status, due=START, reason=reason)


# ------------------------------------------------------------------------------- pep-review
def test_one_review_per_term_after_the_initial_pep() -> None:
    # Planned entry Mon 2 Sep 2024: the autumn 2024 term began on 1 Sep, before the PEP was due,
    # so the first window is spring 2025.
    events = [ev("pep", START), ev("pep_review", "2025-03-31")]
    r = run(_case(events), "2025-05-01")
    terms = obs(r, "pep-review")
    assert [o.sequence for o in terms] == [1, 2]
    expect(
        terms[0], status="met_on_time", due="2025-03-31", met_on="2025-03-31", anchor="2025-01-01"
    )
    expect(terms[1], status="pending", due="2025-07-31", anchor="2025-04-01")
    assert [o.key for o in terms] == [
        "C1:1:-:pep-review:2025-01-01",
        "C1:1:-:pep-review:2025-04-01",
    ]
    assert all(o.citation.startswith("DfE 2018") for o in terms)


def test_a_review_counts_only_in_its_own_term() -> None:
    # Autumn 2024 is not a window; a review on Tue 1 Apr 2025 belongs to the summer term, so
    # spring (due Mon 31 Mar 2025) is 31 days overdue on Thu 1 May 2025.
    events = [ev("pep", START), ev("pep_review", "2024-10-15"), ev("pep_review", "2025-04-01")]
    terms = obs(run(_case(events), "2025-05-01"), "pep-review")
    assert len(terms) == 2
    expect(terms[0], status="overdue", due="2025-03-31", days_late=31)
    expect(terms[1], status="met_on_time", due="2025-07-31", met_on="2025-04-01")


def test_a_full_school_year() -> None:
    events = [
        ev("pep", START),
        ev("pep_review", "2025-02-10"),
        ev("pep_review", "2025-06-30"),
        ev("pep_review", "2025-09-30"),
    ]
    terms = obs(run(_case(events), "2025-12-31"), "pep-review")
    assert [(o.anchor.isoformat() if o.anchor else None) for o in terms] == [
        "2025-01-01",
        "2025-04-01",
        "2025-09-01",
    ]
    expect(terms[0], status="met_on_time", due="2025-03-31", met_on="2025-02-10")
    expect(terms[1], status="met_on_time", due="2025-07-31", met_on="2025-06-30")
    expect(terms[2], status="met_on_time", due="2025-12-31", met_on="2025-09-30")


def test_terms_starting_after_as_of_are_not_listed() -> None:
    events = [ev("pep", START)]
    assert obs(run(_case(events), "2024-12-31"), "pep-review") == []
    terms = obs(run(_case(events), "2025-01-01"), "pep-review")
    assert len(terms) == 1
    expect(terms[0], status="pending", due="2025-03-31")


def test_a_term_starting_on_the_initial_due_date_is_not_counted() -> None:
    # Planned entry Wed 1 Jan 2025: pep-initial due that day; spring 2025 starts on it, not after.
    c = _case([ev("pep", "2025-01-01")], start="2025-01-01")
    assert obs(run(c, "2025-03-31"), "pep-review") == []
    terms = obs(run(c, "2025-04-01"), "pep-review")
    assert len(terms) == 1
    expect(terms[0], status="pending", due="2025-07-31", anchor="2025-04-01")


def test_emergency_entry_skips_a_term_starting_before_the_initial_due_date() -> None:
    # Fri 18 Dec 2020 + 10 WD = Wed 6 Jan 2021 (skips Christmas Day, Mon 28 Dec, 1 Jan): spring
    # 2021 began on 1 Jan, before it.
    c = _case([ev("pep", "2021-01-06")], dob="2012-04-02", start="2020-12-18", entry="emergency")
    terms = obs(run(c, "2021-04-30"), "pep-review")
    assert len(terms) == 1
    expect(terms[0], status="pending", due="2021-07-31", anchor="2021-04-01")


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        ("2025-02-15", [("2025-03-31", "not_required", "scope_ended")]),
        ("2025-03-31", [("2025-03-31", "missed", None)]),
        (
            "2025-04-10",
            [("2025-03-31", "missed", None), ("2025-07-31", "not_required", "scope_ended")],
        ),
    ],
)
def test_period_ending(end: str, expected: list[tuple[str, str, str | None]]) -> None:
    terms = obs(run(_case([ev("pep", START)], end=end), "2025-12-31"), "pep-review")
    assert [(o.due.isoformat() if o.due else None, o.status, o.reason) for o in terms] == expected


def test_age_at_the_end_of_each_term() -> None:
    # Born 15 May 2022: 2 on Mon 2 Sep 2024 and on Mon 31 Mar 2025, 3 on Thu 31 Jul 2025.
    r = run(_case([], dob="2022-05-15"), "2025-05-01")
    expect(ob(r, "pep-initial"), status="not_required", due=START, reason="outside_pep_ages")
    terms = obs(r, "pep-review")
    assert len(terms) == 2
    expect(terms[0], status="not_required", due="2025-03-31", reason="outside_pep_ages")
    expect(terms[1], status="pending", due="2025-07-31")


def test_pep_ages_convention_for_reviews() -> None:
    # Born 1 Jun 2009: 15 on Mon 31 Mar 2025, 16 on Thu 31 Jul 2025.
    c = _case([ev("pep", START)], dob="2009-06-01")
    default = obs(run(c, "2025-05-01"), "pep-review")
    assert [o.status for o in default] == ["overdue", "pending"]
    school = obs(run(c, "2025-05-01", Conventions(pep_ages=(5, 15))), "pep-review")
    expect(school[0], status="overdue", due="2025-03-31", days_late=31)
    expect(school[1], status="not_required", due="2025-07-31", reason="outside_pep_ages")
