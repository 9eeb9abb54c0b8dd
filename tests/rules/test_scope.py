"""Scope and reporting rules that cut across the pack: periods of care restart the clocks, care
ends at 18, evaluation as at a date, report order and obligation keys.

From the rules issue: a period's clocks run from its start to its end, and at the latest to the
child's 18th birthday; as at ``as_of`` events dated after it are ignored and periods / placements
ending after it count as open. Obligations are ordered by period, catalogue order, placement and
sequence; ``key`` = ``"{child_id}:{period_id}:{placement_id or '-'}:{rule}:{anchor ISO}"``.
"""

from __future__ import annotations

import pytest

from lacplan.model import Case
from lacplan.rules.schema import STATUSES

from .conftest import CATALOGUE, case, ev, expect, ob, obs, period, placement, run

DOB = "2012-04-02"


# ------------------------------------------------------------------ a second period of care
def test_a_second_period_restarts_the_clocks() -> None:
    c = case(
        DOB,
        [
            period("2020-12-18", end="2021-03-01", entry="emergency"),
            period("2022-09-05", [placement("PL2", "2022-09-05")]),
        ],
        [
            ev("care_plan", "2020-12-30"),
            ev("visit", "2020-12-22"),
            ev("health_assessment", "2021-01-10"),
            ev("review", "2021-01-20"),
            ev("review", "2022-10-04"),
        ],
    )
    r = run(c, "2022-12-01")
    # Period 1, emergency from Fri 18 Dec 2020: care plan due Wed 6 Jan 2021 (10 WD, skipping
    # Fri 25 Dec, Mon 28 Dec 2020 and Fri 1 Jan 2021); first review Wed 20 Jan 2021 (20 WD).
    expect(
        ob(r, "care-plan", period="1"), status="met_on_time", due="2021-01-06", met_on="2020-12-30"
    )
    first1 = ob(r, "review-first", period="1")
    expect(first1, status="met_on_time", due="2021-01-20", met_on="2021-01-20")
    assert first1.key == "C1:1:-:review-first:2020-12-18"
    # The second review (due Tue 20 Apr 2021) fell after the period ended on Mon 1 Mar 2021.
    expect(
        ob(r, "review-second", period="1"),
        status="not_required",
        due="2021-04-20",
        reason="scope_ended",
    )
    # Period 2, planned from Mon 5 Sep 2022: nothing from period 1 counts.
    expect(ob(r, "care-plan", period="2"), status="overdue", due="2022-09-05", days_late=87)
    # Mon 5 Sep 2022 + 20 WD = Tue 4 Oct 2022, skipping Mon 19 Sep 2022 (State Funeral).
    first2 = ob(r, "review-first", period="2")
    expect(first2, status="met_on_time", due="2022-10-04", met_on="2022-10-04", anchor="2022-09-05")
    assert first2.key == "C1:2:-:review-first:2022-09-05"
    expect(
        ob(r, "review-second", period="2"), status="pending", due="2023-01-04", anchor="2022-10-04"
    )
    expect(ob(r, "health-initial", period="2"), status="overdue", due="2022-10-04", days_late=58)
    # PL2 from Mon 5 Sep 2022: first visit due Mon 12 Sep 2022; 80 days overdue on 1 Dec.
    expect(ob(r, "visit-first", placement="PL2"), status="overdue", due="2022-09-12", days_late=80)


def test_pre_placement_assessment_from_the_previous_period_exempts() -> None:
    # Period 2 first placement Mon 4 Mar 2024; the assessment on Wed 20 Dec 2023 (in period 1) is
    # within [4 Dec 2023, 4 Mar 2024).
    c = case(
        DOB,
        [period("2023-10-02", end="2024-01-05"), period("2024-03-04", pid="PL2")],
        [ev("health_assessment", "2023-12-20")],
    )
    o = ob(run(c, "2024-05-01"), "health-initial", period="2")
    assert (o.status, o.reason) == ("exempt", "pre_placement_assessment")


def test_explicit_period_ids_appear_in_keys() -> None:
    c = case(
        DOB,
        [
            period("2021-01-04", [placement("X1", "2021-01-04")], end="2021-01-15", period_id="A"),
            period("2024-03-04", [placement("X2", "2024-03-04")], period_id="B"),
        ],
        child_id="000123",
    )
    r = run(c, "2024-04-01")
    assert ob(r, "review-first", period="A").key == "000123:A:-:review-first:2021-01-04"
    assert ob(r, "visit-first", period="B").key == "000123:B:X2:visit-first:2024-03-04"
    assert {o.child_id for o in r.obligations} == {"000123"}


# ---------------------------------------------------------------------- care ending at 18
def test_care_ends_at_the_eighteenth_birthday() -> None:
    # Born 9 Aug 2006: 18 on Fri 9 Aug 2024. Emergency entry Fri 2 Aug 2024.
    c = case(
        "2006-08-09", [period("2024-08-02", entry="emergency")], [ev("care_plan", "2024-08-12")]
    )
    r = run(c, "2024-09-01")
    # Due on the birthday itself and unmet: missed (scope ended on the due date).
    # Fri 2 Aug + 5 WD = Fri 9 Aug 2024 (no bank holidays).
    expect(ob(r, "placement-plan"), status="missed", due="2024-08-09")
    expect(ob(r, "placement-notification"), status="missed", due="2024-08-09")
    expect(ob(r, "visit-first"), status="missed", due="2024-08-09")  # 2 Aug + 7 days
    # Due after the birthday: not required. Fri 2 Aug + 10 WD = Fri 16 Aug 2024 (the care plan on
    # 12 Aug, after the 18th birthday, does not count).
    expect(ob(r, "care-plan"), status="not_required", due="2024-08-16", reason="scope_ended")
    # Fri 2 Aug + 20 WD = Mon 2 Sep 2024, skipping Mon 26 Aug 2024 (Summer bank holiday).
    expect(ob(r, "review-first"), status="not_required", due="2024-09-02", reason="scope_ended")
    expect(ob(r, "health-initial"), status="not_required", due="2024-09-02", reason="scope_ended")
    assert {o.status for o in r.obligations} <= {"missed", "not_required"}


def test_events_on_the_eighteenth_birthday_still_count() -> None:
    c = case(
        "2006-08-09",
        [period("2024-08-02", entry="emergency")],
        [ev("placement_plan", "2024-08-09"), ev("visit", "2024-08-09")],
    )
    r = run(c, "2024-09-01")
    expect(ob(r, "placement-plan"), status="met_on_time", due="2024-08-09", met_on="2024-08-09")
    expect(ob(r, "visit-first"), status="met_on_time", due="2024-08-09", met_on="2024-08-09")
    # The next visit (9 Aug + 42 days = Fri 20 Sep 2024) falls after care ended.
    expect(ob(r, "visit"), status="not_required", due="2024-09-20", reason="scope_ended")


def test_before_the_eighteenth_birthday_the_clocks_are_still_open() -> None:
    c = case("2006-08-09", [period("2024-08-02", entry="emergency")])
    r = run(c, "2024-08-08")
    expect(ob(r, "placement-plan"), status="pending", due="2024-08-09")
    expect(ob(r, "care-plan"), status="pending", due="2024-08-16")


# ------------------------------------------------------------------------------------ as at
@pytest.mark.parametrize(
    ("as_of", "status", "met_on", "days_late"),
    [
        ("2021-01-19", "pending", None, None),  # the review on 20 Jan is after as_of: ignored
        ("2021-01-20", "met_on_time", "2021-01-20", None),
        ("2021-01-25", "met_on_time", "2021-01-20", None),
    ],
)
def test_events_after_as_of_are_ignored(
    as_of: str, status: str, met_on: str | None, days_late: int | None
) -> None:
    c = case(DOB, [period("2020-12-18", entry="emergency")], [ev("review", "2021-01-20")])
    expect(
        ob(run(c, as_of), "review-first"),
        status=status,
        due="2021-01-20",
        met_on=met_on,
        days_late=days_late,
    )


def test_a_later_review_is_ignored_as_at_an_earlier_date() -> None:
    c = case(DOB, [period("2020-12-18", entry="emergency")], [ev("review", "2021-01-22")])
    expect(
        ob(run(c, "2021-01-21"), "review-first"), status="overdue", due="2021-01-20", days_late=1
    )
    expect(
        ob(run(c, "2021-01-22"), "review-first"),
        status="met_late",
        due="2021-01-20",
        met_on="2021-01-22",
        days_late=2,
    )


@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [
        ("2021-01-21", "overdue", 1),  # the period ends after as_of: still open
        ("2021-01-22", "missed", None),  # ended on as_of
        ("2021-02-10", "missed", None),
    ],
)
def test_a_period_ending_after_as_of_counts_as_open(
    as_of: str, status: str, days_late: int | None
) -> None:
    c = case(DOB, [period("2020-12-18", end="2021-01-22", entry="emergency")])
    expect(ob(run(c, as_of), "review-first"), status=status, due="2021-01-20", days_late=days_late)


def test_a_placement_ending_after_as_of_counts_as_open() -> None:
    # PL1 from Fri 18 Dec 2020 (first visit due Fri 25 Dec 2020, calendar days), moved Mon 28 Dec.
    c = case(
        DOB,
        [
            period(
                "2020-12-18",
                [placement("PL1", "2020-12-18", "2020-12-28"), placement("PL2", "2020-12-28")],
                entry="emergency",
            )
        ],
    )
    before = run(c, "2020-12-27")
    expect(
        ob(before, "visit-first", placement="PL1"), status="overdue", due="2020-12-25", days_late=2
    )
    assert [o for o in before.obligations if o.placement_id == "PL2"] == []
    expect(
        ob(run(c, "2020-12-28"), "visit-first", placement="PL1"), status="missed", due="2020-12-25"
    )


def test_a_period_starting_after_as_of_has_no_obligations() -> None:
    c = case(DOB, [period("2021-01-04", end="2021-01-15"), period("2024-03-04", pid="PL2")])
    r = run(c, "2024-03-03")
    assert {o.period_id for o in r.obligations} == {"1"}


def test_before_the_regulations_were_in_force() -> None:
    # CPPCR 2010 in force from 1 Apr 2011. Before it the care plan had no fixed timescale (reg
    # 4(6), version 1991-10-14), the placement notification no version at all.
    old = run(case("2002-04-02", [period("2010-06-01")]), "2010-07-01")
    o = ob(old, "care-plan")
    assert (o.status, o.reason, o.due, o.rule_version) == (
        "pending",
        "no_fixed_timescale",
        None,
        "1991-10-14",
    )
    n = ob(old, "placement-notification")
    assert (n.status, n.reason) == ("not_evaluated", "not_in_force")
    new = run(
        case("2002-04-02", [period("2011-04-01")], [ev("care_plan", "2011-04-01")]), "2011-05-01"
    )
    expect(ob(new, "care-plan"), status="met_on_time", due="2011-04-01", met_on="2011-04-01")


# ----------------------------------------------------------------------- order and keys
def _ordering_case() -> Case:
    # Periods and placements given out of order on purpose.
    return case(
        DOB,
        [
            period(
                "2024-03-04",
                [placement("B2", "2024-04-01"), placement("B1", "2024-03-04", "2024-04-01")],
            ),
            period("2021-01-04", [placement("A1", "2021-01-04")], end="2021-01-15"),
        ],
        [ev("visit", "2024-04-05"), ev("visit", "2024-05-10")],
    )


# Hand-derived: period 1 (Mon 4 Jan - Fri 15 Jan 2021) has no events; its first review would
# have been due Mon 1 Feb 2021 (20 WD), the anchor of health-initial. Period 2 from Mon 4 Mar
# 2024: first review due Wed 3 Apr 2024 (skips Good Friday 29 Mar, Easter Monday 1 Apr); B1
# moves to B2 on Mon 1 Apr 2024; summer term from 1 Apr 2024; B2 visits 5 Apr and 10 May 2024.
EXPECTED_KEYS = [
    "C1:1:-:care-plan:2021-01-04",
    "C1:1:A1:placement-plan:2021-01-04",
    "C1:1:A1:placement-notification:2021-01-04",
    "C1:1:-:review-first:2021-01-04",
    "C1:1:-:health-initial:2021-02-01",
    "C1:1:-:pep-initial:2021-01-04",
    "C1:1:A1:visit-first:2021-01-04",
    "C1:2:-:care-plan:2024-03-04",
    "C1:2:B1:placement-plan:2024-03-04",
    "C1:2:B2:placement-plan:2024-04-01",
    "C1:2:B1:placement-notification:2024-03-04",
    "C1:2:B2:placement-notification:2024-04-01",
    "C1:2:-:review-first:2024-03-04",
    "C1:2:B1:review-before-move:2024-04-01",
    "C1:2:-:health-initial:2024-04-03",
    "C1:2:-:pep-initial:2024-03-04",
    "C1:2:-:pep-review:2024-04-01",
    "C1:2:B1:visit-first:2024-03-04",
    "C1:2:B2:visit-first:2024-04-01",
    "C1:2:B2:visit:2024-04-05",
    "C1:2:B2:visit:2024-05-10",
    # One seen-alone duty per social worker visit (seen_alone not recorded: not evaluated).
    "C1:2:B2:visit-seen-alone:2024-04-05",
    "C1:2:B2:visit-seen-alone:2024-05-10",
    # Year ending Mon 31 Mar 2025: looked after since 4 Mar 2024 (before 1 Apr 2024), aged 4-16.
    "C1:2:-:sdq:2024-04-01",
]


def test_order_and_keys() -> None:
    r = run(_ordering_case(), "2024-07-01")
    assert [o.key for o in r.obligations] == EXPECTED_KEYS
    order = [
        (o.period_id, CATALOGUE.index(o.rule), o.placement_id or "", o.sequence)
        for o in r.obligations
    ]
    assert order == sorted(order)
    assert [o.sequence for o in r.obligations if o.rule == "visit"] == [1, 2]


def test_keys_are_unique_and_look_up_obligations() -> None:
    r = run(_ordering_case(), "2024-07-01")
    keys = [o.key for o in r.obligations]
    assert len(keys) == len(set(keys))
    o = r.obligation("C1:2:B2:visit:2024-05-10")
    # 10 May 2024 + 42 days = Fri 21 Jun 2024; 10 days overdue on Mon 1 Jul.
    expect(o, status="overdue", due="2024-06-21", days_late=10, anchor="2024-05-10")
    expect(r.obligation("C1:2:B1:review-before-move:2024-04-01"), status="missed", due="2024-04-01")
    assert {x.status for x in r.obligations} <= set(STATUSES)


def test_days_late_only_for_met_late_and_overdue() -> None:
    r = run(_ordering_case(), "2024-07-01")
    for o in r.obligations:
        if o.status in {"met_late", "overdue"}:
            assert o.days_late is not None and o.days_late > 0, o.key
        else:
            assert o.days_late is None, o.key
    assert obs(r, "review-second") == []
