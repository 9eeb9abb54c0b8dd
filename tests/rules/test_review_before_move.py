"""review-before-move (SI 2010/959 reg 14): a placement ended by a move within the period needs a
review in the 3 calendar months up to and including the move date (due on the move date).

Exempt when the placement ended because of an immediate risk (reg 14(3)) or the child moved to an
emergency placement; not required when the placement ended for another reason (``other``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lacplan.model import Case

from .conftest import case, ev, expect, ob, obs, period, placement, run

DOB = "2012-04-02"
START = "2024-01-08"  # Mon; first review due Mon 5 Feb 2024 (20 WD, no bank holidays)


def _move(
    move: str,
    events: list[dict[str, Any]],
    *,
    end_reason: str | None = "planned",
    next_emergency: bool = False,
) -> Case:
    """PL1 from Mon 8 Jan 2024 ends on ``move``, when PL2 starts."""
    pl1 = placement("PL1", START, move, end_reason=end_reason)
    pl2 = placement("PL2", move, emergency=next_emergency)
    return case(DOB, [period(START, [pl1, pl2])], events)


def test_review_in_the_window_meets_it() -> None:
    # Move Mon 3 Jun 2024; a review on Tue 2 Apr 2024 is within [3 Mar 2024, 3 Jun 2024].
    r = run(_move("2024-06-03", [ev("review", "2024-04-02")]), "2024-07-01")
    o = ob(r, "review-before-move", placement="PL1")
    expect(o, status="met_on_time", due="2024-06-03", met_on="2024-04-02", anchor="2024-06-03")
    assert o.key == "C1:1:PL1:review-before-move:2024-06-03"
    assert (o.period_id, o.placement_id) == ("1", "PL1")
    assert o.citation == "SI 2010/959 reg 14(1)"
    # Only the placement that ended in a move has the duty.
    assert [x.placement_id for x in obs(r, "review-before-move")] == ["PL1"]


@pytest.mark.parametrize(
    ("review", "status", "met_on"),
    [
        ("2024-06-03", "met_on_time", "2024-06-03"),  # on the move date
        ("2024-03-03", "met_on_time", "2024-03-03"),  # exactly 3 months before
        ("2024-03-02", "missed", None),  # one day too early
        ("2024-06-04", "missed", None),  # after the move (and in PL2)
    ],
)
def test_window_bounds(review: str, status: str, met_on: str | None) -> None:
    r = run(_move("2024-06-03", [ev("review", review)]), "2024-07-01")
    expect(ob(r, "review-before-move"), status=status, due="2024-06-03", met_on=met_on)


@pytest.mark.parametrize(
    ("review", "status", "met_on"),
    [("2024-02-29", "met_on_time", "2024-02-29"), ("2024-02-28", "missed", None)],
)
def test_window_start_uses_the_month_end_rule(review: str, status: str, met_on: str | None) -> None:
    # Move Fri 31 May 2024: 3 months earlier has no 31 February, so the window opens Thu 29 Feb.
    r = run(_move("2024-05-31", [ev("review", review)]), "2024-07-01")
    expect(ob(r, "review-before-move"), status=status, due="2024-05-31", met_on=met_on)


def test_several_reviews_in_the_window() -> None:
    r = run(
        _move("2024-06-03", [ev("review", "2024-03-20"), ev("review", "2024-05-20")]), "2024-07-01"
    )
    o = ob(r, "review-before-move")
    # The issue does not say which review is reported; either is in the window.
    assert (o.status, o.days_late, o.reason) == ("met_on_time", None, None)
    assert o.met_on in {date(2024, 3, 20), date(2024, 5, 20)}


def test_no_review_before_a_planned_move_is_missed() -> None:
    # The placement ended on the due date (the move date), so the unmet duty is missed.
    r = run(_move("2024-06-03", [ev("review", "2024-01-31")]), "2024-07-01")
    expect(ob(r, "review-before-move"), status="missed", due="2024-06-03")


def test_cancelled_review_in_the_window_does_not_count() -> None:
    r = run(_move("2024-06-03", [ev("review", "2024-05-20", cancelled=True)]), "2024-07-01")
    expect(ob(r, "review-before-move"), status="missed", due="2024-06-03")


def test_move_without_an_end_reason_still_needs_a_review() -> None:
    r = run(_move("2024-06-03", [], end_reason=None), "2024-07-01")
    expect(ob(r, "review-before-move"), status="missed", due="2024-06-03")


def test_immediate_risk_is_exempt() -> None:
    r = run(_move("2024-06-03", [], end_reason="immediate_risk"), "2024-07-01")
    o = ob(r, "review-before-move")
    assert (o.status, o.reason, o.met_on, o.days_late) == ("exempt", "immediate_risk", None, None)
    assert o.due is not None and o.due.isoformat() == "2024-06-03"


def test_move_to_an_emergency_placement_with_no_end_reason_is_exempt() -> None:
    r = run(_move("2024-06-03", [], end_reason=None, next_emergency=True), "2024-07-01")
    o = ob(r, "review-before-move")
    assert (o.status, o.reason, o.met_on, o.days_late) == ("exempt", "emergency_move", None, None)


def test_a_planned_end_is_never_exempt_even_into_an_emergency_placement() -> None:
    # Correction 1: `end_reason: planned` into an emergency placement, no review: missed (due on
    # the move date, Mon 3 Jun 2024; the placement ended that day).
    r = run(_move("2024-06-03", [], end_reason="planned", next_emergency=True), "2024-07-01")
    expect(ob(r, "review-before-move"), status="missed", due="2024-06-03")
    met = run(_move("2024-06-03", [ev("review", "2024-05-20")], next_emergency=True), "2024-07-01")
    expect(
        ob(met, "review-before-move"), status="met_on_time", due="2024-06-03", met_on="2024-05-20"
    )


def test_immediate_risk_is_exempt_whatever_the_next_placement() -> None:
    r = run(_move("2024-06-03", [], end_reason="immediate_risk", next_emergency=True), "2024-07-01")
    assert ob(r, "review-before-move").reason == "immediate_risk"


def test_a_review_before_the_placement_started_does_not_count() -> None:
    # PL1 Mon 8 Jan 2024 -> PL2 Thu 1 Feb 2024 -> PL3 Mon 8 Apr 2024. For the move out of PL2 the
    # window is [max(8 Jan 2024, 1 Feb 2024), 8 Apr 2024] = [1 Feb, 8 Apr]: the review of Wed 31
    # Jan 2024 (in the 3 months, but held while the child was still in PL1) does not count.
    pls = [
        placement("PL1", START, "2024-02-01", end_reason="planned"),
        placement("PL2", "2024-02-01", "2024-04-08", end_reason="planned"),
        placement("PL3", "2024-04-08"),
    ]
    r = run(case(DOB, [period(START, pls)], [ev("review", "2024-01-31")]), "2024-07-01")
    expect(
        ob(r, "review-before-move", placement="PL1"),
        status="met_on_time",
        due="2024-02-01",
        met_on="2024-01-31",
    )
    expect(ob(r, "review-before-move", placement="PL2"), status="missed", due="2024-04-08")
    # A review on the day PL2 started is in its window.
    r = run(case(DOB, [period(START, pls)], [ev("review", "2024-02-01")]), "2024-07-01")
    expect(
        ob(r, "review-before-move", placement="PL2"),
        status="met_on_time",
        due="2024-04-08",
        met_on="2024-02-01",
    )


def test_no_duty_for_a_move_on_or_after_the_18th_birthday() -> None:
    # Born Sat 2 Jun 2006: 18 on Sun 2 Jun 2024. A move on Mon 3 Jun 2024 comes after care ended
    # at 18 (and a move on the birthday itself ends care with it): no obligation either way.
    for move in ("2024-06-03", "2024-06-02"):
        pls = [placement("PL1", START, move, end_reason="planned"), placement("PL2", move)]
        r = run(case("2006-06-02", [period(START, pls)]), "2024-07-01")
        assert obs(r, "review-before-move") == [], move
    # The day before the birthday still counts: due Sat 1 Jun 2024.
    pls = [
        placement("PL1", START, "2024-06-01", end_reason="planned"),
        placement("PL2", "2024-06-01"),
    ]
    r = run(case("2006-06-02", [period(START, pls)]), "2024-07-01")
    expect(ob(r, "review-before-move"), status="missed", due="2024-06-01")


def test_placement_ended_for_another_reason_is_not_required() -> None:
    r = run(_move("2024-06-03", [], end_reason="other"), "2024-07-01")
    o = ob(r, "review-before-move")
    assert (o.status, o.met_on, o.days_late) == ("not_required", None, None)
    assert o.reason == "not_ended_by_authority"


def test_each_move_has_its_own_duty() -> None:
    # PL1 -> PL2 on Mon 4 Mar 2024 (review Wed 31 Jan 2024 in the window [4 Dec 2023, 4 Mar]);
    # PL2 -> PL3 on Mon 3 Jun 2024 (window [3 Mar, 3 Jun]: the 31 Jan review is too early).
    pls = [
        placement("PL1", START, "2024-03-04"),
        placement("PL2", "2024-03-04", "2024-06-03"),
        placement("PL3", "2024-06-03"),
    ]
    r = run(case(DOB, [period(START, pls)], [ev("review", "2024-01-31")]), "2024-07-01")
    rbm = obs(r, "review-before-move")
    assert [o.placement_id for o in rbm] == ["PL1", "PL2"]
    expect(rbm[0], status="met_on_time", due="2024-03-04", met_on="2024-01-31")
    expect(rbm[1], status="missed", due="2024-06-03")


def test_no_duty_when_the_placement_ends_with_the_period_or_with_a_gap() -> None:
    ends_with_period = case(DOB, [period(START, end="2024-06-03")])
    assert obs(run(ends_with_period, "2024-07-01"), "review-before-move") == []
    gap = case(
        DOB,
        [period(START, [placement("PL1", START, "2024-05-31"), placement("PL2", "2024-06-03")])],
    )
    assert obs(run(gap, "2024-07-01"), "review-before-move") == []


def test_move_after_as_of_is_not_yet_a_move() -> None:
    # As at Sat 1 Jun 2024 PL1 (ending Mon 3 Jun) still counts as open.
    r = run(_move("2024-06-03", []), "2024-06-01")
    assert obs(r, "review-before-move") == []
    # As at the move date itself PL1 has ended: no review, so missed.
    expect(
        ob(run(_move("2024-06-03", []), "2024-06-03"), "review-before-move"),
        status="missed",
        due="2024-06-03",
    )
