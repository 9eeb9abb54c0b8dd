"""review-first (SI 2010/959 reg 33(1)), review-second and review-subsequent (reg 33(2)).

* review-first: the period's start + 20 working days; a held review on or after the start.
* review-second: the first review's actual date + 3 calendar months; a held review strictly after.
* review-subsequent: previous review + 6 months, recurring from each review's actual date.

Cancelled reviews never count. Month arithmetic: corresponding date, else the month's last day.
"""

from __future__ import annotations

from typing import Any

import pytest

from lacplan.rules.conventions import Conventions

from .conftest import case, ev, expect, mentions, ob, obs, period, run

DOB = "2012-04-02"

# (became looked after, 20 WD later, phrases the explanation must name)
HOLIDAY_STARTS = [
    # Fri 18 Dec 2020 + 20 WD = Wed 20 Jan 2021: skips Fri 25 Dec (Christmas Day), Mon 28 Dec
    # (Boxing Day substitute), Fri 1 Jan 2021 (New Year's Day) and weekends.
    ("2020-12-18", "2021-01-20", ("Christmas Day", "Mon 28 Dec 2020", "New Year's Day")),
    # Mon 5 Sep 2022 + 20 WD = Tue 4 Oct 2022: skips Mon 19 Sep 2022 (State Funeral of Queen
    # Elizabeth II).
    ("2022-09-05", "2022-10-04", ("Mon 19 Sep 2022", "State Funeral")),
    # Fri 1 May 2020 + 20 WD = Tue 2 Jun 2020: skips Fri 8 May 2020 (early May holiday moved for
    # VE Day) and Mon 25 May 2020 (Spring bank holiday).
    ("2020-05-01", "2020-06-02", ("Fri 8 May 2020", "Mon 25 May 2020")),
    # Wed 25 May 2022 + 20 WD = Fri 24 Jun 2022: skips Thu 2 Jun (Spring bank holiday, moved) and
    # Fri 3 Jun 2022 (Platinum Jubilee).
    ("2022-05-25", "2022-06-24", ("Thu 2 Jun 2022", "Fri 3 Jun 2022", "Jubilee")),
    # Tue 2 May 2023 + 20 WD = Thu 1 Jun 2023: skips Mon 8 May 2023 (Coronation) and Mon 29 May
    # 2023 (Spring bank holiday).
    ("2023-05-02", "2023-06-01", ("Mon 8 May 2023", "Coronation", "Mon 29 May 2023")),
]


def _one_period(start: str, events: list[dict[str, Any]], **kw: Any) -> Any:
    return case(DOB, [period(start, **kw)], events)


# ------------------------------------------------------------------------------ review-first
@pytest.mark.parametrize(("start", "due", "named"), HOLIDAY_STARTS)
def test_first_review_on_the_due_date_is_on_time(
    start: str, due: str, named: tuple[str, ...]
) -> None:
    c = _one_period(start, [ev("review", due)], entry="emergency")
    o = ob(run(c, "2024-12-31"), "review-first")
    expect(o, status="met_on_time", due=due, met_on=due, anchor=start)
    assert o.key == f"C1:1:-:review-first:{start}"
    assert o.citation == "SI 2010/959 reg 33(1)"
    mentions(o, *named, "20 working days")


@pytest.mark.parametrize(
    ("start", "due", "held", "days_late"),
    [
        ("2020-12-18", "2021-01-20", "2021-01-21", 1),
        ("2022-09-05", "2022-10-04", "2022-10-10", 6),
        ("2023-05-02", "2023-06-01", "2023-06-02", 1),
    ],
)
def test_first_review_late(start: str, due: str, held: str, days_late: int) -> None:
    c = _one_period(start, [ev("review", held)])
    expect(
        ob(run(c, "2024-12-31"), "review-first"),
        status="met_late",
        due=due,
        met_on=held,
        days_late=days_late,
    )


@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [
        ("2021-01-19", "pending", None),
        ("2021-01-20", "pending", None),
        ("2021-01-21", "overdue", 1),
    ],
)
def test_first_review_not_held(as_of: str, status: str, days_late: int | None) -> None:
    # Due Wed 20 Jan 2021 (Fri 18 Dec 2020 + 20 WD; skips 25 Dec, 28 Dec 2020 and 1 Jan 2021).
    c = _one_period("2020-12-18", [])
    expect(ob(run(c, as_of), "review-first"), status=status, due="2021-01-20", days_late=days_late)


def test_cancelled_reviews_never_count() -> None:
    # Due Wed 20 Jan 2021; a cancelled review on the due date, a held one on Sat 23 Jan.
    c = _one_period(
        "2020-12-18", [ev("review", "2021-01-20", cancelled=True), ev("review", "2021-01-23")]
    )
    expect(
        ob(run(c, "2021-02-01"), "review-first"),
        status="met_late",
        due="2021-01-20",
        met_on="2021-01-23",
        days_late=3,
    )


def test_only_a_cancelled_review_leaves_the_first_review_overdue() -> None:
    c = _one_period("2020-12-18", [ev("review", "2021-01-15", cancelled=True)])
    r = run(c, "2021-02-01")
    expect(ob(r, "review-first"), status="overdue", due="2021-01-20", days_late=12)
    assert obs(r, "review-second") == []


def test_review_before_the_period_start_does_not_count_but_on_the_start_day_does() -> None:
    before = _one_period("2022-09-05", [ev("review", "2022-09-02")])
    expect(
        ob(run(before, "2022-10-05"), "review-first"),
        status="overdue",
        due="2022-10-04",
        days_late=1,
    )
    on = _one_period("2022-09-05", [ev("review", "2022-09-05")])
    expect(
        ob(run(on, "2022-10-05"), "review-first"),
        status="met_on_time",
        due="2022-10-04",
        met_on="2022-09-05",
    )


@pytest.mark.parametrize(
    ("end", "status", "reason"),
    [
        ("2022-10-03", "not_required", "scope_ended"),
        ("2022-10-04", "missed", None),
        ("2022-11-30", "missed", None),
    ],
)
def test_first_review_when_the_period_ended(end: str, status: str, reason: str | None) -> None:
    # Due Tue 4 Oct 2022 (Mon 5 Sep 2022 + 20 WD, skipping Mon 19 Sep, the State Funeral).
    c = _one_period("2022-09-05", [], end=end)
    expect(ob(run(c, "2022-12-31"), "review-first"), status=status, due="2022-10-04", reason=reason)


# ----------------------------------------------------------------------------- review-second
# Mon 8 Jan 2024 + 20 WD = Mon 5 Feb 2024 (no bank holidays; four weekends).
JAN_2024 = "2024-01-08"


def test_second_review_month_end_rule() -> None:
    # First review Wed 31 Jan 2024 -> + 3 months: no 31 April, so Tue 30 Apr 2024.
    c = _one_period(JAN_2024, [ev("review", "2024-01-31"), ev("review", "2024-04-30")])
    r = run(c, "2024-05-15")
    expect(ob(r, "review-first"), status="met_on_time", due="2024-02-05", met_on="2024-01-31")
    o = ob(r, "review-second")
    expect(o, status="met_on_time", due="2024-04-30", met_on="2024-04-30", anchor="2024-01-31")
    assert o.key == "C1:1:-:review-second:2024-01-31"
    assert o.citation == "SI 2010/959 reg 33(2)"


def test_second_review_one_day_after_the_month_end_due_date_is_late() -> None:
    c = _one_period(JAN_2024, [ev("review", "2024-01-31"), ev("review", "2024-05-01")])
    expect(
        ob(run(c, "2024-05-15"), "review-second"),
        status="met_late",
        due="2024-04-30",
        met_on="2024-05-01",
        days_late=1,
    )


def test_second_review_fixed_days_convention() -> None:
    # 31 Jan 2024 + 91 days = Wed 1 May 2024 (29 + 31 + 30 + 1).
    c = _one_period(JAN_2024, [ev("review", "2024-01-31"), ev("review", "2024-05-01")])
    r = run(c, "2024-05-15", Conventions(month_arithmetic="fixed_days"))
    expect(ob(r, "review-second"), status="met_on_time", due="2024-05-01", met_on="2024-05-01")
    # Working days are not affected by the month convention.
    expect(ob(r, "review-first"), status="met_on_time", due="2024-02-05", met_on="2024-01-31")


def test_late_first_review_moves_the_second() -> None:
    # First review due Mon 5 Feb 2024, held Mon 12 Feb (7 days late): second due Sun 12 May 2024
    # (calendar months; no working-day adjustment).
    c = _one_period(JAN_2024, [ev("review", "2024-02-12"), ev("review", "2024-05-10")])
    r = run(c, "2024-06-01")
    expect(
        ob(r, "review-first"), status="met_late", due="2024-02-05", met_on="2024-02-12", days_late=7
    )
    expect(
        ob(r, "review-second"),
        status="met_on_time",
        due="2024-05-12",
        met_on="2024-05-10",
        anchor="2024-02-12",
    )


def test_a_second_review_on_the_same_day_as_the_first_does_not_count() -> None:
    c = _one_period(JAN_2024, [ev("review", "2024-01-31"), ev("review", "2024-01-31")])
    expect(ob(run(c, "2024-03-01"), "review-second"), status="pending", due="2024-04-30")


def test_cancelled_second_review_does_not_count() -> None:
    c = _one_period(
        JAN_2024, [ev("review", "2024-01-31"), ev("review", "2024-04-30", cancelled=True)]
    )
    expect(
        ob(run(c, "2024-05-03"), "review-second"), status="overdue", due="2024-04-30", days_late=3
    )


def test_no_first_review_means_no_second_or_subsequent() -> None:
    r = run(_one_period(JAN_2024, []), "2024-12-31")
    expect(ob(r, "review-first"), status="overdue", due="2024-02-05", days_late=330)
    assert obs(r, "review-second") == []
    assert obs(r, "review-subsequent") == []


@pytest.mark.parametrize(
    ("end", "status", "reason"),
    [("2024-04-29", "not_required", "scope_ended"), ("2024-04-30", "missed", None)],
)
def test_second_review_when_the_period_ended(end: str, status: str, reason: str | None) -> None:
    c = _one_period(JAN_2024, [ev("review", "2024-01-31")], end=end)
    expect(
        ob(run(c, "2024-06-01"), "review-second"), status=status, due="2024-04-30", reason=reason
    )


# ------------------------------------------------------------------------ review-subsequent
# Mon 5 Jun 2023 + 20 WD = Mon 3 Jul 2023 (no bank holidays: 29 May is before the start).
JUN_2023 = "2023-06-05"
CHAIN = [
    ev("review", "2023-06-30"),  # first, on time
    ev("review", "2023-08-31"),  # second: due 30 Sep 2023, held early
    ev("review", "2024-02-29"),  # subsequent #1: 31 Aug 2023 + 6 months = 29 Feb 2024
]


def test_subsequent_reviews_month_end_and_leap_day() -> None:
    r = run(_one_period(JUN_2023, CHAIN), "2024-09-10")
    expect(ob(r, "review-first"), status="met_on_time", due="2023-07-03", met_on="2023-06-30")
    expect(ob(r, "review-second"), status="met_on_time", due="2023-09-30", met_on="2023-08-31")
    chain = obs(r, "review-subsequent")
    assert [o.sequence for o in chain] == [1, 2]
    # 31 Aug 2023 + 6 months: no 31 February, so Thu 29 Feb 2024 (leap year).
    expect(
        chain[0], status="met_on_time", due="2024-02-29", met_on="2024-02-29", anchor="2023-08-31"
    )
    # 29 Feb 2024 + 6 months = Thu 29 Aug 2024; 12 days overdue on Tue 10 Sep 2024.
    expect(chain[1], status="overdue", due="2024-08-29", days_late=12, anchor="2024-02-29")
    assert [o.key for o in chain] == [
        "C1:1:-:review-subsequent:2023-08-31",
        "C1:1:-:review-subsequent:2024-02-29",
    ]
    assert {o.citation for o in chain} == {"SI 2010/959 reg 33(2)"}


def test_subsequent_reviews_fixed_days_convention() -> None:
    # 30 Jun 2023 + 91 = Fri 29 Sep 2023; 31 Aug 2023 + 183 = Fri 1 Mar 2024;
    # 29 Feb 2024 + 183 = Fri 30 Aug 2024 (11 days overdue on Tue 10 Sep 2024).
    r = run(_one_period(JUN_2023, CHAIN), "2024-09-10", Conventions(month_arithmetic="fixed_days"))
    expect(ob(r, "review-second"), status="met_on_time", due="2023-09-29", met_on="2023-08-31")
    chain = obs(r, "review-subsequent")
    assert len(chain) == 2
    expect(chain[0], status="met_on_time", due="2024-03-01", met_on="2024-02-29")
    expect(chain[1], status="overdue", due="2024-08-30", days_late=11)


def test_late_and_early_reviews_restart_the_clock() -> None:
    events = [
        ev("review", "2023-07-03"),  # first: on the due date Mon 3 Jul 2023
        ev("review", "2023-10-02"),  # second: due Tue 3 Oct 2023
        ev("review", "2024-04-02", cancelled=True),  # never counts
        ev("review", "2024-04-15"),  # #1 due Tue 2 Apr 2024: 13 days late
        ev("review", "2024-08-01"),  # #2 due Tue 15 Oct 2024: early
    ]
    r = run(_one_period(JUN_2023, events), "2024-12-01")
    expect(ob(r, "review-first"), status="met_on_time", due="2023-07-03", met_on="2023-07-03")
    expect(ob(r, "review-second"), status="met_on_time", due="2023-10-03", met_on="2023-10-02")
    chain = obs(r, "review-subsequent")
    assert len(chain) == 3
    expect(chain[0], status="met_late", due="2024-04-02", met_on="2024-04-15", days_late=13)
    expect(
        chain[1], status="met_on_time", due="2024-10-15", met_on="2024-08-01", anchor="2024-04-15"
    )
    expect(chain[2], status="pending", due="2025-02-01", anchor="2024-08-01")
    # A recurring chain ends with exactly one unmet obligation, the last.
    assert [o.met_on is None for o in chain] == [False, False, True]


@pytest.mark.parametrize(
    ("end", "status", "reason"),
    [
        ("2024-03-01", "not_required", "scope_ended"),
        ("2024-08-28", "not_required", "scope_ended"),
        ("2024-08-29", "missed", None),
    ],
)
def test_subsequent_chain_ends_with_the_period(end: str, status: str, reason: str | None) -> None:
    r = run(_one_period(JUN_2023, CHAIN, end=end), "2024-09-10")
    chain = obs(r, "review-subsequent")
    assert len(chain) == 2
    expect(chain[1], status=status, due="2024-08-29", reason=reason)
