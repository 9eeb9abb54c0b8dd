"""care-plan (SI 2010/959 reg 4(2)): due on the first placement's start for a planned entry, or 10
working days after it for an emergency entry; met by a ``care_plan`` event.

Hand-computed dates (England & Wales calendar):

* Fri 22 Mar 2024 + 10 WD = Tue 9 Apr 2024: skips Fri 29 Mar (Good Friday), Mon 1 Apr (Easter
  Monday) and two weekends.
* Sat 21 Dec 2024 + 10 WD = Wed 8 Jan 2025: day 1 is Mon 23 Dec; skips Wed 25 Dec (Christmas
  Day), Thu 26 Dec (Boxing Day), Wed 1 Jan 2025 (New Year's Day).
* Fri 18 Dec 2020 + 10 WD = Wed 6 Jan 2021: skips Fri 25 Dec (Christmas Day), Mon 28 Dec (Boxing
  Day substitute, 26 Dec was a Saturday), Fri 1 Jan 2021 (New Year's Day).
"""

from __future__ import annotations

import pytest

from .conftest import case, ev, expect, mentions, ob, period, placement, run

DOB = "2012-04-02"


def test_planned_entry_is_due_on_the_first_placement_and_met_by_an_earlier_plan() -> None:
    c = case(DOB, [period("2024-03-04")], [ev("care_plan", "2024-02-28")])
    o = ob(run(c, "2024-04-01"), "care-plan")
    expect(o, status="met_on_time", due="2024-03-04", met_on="2024-02-28", anchor="2024-03-04")
    assert o.key == "C1:1:-:care-plan:2024-03-04"
    assert (o.period_id, o.placement_id, o.sequence) == ("1", None, 1)
    assert o.citation == "SI 2010/959 reg 4(2)"


def test_planned_entry_due_date_is_the_first_placement_not_the_period_start() -> None:
    # Looked after from Mon 4 Mar 2024, first placed Wed 6 Mar 2024.
    c = case(
        DOB,
        [period("2024-03-04", [placement("PL1", "2024-03-06")])],
        [ev("care_plan", "2024-03-06")],
    )
    o = ob(run(c, "2024-04-01"), "care-plan")
    expect(o, status="met_on_time", due="2024-03-06", met_on="2024-03-06", anchor="2024-03-06")
    assert o.key == "C1:1:-:care-plan:2024-03-06"


def test_planned_entry_plan_a_day_late() -> None:
    c = case(DOB, [period("2024-03-04")], [ev("care_plan", "2024-03-05")])
    expect(
        ob(run(c, "2024-04-01"), "care-plan"),
        status="met_late",
        due="2024-03-04",
        met_on="2024-03-05",
        days_late=1,
    )


@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [("2024-03-04", "pending", None), ("2024-03-05", "overdue", 1), ("2024-04-03", "overdue", 30)],
)
def test_planned_entry_unmet(as_of: str, status: str, days_late: int | None) -> None:
    c = case(DOB, [period("2024-03-04")])
    expect(ob(run(c, as_of), "care-plan"), status=status, due="2024-03-04", days_late=days_late)


@pytest.mark.parametrize(
    ("plan", "status", "days_late"),
    [
        ("2024-03-22", "met_on_time", None),  # on the day of the first placement
        ("2024-04-09", "met_on_time", None),  # exactly on the due date is on time
        ("2024-04-10", "met_late", 1),
        ("2024-04-15", "met_late", 6),
    ],
)
def test_emergency_entry_over_easter(plan: str, status: str, days_late: int | None) -> None:
    # Fri 22 Mar 2024 + 10 WD = Tue 9 Apr 2024: skips Fri 29 Mar (Good Friday), Mon 1 Apr
    # (Easter Monday).
    c = case(DOB, [period("2024-03-22", entry="emergency")], [ev("care_plan", plan)])
    o = ob(run(c, "2024-05-01"), "care-plan")
    expect(
        o, status=status, due="2024-04-09", met_on=plan, days_late=days_late, anchor="2024-03-22"
    )
    mentions(o, "Good Friday", "Easter Monday", "10 working days")


@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [
        ("2025-01-07", "pending", None),
        ("2025-01-08", "pending", None),
        ("2025-01-10", "overdue", 2),
    ],
)
def test_emergency_entry_on_a_saturday_before_christmas(
    as_of: str, status: str, days_late: int | None
) -> None:
    # Sat 21 Dec 2024 + 10 WD = Wed 8 Jan 2025: day 1 is Mon 23 Dec; skips Wed 25 Dec (Christmas
    # Day), Thu 26 Dec (Boxing Day), Wed 1 Jan 2025 (New Year's Day).
    c = case(DOB, [period("2024-12-21", entry="emergency")])
    o = ob(run(c, as_of), "care-plan")
    expect(o, status=status, due="2025-01-08", days_late=days_late)
    mentions(o, "Christmas Day", "Boxing Day", "New Year's Day")


def test_emergency_entry_christmas_2020_with_boxing_day_substitute() -> None:
    # Fri 18 Dec 2020 + 10 WD = Wed 6 Jan 2021: skips Fri 25 Dec (Christmas Day), Mon 28 Dec
    # (Boxing Day substitute), Fri 1 Jan 2021 (New Year's Day).
    c = case(DOB, [period("2020-12-18", entry="emergency")], [ev("care_plan", "2021-01-06")])
    o = ob(run(c, "2021-02-01"), "care-plan")
    expect(o, status="met_on_time", due="2021-01-06", met_on="2021-01-06")
    mentions(o, "Christmas Day", "Mon 28 Dec 2020", "Boxing Day", "New Year's Day")


@pytest.mark.parametrize(
    ("end", "status", "reason"),
    [
        ("2024-04-08", "not_required", "scope_ended"),  # ended the day before Tue 9 Apr 2024
        ("2024-04-09", "missed", None),  # ended on the due date
        ("2024-04-20", "missed", None),
    ],
)
def test_emergency_entry_period_ended_without_a_plan(
    end: str, status: str, reason: str | None
) -> None:
    # Due Tue 9 Apr 2024 (Fri 22 Mar + 10 WD, skipping Good Friday and Easter Monday).
    c = case(DOB, [period("2024-03-22", end=end, entry="emergency")])
    o = ob(run(c, "2024-05-01"), "care-plan")
    expect(o, status=status, due="2024-04-09", reason=reason)


def test_a_plan_after_the_period_ended_does_not_count() -> None:
    # Due Tue 9 Apr 2024; the period ended Sat 20 Apr; a plan on Mon 22 Apr belongs to no period.
    c = case(
        DOB,
        [period("2024-03-22", end="2024-04-20", entry="emergency")],
        [ev("care_plan", "2024-04-22")],
    )
    expect(ob(run(c, "2024-05-01"), "care-plan"), status="missed", due="2024-04-09")
