"""placement-plan (SI 2010/959 reg 9(2)) and placement-notification (reg 13(1)): per placement, due
on the placement's start, or 5 working days after it for an emergency placement.

Hand-computed dates (England & Wales calendar):

* Wed 1 Jun 2022 + 5 WD = Fri 10 Jun 2022: skips Thu 2 Jun (Spring bank holiday, moved) and
  Fri 3 Jun 2022 (Platinum Jubilee).
* Fri 18 Dec 2020 + 5 WD = Tue 29 Dec 2020: skips Fri 25 Dec (Christmas Day) and Mon 28 Dec
  (Boxing Day substitute).
* Thu 4 May 2023 + 5 WD = Fri 12 May 2023: skips Mon 8 May 2023 (Coronation of King Charles III).
"""

from __future__ import annotations

import pytest

from .conftest import case, ev, expect, mentions, ob, obs, period, placement, run

DOB = "2012-04-02"
RULES = ("placement-plan", "placement-notification")
EVENT = {"placement-plan": "placement_plan", "placement-notification": "placement_notification"}
CITATION = {
    "placement-plan": "SI 2010/959 reg 9(2)",
    "placement-notification": "SI 2010/959 reg 13(1)",
}


@pytest.mark.parametrize("rule", RULES)
def test_planned_placement_is_due_on_its_start(rule: str) -> None:
    c = case(DOB, [period("2024-03-04")], [ev(EVENT[rule], "2024-03-04")])
    o = ob(run(c, "2024-04-01"), rule, placement="PL1")
    expect(o, status="met_on_time", due="2024-03-04", met_on="2024-03-04", anchor="2024-03-04")
    assert o.key == f"C1:1:PL1:{rule}:2024-03-04"
    assert (o.period_id, o.placement_id, o.sequence) == ("1", "PL1", 1)
    assert o.citation == CITATION[rule]


@pytest.mark.parametrize("rule", RULES)
def test_planned_placement_a_day_late(rule: str) -> None:
    c = case(DOB, [period("2024-03-04")], [ev(EVENT[rule], "2024-03-05")])
    expect(
        ob(run(c, "2024-04-01"), rule),
        status="met_late",
        due="2024-03-04",
        met_on="2024-03-05",
        days_late=1,
    )


def test_emergency_placement_over_the_jubilee() -> None:
    # Wed 1 Jun 2022 + 5 WD = Fri 10 Jun 2022: skips Thu 2 Jun (Spring bank holiday) and
    # Fri 3 Jun 2022 (Platinum Jubilee). The first placement of an emergency entry is an
    # emergency placement by default.
    c = case(
        DOB,
        [period("2022-06-01", entry="emergency")],
        [ev("placement_plan", "2022-06-10"), ev("placement_notification", "2022-06-13")],
    )
    r = run(c, "2022-07-01")
    plan, note = ob(r, "placement-plan"), ob(r, "placement-notification")
    expect(plan, status="met_on_time", due="2022-06-10", met_on="2022-06-10", anchor="2022-06-01")
    expect(note, status="met_late", due="2022-06-10", met_on="2022-06-13", days_late=3)
    for o in (plan, note):
        mentions(o, "Thu 2 Jun 2022", "Fri 3 Jun 2022", "Jubilee", "5 working days")


@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [("2020-12-29", "pending", None), ("2021-01-04", "overdue", 6)],
)
@pytest.mark.parametrize("rule", RULES)
def test_emergency_entry_over_christmas_unmet(
    rule: str, as_of: str, status: str, days_late: int | None
) -> None:
    # Fri 18 Dec 2020 + 5 WD = Tue 29 Dec 2020: skips Fri 25 Dec (Christmas Day) and Mon 28 Dec
    # (Boxing Day substitute).
    c = case(DOB, [period("2020-12-18", entry="emergency")])
    o = ob(run(c, as_of), rule)
    expect(o, status=status, due="2020-12-29", days_late=days_late)
    mentions(o, "Christmas Day", "Mon 28 Dec 2020", "Boxing Day")


def test_move_to_an_emergency_placement_over_the_coronation() -> None:
    # PL2 (emergency) from Thu 4 May 2023: + 5 WD = Fri 12 May 2023, skipping Mon 8 May 2023
    # (Coronation bank holiday).
    c = case(
        DOB,
        [
            period(
                "2023-03-01",
                [
                    placement("PL1", "2023-03-01", "2023-05-04"),
                    placement("PL2", "2023-05-04", emergency=True),
                ],
            )
        ],
        [
            ev("placement_plan", "2023-03-01"),
            ev("placement_plan", "2023-05-12"),
            ev("placement_notification", "2023-05-15"),
        ],
    )
    r = run(c, "2023-06-01")
    expect(
        ob(r, "placement-plan", placement="PL1"),
        status="met_on_time",
        due="2023-03-01",
        met_on="2023-03-01",
    )
    plan = ob(r, "placement-plan", placement="PL2")
    expect(plan, status="met_on_time", due="2023-05-12", met_on="2023-05-12", anchor="2023-05-04")
    mentions(plan, "Mon 8 May 2023", "Coronation")
    assert plan.key == "C1:1:PL2:placement-plan:2023-05-04"
    expect(
        ob(r, "placement-notification", placement="PL2"),
        status="met_late",
        due="2023-05-12",
        met_on="2023-05-15",
        days_late=3,
    )
    # PL1's notification was never made: due on its start, placement ended on Thu 4 May 2023.
    expect(ob(r, "placement-notification", placement="PL1"), status="missed", due="2023-03-01")


def test_later_placement_of_an_emergency_entry_is_planned_by_default() -> None:
    # PL1 is an emergency placement (first of an emergency entry, due Tue 29 Dec 2020 after
    # skipping Christmas Day and the Boxing Day substitute); PL2 defaults to planned: due on its
    # start, Mon 1 Feb 2021.
    c = case(
        DOB,
        [
            period(
                "2020-12-18",
                [placement("PL1", "2020-12-18", "2021-02-01"), placement("PL2", "2021-02-01")],
                entry="emergency",
            )
        ],
        [ev("placement_plan", "2020-12-29"), ev("placement_plan", "2021-02-02")],
    )
    r = run(c, "2021-03-01")
    expect(
        ob(r, "placement-plan", placement="PL1"),
        status="met_on_time",
        due="2020-12-29",
        met_on="2020-12-29",
    )
    expect(
        ob(r, "placement-plan", placement="PL2"),
        status="met_late",
        due="2021-02-01",
        met_on="2021-02-02",
        days_late=1,
    )


def test_emergency_entry_with_a_first_placement_marked_planned() -> None:
    # The placement's own flag decides the placement plan; the care plan follows the entry.
    # Fri 22 Mar 2024 + 10 WD = Tue 9 Apr 2024 (skips Good Friday 29 Mar, Easter Monday 1 Apr).
    c = case(
        DOB,
        [
            period(
                "2024-03-22", [placement("PL1", "2024-03-22", emergency=False)], entry="emergency"
            )
        ],
    )
    r = run(c, "2024-03-25")
    expect(ob(r, "placement-plan"), status="overdue", due="2024-03-22", days_late=3)
    expect(ob(r, "care-plan"), status="pending", due="2024-04-09")


def test_plan_for_the_next_placement_made_before_the_move() -> None:
    # A plan dated before the move belongs to the placement covering its date unless it names
    # its placement; the notification on the move day belongs to the incoming placement.
    c = case(
        DOB,
        [
            period(
                "2024-03-04",
                [placement("PL1", "2024-03-04", "2024-06-03"), placement("PL2", "2024-06-03")],
            )
        ],
        [
            ev("placement_plan", "2024-03-04"),
            ev("placement_notification", "2024-03-04"),
            ev("placement_plan", "2024-05-31", placement_id="PL2"),
            ev("placement_notification", "2024-06-03"),
        ],
    )
    r = run(c, "2024-07-01")
    expect(
        ob(r, "placement-plan", placement="PL2"),
        status="met_on_time",
        due="2024-06-03",
        met_on="2024-05-31",
    )
    expect(
        ob(r, "placement-notification", placement="PL2"),
        status="met_on_time",
        due="2024-06-03",
        met_on="2024-06-03",
    )
    expect(
        ob(r, "placement-plan", placement="PL1"),
        status="met_on_time",
        due="2024-03-04",
        met_on="2024-03-04",
    )


def test_one_placements_plan_does_not_count_for_the_next() -> None:
    c = case(
        DOB,
        [
            period(
                "2024-03-04",
                [placement("PL1", "2024-03-04", "2024-06-03"), placement("PL2", "2024-06-03")],
            )
        ],
        [ev("placement_plan", "2024-03-04")],
    )
    r = run(c, "2024-06-10")
    assert [o.placement_id for o in obs(r, "placement-plan")] == ["PL1", "PL2"]
    expect(
        ob(r, "placement-plan", placement="PL2"), status="overdue", due="2024-06-03", days_late=7
    )


@pytest.mark.parametrize(
    ("move", "status", "reason"),
    [
        ("2022-06-08", "not_required", "scope_ended"),  # PL1 ended before Fri 10 Jun 2022
        ("2022-06-10", "missed", None),  # ended on the due date
        ("2022-06-14", "missed", None),
    ],
)
@pytest.mark.parametrize("rule", RULES)
def test_emergency_placement_ended_before_or_after_the_due_date(
    rule: str, move: str, status: str, reason: str | None
) -> None:
    # PL1 from Wed 1 Jun 2022 (emergency): due Fri 10 Jun 2022 (skips the Jubilee holidays
    # Thu 2 and Fri 3 Jun). PL2 is planned and met on its start day.
    c = case(
        DOB,
        [
            period(
                "2022-06-01",
                [placement("PL1", "2022-06-01", move), placement("PL2", move)],
                entry="emergency",
            )
        ],
        [ev(EVENT[rule], move)],
    )
    r = run(c, "2022-07-01")
    expect(ob(r, rule, placement="PL1"), status=status, due="2022-06-10", reason=reason)
    expect(ob(r, rule, placement="PL2"), status="met_on_time", due=move, met_on=move)
