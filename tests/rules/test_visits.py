"""visit-first (SI 2010/959 reg 28(2)(a)) and visit (reg 28(2), 28(3A)).

* visit-first: placement start + 7 days; a visit by the social worker on or after the start.
* visit: previous visit + 6 weeks while the interval starts in the placement's first year; after
  it + 3 months if the placement is intended to last until 18, + 6 months if it is also a
  long-term foster placement and the child's agreement (not withdrawn) is dated on or before the
  interval start (from 1 Apr 2015), else + 6 weeks. Recurring from each visit's actual date.

Only visits ``by: social_worker`` count. Weeks and months are calendar units (no working days).
"""

from __future__ import annotations

from typing import Any

import pytest

from lacplan.model import Case

from .conftest import case, ev, expect, ob, obs, period, placement, run

DOB = "2012-04-02"
START = "2023-03-01"  # Wed; first anniversary Fri 1 Mar 2024


def _case(events: list[dict[str, Any]], *, start: str = START, **pl: Any) -> Case:
    return case(DOB, [period(start, [placement("PL1", start, **pl)])], events)


def _visit(on: str, **fields: Any) -> dict[str, Any]:
    return ev("visit", on, **fields)


# ------------------------------------------------------------------------------ visit-first
def test_first_visit_on_day_seven_is_on_time() -> None:
    o = ob(run(_case([_visit("2023-03-08")]), "2023-03-10"), "visit-first", placement="PL1")
    expect(o, status="met_on_time", due="2023-03-08", met_on="2023-03-08", anchor=START)
    assert o.key == "C1:1:PL1:visit-first:2023-03-01"
    assert o.citation == "SI 2010/959 reg 28(2)(a)"


@pytest.mark.parametrize(
    ("visit", "status", "days_late"),
    [
        ("2023-03-01", "met_on_time", None),
        ("2023-03-09", "met_late", 1),
        ("2023-03-20", "met_late", 12),
    ],
)
def test_first_visit_dates(visit: str, status: str, days_late: int | None) -> None:
    expect(
        ob(run(_case([_visit(visit)]), "2023-04-01"), "visit-first"),
        status=status,
        due="2023-03-08",
        met_on=visit,
        days_late=days_late,
    )


def test_supervising_social_worker_visits_never_count() -> None:
    events = [_visit("2023-03-05", by="supervising_social_worker")]
    r = run(_case(events), "2023-03-10")
    expect(ob(r, "visit-first"), status="overdue", due="2023-03-08", days_late=2)
    assert obs(r, "visit") == []


def test_first_visit_pending() -> None:
    expect(ob(run(_case([]), "2023-03-08"), "visit-first"), status="pending", due="2023-03-08")


@pytest.mark.parametrize(
    ("end", "status", "reason", "pl2_due"),
    [
        ("2023-03-07", "not_required", "scope_ended", "2023-03-14"),
        ("2023-03-08", "missed", None, "2023-03-15"),
    ],
)
def test_first_visit_when_the_placement_ended(
    end: str, status: str, reason: str | None, pl2_due: str
) -> None:
    # PL1 ends with a move to PL2; a visit on the move day belongs to the incoming placement.
    c = case(
        DOB,
        [period(START, [placement("PL1", START, end), placement("PL2", end)])],
        [_visit(end)],
    )
    r = run(c, "2023-04-01")
    expect(ob(r, "visit-first", placement="PL1"), status=status, due="2023-03-08", reason=reason)
    expect(
        ob(r, "visit-first", placement="PL2"),
        status="met_on_time",
        due=pl2_due,
        met_on=end,
        anchor=end,
    )


# ------------------------------------------------------------------------------------ visit
def test_six_weekly_in_the_first_year() -> None:
    events = [
        _visit("2023-03-08"),  # visit-first, on day 7
        _visit("2023-04-19"),  # #1: 8 Mar + 42 days = Wed 19 Apr 2023 (on the due date)
        _visit("2023-06-05"),  # #2: 19 Apr + 42 = Wed 31 May 2023: 5 days late
        _visit("2023-07-10", by="supervising_social_worker"),  # never counts
    ]
    r = run(_case(events), "2023-07-20")
    chain = obs(r, "visit", placement="PL1")
    assert [o.sequence for o in chain] == [1, 2, 3]
    expect(
        chain[0], status="met_on_time", due="2023-04-19", met_on="2023-04-19", anchor="2023-03-08"
    )
    expect(chain[1], status="met_late", due="2023-05-31", met_on="2023-06-05", days_late=5)
    # #3: 5 Jun + 42 = Mon 17 Jul 2023; 3 days overdue on Thu 20 Jul.
    expect(chain[2], status="overdue", due="2023-07-17", days_late=3, anchor="2023-06-05")
    assert [o.key for o in chain] == [
        "C1:1:PL1:visit:2023-03-08",
        "C1:1:PL1:visit:2023-04-19",
        "C1:1:PL1:visit:2023-06-05",
    ]
    assert {o.citation for o in chain} == {"SI 2010/959 reg 28(2)(b)"}


def test_no_first_visit_means_no_visit_chain() -> None:
    assert obs(run(_case([]), "2023-12-01"), "visit") == []


def test_intended_until_18_after_the_first_year() -> None:
    events = [_visit("2023-03-08"), _visit("2024-02-29"), _visit("2024-04-01")]
    chain = obs(run(_case(events, intended_until_18=True), "2024-05-01"), "visit")
    assert len(chain) == 3
    # #1 due Wed 19 Apr 2023, met Thu 29 Feb 2024: 316 days late.
    expect(chain[0], status="met_late", due="2023-04-19", met_on="2024-02-29", days_late=316)
    # #2 starts Thu 29 Feb 2024, the last day of the first year: 6 weeks -> Thu 11 Apr 2024.
    expect(chain[1], status="met_on_time", due="2024-04-11", met_on="2024-04-01")
    assert chain[1].citation == "SI 2010/959 reg 28(2)(b)"
    # #3 starts Mon 1 Apr 2024, after the anniversary: 3 months -> Mon 1 Jul 2024.
    expect(chain[2], status="pending", due="2024-07-01", anchor="2024-04-01")
    assert chain[2].citation == "SI 2010/959 reg 28(2)(c)(i)"


@pytest.mark.parametrize(
    ("intended", "due", "citation"),
    [
        (True, "2024-06-01", "SI 2010/959 reg 28(2)(c)(i)"),  # 1 Mar 2024 + 3 months
        (False, "2024-04-12", "SI 2010/959 reg 28(2)(c)(ii)"),  # 1 Mar 2024 + 42 days
    ],
)
def test_interval_starting_on_the_first_anniversary(
    intended: bool, due: str, citation: str
) -> None:
    events = [_visit("2023-03-08"), _visit("2024-03-01")]
    chain = obs(run(_case(events, intended_until_18=intended), "2024-03-15"), "visit")
    assert len(chain) == 2
    expect(chain[1], status="pending", due=due, anchor="2024-03-01")
    assert chain[1].citation == citation


# Long-term foster placement intended to last until 18 (from Wed 1 Mar 2023).
LTF: dict[str, Any] = {"intended_until_18": True, "long_term_foster": True}
LTF_VISITS = [
    _visit("2023-03-08"),
    _visit("2024-03-01"),
    _visit("2024-04-01"),
    _visit("2024-07-01"),
]


def test_long_term_foster_with_the_childs_agreement() -> None:
    events = [*LTF_VISITS, ev("reduced_visits_agreed", "2024-03-15", agreed_by="child")]
    chain = obs(run(_case(events, **LTF), "2024-08-01"), "visit")
    assert len(chain) == 4
    # #1 due Wed 19 Apr 2023, met Fri 1 Mar 2024: 317 days late.
    expect(chain[0], status="met_late", due="2023-04-19", met_on="2024-03-01", days_late=317)
    # #2 starts 1 Mar 2024, before the agreement (15 Mar): 3 months -> Sat 1 Jun 2024.
    expect(chain[1], status="met_on_time", due="2024-06-01", met_on="2024-04-01")
    # #3 starts 1 Apr 2024, after the agreement: 6 months -> Tue 1 Oct 2024.
    expect(chain[2], status="met_on_time", due="2024-10-01", met_on="2024-07-01")
    assert chain[2].citation == "SI 2010/959 reg 28(3A)"
    # #4 starts 1 Jul 2024: 6 months -> Wed 1 Jan 2025.
    expect(chain[3], status="pending", due="2025-01-01", anchor="2024-07-01")


def test_agreement_dated_on_the_interval_start_counts() -> None:
    events = [*LTF_VISITS, ev("reduced_visits_agreed", "2024-04-01")]  # agreed_by child (default)
    chain = obs(run(_case(events, **LTF), "2024-08-01"), "visit")
    expect(chain[2], status="met_on_time", due="2024-10-01", met_on="2024-07-01")


def test_agreement_made_in_the_first_year_applies_from_the_anniversary() -> None:
    events = [*LTF_VISITS, ev("reduced_visits_agreed", "2023-06-01", agreed_by="child")]
    chain = obs(run(_case(events, **LTF), "2024-08-01"), "visit")
    assert len(chain) == 4
    # #2 starts on the anniversary Fri 1 Mar 2024, agreement already given: 6 months.
    expect(chain[1], status="met_on_time", due="2024-09-01", met_on="2024-04-01")
    expect(chain[2], status="met_on_time", due="2024-10-01", met_on="2024-07-01")
    expect(chain[3], status="pending", due="2025-01-01")


def test_agreement_by_the_agency_does_not_count() -> None:
    events = [*LTF_VISITS, ev("reduced_visits_agreed", "2024-03-15", agreed_by="agency")]
    chain = obs(run(_case(events, **LTF), "2024-08-01"), "visit")
    assert len(chain) == 4
    # 3-monthly throughout: #3 due Mon 1 Jul 2024 (met on the day), #4 due Tue 1 Oct 2024.
    expect(chain[2], status="met_on_time", due="2024-07-01", met_on="2024-07-01")
    expect(chain[3], status="pending", due="2024-10-01")
    assert chain[3].citation == "SI 2010/959 reg 28(2)(c)(i)"


def test_withdrawn_agreement_returns_to_three_months() -> None:
    events = [
        *LTF_VISITS,
        ev("reduced_visits_agreed", "2024-03-15", agreed_by="child"),
        ev("reduced_visits_withdrawn", "2024-06-01"),
    ]
    chain = obs(run(_case(events, **LTF), "2024-08-01"), "visit")
    assert len(chain) == 4
    # #3 starts 1 Apr 2024 while agreed: 6 months. #4 starts 1 Jul 2024 after the withdrawal.
    expect(chain[2], status="met_on_time", due="2024-10-01", met_on="2024-07-01")
    expect(chain[3], status="pending", due="2024-10-01", anchor="2024-07-01")


def test_agreement_without_long_term_foster_does_not_count() -> None:
    events = [*LTF_VISITS, ev("reduced_visits_agreed", "2024-03-15", agreed_by="child")]
    chain = obs(run(_case(events, intended_until_18=True), "2024-08-01"), "visit")
    expect(chain[2], status="met_on_time", due="2024-07-01", met_on="2024-07-01")
    expect(chain[3], status="pending", due="2024-10-01")


def test_reduced_visits_only_from_1_april_2015() -> None:
    # LTF placement from Wed 2 Jan 2013 (anniversary Thu 2 Jan 2014); the child agreed on
    # Fri 10 Jan 2014.
    events = [
        _visit("2013-01-09"),  # visit-first on day 7
        _visit("2014-01-02"),  # #1 due 9 Jan + 42 = Wed 20 Feb 2013: 316 days late
        _visit("2014-04-01"),  # #2 from 2 Jan 2014 (before the agreement): 3 months, 2 Apr 2014
        _visit("2015-04-01"),  # #3 from 1 Apr 2014 (before 2015): 3 months, 1 Jul 2014
        ev("reduced_visits_agreed", "2014-01-10"),
    ]
    r = run(_case(events, start="2013-01-02", **LTF), "2015-05-01")
    expect(ob(r, "visit-first"), status="met_on_time", due="2013-01-09", met_on="2013-01-09")
    chain = obs(r, "visit")
    assert len(chain) == 4
    expect(chain[0], status="met_late", due="2013-02-20", met_on="2014-01-02", days_late=316)
    expect(chain[1], status="met_on_time", due="2014-04-02", met_on="2014-04-01")
    expect(chain[2], status="met_late", due="2014-07-01", met_on="2015-04-01", days_late=274)
    # #4 from Wed 1 Apr 2015 (28(3A) in force): 6 months -> Thu 1 Oct 2015.
    expect(chain[3], status="pending", due="2015-10-01", anchor="2015-04-01")


def test_each_placement_restarts_the_visits() -> None:
    # PL1 from Wed 1 Mar 2023, moved Mon 1 May 2023 to PL2. PL1's #1 (due Wed 19 Apr 2023) was
    # never met: missed. The visit on the move day belongs to PL2.
    c = case(
        DOB,
        [period(START, [placement("PL1", START, "2023-05-01"), placement("PL2", "2023-05-01")])],
        [_visit("2023-03-08"), _visit("2023-05-01")],
    )
    r = run(c, "2023-06-01")
    pl1 = obs(r, "visit", placement="PL1")
    assert len(pl1) == 1
    expect(pl1[0], status="missed", due="2023-04-19")
    expect(
        ob(r, "visit-first", placement="PL2"),
        status="met_on_time",
        due="2023-05-08",
        met_on="2023-05-01",
        anchor="2023-05-01",
    )
    pl2 = obs(r, "visit", placement="PL2")
    assert len(pl2) == 1
    # 1 May 2023 + 42 days = Mon 12 Jun 2023.
    expect(pl2[0], status="pending", due="2023-06-12", anchor="2023-05-01")
    assert pl2[0].key == "C1:1:PL2:visit:2023-05-01"


def test_visit_chain_when_the_placement_ended_before_the_due_date() -> None:
    c = case(
        DOB,
        [period(START, [placement("PL1", START, "2023-04-18"), placement("PL2", "2023-04-18")])],
        [_visit("2023-03-08")],
    )
    chain = obs(run(c, "2023-06-01"), "visit", placement="PL1")
    assert len(chain) == 1
    expect(chain[0], status="not_required", due="2023-04-19", reason="scope_ended")


def test_the_childs_agreement_counts_wherever_it_was_recorded() -> None:
    # The agreement is the child's (the issue: "the child's reduced_visits_agreed"): one recorded
    # on Mon 15 May 2023, while PL0 was still running, counts for the long-term foster placement
    # PL1 that starts on Thu 1 Jun 2023 (first anniversary Sat 1 Jun 2024).
    c = case(
        DOB,
        [
            period(
                "2023-01-09",
                [
                    placement("PL0", "2023-01-09", "2023-06-01"),
                    placement("PL1", "2023-06-01", intended_until_18=True, long_term_foster=True),
                ],
            )
        ],
        [
            ev("reduced_visits_agreed", "2023-05-15"),
            _visit("2023-06-05"),  # PL1 visit-first, due Thu 8 Jun 2023
            _visit("2024-06-03"),  # late for #1 (due Mon 17 Jul 2023); starts #2 after year one
        ],
    )
    chain = obs(run(c, "2024-07-01"), "visit")
    chain = [o for o in chain if o.placement_id == "PL1"]
    expect(chain[0], status="met_late", due="2023-07-17", met_on="2024-06-03", days_late=322)
    # #2 starts Mon 3 Jun 2024, after the anniversary, agreement standing: 6 months -> 3 Dec 2024.
    expect(chain[1], status="pending", due="2024-12-03", anchor="2024-06-03")
