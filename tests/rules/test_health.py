"""health-initial and health-review (SI 2010/959 reg 7).

* health-initial: due on review-first's due date; met by a health assessment on or after the first
  placement; exempt (pre_placement_assessment) if an assessment is dated in [first placement - 3
  months, first placement); a consent refusal on or before the due date makes it not_required, a
  later one closes it as met_late (both with reason consent_refused).
* health-review: previous assessment + 6 months if the child was under 5 on that date, else + 12
  months, recurring; after an exempt initial assessment the cycle starts from the first review's
  date (its due date while none is held); a refusal makes the open one not_required, whenever it
  comes, and the next falls due one interval after the refusal.

Base case: looked after and placed Mon 4 Mar 2024 (planned). First review due Wed 3 Apr 2024:
Mon 4 Mar + 20 WD, skipping Fri 29 Mar (Good Friday) and Mon 1 Apr 2024 (Easter Monday).
"""

from __future__ import annotations

from typing import Any

import pytest

from lacplan.model import Case
from lacplan.rules.conventions import Conventions

from .conftest import case, ev, expect, mentions, ob, obs, period, run

OLDER = "2014-05-20"  # 9 on 4 Mar 2024, 10 from 20 May 2024
START = "2024-03-04"
DUE = "2024-04-03"  # Mon 4 Mar 2024 + 20 WD (skips Good Friday 29 Mar, Easter Monday 1 Apr)


def _case(events: list[dict[str, Any]], dob: str = OLDER, **kw: Any) -> Case:
    return case(dob, [period(START, **kw)], events)


# ---------------------------------------------------------------------------- health-initial
def test_initial_assessment_on_time() -> None:
    r = run(_case([ev("health_assessment", "2024-03-20")]), "2024-05-01")
    o = ob(r, "health-initial")
    expect(o, status="met_on_time", due=DUE, met_on="2024-03-20", anchor=DUE)
    assert o.key == f"C1:1:-:health-initial:{DUE}"
    assert o.citation == "SI 2010/959 reg 7"
    mentions(o, "Wed 3 Apr 2024")


@pytest.mark.parametrize(
    ("held", "status", "days_late"),
    [
        ("2024-03-04", "met_on_time", None),  # on the first placement's day: not pre-placement
        ("2024-04-03", "met_on_time", None),  # on the due date
        ("2024-04-10", "met_late", 7),
    ],
)
def test_initial_assessment_dates(held: str, status: str, days_late: int | None) -> None:
    r = run(_case([ev("health_assessment", held)]), "2024-05-01")
    expect(ob(r, "health-initial"), status=status, due=DUE, met_on=held, days_late=days_late)


@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [("2024-04-03", "pending", None), ("2024-04-04", "overdue", 1)],
)
def test_initial_assessment_not_held(as_of: str, status: str, days_late: int | None) -> None:
    expect(ob(run(_case([]), as_of), "health-initial"), status=status, due=DUE, days_late=days_late)


@pytest.mark.parametrize("held", ["2023-12-04", "2024-01-15", "2024-03-03"])
def test_pre_placement_assessment_in_the_three_months_is_exempt(held: str) -> None:
    # First placement Mon 4 Mar 2024: window [Mon 4 Dec 2023, Sun 3 Mar 2024].
    o = ob(run(_case([ev("health_assessment", held)]), "2024-05-01"), "health-initial")
    assert (o.status, o.reason, o.met_on, o.days_late) == (
        "exempt",
        "pre_placement_assessment",
        None,
        None,
    )


def test_pre_placement_assessment_one_day_too_early_is_not_exempt() -> None:
    # Sun 3 Dec 2023 is 3 months and a day before the placement; it does not meet the duty either.
    r = run(_case([ev("health_assessment", "2023-12-03")]), "2024-04-04")
    expect(ob(r, "health-initial"), status="overdue", due=DUE, days_late=1)


@pytest.mark.parametrize("refused", ["2024-03-15", "2024-04-03"])
def test_consent_refused_on_or_before_the_due_date(refused: str) -> None:
    r = run(_case([ev("health_consent_refused", refused)]), "2024-05-01")
    expect(ob(r, "health-initial"), status="not_required", due=DUE, reason="consent_refused")


def test_consent_refused_after_the_due_date() -> None:
    r = run(_case([ev("health_consent_refused", "2024-04-10")]), "2024-05-01")
    expect(
        ob(r, "health-initial"),
        status="met_late",
        due=DUE,
        met_on="2024-04-10",
        days_late=7,
        reason="consent_refused",
    )


def test_refusal_after_an_assessment_changes_nothing() -> None:
    events = [ev("health_assessment", "2024-03-20"), ev("health_consent_refused", "2024-03-25")]
    expect(
        ob(run(_case(events), "2024-05-01"), "health-initial"),
        status="met_on_time",
        due=DUE,
        met_on="2024-03-20",
    )


@pytest.mark.parametrize(
    ("end", "status", "reason"),
    [
        ("2024-04-02", "not_required", "scope_ended"),
        ("2024-04-03", "missed", None),
        ("2024-04-20", "missed", None),
    ],
)
def test_initial_assessment_when_the_period_ended(
    end: str, status: str, reason: str | None
) -> None:
    expect(
        ob(run(_case([], end=end), "2024-05-01"), "health-initial"),
        status=status,
        due=DUE,
        reason=reason,
    )


# ----------------------------------------------------------------------------- health-review
def test_yearly_reviews_for_a_child_of_five_or_over() -> None:
    events = [ev("health_assessment", "2024-03-20"), ev("health_assessment", "2025-03-01")]
    r = run(_case(events), "2025-06-01")
    chain = obs(r, "health-review")
    assert len(chain) == 2
    # Aged 9 on Wed 20 Mar 2024: + 12 months = Thu 20 Mar 2025.
    expect(
        chain[0], status="met_on_time", due="2025-03-20", met_on="2025-03-01", anchor="2024-03-20"
    )
    assert chain[0].key == "C1:1:-:health-review:2024-03-20"
    assert chain[0].citation == "SI 2010/959 reg 7"
    # Restarts from the actual (early) assessment: Sat 1 Mar 2025 + 12 months.
    expect(chain[1], status="pending", due="2026-03-01", anchor="2025-03-01")


def test_late_review_assessment_restarts_the_clock() -> None:
    # Due Thu 20 Mar 2025, held Tue 1 Apr 2025 (12 days late): next due Wed 1 Apr 2026.
    events = [ev("health_assessment", "2024-03-20"), ev("health_assessment", "2025-04-01")]
    chain = obs(run(_case(events), "2025-06-01"), "health-review")
    assert len(chain) == 2
    expect(chain[0], status="met_late", due="2025-03-20", met_on="2025-04-01", days_late=12)
    expect(chain[1], status="pending", due="2026-04-01", anchor="2025-04-01")
    assert chain[1].key == "C1:1:-:health-review:2025-04-01"


def test_late_initial_assessment_moves_the_first_review_assessment() -> None:
    r = run(_case([ev("health_assessment", "2024-04-10")]), "2025-04-11")
    expect(
        ob(r, "health-review"), status="overdue", due="2025-04-10", days_late=1, anchor="2024-04-10"
    )


def test_no_initial_assessment_means_no_review_assessment() -> None:
    assert obs(run(_case([]), "2025-06-01"), "health-review") == []


def test_across_the_fifth_birthday() -> None:
    # Born 15 Jun 2019. Initial assessment Fri 15 Mar 2024 at 4y9m: + 6 months = Sun 15 Sep 2024
    # (the child is then 5y3m: the interval is set by the age at the previous assessment).
    # Next assessment Tue 10 Sep 2024 at 5: + 12 months = Wed 10 Sep 2025.
    events = [ev("health_assessment", "2024-03-15"), ev("health_assessment", "2024-09-10")]
    r = run(_case(events, dob="2019-06-15"), "2024-12-01")
    chain = obs(r, "health-review")
    assert len(chain) == 2
    expect(chain[0], status="met_on_time", due="2024-09-15", met_on="2024-09-10")
    expect(chain[1], status="pending", due="2025-09-10", anchor="2024-09-10")


@pytest.mark.parametrize(
    ("held", "next_due"),
    [
        ("2024-06-14", "2024-12-14"),  # the day before the 5th birthday: still under 5
        ("2024-06-15", "2025-06-15"),  # on the 5th birthday: 5
    ],
)
def test_fifth_birthday_boundary(held: str, next_due: str) -> None:
    events = [ev("health_assessment", "2024-03-15"), ev("health_assessment", held)]
    r = run(_case(events, dob="2019-06-15"), "2024-07-01")
    chain = obs(r, "health-review")
    assert len(chain) == 2
    expect(chain[0], status="met_on_time", due="2024-09-15", met_on=held)
    expect(chain[1], status="pending", due=next_due, anchor=held)


def test_fixed_days_convention_for_health_reviews() -> None:
    # Under 5 (born 15 Jun 2019): 15 Mar 2024 + 183 days = Sat 14 Sep 2024 (16+30+31+30+31+31+14).
    # Then 5: 10 Sep 2024 + 365 days = Wed 10 Sep 2025 (no 29 February in between).
    events = [ev("health_assessment", "2024-03-15"), ev("health_assessment", "2024-09-10")]
    r = run(
        _case(events, dob="2019-06-15"), "2024-12-01", Conventions(month_arithmetic="fixed_days")
    )
    chain = obs(r, "health-review")
    expect(chain[0], status="met_on_time", due="2024-09-14", met_on="2024-09-10")
    expect(chain[1], status="pending", due="2025-09-10")


@pytest.mark.parametrize(
    ("refused", "status", "met_on", "days_late", "next_due"),
    [
        # On or before the due date Thu 20 Mar 2025: not required; next one year after it.
        ("2025-02-01", "not_required", None, None, "2026-02-01"),
        ("2025-03-20", "not_required", None, None, "2026-03-20"),
        # After it: still not required (the issue: "a refusal makes the open one
        # not_required"); next one year after the refusal.
        ("2025-04-01", "not_required", None, None, "2026-04-01"),
    ],
)
def test_consent_refused_for_a_review_assessment(
    refused: str, status: str, met_on: str | None, days_late: int | None, next_due: str
) -> None:
    events = [ev("health_assessment", "2024-03-20"), ev("health_consent_refused", refused)]
    r = run(_case(events), "2025-06-01")
    chain = obs(r, "health-review")
    assert len(chain) == 2
    expect(
        chain[0],
        status=status,
        due="2025-03-20",
        met_on=met_on,
        days_late=days_late,
        reason="consent_refused",
    )
    expect(chain[1], status="pending", due=next_due, anchor=refused)


def test_refusal_under_five_restarts_six_monthly() -> None:
    # Born 15 Jun 2019; initial 15 Mar 2024 (aged 4) -> review due Sun 15 Sep 2024. Refused on
    # Mon 3 Jun 2024, still aged 4: next due 6 months later, Tue 3 Dec 2024.
    events = [ev("health_assessment", "2024-03-15"), ev("health_consent_refused", "2024-06-03")]
    chain = obs(run(_case(events, dob="2019-06-15"), "2024-07-01"), "health-review")
    assert len(chain) == 2
    expect(chain[0], status="not_required", due="2024-09-15", reason="consent_refused")
    expect(chain[1], status="pending", due="2024-12-03", anchor="2024-06-03")


def test_refused_initial_assessment_starts_the_cycle_from_the_refusal() -> None:
    r = run(_case([ev("health_consent_refused", "2024-03-15")]), "2024-06-01")
    expect(ob(r, "health-initial"), status="not_required", due=DUE, reason="consent_refused")
    expect(ob(r, "health-review"), status="pending", due="2025-03-15", anchor="2024-03-15")


@pytest.mark.parametrize(
    ("end", "status", "reason"),
    [
        ("2024-09-01", "not_required", "scope_ended"),
        ("2025-03-20", "missed", None),
    ],
)
def test_review_assessment_when_the_period_ended(end: str, status: str, reason: str | None) -> None:
    r = run(_case([ev("health_assessment", "2024-03-20")], end=end), "2025-06-01")
    chain = obs(r, "health-review")
    assert len(chain) == 1
    expect(chain[0], status=status, due="2025-03-20", reason=reason)


def test_overdue_review_assessment() -> None:
    r = run(_case([ev("health_assessment", "2024-03-20")]), "2025-03-25")
    expect(ob(r, "health-review"), status="overdue", due="2025-03-20", days_late=5)


# ------------------------------------------------- cycle after a pre-placement assessment
PRE = ev("health_assessment", "2024-02-01")  # within [4 Dec 2023, 4 Mar 2024): exempt


def test_after_an_exempt_initial_the_cycle_starts_from_the_first_review() -> None:
    r = run(_case([PRE, ev("review", "2024-03-28")]), "2024-06-01")
    assert ob(r, "health-initial").status == "exempt"
    # First review Thu 28 Mar 2024, child aged 9: + 12 months = Fri 28 Mar 2025.
    o = ob(r, "health-review")
    expect(o, status="pending", due="2025-03-28", anchor="2024-03-28")
    assert o.key == "C1:1:-:health-review:2024-03-28"


def test_after_an_exempt_initial_under_five_the_cycle_is_six_monthly() -> None:
    # Born 10 Jan 2021 (3 at the first review Thu 28 Mar 2024): due Sat 28 Sep 2024.
    r = run(_case([PRE, ev("review", "2024-03-28")], dob="2021-01-10"), "2024-06-01")
    expect(ob(r, "health-review"), status="pending", due="2024-09-28", anchor="2024-03-28")


def test_after_an_exempt_initial_with_no_review_yet_the_cycle_starts_from_its_due_date() -> None:
    # No review held: from the first review's due date Wed 3 Apr 2024 -> Thu 3 Apr 2025.
    r = run(_case([PRE]), "2024-06-01")
    expect(ob(r, "health-review"), status="pending", due="2025-04-03", anchor=DUE)


def test_after_an_exempt_initial_a_late_first_review_anchors_the_cycle() -> None:
    r = run(_case([PRE, ev("review", "2024-04-15")]), "2024-06-01")
    expect(ob(r, "review-first"), status="met_late", due=DUE, met_on="2024-04-15", days_late=12)
    expect(ob(r, "health-review"), status="pending", due="2025-04-15", anchor="2024-04-15")


def test_convention_cycle_from_the_pre_placement_assessment() -> None:
    # A10: the cycle runs from the relied-on assessment, Thu 1 Feb 2024 -> Sat 1 Feb 2025.
    conv = Conventions(health_cycle_after_pre_placement="assessment")
    r = run(_case([PRE, ev("review", "2024-03-28")]), "2024-06-01", conv)
    assert ob(r, "health-initial").status == "exempt"
    expect(ob(r, "health-review"), status="pending", due="2025-02-01", anchor="2024-02-01")


def test_assessment_convention_changes_nothing_without_an_exemption() -> None:
    conv = Conventions(health_cycle_after_pre_placement="assessment")
    r = run(
        _case([ev("health_assessment", "2024-03-20"), ev("review", "2024-03-28")]),
        "2024-06-01",
        conv,
    )
    expect(ob(r, "health-review"), status="pending", due="2025-03-20", anchor="2024-03-20")


# ------------------------------------------------------------- corrections (part 2 of the pack)
def test_initial_assessment_is_due_on_an_earlier_first_review() -> None:
    # A11: "before the first review". The first review is held Wed 20 Mar 2024, before its due
    # date (Wed 3 Apr): the initial assessment is due that day; held Mon 25 Mar, 5 days late.
    # The anchor (and so the key) stays the first review's due date.
    r = run(
        _case([ev("review", "2024-03-20"), ev("health_assessment", "2024-03-25")]), "2024-05-01"
    )
    o = ob(r, "health-initial")
    expect(o, status="met_late", due="2024-03-20", met_on="2024-03-25", days_late=5, anchor=DUE)
    assert o.key == f"C1:1:-:health-initial:{DUE}"
    mentions(
        o, "Due Wed 20 Mar 2024, the date the first review was held", "earlier than Wed 3 Apr 2024"
    )
    # A first review held late (Mon 8 Apr) does not move the due date.
    r = run(
        _case([ev("review", "2024-04-08"), ev("health_assessment", "2024-04-05")]), "2024-05-01"
    )
    expect(ob(r, "health-initial"), status="met_late", due=DUE, met_on="2024-04-05", days_late=2)


def test_only_the_childs_own_refusal_ends_the_duty() -> None:
    # A parent's refusal on Fri 15 Mar 2024 is a finding; the assessment stays due (Wed 3 Apr),
    # overdue as at Wed 1 May 2024 by 28 days.
    refusal = ev("health_consent_refused", "2024-03-15", refused_by="parent")
    r = run(_case([refusal]), "2024-05-01")
    expect(ob(r, "health-initial"), status="overdue", due=DUE, days_late=28)
    assert [f.code for f in r.children[0].findings] == ["consent_refused_by_other"]
    other = run(_case([{**refusal, "refused_by": "other"}]), "2024-05-01")
    assert ob(other, "health-initial").status == "overdue"
    # The child's own refusal (the default) ends it: not required.
    child = run(_case([{**refusal, "refused_by": "child"}]), "2024-05-01")
    expect(ob(child, "health-initial"), status="not_required", due=DUE, reason="consent_refused")


def test_an_assessment_dated_before_birth_exempts_nothing() -> None:
    # Born Sun 3 Mar 2024 (the day before entering care): an assessment dated Thu 1 Feb 2024 is
    # impossible. It is a finding and is not used: no pre-placement exemption.
    r = run(_case([ev("health_assessment", "2024-02-01")], dob="2024-03-03"), "2024-05-01")
    expect(ob(r, "health-initial"), status="overdue", due=DUE, days_late=28)
    assert [f.code for f in r.children[0].findings] == ["event_before_birth"]
